"""Quantities in news text: money, physical amounts, percentages and counts of things.

`extract_quantities(text, published)` finds "$ 75m", "130,000 euros", "5,000 barrels a day",
"3-4 tonnes", "more than 1,000 people", "tens of millions of artillery shells", "two-thirds" ...
and returns `Quantity` records whose offsets index into `text`. Money is normalised to USD and EUR
at the ECB rate of the publication day (`money.normalize_money`); physical amounts to their base
unit (`units.to_base`). Rule based: a number (digits, words, or a vague multiple), then what follows
it decides the unit (currency symbol or word, unit word, or a counted noun). Dates, years, times,
ages, durations, phone numbers and ordinals are left alone.

Text tokenised the Penn Treebank way ("-LRB-", "60 ,000") is normalized by the cleaner before it
gets here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from storyline.enrich.localized import LANGUAGES as LOCALIZED_LANGUAGES
from storyline.enrich.localized import LocalFigure, read_figures
from storyline.enrich.money import PREFIX_SYMBOLS, SUFFIX_WORDS, normalize_money
from storyline.enrich.units import ALIASES, RATE_ALIASES, to_base
from storyline.model import Quantity
from storyline.text.numbers import number_value
from storyline.text.sentences import sentence_spans

# ---------------------------------------------------------------- numbers

SCALES: dict[str, float] = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
    "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
}  # fmt: skip
VAGUE: dict[str, float] = {
    "dozens": 12, "scores": 20, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9,
}  # fmt: skip
FRACTIONS: dict[str, float] = {
    "half": 1 / 2,
    "halves": 1 / 2,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 1 / 4,
    "quarters": 1 / 4,
    "fifth": 1 / 5,
    "fifths": 1 / 5,
}

# digits: "1,234.5", "3.1", ".5"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_SCALE = r"(?:hundred|thousand|million|billion|trillion|lakhs?|crores?|mln|mn|bln|bn|tn|trn|m|k|b)"
# a scale word may be hyphenated to its figure, as transcripts write it ("135-thousand-dollars")
_HYPHEN_SCALE = r"(?:-(?:hundred|thousand|million|billion|trillion))"
_DIGITS_NUMBER_RE = re.compile(rf"{_DIGITS}(?:\s?{_SCALE}(?![\w])|{_HYPHEN_SCALE}(?![\w]))?", re.IGNORECASE)
_SCALE_AFTER_RE = re.compile(rf"\s?({_SCALE})(?![\w])", re.IGNORECASE)
_LETTERS_RE = re.compile(r"[A-Za-z]+(?![A-Za-z])")
_JOINED_WORD_RE = re.compile(r"[- ]([A-Za-z]+)(?![A-Za-z])")
_DOZEN_RE = re.compile(r"(?:a )?dozen(?![\w])", re.IGNORECASE)
# plural multiples ("tens", "hundreds") are vague amounts, read by `_read_words`, not numbers
_NOT_CARDINAL = frozenset({*VAGUE, "tens"})


@lru_cache(maxsize=4096)
def cardinal_word(word: str) -> int | None:
    """The value of one spelled-out cardinal below a hundred ("seven", "nineteen", "forty"), as
    text2num reads it (`storyline.text.numbers`); None for anything else, scale words ("hundred",
    "million": they multiply) and single letters included."""
    low = word.lower()
    if len(low) < 2 or low in SCALES or low in _NOT_CARDINAL:
        return None
    return number_value(low, "en")


def _spelled_end(text: str, pos: int) -> tuple[int, float] | None:
    """End and value of the spelled-out number at `pos`: a cardinal, a ten and a digit joined by a
    hyphen or a space ("twenty-five", "ninety nine", as text2num reads them), or "(a) dozen"."""
    dozen = _DOZEN_RE.match(text, pos)
    if dozen:
        return dozen.end(), 12.0
    word = _LETTERS_RE.match(text, pos)
    first = cardinal_word(word.group()) if word else None
    if word is None or first is None:
        return None
    joined = _JOINED_WORD_RE.match(text, word.end())
    second = cardinal_word(joined.group(1)) if joined else None
    if joined and second is not None and first >= 20 and first % 10 == 0 and 0 < second < 10:
        value = number_value(text[pos : joined.end()].lower(), "en")
        if value is not None:
            return joined.end(), float(value)
    return word.end(), float(first)


def match_number(text: str, pos: int) -> tuple[int, str] | None:
    """(end, text) of the number written at `pos`: digits ("1,234.5") or a spelled-out number
    ("twenty-five"), with the scale that follows it ("1.2bn", "two million"); None when none is there."""
    digits = _DIGITS_NUMBER_RE.match(text, pos)
    if digits:
        return digits.end(), digits.group()
    spelled = _spelled_end(text, pos)
    if spelled is None:
        return None
    end = spelled[0]
    scale = _SCALE_AFTER_RE.match(text, end)
    if scale:
        end = scale.end()
    return end, text[pos:end]


def parse_number(text: str) -> float | None:
    """Value of a written number: "1,234.5", "1.2 million", "£" excluded, "twenty-five", "1.2bn",
    "a dozen"; None when it is not one."""
    t = " ".join(text.strip().split()).lower()
    if not t:
        return None
    digits = re.fullmatch(rf"({_DIGITS})(?:[\s-]?({_SCALE}))?", t)
    if digits:
        base, scale = float(digits.group(1).replace(",", "")), digits.group(2)
    else:
        spelled = _spelled_end(t, 0)
        if spelled is None:
            return None
        rest = _SCALE_AFTER_RE.fullmatch(t, spelled[0])
        if spelled[0] < len(t) and rest is None:
            return None
        base, scale = spelled[1], rest.group(1) if rest else None
    return base * (SCALES[scale] if scale else 1.0)


# ---------------------------------------------------------------- context words

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
}  # fmt: skip
TIME_NOUNS = {
    "second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days",
    "week", "weeks", "month", "months", "year", "years", "yr", "yrs", "decade", "decades", "century",
    "centuries", "night", "nights", "weekend", "weekends", "am", "pm", "a.m.", "p.m.", "gmt", "bst",
    "edt", "est", "utc", "o'clock", "year-old", "years-old", "year-olds", "morning", "mornings",
    "evening", "evenings", "times",
}  # fmt: skip
# closed-class words (articles, prepositions, pronouns, auxiliaries) that end the noun phrase after a
# number. Not a retrieval stop-word list: spaCy's English list also holds words that are counted
# ("10 others", "four US states", "several"), and with it two labelled mentions were lost.
STOP = {
    "of", "the", "to", "in", "on", "at", "for", "from", "with", "by", "a", "an", "was", "were", "is",
    "are", "has", "have", "had", "will", "would", "who", "which", "that", "and", "or", "but", "as",
    "than", "be", "been", "it", "its", "their", "his", "her", "this", "these", "those", "per", "each",
    "every", "more", "less", "into", "over", "under", "after", "before", "since", "said", "says", "not",
    "no", "so", "up", "out", "about", "some", "all", "other", "such", "only", "also", "being", "could",
    "can", "may", "might", "should", "do", "does", "did", "there", "they", "them", "he", "she", "we",
    "you", "i", "if", "when", "where", "while",
}  # fmt: skip
IRREGULAR_PLURALS = {
    "people", "men", "women", "children", "police", "personnel", "staff", "cattle", "sheep", "fish", "deer",
    "geese", "mice", "crew", "troops", "livestock", "poultry", "aircraft", "folk", "youth", "clergy", "data",
}  # fmt: skip
NOT_PLURAL = {
    "this",
    "his",
    "its",
    "was",
    "has",
    "is",
    "us",
    "as",
    "plus",
    "thus",
    "yes",
    "less",
    "news",
    "across",
    "various",
    "previous",
    "serious",
    "famous",
    "virus",
    "bus",
    "gas",
    "status",
    "campus",
    "census",
    "bonus",
    "focus",
    "crisis",
    "basis",
    "analysis",
    "always",
    "perhaps",
}
# nouns counted after "one" ("one person died"); other singulars after "one" are too often idioms
COUNTED_SINGULAR = {
    "person", "man", "woman", "child", "boy", "girl", "baby", "death", "case", "body", "worker", "victim",
    "soldier", "officer", "patient", "passenger", "student", "resident", "survivor", "casualty", "fatality",
    "infection", "bird", "animal", "count", "charge", "bill", "vessel", "ship", "plane", "vehicle", "car",
    "house", "home", "building", "well", "company", "country", "state", "barrel", "ton", "tonne",
}  # fmt: skip
APPROX_RE = re.compile(
    r"(?:\b(?:about|around|approximately|roughly|nearly|almost|some|an\s+estimated|estimated|more\s+than|"
    r"over|up\s+to|at\s+least|at\s+most|as\s+many\s+as|as\s+much\s+as|as\s+few\s+as|less\s+than|fewer\s+than|"
    r"close\s+to|upwards\s+of|just\s+over|just\s+under|well\s+over|in\s+excess\s+of|approx\.?|c\.|circa)|~)\s*$",
    re.IGNORECASE,
)
RATE_RE = re.compile(
    r"\s*(?:(?:a|an|per|each|every|a\s+single)\s+|/\s?|\\/\s?|p/)"
    r"(day|d|24\s+hours|year|yr|annum|a|month|mo|m|week|wk|hour|hr|h)\b(?!\s*(?:-|of)\b)",
    re.IGNORECASE,
)
DAILY_RE = re.compile(r"\s*(?:daily|a\s+day|per\s+day)\b", re.IGNORECASE)
PERIOD_OF: dict[str, str] = {
    "day": "d", "d": "d", "24 hours": "d", "year": "yr", "yr": "yr", "annum": "yr", "a": "yr", "month": "mo",
    "mo": "mo", "m": "mo", "week": "wk", "wk": "wk", "hour": "h", "hr": "h", "h": "h",
}  # fmt: skip

# currency prefixes, longest first; alphabetic codes need a word boundary, "R" and "Rs" sit before digits
_PREFIXES = sorted(PREFIX_SYMBOLS, key=len, reverse=True)
PREFIX_RE = re.compile(
    r"(?:"
    + "|".join(
        (r"(?<![\w])" + re.escape(p) + (r"(?=\s?\d)" if p in ("R", "Rs", "Rs.") else r""))
        if p[0].isalpha()
        else re.escape(p)
        for p in _PREFIXES
    )
    + r")\s?$"
)
_SUFFIX_WORDS = sorted(SUFFIX_WORDS, key=len, reverse=True)
SUFFIX_RE = re.compile(r"(?:\s?|-)(" + "|".join(re.escape(w) for w in _SUFFIX_WORDS) + r")\b", re.IGNORECASE)
_UNIT_WORDS = sorted([*ALIASES, *RATE_ALIASES], key=len, reverse=True)
UNIT_RE = re.compile(
    r"(?:\s?|-)("
    + "|".join(re.escape(w) for w in _UNIT_WORDS)
    + r")(?![\w])(?:-(?:long|high|tall|wide|deep))?",
    re.IGNORECASE,
)
OF_RES = [re.compile(r"\s+of\s+((?:[a-z][\w-]*\s+){" + str(k) + r"}[a-z][\w-]*)") for k in range(3)]
WORD_RE = re.compile(r"\s*([A-Za-z][A-Za-z.'-]*)")
RANGE_RE = re.compile(
    r"\s?(?:-|–|to)\s?("
    + "|".join(re.escape(p) for p in sorted(PREFIX_SYMBOLS, key=len, reverse=True))
    + r")?\s?(?=[\d.])"
)
PHONE_RE = re.compile(r"\+?\(?\d{2,4}\)?[\s.-]\d{2,4}[\s.-]\d{2,4}(?:[\s.-]\d{2,4})?")

# units that are too often plain words to be taken after a bare number ("in", "m", "a")
WEAK_UNITS = {"in", "m", "g", "t", "w", "l", "mi", "d", "h", "ha", "kn", "cf", "mm", "b/d"}


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    value: float
    unit: str
    kind: str
    approximate: bool = False
    measured: str | None = None
    value_max: float | None = None
    per: str | None = None  # period for money and counts given per time ("R129 p/m")


# ---------------------------------------------------------------- main entry


def extract_quantities(
    text: str, published: str | None = None, language: str | None = None
) -> list[Quantity]:
    """Money, physical quantities, percentages and counts in `text`, in order of position.

    `published` ("YYYY-MM-DD") is the day whose ECB rate normalises money amounts. `language` (ISO
    639-1) chooses how figures are read: English (the default) by the rules below, French, German,
    Spanish ... by `localized.read_figures` ("1,5 milliard d'euros", "2.500 Menschen").
    """
    if language in LOCALIZED_LANGUAGES:
        return [_to_quantity(text, _from_local(f), published) for f in read_figures(text, language)]
    found: list[_Found] = []
    pos = 0
    for m in _CANDIDATE_RE.finditer(text):
        if m.start() < pos or (m.group("word") and not _may_open_number(m.group("word"))):
            continue
        hit = _read_at(text, m)
        if hit is not None:
            found.append(hit)
            pos = hit.end
    found = _merge_ranges(text, found)
    return [_to_quantity(text, f, published) for f in found]


def _from_local(f: LocalFigure) -> _Found:
    return _Found(f.start, f.end, f.value, f.unit, f.kind, measured=f.measured)


_CANDIDATE_RE = re.compile(
    r"(?:(?<![\w.,])(?:"
    + _DIGITS
    + r")|(?<![\w])(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")"
    r"|\b(?P<word>[A-Za-z]+)\b)",
    re.IGNORECASE,
)
_OPENING_WORDS = frozenset({"a", "an", "tens", "dozen", *VAGUE})


@lru_cache(maxsize=8192)
def _may_open_number(word: str) -> bool:
    """Whether a word can open a written quantity: a spelled-out cardinal, a vague multiple
    ("dozens", "tens of"), "a"/"an" ("a dozen", "a third of", "a mile")."""
    return word.lower() in _OPENING_WORDS or cardinal_word(word) is not None


def _read_at(text: str, m: re.Match[str]) -> _Found | None:
    start = m.start()
    # currency prefix right here?
    cur: str | None = None
    j = start
    pm = re.match(r"(" + "|".join(re.escape(p) for p in _PREFIXES) + r")(?=\s?[\d.])", text[start:])
    if pm:
        symbol = pm.group(1)
        if symbol[0].isalpha() and (start > 0 and text[start - 1].isalpha()):
            return None
        if symbol in ("R", "Rs") and not re.match(r"\d", text[pm.end() + start :]) and symbol == "R":
            return None
        cur = PREFIX_SYMBOLS[symbol]
        j = start + pm.end()
        while j < len(text) and text[j] == " ":
            j += 1
    elif not (text[start].isdigit() or text[start] == "."):
        return _read_words(text, start)
    nm = match_number(text, j)
    if not nm:
        return None
    end, number = nm
    value = parse_number(number)
    if value is None:
        return None
    scale = _scale_of(number)
    dm = re.match(_DIGITS, number)
    raw_digits = re.sub(r"\s", "", dm.group(0)) if dm else ""
    if cur is None and _is_excluded_number(text, j, end, raw_digits, scale):
        return None
    value_max: float | None = None
    rg = RANGE_RE.match(text, end)
    if rg:
        nm2 = match_number(text, rg.end())
        top = parse_number(nm2[1]) if nm2 else None
        scale2 = _scale_of(nm2[1]) if nm2 else None
        if nm2 and top is not None and not (nm2[1][0].isalpha()) and (rg.group(1) is None or cur):
            if scale2 and not scale:
                value *= SCALES[scale2]
            if top >= value and not re.match(r"\s?(?::\d)", text[nm2[0] :]):
                value_max, end, scale = top, nm2[0], scale2 or scale
    found: _Found | None
    if cur is not None:
        found = _money(text, start, end, value if value_max is None else value_max, cur)
    else:
        found = _after_number(text, start, end, value if value_max is None else value_max, scale)
    if found is not None and value_max is not None:
        if found.kind == "count" and found.measured is None:
            return None
        found = replace(found, value=value, value_max=value_max)
    return found


def _scale_of(num: str) -> str | None:
    sm = re.search(rf"[\s-]?({_SCALE})$", num, re.IGNORECASE)
    if sm and not re.fullmatch(_DIGITS, num.strip()):
        return sm.group(1).lower()
    return None


def _is_excluded_number(text: str, start: int, end: int, digits: str, scale: str | None) -> bool:
    """Years, dates, times, phone numbers, ordinals, codes: numbers that are not quantities."""
    before = text[max(0, start - 25) : start]
    after = text[end : end + 12]
    if digits.startswith("0") and not digits.startswith("0.") and len(digits) > 1:
        return True  # "0370 ...", "09"
    if re.match(r"\s?(?::\d|st\b|nd\b|rd\b|th\b|s\b|'s\b)", after):
        return True  # 9:05, 1st, 1990s
    if re.search(
        r"(?::|\b(?:no\.?|number|nos?\.|page|p|chapter|flight|route|highway|radio|channel|"
        r"category|phase|level|ftse|macondo|room|apollo|article|section|paragraph|version|"
        r"psalm|volume|vol\.|issue)\s?)$",
        before,
        re.IGNORECASE,
    ):
        return True
    if re.search(r"(?:\d/|\d\\/|\d\s?,)$", before):
        return True  # "31\/2" (3 1/2), lists of figures
    if re.search(r"[A-Za-z]$", before) and not re.search(r"\b(?:US|AU|HK|NZ|C|A)$", before):
        return True  # "p23", "H1N1", "A380"
    prev = re.search(r"([A-Za-z]+)\.?\s*$", before)
    if prev and prev.group(1).lower() in MONTHS:
        return True  # "May 5"
    nxt = re.match(r"\s*([A-Za-z]+)", after)
    if nxt and nxt.group(1).lower() in MONTHS:
        return True  # "5 May"
    if not scale and re.fullmatch(r"(?:1[5-9]|20)\d\d", digits):
        return True  # a year
    return bool(PHONE_RE.match(text, start) and len(PHONE_RE.match(text, start).group(0)) >= 10)  # type: ignore[union-attr]


def _approx_before(text: str, start: int) -> int | None:
    am = APPROX_RE.search(text[max(0, start - 25) : start])
    return max(0, start - 25) + am.start() if am else None


def _money(text: str, start: int, end: int, value: float, cur: str) -> _Found:
    per = None
    rm = RATE_RE.match(text, end)
    if rm and (not rm.group(0).lstrip().lower().startswith("a") or len(rm.group(1)) > 1):
        per, end = PERIOD_OF[rm.group(1).lower()], rm.end()
    return _Found(start, end, value, cur, "money", measured=_money_object(text, end), per=per)


def _money_object(text: str, end: int) -> str | None:
    """The thing a money amount is the cost of, when it follows directly ("$ 20 billion escrow fund")."""
    words: list[str] = []
    pos = end
    for _ in range(3):
        wm = WORD_RE.match(text, pos)
        if not wm:
            break
        w = wm.group(1)
        if not w.islower() or w in STOP or w.endswith(("ed", "ing", "ly")) or w.lower() in MONTHS:
            break
        words.append(w)
        pos = wm.end()
    return words[-1] if words else None


def _after_number(text: str, start: int, end: int, value: float, scale: str | None) -> _Found | None:
    """What follows a number: a currency word, a unit, or a counted noun."""
    tail = text[end:]
    # "m" glued to digits without a currency: millions of things, or metres
    if scale == "m" and not _next_is_countable(text, end):
        suffix = re.match(r"-(?:long|high|tall|wide|deep)\b", text[end:])
        return _unit(text, start, end + (suffix.end() if suffix else 0), value / 1e6, "m", "metres")
    sm = SUFFIX_RE.match(tail)
    if sm:
        word = sm.group(1).lower()
        return _money(text, start, end + sm.end(), value, SUFFIX_WORDS[word])
    if re.match(r"\s?pounds\b(?!\s+of\b)", tail, re.IGNORECASE) and scale in (
        "million",
        "billion",
        "m",
        "bn",
    ):
        pe = re.match(r"\s?pounds", tail, re.IGNORECASE).end()  # type: ignore[union-attr]
        return _money(text, start, end + pe, value, "GBP")
    um = UNIT_RE.match(tail)
    if um:
        word = um.group(1)
        symbol = ALIASES.get(word.lower()) or RATE_ALIASES.get(word.lower())
        case_ok = word.lower() not in WEAK_UNITS or (
            word in ("m", "km", "ha", "mm", "t", "g") and not tail.startswith(" ")
        )
        if symbol and case_ok and not (word == "m" and tail.startswith(" ")):
            if word.lower() == "in" or (word.lower() == "a" and tail.startswith(" ")):
                pass
            else:
                return _unit(text, start, end + um.end(), value, symbol, word.lower())
    return _count(text, start, end, value)


def _unit(text: str, start: int, end: int, value: float, symbol: str, word: str) -> _Found:
    measured: str | None = word if word.isalpha() and len(word) > 3 else None
    rm = RATE_RE.match(text, end) or DAILY_RE.match(text, end)
    if rm is None:  # "21 million gallons of oil-fouled water a day"
        for om in OF_RES:
            m = om.match(text, end)
            if m and m.group(1).split()[0] not in STOP:
                rm = RATE_RE.match(text, m.end()) or DAILY_RE.match(text, m.end())
                if rm:
                    break
    if symbol != "%" and "/" not in symbol and rm:
        period = PERIOD_OF.get(rm.group(1).lower(), "d") if rm.groups() and rm.group(1) else "d"
        if period in ("d", "yr", "mo", "wk", "h"):
            symbol = f"{symbol}/{period}"
            end = rm.end()
    return _Found(start, end, value, symbol, "quantity", measured=measured)


def _next_is_countable(text: str, end: int) -> bool:
    um = UNIT_RE.match(text, end)
    if um and um.group(1).lower() not in WEAK_UNITS:
        return True
    return _count_noun(text, end, 2.0) is not None or bool(SUFFIX_RE.match(text, end))


def _count(text: str, start: int, end: int, value: float) -> _Found | None:
    noun = _count_noun(text, end, value)
    per = re.match(r"\s+per\s+(day|year|month|week|hour|annum)\b", text[end:], re.IGNORECASE)
    if noun is None and per:  # "500 per year"
        return _Found(start, end + per.end(), value, "count", "count", per=PERIOD_OF[per.group(1).lower()])
    if noun is None and _implied_count(text, start, end):
        return _Found(start, end, value, "count", "count")
    if noun is None:
        # a large bare figure ("more than 11,000") is a count of something named nearby
        digits = text[start:end]
        big = re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) or re.search(r"(thousand|million|billion)$", digits)
        if big and not re.match(r"\s*(?:-(?!-)|\\/|/|:)", text[end:]):
            return _Found(start, end, value, "count", "count")
        return None
    word, noun_end = noun
    return _Found(start, noun_end, value, "count", "count", measured=word)


# A bare figure whose counted noun is implied: by a verb of killing, infecting or injuring before it
# ("has killed 81 and", "infected 20 in the United States"), by the running total it is the value of
# ("the toll has risen to 159", "bringing the US total to 11", "At 64, the US has the greatest number
# of cases"), by a casualty word after it ("103 dead", "19 have been confirmed"), or by a list of
# casualties per place it continues ("killed 26 people in Mexico, two in the United States").
_HEDGE = (
    r"(?:(?:about|around|approximately|roughly|nearly|almost|some|an\s+estimated|estimated|more\s+than|"
    r"over|up\s+to|at\s+least|as\s+many\s+as|close\s+to|just\s+over|just\s+under)\s+)?"
)
_CASUALTY_VERB_BEFORE = re.compile(
    r"\b(?:kill(?:ed|ing|s)?|infect(?:ed|ing|s)?|injur(?:ed|ing|es)|wound(?:ed|ing|s)|sicken(?:ed|ing|s)?)"
    r"\s+" + _HEDGE + r"$",
    re.IGNORECASE,
)
_RUNNING_TOTAL_BEFORE = re.compile(
    r"\b(?:toll|total|tally|number|count)\b[^.;:!?\n]{0,110}?\b(?:to|at|reached|reaches|hit|hits|from|of)\s+"
    + _HEDGE
    + r"(?:\d[\d,]*\s+(?:and|,)\s+)?$",
    re.IGNORECASE,
)
_AT_FIGURE_BEFORE = re.compile(r"(?:^|[.!?]\s+|\n\s*)At\s+$")
_AT_FIGURE_AFTER = re.compile(r"\s*,[^.;!?\n]{0,60}\b(?:number|total|tally|toll|count)\b", re.IGNORECASE)
_CASUALTY_AFTER = re.compile(
    r"\s+(?:(?:have|has|had|were|are|was)\s+(?:[a-z]+\s+)?(?:been\s+)?"
    r"(?:died|killed|confirmed|infected|injured|wounded|hospitali[sz]ed)\b|died\b|"
    r"(?:dead|injured|wounded|killed|missing|confirmed)\b"
    r"(?=\s*(?:[^\w\s]|$|(?:and|to|in|by|of|with|after|so|on)\b)))",
    re.IGNORECASE,
)
_PLACE_AFTER = re.compile(r"\s+in\s+(?:the\s+)?[A-Z]")
_CASUALTY_WORD = re.compile(
    r"\b(?:kill(?:ed|ing|s)?|died|dead|deaths?|infect(?:ed|ions?)|cases|injur(?:ed|ies))\b",
    re.IGNORECASE,
)
_LIST_JOIN_BEFORE = re.compile(r"(?:,|\band|--)\s+$")
# what may follow a bare implied count: punctuation, the end, or a function word ("killed 81 and")
_AFTER_BARE = re.compile(r"\s*(?:[^\w\s-]|$|([A-Za-z]+)\b)")
_NOT_AFTER_BARE = frozenset({"more", "less", "per", "each", "every", "than", "times"})


def _implied_count(text: str, start: int, end: int) -> bool:
    """True when the bare figure text[start:end] counts something named only by its context."""
    if _listed_count(text, start, end):
        return True
    am = _AFTER_BARE.match(text, end)
    if not am or text[end : end + 1] in ("-", "/", ":"):
        return False
    word = (am.group(1) or "").lower()
    if word and (word not in STOP or word in _NOT_AFTER_BARE):
        return _CASUALTY_AFTER.match(text, end) is not None
    before = text[max(0, start - 150) : start]
    if _CASUALTY_VERB_BEFORE.search(before) or _RUNNING_TOTAL_BEFORE.search(before):
        return True
    if _AT_FIGURE_BEFORE.search(before) and _AT_FIGURE_AFTER.match(text, end):
        return True
    if _CASUALTY_AFTER.match(text, end):
        return True
    if _PLACE_AFTER.match(text, end) and _LIST_JOIN_BEFORE.search(before):
        spans = sentence_spans(before)
        sentence = (before[spans[-1][0] :] if spans else before).rsplit("; ", 1)[-1]
        return bool(_CASUALTY_WORD.search(sentence))
    return False


_NAME_PAREN_BEFORE = re.compile(r"[A-Z][\w.]*\s*\(\s*$")
_PAREN_AFTER = re.compile(r"\s*\)")
_LISTED_FIGURE = re.compile(r"[A-Z][\w.]*\s*\(\s*\d[\d,]*\s*\)")


def _listed_count(text: str, start: int, end: int) -> bool:
    """A figure in a list of places with their counts of cases or deaths: "cases confirmed include
    Spain (93), Britain (39), Germany (11)"."""
    if not (_NAME_PAREN_BEFORE.search(text, max(0, start - 40), start) and _PAREN_AFTER.match(text, end)):
        return False
    around = text[max(0, start - 60) : end + 60]
    if len(_LISTED_FIGURE.findall(around)) < 2:
        return False  # one figure in brackets is an aside, not a list
    return bool(_CASUALTY_WORD.search(text[max(0, start - 300) : start]))


