"""Figures in languages other than English: "0,2 %", "1,5 milliard d'euros", "2.500 Menschen",
"12 000 personnes", "3,4 Mrd. €", "mil millones de dólares".

The English reader (`quantities`) knows English words and the English way of writing digits; this one
is keyed on the article's language. It reads a figure as the language writes it
(`storyline.text.numbers.figure_value`), or a number word through text2num, then the scale word of
that language ("milliard", "Mio.", "millones") and what follows: a percent sign or word, a currency
symbol or word ("d'euros", "Dollar"), a unit symbol, or a counted noun. Dates, years, times and
codes are left alone as in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from storyline.enrich.money import PREFIX_SYMBOLS, SUFFIX_WORDS
from storyline.enrich.units import ALIASES
from storyline.text.numbers import NUMBER_WORD_LANGUAGES, digits_pattern, figure_value, number_value
from storyline.text.words import stop_words

LANGUAGES = tuple(lang for lang in NUMBER_WORD_LANGUAGES if lang != "en")

# scale words written after a figure, lower case; several words are matched longest first
SCALE_WORDS: dict[str, dict[str, float]] = {
    "fr": {
        "mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "md": 1e9,
        "mds": 1e9, "mrd": 1e9, "mrds": 1e9, "billion": 1e12, "billions": 1e12, "m": 1e6, "k": 1e3,
    },
    "de": {
        "tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio.": 1e6, "mio": 1e6, "milliarde": 1e9,
        "milliarden": 1e9, "mrd.": 1e9, "mrd": 1e9, "md.": 1e9, "billion": 1e12, "billionen": 1e12,
    },
    "es": {
        "mil": 1e3, "millón": 1e6, "millon": 1e6, "millones": 1e6, "mil millones": 1e9, "mil millón": 1e9,
        "millardo": 1e9, "millardos": 1e9, "billón": 1e12, "billones": 1e12,
    },
    "it": {
        "mila": 1e3, "mille": 1e3, "milione": 1e6, "milioni": 1e6, "mln": 1e6, "miliardo": 1e9,
        "miliardi": 1e9, "mld": 1e9, "mrd": 1e9,
    },
    "pt": {
        "mil": 1e3, "milhão": 1e6, "milhões": 1e6, "milhao": 1e6, "milhoes": 1e6, "mil milhões": 1e9,
        "bilhão": 1e9, "bilhões": 1e9, "bilião": 1e12, "biliões": 1e12,
    },
    "nl": {
        "duizend": 1e3, "miljoen": 1e6, "mln": 1e6, "mln.": 1e6, "miljard": 1e9, "mld": 1e9, "mld.": 1e9,
        "biljoen": 1e12,
    },
}  # fmt: skip

# currency words written after the amount, lower case, on top of the English ones
CURRENCY_WORDS: dict[str, str] = {
    **SUFFIX_WORDS,
    "dollar": "USD", "dollars": "USD", "us-dollar": "USD", "dólar": "USD", "dólares": "USD", "dollari": "USD",
    "dollaro": "USD", "dólares americanos": "USD", "dollars américains": "USD",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "livre": "GBP", "livres": "GBP", "livres sterling": "GBP", "pfund": "GBP", "libra": "GBP", "libras": "GBP",
    "libras esterlinas": "GBP", "sterline": "GBP", "sterlina": "GBP", "pond": "GBP",
    "franc suisse": "CHF", "francs suisses": "CHF", "franken": "CHF", "schweizer franken": "CHF",
    "yens": "JPY", "roubles": "RUB", "rubel": "RUB", "rublos": "RUB", "yuans": "CNY",
}  # fmt: skip
_LINK_RE = re.compile(r"[\s\u00a0\u202f]+(?:de|di|van|d['’])(?=[\s\w])", re.IGNORECASE)
# a currency word is joined to its amount by "de", "d'", "di" ("1 milliard d'euros")
_CURRENCY_LINK = r"(?:(?:de|di|van)\s+|d['’]\s?)?"
PERCENT_WORDS = (
    "pour cent", "pourcent", "prozent", "por ciento", "por cento", "per cento", "procent", "percent", "%",
)  # fmt: skip

# words after a figure that make it a date, a time or an age, not a count
TIME_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "fr": "an ans année années jour jours mois semaine semaines heure heures h minute minutes seconde "
        "secondes siècle siècles janvier février mars avril mai juin juillet août septembre octobre "
        "novembre décembre fois reprise reprises",
        "de": "jahr jahre jahren jahres tag tage tagen monat monate monaten woche wochen stunde stunden uhr "
        "minute minuten sekunden jahrhundert januar jänner februar märz april mai juni juli august "
        "september oktober november dezember mal",
        "es": "año años día días mes meses semana semanas hora horas minuto minutos segundos siglo siglos "
        "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
        "diciembre veces",
        "it": "anno anni giorno giorni mese mesi settimana settimane ora ore minuti secondi secolo gennaio "
        "febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre volte",
        "pt": "ano anos dia dias mês meses semana semanas hora horas minutos segundos século janeiro "
        "fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro vezes",
        "nl": "jaar jaren dag dagen maand maanden week weken uur minuten seconden eeuw januari februari "
        "maart april mei juni juli augustus september oktober november december keer",
    }.items()
}
# number words too often an article or a pronoun to be read as a figure ("un", "ein", "uno")
_ARTICLE_NUMBERS = frozenset(
    {"un", "une", "ein", "eine", "einen", "einem", "einer", "uno", "una", "um", "uma", "een"}
)
# unit words after a figure that are too often plain words ("a", "m" as a scale, "in")
_WEAK_UNITS = frozenset(
    {"in", "m", "g", "t", "w", "l", "mi", "d", "h", "ha", "kn", "cf", "a", "mm", "b/d", "s"}
)


@dataclass(frozen=True)
class LocalFigure:
    """One figure found by `read_figures`: its span, value and what it is a figure of."""

    start: int
    end: int
    value: float
    unit: str  # "%", an ISO currency code, a unit symbol or "count"
    kind: str  # "quantity", "money" or "count"
    measured: str | None = None


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


@lru_cache(maxsize=8)
def _figure_re(language: str) -> re.Pattern[str]:
    """A figure (digits as `language` writes them, or one word) after an optional currency symbol,
    with the scale word that follows ("1,5 milliard", "135-mille", "3,4 Mrd.")."""
    prefix = _alternation(PREFIX_SYMBOLS)
    scale = _alternation(SCALE_WORDS[language])
    return re.compile(
        rf"(?:(?P<prefix>{prefix})\s?)?"
        rf"(?:(?<![\w.,])(?P<digits>{digits_pattern(language)})(?![\d])|(?<![\w'’-])(?P<word>[^\W\d_]+))"
        rf"(?:[\s\u00a0\u202f-](?P<scale>{scale})(?![\w]))?",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8)
def _tail_res(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    percent = re.compile(rf"[\s\u00a0\u202f]?(?:{_alternation(PERCENT_WORDS)})(?![\w])", re.IGNORECASE)
    currency = re.compile(
        rf"[\s\u00a0\u202f-]?(?:{_CURRENCY_LINK}(?P<word>{_alternation(CURRENCY_WORDS)})(?![\w])"
        rf"|(?P<symbol>€|\$|£|¥|₽|₹|₩))",
        re.IGNORECASE,
    )
    unit = re.compile(rf"[\s\u00a0\u202f-]?(?P<unit>{_alternation(ALIASES)})(?![\w])")
    return percent, currency, unit


@lru_cache(maxsize=8)
def _scale_re(language: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{_alternation(SCALE_WORDS[language])})(?![\w])", re.IGNORECASE)


_WORD_RE = re.compile(r"[\s\u00a0\u202f]+([^\W\d_][\w'’-]*)")
_LINKED_WORD_RE = re.compile(r"[\s\u00a0\u202f]*([^\W\d_][\w'’-]*)")


def read_figures(text: str, language: str) -> list[LocalFigure]:
    """The money amounts, percentages, measures and counts written in `text` the way `language`
    writes them, in order of position."""
    if language not in SCALE_WORDS:
        return []
    found: list[LocalFigure] = []
    pos = 0
    while m := _figure_re(language).search(text, pos):
        figure = _read(text, m, language)
        if figure is not None:
            found.append(figure)
            pos = figure.end
        else:  # a word that is no number may be followed by a scale that opens one ("costó mil millones")
            pos = m.end("word") if m.group("word") else m.end()
    return found


def _read(text: str, m: re.Match[str], language: str) -> LocalFigure | None:
    if m.group("digits"):
        value = figure_value(m.group("digits"), language)
    else:
        word = m.group("word").lower()
        value = None if word in _ARTICLE_NUMBERS else number_value(word, language)
    start, end = m.start(), m.end()
    scale = (m.group("scale") or "").lower()
    if value is None and m.group("word") and (sm := _scale_re(language).match(text, m.start("word"))):
        # a scale word on its own: "mil millones de dólares", "Millionen Euro"
        value, scale, end = 1.0, sm.group().lower(), sm.end()
        if _count(text, start, end, 1.0, language, scaled=False) is None and not _tail_res(language)[1].match(
            text, end
        ):
            return None
    if value is None:
        return None
    value *= SCALE_WORDS[language].get(scale, 1.0)
    percent, currency, unit = _tail_res(language)
    if m.group("prefix"):
        return LocalFigure(start, end, value, PREFIX_SYMBOLS[m.group("prefix")], "money")
    if (
        m.group("digits")
        and not scale
        and _is_not_a_figure(text, m.start("digits"), end, m.group("digits"), language)
    ):
        return None
    if pm := percent.match(text, end):
        return LocalFigure(start, pm.end(), value, "%", "quantity")
    if cm := currency.match(text, end):
        code = (
            CURRENCY_WORDS[cm.group("word").lower()]
            if cm.group("word")
            else PREFIX_SYMBOLS[cm.group("symbol")]
        )
        return LocalFigure(start, cm.end(), value, code, "money")
    um = unit.match(text, end)
    if um and um.group("unit").lower() not in _WEAK_UNITS and um.group("unit").lower() in ALIASES:
        word = um.group("unit").lower()
        return LocalFigure(start, um.end(), value, ALIASES[word], "quantity", word if len(word) > 3 else None)
    return _count(text, start, end, value, language, bool(scale))


def _is_not_a_figure(text: str, start: int, end: int, digits: str, language: str) -> bool:
    """Years, times, codes and numbers glued to letters, as the English reader leaves them alone."""
    before, after = text[max(0, start - 12) : start], text[end : end + 4]
    if digits.startswith("0") and len(digits) > 1 and digits[1].isdigit():
        return True  # "0370", "09"
    if re.match(r"\s?(?:[:/]\d|h\d|\.\d|e\b|er\b|ème\b|º|ª)", after):
        return True  # 9:05, 14h30, dates "12.5.", ordinals "1er", "2e"
    if re.search(r"(?:[^\W\d_]|[/:])$", before) or re.search(r"\d[./]\s?$", before):
        return True  # "A380", "p23", "12/05"
    return bool(re.fullmatch(r"(?:1[5-9]|20)\d\d", digits))  # a year


def _count(text: str, start: int, end: int, value: float, language: str, scaled: bool) -> LocalFigure | None:
    """A figure followed by the noun it counts ("12 000 personnes", "2.500 Menschen", "neuf États"),
    or a large scaled figure on its own ("1,5 million")."""
    link = _LINK_RE.match(text, end) if scaled else None  # "1,5 million de personnes"
    wm = (_LINKED_WORD_RE if link else _WORD_RE).match(text, link.end() if link else end)
    if wm:
        noun = wm.group(1)
        low = noun.lower()
        counted = (
            low not in TIME_WORDS[language]
            and low not in stop_words(language)  # spaCy's closed-class words end the noun phrase
            and low not in SCALE_WORDS[language]
            and number_value(low, language) is None
            and len(low) > 2
            and _looks_counted(noun, value, language)
        )
        if counted:
            return LocalFigure(start, wm.end(), value, "count", "count", noun)
    if scaled:
        return LocalFigure(start, end, value, "count", "count")
    return None


# plural endings of nouns counted by two or more, where the language marks them
_PLURAL_ENDINGS: dict[str, tuple[str, ...]] = {
    "fr": ("s", "x"), "es": ("s",), "pt": ("s",), "it": ("i", "e"), "nl": ("en", "s"),
}  # fmt: skip


def _looks_counted(noun: str, value: float, language: str) -> bool:
    """Whether the word after a figure is the noun it counts: capitalized in German (every noun is),
    plural in languages that mark plurals on nouns when the figure is two or more."""
    if language == "de":
        return noun[0].isupper()
    endings = _PLURAL_ENDINGS.get(language)
    return value < 2 or endings is None or noun.lower().endswith(endings)