def _count_noun(text: str, end: int, value: float) -> tuple[str, int] | None:
    """The counted noun after a number: "11 workers", "two Texas beaches", "150 affordable homes"."""
    if re.match(r"-(?!\d)", text[end:]):
        return None  # "seven-member panel", "46-year-old"
    pos = end
    seen = 0
    allow_of = value >= 2
    while seen < 5:
        wm = WORD_RE.match(text, pos)
        if not wm:
            return None
        gap = text[pos : wm.start(1)]
        if gap.strip():
            return None  # punctuation between
        w = wm.group(1).rstrip(".")
        low = w.lower()
        if low in TIME_NOUNS or low in MONTHS:
            return None
        if low == "of" and allow_of and seen == 0:
            om = re.match(r"\s+of\s+the\s+", text[pos:])
            if om:
                pos += om.end() - 1
                allow_of = False
                continue
            return None
        if low == "and" and seen > 0:
            pos = wm.end()
            seen += 1
            continue
        if low in STOP or cardinal_word(low) is not None:
            if low in ("other",) and seen == 0:
                pos = wm.end()
                seen += 1
                continue
            return None
        if _is_plural(w):
            return (w, wm.end())
        if value == 1 and seen == 0 and low in COUNTED_SINGULAR:
            return (w, wm.end())
        if w.endswith(("ed", "ing")) and w.islower() and seen > 0:
            return None
        pos = wm.end()
        seen += 1
    return None


def _is_plural(word: str) -> bool:
    low = word.lower()
    if word.isupper():
        return False
    if not word[0].islower():
        # names ("Games", "Jones") are not counted nouns; nationalities are ("Americans", "Haitians")
        return low.endswith(("ans", "ese")) and len(low) > 5
    if low in IRREGULAR_PLURALS or (low.endswith("men") and len(low) > 4):
        return True
    if low in NOT_PLURAL or low in TIME_NOUNS:
        return False
    return low.endswith("s") and not low.endswith(("ss", "us", "is", "'s")) and len(low) > 3


def _read_words(text: str, start: int) -> _Found | None:
    """Numbers in words and vague multiples: "tens of millions of shells", "two-thirds", "a mile"."""
    rest = text[start:]
    # fractions: "two-thirds", "a third of"
    fm = re.match(
        r"(a|one|two|three|four)[- ](half|third|thirds|quarter|quarters|fifth|fifths)\b", rest, re.I
    )
    if fm:
        num = 1.0 if fm.group(1).lower() == "a" else float(cardinal_word(fm.group(1)) or 1)
        if fm.group(1).lower() == "a" and not re.match(r"\s+of\b", rest[fm.end() :]):
            return None
        if fm.group(2).lower() == "half":
            return None  # "a half", "one-half": too often a duration or an idiom
        return _Found(start, start + fm.end(), num * FRACTIONS[fm.group(2).lower()] * 100, "%", "quantity")
    # vague multiples: "(tens|hundreds) of (thousands|millions)", "dozens of", "thousands of"
    vm = re.match(
        r"(?:(tens|hundreds)\s+of\s+)?(dozens|scores|hundreds|thousands|millions|billions)\b", rest, re.I
    )
    if vm and (vm.group(1) or vm.group(2).lower() != "scores"):
        value = (10.0 if (vm.group(1) or "").lower() == "tens" else 100.0 if vm.group(1) else 1.0) * VAGUE[
            vm.group(2).lower()
        ]
        end = start + vm.end()
        of = re.match(r"\s+of\s+", text[end:])
        if of:
            after = end + of.end()
            sm = re.match(r"(dollars|euros|pounds|yen|rubles|roubles|rupees)\b", text[after:], re.I)
            if sm:
                return _Found(
                    start,
                    after + sm.end(),
                    value,
                    SUFFIX_WORDS.get(sm.group(1).lower(), "GBP"),
                    "money",
                    approximate=True,
                )
            um = UNIT_RE.match(text, after)
            if um and um.group(1).lower() not in WEAK_UNITS:
                f = _unit(
                    text,
                    start,
                    um.end(),
                    value,
                    ALIASES.get(um.group(1).lower(), "count"),
                    um.group(1).lower(),
                )
                return replace(f, approximate=True)
            noun = _count_noun(text, after, 2.0)
            if noun:
                return _Found(start, noun[1], value, "count", "count", approximate=True, measured=noun[0])
            return None
        if vm.group(1):
            return _Found(start, end, value, "count", "count", approximate=True)
        return None
    # "a million dollars", "a dozen eggs", "a mile"
    am = re.match(
        r"(a|an)\s+(dozen|hundred|thousand|million|billion|mile|kilometre|kilometer|ton|tonne)\b", rest, re.I
    )
    if am:
        word = am.group(2).lower()
        if word in ("mile", "kilometre", "kilometer", "ton", "tonne"):
            return _unit(text, start, start + am.end(), 1.0, ALIASES[word], word)
        value = 12.0 if word == "dozen" else SCALES[word]
        return _after_number(text, start, start + am.end(), value, None)
    if rest[:1].lower() == "a" and rest[:3].lower() in ("a ", "an "):
        return None
    nm = match_number(text, start)
    if not nm or not re.match(r"[A-Za-z]", nm[1]):
        return None
    end, number = nm
    word_value = parse_number(number)
    if word_value is None:
        return None
    value = word_value
    if re.match(
        r"-(?:year|day|week|month|hour|minute|man|member|time|point|a-side|storey|story)", text[end:], re.I
    ):
        return None
    scale = _scale_of(number)
    found = _after_number(text, start, end, value, scale)
    if found is None or (
        found.kind == "count" and found.measured is None and not _implied_count(text, start, end)
    ):
        return None
    return found


def _merge_ranges(text: str, found: list[_Found]) -> list[_Found]:
    """Ranges as one mention: "3-4 tonnes", "between 12,000 and 19,000 barrels"."""
    out: list[_Found] = []
    i = 0
    while i < len(found):
        f = found[i]
        if i + 1 < len(found):
            g = found[i + 1]
            between = text[f.end : g.start]
            between_word = re.search(r"\bbetween\s+$", text[max(0, f.start - 10) : f.start])
            joiner = re.fullmatch(r"\s*(?:-|–|to|and)\s*", between)
            same = g.unit == f.unit or (f.kind == "count" and f.measured is None)
            if joiner and same and (between.strip() != "and" or between_word) and g.value >= f.value:
                start = f.start - len(between_word.group(0)) if between_word else f.start
                merged = replace(
                    g,
                    start=start,
                    value=f.value,
                    value_max=g.value,
                    approximate=f.approximate or g.approximate,
                )
                out.append(merged)
                i += 2
                continue
        out.append(f)
        i += 1
    return out


def _to_quantity(text: str, f: _Found, published: str | None) -> Quantity:
    start, approximate = f.start, f.approximate
    ab = _approx_before(text, start)
    if ab is not None:
        start, approximate = ab, True
    normalized: dict[str, object] | None = None
    if f.kind == "money":
        normalized = dict(normalize_money(f.value, f.unit, published))
        if f.value_max is not None and "USD" in normalized:
            top = normalize_money(f.value_max, f.unit, published)
            normalized["USD_max"], normalized["EUR_max"] = top.get("USD"), top.get("EUR")
        if f.per:
            normalized["per"] = f.per
    elif f.kind == "quantity" and f.unit not in ("%", "pp", "magnitude"):
        try:
            base_value, base = to_base(f.value, f.unit)
        except ValueError:
            base_value, base = f.value, f.unit
        normalized = {"value": base_value, "unit": base}
        if f.value_max is not None:
            normalized["value_max"] = to_base(f.value_max, f.unit)[0]
    elif f.per:
        normalized = {"per": f.per}
    # spans are trimmed of trailing spaces
    end = f.end
    while end > start and text[end - 1].isspace():
        end -= 1
    return Quantity(
        start=start,
        end=end,
        text=text[start:end],
        value=f.value,
        unit=f.unit,
        kind=f.kind,  # type: ignore[arg-type]
        approximate=approximate,
        measured=f.measured,
        value_max=f.value_max,
        normalized=normalized,
    )
