"""Extraction patterns of the temporal tagger and their normalizers.

Each rule is a precompiled pattern and a normalizer from the match and a `Context` (document
creation time, last resolved reference, tense of the clause) to a (type, value) pair. When a
pattern has a group named "x", that group is the extent (e.g. a preposition that decides but
is not part of the expression). Values needing an anchor that is absent are None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from storyline.config import ENRICH, EnrichConfig
from storyline.enrich.timex import calendar as cal
from storyline.enrich.timex.lexicon import (
    DAY_PARTS,
    MONTHS,
    NUMBER,
    SEASONS,
    SET_ADVERBS,
    UNITS,
    WEEKDAYS,
    alternation,
    parse_number,
)
from storyline.text.sentences import sentence_spans

Result = tuple[str, str | None]


@dataclass(frozen=True)
class Context:
    dct: date | None
    ref: str | None  # last resolved calendar value in the text
    tense_of: Callable[[], str]  # "past", "future" or "present", computed only when asked
    period: str | None = None  # quarter or half mentioned in this or the previous sentence
    config: EnrichConfig = ENRICH

    @property
    def tense(self) -> str:
        return self.tense_of()

    @property
    def direction(self) -> str:
        return {"past": "past", "future": "future"}.get(self.tense, "near")

    @property
    def ref_day(self) -> date | None:
        return cal.parse_day(self.ref) or self.dct


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    normalize: Callable[[re.Match[str], Context], Result | None]
    check: Callable[[re.Match[str]], bool] | None = None
    triggers: tuple[str, ...] = ()  # lower-case substrings one of which a match must contain


RULES: list[Rule] = []


def rule(
    pattern: str, check: Callable[[re.Match[str]], bool] | None = None
) -> Callable[
    [Callable[[re.Match[str], Context], Result | None]], Callable[[re.Match[str], Context], Result | None]
]:
    compiled = re.compile(pattern, re.IGNORECASE)

    def register(
        fn: Callable[[re.Match[str], Context], Result | None],
    ) -> Callable[[re.Match[str], Context], Result | None]:
        RULES.append(Rule(fn.__name__, compiled, fn, check))
        return fn

    return register


# --- shared pieces -------------------------------------------------------------------------

_FULL_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_ABBR_MONTHS = r"jan\.?|feb\.?|mar\.|apr\.?|jun\.|jul\.|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?"
MONTH = rf"(?P<mon>{_FULL_MONTHS}|{_ABBR_MONTHS})(?![\w])"
MONTH_FULL = rf"(?P<mon>{_FULL_MONTHS})(?![\w])"
WEEKDAY = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)(?![\w%]|[.,]\d)"
MOD = (
    r"(?:(?P<mod>early|late|mid|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of|"
    r"the\s+close\s+of|the\s+turn\s+of|as\s+early\s+as|as\s+late\s+as)[\s-]+)?"
)
UNIT = (
    r"(?P<unit>seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?|"
    r"decades?|century|centuries|weekends?)"
)
_DAY_PART = r"(?P<part>morning|afternoon|evening|night|overnight)"
_B = r"(?<![\w'’$.-])"  # start boundary


_SPELLED_TEENS = ("fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_SPELLED_DECADES = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SPELLED_DIGITS = "one|two|three|four|five|six|seven|eight|nine"
# a year in words, as in speech transcripts: "nineteen ninety-seven", "two thousand one"
SPELLED_YEAR = (
    rf"(?P<sy>(?:{'|'.join(_SPELLED_TEENS)})[\s-]+(?:(?:{_SPELLED_DECADES})(?:[\s-](?:{_SPELLED_DIGITS}))?|oh[\s-](?:{_SPELLED_DIGITS}))"
    rf"|two\s+thousand(?:(?:\s+and)?[\s-](?:{_SPELLED_DIGITS}|ten))?)(?![\w-])"
)


def spelled_year_value(text: str) -> int | None:
    """The year a SPELLED_YEAR match denotes ("nineteen ninety-seven" is 1997)."""
    words = text.lower().replace("-", " ").split()
    digits = {w: i for i, w in enumerate(("oh", *_SPELLED_DIGITS.split("|")))}
    decades = {w: 10 + i for i, w in enumerate(_SPELLED_DECADES.split("|")[:10])}
    decades.update({w: 20 + 10 * i for i, w in enumerate(_SPELLED_DECADES.split("|")[10:])})
    if words[:2] == ["two", "thousand"]:
        rest = [w for w in words[2:] if w != "and"]
        return 2000 + (10 if rest == ["ten"] else digits.get(rest[0], 0) if rest else 0)
    if not words or words[0] not in _SPELLED_TEENS:
        return None
    total = (_SPELLED_TEENS.index(words[0]) + 15) * 100
    for w in words[1:]:
        total += decades.get(w, digits.get(w, 0))
    return total


def _capitalized(group: str) -> Callable[[re.Match[str]], bool]:
    return lambda m: m.group(group)[0].isupper()


def _month_number(m: re.Match[str]) -> int:
    return MONTHS[m.group("mon").lower().rstrip(".")]


def _unit_letter(word: str) -> tuple[str, int]:
    w = word.lower()
    if w == "centuries":
        return UNITS["century"]
    return UNITS[w[:-1] if w.endswith("s") and w[:-1] in UNITS else w]


def _duration(n: int | float | None, unit_word: str) -> str:
    letter, mult = _unit_letter(unit_word)
    clock = letter.startswith("T")
    letter = letter[-1]
    if n is None:
        amount = "X"
    else:
        total = n * mult
        amount = str(int(total)) if float(total).is_integer() else str(total)
        half = _HALVES.get((clock, letter))
        if half and not float(total).is_integer() and float(total * 2).is_integer():
            # "2 1/2 years" is P2Y6M, "5 1/2 hours" PT5H30M: the half in the next smaller unit
            whole = f"{int(total)}{letter}" if int(total) else ""
            return f"PT{whole}{half}" if clock else f"P{whole}{half}"
    return f"PT{amount}{letter}" if clock else f"P{amount}{letter}"


_HALVES = {(False, "Y"): "6M", (False, "D"): "T12H", (True, "H"): "30M", (True, "M"): "30S"}


# a deadline or start word before a bare date points ahead ("payable Dec. 1", "until March 6")
_DEADLINE = re.compile(
    r"\b(?:by|until|till|effective|payable|starting|beginning|as\s+soon\s+as|no\s+later\s+than)\s+(?:on\s+|in\s+)?$",
    re.IGNORECASE,
)


def _direction(m: re.Match[str], ctx: Context) -> str:
    """The tense direction of the clause; after a deadline word, ahead (or, in a past-tense
    clause, the nearest occurrence: "until Thursday, they had not...")."""
    direction = ctx.direction
    if _DEADLINE.search(m.string, max(0, m.start() - 30), m.start()):
        return "near" if direction == "past" else "future"
    return direction


_CUMULATIVE = re.compile(
    r"\b(?:(?:nine|six|three|first\s+(?:six|nine))[\s-]+months?|first\s+half|year\s+(?:ended|ending)|year\s+to\s+date|"
    r"fiscal\s+year|full\s+year)\b",
    re.IGNORECASE,
)


def _quarter_frame(m: re.Match[str], ctx: Context) -> str | None:
    """The quarter being reported on, when the sentence compares quarters (not a span of
    several months such as "the nine months" or "the year ended Aug. 31")."""
    if not ctx.period or ctx.period[5] != "Q" or _cumulative(m):
        return None
    return ctx.period


def _cumulative(m: re.Match[str]) -> bool:
    """Whether the sentence before `m` reports on a span of several months or a full year."""
    lo = max(0, m.start() - 300)
    spans = sentence_spans(m.string[lo : m.start()])
    if spans:
        lo += spans[-1][0]
    return _CUMULATIVE.search(m.string, lo, m.start()) is not None


def _year(m: re.Match[str], *groups: str) -> int | None:
    for g in groups:
        if m.group(g):
            return int(m.group(g))
    return None


# --- absolute and calendar dates ----------------------------------------------------------


@rule(
    rf"{_B}{MOD}(?:{WEEKDAY},?\s+)?{MONTH}\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d|:\d)(?:,?\s*{YEAR})?",
    _capitalized("mon"),
)
def month_day(m: re.Match[str], ctx: Context) -> Result | None:
    mon, d = _month_number(m), int(m.group("day"))
    if not 1 <= d <= 31:
        return None
    year = _year(m, "year")
    if year is None:
        if ctx.dct is None:
            return "DATE", None
        direction = _direction(m, ctx)
        year = cal.year_for(ctx.dct, mon, d, direction)
        same_year = cal.safe_date(ctx.dct.year, mon, d)
        past_slack, future_slack = ctx.config.timex_past_slack_days, ctx.config.timex_future_slack_days
        if same_year and 0 < (same_year - ctx.dct).days <= past_slack and direction == "past":
            year = ctx.dct.year  # a date just ahead in a past-tense report is the coming one
        if same_year and 0 < (ctx.dct - same_year).days <= future_slack and direction == "future":
            year = ctx.dct.year  # a date just behind in a future-tense clause is the recent one
    if cal.safe_date(year, mon, d) is None:
        return None
    return "DATE", f"{year:04d}-{mon:02d}-{d:02d}"




@rule(
    rf"{_B}{MOD}(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?:,?\s*{YEAR})?",
    _capitalized("mon"),
)
def day_month(m: re.Match[str], ctx: Context) -> Result | None:
    return month_day(m, ctx)


@rule(rf"{_B}{MOD}{MONTH},?\s+(?:of\s+)?(?:{YEAR}|{SPELLED_YEAR})", _capitalized("mon"))
def month_year(m: re.Match[str], ctx: Context) -> Result | None:
    y = int(m.group("year")) if m.group("year") else spelled_year_value(m.group("sy"))
    return ("DATE", cal.month(y, _month_number(m))) if y else None


_MARCH_EVENT = re.compile(r"\s+(?:for|of|on|against)\s+(?:the\s+)?[A-Z]")


@rule(
    rf"{_B}{MOD}(?:(?P<rel>last|next|this|past|coming|previous|following|the\s+following|the\s+previous)"
    rf"\s+)?{MONTH_FULL}(?!\s*\d)(?:\s+(?P<yrel>this|last|next)\s+year\b(?!['’]))?(?!\s+(?:\w+\s+)?(?:be|have|not)\b)",
    _capitalized("mon"),
)
def month_alone(m: re.Match[str], ctx: Context) -> Result | None:
    mon = _month_number(m)
    if m.group("yrel"):  # "July last year", "October this year"
        if ctx.dct is None:
            return "DATE", None
        return "DATE", cal.month(
            ctx.dct.year + {"this": 0, "last": -1, "next": 1}[m.group("yrel").lower()], mon
        )
    rel = " ".join((m.group("rel") or "").lower().split())
    if mon == 3 and _MARCH_EVENT.match(m.string, m.end()):
        return None  # "the March for Life", "the March of the Combatant Mothers": a procession
    if not rel and not m.group("mod") and mon == 5:
        # "May" alone is a month only after a preposition ("in May", "since May")
        before = m.string[max(0, m.start() - 12) : m.start()].lower().split()
        if not before or before[-1] not in (
            "in",
            "since",
            "until",
            "by",
            "of",
            "from",
            "to",
            "through",
            "before",
            "after",
            "during",
            "early",
            "late",
            "mid-",
        ):
            return None
    direction = {"last": "before", "past": "before", "previous": "before", "the previous": "before",
                 "next": "after", "coming": "after", "following": "after", "the following": "after",
                 "this": "near"}.get(rel, _direction(m, ctx))  # fmt: skip
    base = ctx.dct
    if rel in ("following", "the following", "previous", "the previous"):
        base = ctx.ref_day
    if base is None:
        return "DATE", None
    if rel == "this":  # "this September": the one of the current year
        return "DATE", cal.month(base.year, mon)
    return "DATE", cal.month(cal.year_for(base, mon, None, direction), mon)


@rule(r"(?<![\w/-])(?P<y>(?:1[89]|20)\d\d)-(?P<mo>[01]\d)-(?P<d>[0-3]\d)(?![\w/-])")
def iso_date(m: re.Match[str], ctx: Context) -> Result | None:
    d = cal.safe_date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
    return ("DATE", d.isoformat()) if d else None


@rule(r"(?<![\w/.-])(?P<mo>[01]?\d)/(?P<d>[0-3]?\d)/(?P<y>\d{4}|\d\d)(?![\w/])")
def slash_date(m: re.Match[str], ctx: Context) -> Result | None:
    y = int(m.group("y"))
    if y < 100:
        y = cal.two_digit_year(y, ctx.dct)
    d = cal.safe_date(y, int(m.group("mo")), int(m.group("d")))
    return ("DATE", d.isoformat()) if d else None


_FISCAL = r"(?:(?P<fiscal>fiscal(?:\s+year)?|the\s+(?:fiscal\s+|calendar\s+|model\s+)?year|calendar(?:\s+year)?)\s+)?"


@rule(rf"{_B}{MOD}{_FISCAL}{YEAR}(?!\s*(?:%|percent|-\d))")
def year(m: re.Match[str], ctx: Context) -> Result | None:
    return "DATE", m.group("year")


@rule(rf"{_B}(?:the\s+)?{MOD}(?P<dec>1[5-9]\d0|20\d0|['’]\d0)['’]?s\b")
def decade(m: re.Match[str], ctx: Context) -> Result | None:
    dec = m.group("dec")
    if not dec[0].isdigit():
        y = cal.two_digit_year(int(dec[1:]), ctx.dct)
        return "DATE", str(y)[:3]
    return "DATE", dec[:3]


_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
                 "eighties": 8, "nineties": 9}  # fmt: skip


@rule(
    rf"{_B}(?:the\s+){MOD}(?P<dw>{alternation(_DECADE_WORDS)})(?![\w-])(?!\s+(?:degrees|percent))",
)
def decade_word(m: re.Match[str], ctx: Context) -> Result | None:
    """ "the nineties", "the early sixties": the latest such decade begun by the creation time."""
    if re.search(
        r"(?:temperature|degree|high|low|percent|age|aged)s?\b",
        m.string[max(0, m.start() - 40) : m.start()],
        re.I,
    ):
        return None  # "temperatures in the nineties", "people in their forties"
    tens = _DECADE_WORDS[m.group("dw").lower()]
    century = ctx.dct.year // 100 if ctx.dct else 19
    if ctx.dct and century * 100 + tens * 10 > ctx.dct.year:
        century -= 1
    return "DATE", f"{century:02d}{tens}"


@rule(r"(?<![\w'’.,$])['’](?P<yy>\d\d)(?![\w'’%]|[.,]\d)")
def short_year(m: re.Match[str], ctx: Context) -> Result | None:
    return "DATE", str(cal.two_digit_year(int(m.group("yy")), ctx.dct))


_CENTURY_WORDS = {"eighteenth": 18, "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21}


@rule(rf"{_B}(?:the\s+)?{MOD}(?P<n>\d{{1,2}}(?:st|nd|rd|th)|{alternation(_CENTURY_WORDS)})[\s-]+century")
def century(m: re.Match[str], ctx: Context) -> Result | None:
    raw = m.group("n").lower()
    n = _CENTURY_WORDS.get(raw) or int(re.sub(r"\D", "", raw) or 0)
    return ("DATE", f"{n - 1:02d}") if n > 0 else None


_ORD = r"(?P<ord>first|second|third|fourth|final|1st|2nd|3rd|4th)"


@rule(
    rf"{_B}(?:the\s+(?:(?:company's|fiscal|calendar|current)\s+)?(?!\w+-(?:quarter|half)\b)|(?P<rely>this|last|next)\s+year['’]s\s+)?"
    rf"(?:(?P<ago>year-ago|year-earlier|year-before)\s+)?"
    rf"(?:(?P<yb>\d{{4}})\s+)?{_ORD}[\s-]+"
    rf"(?:fiscal[\s-]+)?(?P<kind>quarter|half)(?:\s+of\s+(?:fiscal\s+)?(?:the\s+year\s+)?(?P<year>\d{{4}})|"
    rf",?\s+(?P<y2>\d{{4}}))?"
)
def quarter(m: re.Match[str], ctx: Context) -> Result | None:
    word = m.group("ord").lower()
    n = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}.get(word)
    half = m.group("kind").lower() == "half"
    if n is None:  # final
        n = 2 if half else 4
    if half and n > 2:
        return None
    y = _year(m, "year", "y2", "yb")
    if y is None and m.group("rely") and ctx.dct:
        y = ctx.dct.year + {"this": 0, "last": -1, "next": 1}[m.group("rely").lower()]
    if y is None:
        base = ctx.dct
        if base is None:
            return "DATE", None
        now = (base.month - 1) // 6 + 1 if half else cal.quarter_of(base)
        y = base.year
        if ctx.tense != "future" and n > now:
            y -= 1
        elif ctx.tense == "future" and n < now - 1:
            y += 1  # the period just ended is still to be reported on: not next year's
        if m.group("ago"):
            y -= 1
    return "DATE", f"{y:04d}-{'H' if half else 'Q'}{n}"


def _last_quarter(d: date) -> str:
    """The last quarter completed before `d`."""
    back = cal.shift_day(d, -1, "Q")
    return cal.granular(back, "Q") if back else f"{d.year:04d}-Q{cal.quarter_of(d)}"


@rule(
    r"(?<![\w-])(?:(?:the|that|its)\s+(?P<adj>latest|most\s+recent|recent|current|same|year-earlier|year-ago|"
    r"comparable|previous|prior|preceding|past|latest\s+fiscal|fiscal|just-ended|just\s+ended)?\s*"
    r"(?P<kind>quarter|period)\b|(?P<bare>year-earlier|year-ago|year-before|year-end|year\s+end|year['’]s\s+end)\b)"
)
def quarter_anaphora(m: re.Match[str], ctx: Context) -> Result | None:
    adj = " ".join((m.group("adj") or "").lower().split())
    ref = ctx.ref if ctx.ref and re.match(r"^\d{4}-Q\d$", ctx.ref) else None
    if ctx.period and ctx.period[5] == "Q":
        ref = ctx.period
    if m.group("bare"):
        bare = m.group("bare").lower()
        if bare.endswith("end"):  # "year-end", "year end", "year's end": the current year's close
            return ("DATE", str(ctx.dct.year)) if ctx.dct else ("DATE", None)
        if ctx.period:
            return "DATE", cal.shift_value(ctx.period, -1, "Y")
        return ("DATE", str(ctx.dct.year - 1)) if ctx.dct else ("DATE", None)
    kind = m.group("kind").lower()
    if kind == "period" and adj not in (
        "latest",
        "most recent",
        "year-earlier",
        "year-ago",
        "comparable",
        "same",
        "latest fiscal",
        "just-ended",
    ):
        return None
    last = _last_quarter(ctx.dct) if ctx.dct else None
    if adj in ("year-earlier", "year-ago", "comparable"):
        base = ref or last
        return "DATE", cal.shift_value(base, -1, "Y") if base else None
    if adj in ("latest", "most recent", "just-ended", "just ended", "latest fiscal") and last:
        # the latest period is the last one completed, unless a quarter was just named
        return "DATE", ref if ref and ref <= last else last
    if adj in ("previous", "prior", "preceding", "past") and ref:
        return "DATE", cal.shift_value(ref, -1, "Q")
    if ref:
        return "DATE", ref
    if ctx.dct is None:
        return "DATE", None
    q_ago = cal.shift_day(ctx.dct, 0 if adj == "current" else -1, "Q")
    return "DATE", cal.granular(q_ago, "Q") if q_ago else None


_SEASON_RE = r"(?P<season>spring|summer|fall|autumn|winter)"


@rule(
    rf"{_B}(?:(?P<prep>in|during|by|until|since|through|over)\s+)?"
    rf"(?P<x>{MOD}(?:(?P<rel>this|last|next|past|coming|the|that|(?:the\s+)?previous|(?:the\s+)?following)\s+)?"
    rf"{_SEASON_RE}(?:\s+of\s+(?:(?P<year>\d{{4}})|{SPELLED_YEAR})|,?\s+(?P<y2>\d{{4}}))?)\b(?!-)"
)
def season(m: re.Match[str], ctx: Context) -> Result | None:
    prep = (m.group("prep") or "").lower()
    rel = " ".join((m.group("rel") or "").lower().split())
    y = _year(m, "year", "y2") or (spelled_year_value(m.group("sy")) if m.group("sy") else None)
    if not (rel or y or m.group("mod") or prep):
        return None
    s = SEASONS[m.group("season").lower()]
    if y is None:
        base = ctx.ref_day if rel in ("previous", "the previous", "following", "the following") else ctx.dct
        if base is None:
            return "DATE", None
        direction = {"this": "near", "last": "before", "past": "before", "previous": "before", "the previous": "before",
                     "next": "after", "coming": "after", "following": "after", "the following": "after"}.get(rel, ctx.direction)  # fmt: skip
        if prep in ("last", "past") and not rel:
            direction = "before"
        y = cal.season_year(base, s, direction)
    return "DATE", f"{y:04d}-{s}"


# --- relative to the creation time or the reference ---------------------------------------

_REL = (
    r"(?P<rel>this|last|next|past|coming|previous|following|current|that|the\s+previous|the\s+following|"
    r"the\s+next|the\s+past|the\s+last|the\s+current|the\s+same|the\s+coming|the\s+prior|prior)"
)


@rule(
    rf"{_B}{MOD}(?:(?P<when>earlier|later)\s+)?{_REL}\s+(?:fiscal\s+)?"
    r"(?P<unit>week|weekend|month|year|quarter|decade|century|day|morning|afternoon|evening|night)\b(?!-)"
)
def relative_unit(m: re.Match[str], ctx: Context) -> Result | None:
    rel = " ".join(m.group("rel").lower().split())
    unit = m.group("unit").lower()
    anaphoric = rel in (
        "the previous",
        "the following",
        "the next",
        "the same",
        "that",
        "previous",
        "following",
        "the prior",
        "prior",
    )
    if unit in ("day", *DAY_PARTS):
        if rel in ("this", "current", "the current") and unit == "day":
            return None
        base: date | None
        offset = {"last": -1, "past": -1, "previous": -1, "the previous": -1, "the prior": -1, "prior": -1,
                  "next": 1, "following": 1, "the following": 1, "the next": 1, "coming": 1}.get(rel, 0)  # fmt: skip
        if rel in ("the past", "the last", "the coming"):
            return "DURATION", "P1D" if unit == "day" else None
        base = ctx.dct if (unit == "night" and rel == "last") or not anaphoric else ctx.ref_day
        if base is None:
            return ("TIME" if unit != "day" else "DATE"), None
        when = base + timedelta(days=offset)
        if unit == "day":
            return "DATE", when.isoformat()
        return "TIME", f"{when.isoformat()}T{DAY_PARTS[unit]}"
    if rel in ("the past", "the last", "the coming") or (rel == "the next" and not anaphoric):
        return "DURATION", _duration(1, unit)
    letter = {
        "week": "W",
        "weekend": "W",
        "month": "M",
        "year": "Y",
        "quarter": "Q",
        "decade": "Y",
        "century": "Y",
    }[unit]
    step = {"decade": 10, "century": 100}.get(unit, 1)
    offset = {"last": -1, "past": -1, "previous": -1, "the previous": -1, "the prior": -1, "prior": -1,
              "next": 1, "coming": 1, "following": 1, "the following": 1, "the next": 1}.get(rel, 0)  # fmt: skip
    d: date | None
    frame = _quarter_frame(m, ctx) if unit == "year" and rel == "last" and not m.group("mod") else None
    if frame:  # in a report on a quarter, "last year" is the same quarter a year before
        return "DATE", cal.shift_value(frame, -1, "Y")
    if anaphoric and ctx.ref and ctx.ref[0].isdigit():
        base_value = ctx.ref
        d = cal.parse_day(base_value)
        if d is None:
            shifted = cal.shift_value(base_value, offset * step, letter if letter != "W" else "W")
            if shifted and unit in ("year", "month", "quarter"):
                return "DATE", _truncate(shifted, letter)
            return "DATE", shifted
    else:
        d = ctx.dct
    if d is None:
        return "DATE", None
    moved = cal.shift_day(d, offset * step, "W" if letter == "W" else letter)
    if moved is None:
        return None
    if unit == "weekend":
        return "DATE", cal.week(moved) + "-WE"
    if unit == "decade":
        return "DATE", str(moved.year)[:3]
    if unit == "century":
        return "DATE", str(moved.year)[:2]
    return "DATE", cal.granular(moved, letter)


def _truncate(value: str, letter: str) -> str:
    if letter == "Y":
        return value[:4]
    if letter == "M" and re.match(r"^\d{4}-\d\d", value):
        return value[:7]
    return value


# "the 14-day waiting period", "the two day rally": the amount modifies a noun, "the" belongs to
# the noun phrase and stays out of the extent
_MODIFIER = (
    r"\s+\S+-(?:second|minute|hour|day|week|month|year|decade|quarter)\b|"
    r"\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+(?:second|minute|hour|day|week|month|year|decade)\b(?!s)"
)

# a quantity just before "a year" makes it a rate ("$33 million a year", "700 seats a week")
_RATE_BEFORE = re.compile(
    r"(?:\$\s?\d[\d.,]*|\b\d[\d.,]*|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|"
    r"billion))(?:\s+(?:million|billion|thousand|percent|%))?(?:\s+[a-z]+){0,2}\s+$",
    re.IGNORECASE,
)

# "an hour later" is a duration after some event: "later" stays out of clock amounts
_NOT_AFTER_CLOCK = "".join(
    rf"(?<!\b{w}\s)"
    for w in (
        "second",
        "seconds",
        "minute",
        "minutes",
        "hour",
        "hours",
        "minute\\sand\\sa\\shalf",
        "hour\\sand\\sa\\shalf",
    )
)


@rule(
    rf"{_B}(?P<mod>(?:around|almost|nearly|roughly|approximately|some|more\s+than|less\s+than|"
    rf"at\s+least|barely|fully|a\s+full|the\s+past|the\s+last|the\s+next|the\s+first|the\s+final|the(?!{_MODIFIER})|"
    rf"past|last|next|first|final|previous|the\s+previous|the\s+coming|coming|the\s+latest|the\s+remaining|"
    rf"the\s+same)\s+)*(?P<num>{NUMBER})(?P<frac>[\s-]+1/2|\s*½)?[\s-]+(?:(?P<half>and\s+a\s+half)\s+|(?:or\s+so|or\s+more)\s+)?"
    rf"(?:(?:more|additional|extra|straight|consecutive|trading|business|working)\s+)?{UNIT}"
    r"(?P<half2>\s+and\s+a\s+half)?"
    rf"(?![\s-]old\b)(?P<suffix>-long)?(?:\s+(?:or\s+so\s+)?(?P<dir>ago|{_NOT_AFTER_CLOCK}(?:earlier|later|from\s+now|hence|afterwards?))\b)?"
    r"(?![\w-])"
)
def amount(m: re.Match[str], ctx: Context) -> Result | None:
    n = parse_number(m.group("num"))
    unit_word = m.group("unit").lower()
    letter, mult = _unit_letter(unit_word)
    direction = (m.group("dir") or "").lower()
    num_word = m.group("num").lower()
    if n is None and not num_word.endswith(("few", "several", "many", "some", "of")):
        return None
    if (
        num_word in ("a", "an")
        and not m.group("mod")
        and not direction
        and _RATE_BEFORE.search(m.string, max(0, m.start() - 40), m.start())
    ):
        return "SET", _duration(1, unit_word)  # "$2 million a year", "four flights a week": a rate
    if letter == "Q" and (re.match(r"\s+of\b", m.string[m.end() :]) or "-" in m.group(0)):
        return None  # "a quarter of the shares", "three-quarters": fractions, not periods
    if n is not None and (m.group("frac") or m.group("half") or m.group("half2")):
        n += 0.5
    if direction:
        ago = direction in ("ago", "earlier", "before")
        if n is None:
            return "DATE", "PAST_REF" if ago else "FUTURE_REF"
        sign = -1 if ago else 1
        if letter.startswith("T"):
            base_day = ctx.dct if direction == "ago" else ctx.ref_day
            return "TIME", base_day.isoformat() if base_day else None
        frame = _quarter_frame(m, ctx) if letter == "Y" else None
        if direction == "ago":
            base: str | None = ctx.dct.isoformat() if ctx.dct else None
        else:
            base = ctx.ref or (ctx.dct.isoformat() if ctx.dct else None)
        if frame:
            base = frame
        elif letter == "Y" and base and ((ctx.period and ctx.period[5] == "Q") or _cumulative(m)):
            base = base[:4]
        if base is None:
            return "DATE", None
        amount_n = n * mult
        if letter == "Y" and mult >= 10:
            shifted = cal.shift_value(base, sign * amount_n, "Y")
            return "DATE", shifted[:4] if shifted else None
        bases = [base] + ([ctx.dct.isoformat()] if ctx.dct and base != ctx.dct.isoformat() else [])
        for candidate in bases:  # a reference too coarse for the unit falls back to the creation time
            shifted = cal.shift_value(candidate, sign * amount_n, letter)
            if shifted is not None:
                return "DATE", shifted
        return "DATE", None
    mods = " ".join((m.group("mod") or "").lower().split())
    if mods in ("the", "the same") and n == 1 and num_word in ("a", "an"):
        return None
    return "DURATION", _duration(n, unit_word)


_WORDS: dict[str, tuple[str, str]] = {
    "now": ("DATE", "PRESENT_REF"), "right now": ("DATE", "PRESENT_REF"), "just now": ("DATE", "PRESENT_REF"),
    "currently": ("DATE", "PRESENT_REF"), "current": ("DATE", "PRESENT_REF"), "presently": ("DATE", "PRESENT_REF"),
    "nowadays": ("DATE", "PRESENT_REF"), "these days": ("DATE", "PRESENT_REF"), "the present": ("DATE", "PRESENT_REF"),
    "at present": ("DATE", "PRESENT_REF"), "at the moment": ("DATE", "PRESENT_REF"), "to date": ("DATE", "PRESENT_REF"),
    "recently": ("DATE", "PAST_REF"), "recent": ("DATE", "PAST_REF"), "lately": ("DATE", "PAST_REF"),
    "the past": ("DATE", "PAST_REF"),
    "recent years": ("DATE", "PAST_REF"), "recent months": ("DATE", "PAST_REF"), "recent weeks": ("DATE", "PAST_REF"),
    "recent days": ("DATE", "PAST_REF"), "in the past": ("DATE", "PAST_REF"), "once": ("DATE", "PAST_REF"),
    "the future": ("DATE", "FUTURE_REF"), "the near future": ("DATE", "FUTURE_REF"),
    "the coming years": ("DATE", "FUTURE_REF"), "the coming months": ("DATE", "FUTURE_REF"),
    "the coming weeks": ("DATE", "FUTURE_REF"), "the coming days": ("DATE", "FUTURE_REF"),
    "coming years": ("DATE", "FUTURE_REF"), "coming months": ("DATE", "FUTURE_REF"),
    "a later date": ("DATE", "FUTURE_REF"), "later date": ("DATE", "FUTURE_REF"),
    "the near term": ("DATE", "FUTURE_REF"), "the short term": ("DATE", "FUTURE_REF"),
    "future quarters": ("DATE", "FUTURE_REF"), "coming quarters": ("DATE", "FUTURE_REF"),
    "future years": ("DATE", "FUTURE_REF"),
}  # fmt: skip
_WORDS_NOT_AFTER = re.compile(r"(?:in\s+the\s+|for\s+)$", re.IGNORECASE)


@rule(
    rf"(?<![\w-])(?:(?P<x>{alternation(k for k in _WORDS if k not in ('in the past', 'once'))})|(?<=\bin\s)(?P<past>the\s+past)|"
    r"(?P<once>once))(?![\w-])"
)
def words(m: re.Match[str], ctx: Context) -> Result | None:
    if m.group("once"):
        return None
    key = " ".join((m.group("x") or m.group("past")).lower().split())
    if key == "current" and re.match(
        r"\s*(?:account|events|affairs|price|prices|dollars|law|rules|system)", m.string[m.end() :]
    ):
        return None
    return _WORDS[key]


@rule(
    r"(?<![\w-])(?:(?:early|late|mid)[\s-]?(?P<ppart>morning|afternoon|evening)\s+)?(?P<w>today|tonight|yesterday|tomorrow)"
    r"(?:(?:'s)?\s+(?P<part>morning|afternoon|evening|night))?(?![\w-])"
)
def deictic_day(m: re.Match[str], ctx: Context) -> Result | None:
    w = m.group("w").lower()
    if ctx.dct is None:
        return ("TIME" if w == "tonight" or m.group("part") else "DATE"), None
    d = ctx.dct + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(w, 0))
    if w == "tonight":
        return "TIME", f"{d.isoformat()}TNI"
    part = m.group("part") or m.group("ppart")
    if part:
        return "TIME", f"{d.isoformat()}T{DAY_PARTS[part.lower()]}"
    return "DATE", d.isoformat()


@rule(
    rf"(?<![\w-]){MOD}(?:(?P<rel>last|next|this|coming|past|previous|the\s+previous|the\s+following|the\s+next|"
    rf"the\s+same|that|following|early|late)\s+)?{WEEKDAY}(?P<plural>s)?(?P<poss>(?=['’]s\b))?(?:\s+{_DAY_PART}(?P<parts>s)?)?(?![\w-])",
    _capitalized("wd"),
)
def weekday(m: re.Match[str], ctx: Context) -> Result | None:
    wd = WEEKDAYS[m.group("wd").lower()]
    part = f"T{DAY_PARTS[m.group('part').lower()]}" if m.group("part") else ""
    if m.group("plural") or m.group("parts"):
        return "SET", f"XXXX-WXX-{wd + 1}{part}"
    rel = " ".join((m.group("rel") or "").lower().split())
    anaphoric = rel in ("the previous", "the following", "the next", "the same", "that", "following")
    base = ctx.ref_day if anaphoric else ctx.dct
    if base is None:
        return "DATE", None
    direction = {"last": "before", "past": "before", "previous": "before", "the previous": "before",
                 "next": "after", "coming": "after", "following": "after", "the following": "after",
                 "the next": "after", "this": "near"}.get(rel, _direction(m, ctx))  # fmt: skip
    if m.group("poss") is not None and not rel:
        direction = "past"  # "Wednesday's ruling", "Thursday's closing price": a reported event
    elif (
        not rel
        and _FORWARD_WEEKDAY.search(m.string, max(0, m.start() - 12), m.start())
        and not _RANGE_AFTER.match(m.string, m.end())
    ):
        return "DATE", _day_set_for(base, wd, ctx.tense == "past").isoformat()
    # a single "Friday night" stays a DATE: the tbaq annotations mostly give the day alone
    return "DATE", cal.weekday_near(base, wd, direction).isoformat()


# "a strike for Monday", "closed from Friday": the day something is set for, or starts on
_FORWARD_WEEKDAY = re.compile(r"\b(?:for|from)\s+$", re.IGNORECASE)
_RANGE_AFTER = re.compile(r"\s*(?:to|until|till|through|and|-|–)\s", re.IGNORECASE)


def _day_set_for(base: date, wd: int, past_clause: bool) -> date:
    """The weekday a plan is set for: the coming one; told in the past tense ("the union called a
    strike for Monday"), the nearer of the last and the coming one, leaning ahead by a day."""
    ahead = cal.weekday_near(base, wd, "future")
    if not past_clause:
        return ahead
    back = cal.weekday_near(base, wd, "past")
    return ahead if (ahead - base).days <= (base - back).days + 1 else back


_TZ = r"(?:\s+(?:EST|EDT|CST|CDT|MST|MDT|PST|PDT|GMT|UTC|BST|CET|local\s+time|\(\d{4}\s+GMT\)))?"
_DAY_AFTER = (
    r"(?:,?\s+(?:(?:on|this|last|next)\s+)?(?:(?P<dw>today|tonight|yesterday|tomorrow)|(?P<dwd>monday|tuesday|wednesday|"
    rf"thursday|friday|saturday|sunday))(?:,?\s+(?P<dmon>{_FULL_MONTHS}|{_ABBR_MONTHS})\s*(?P<dday>\d{{1,2}})(?!\d))?"
    rf"|,?\s+(?:on\s+)?(?P<mon2>{_FULL_MONTHS}|{_ABBR_MONTHS})\s*(?P<day2>\d{{1,2}})(?![\d:]))?"
)


@rule(
    r"(?<![\w:.$-])(?:(?:around|about|approximately|at\s+about|shortly\s+(?:before|after)|just\s+(?:before|after))\s+)?"
    r"(?:(?P<h>\d{1,2})(?:[:.](?P<min>[0-5]\d))?\s*(?P<ampm>a\.\s?m\.?|p\.\s?m\.?|am|pm)(?![\w])|"
    r"(?P<named>noon|midnight|midday)|(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])(?=\s+(?:GMT|UTC|local|hours|h\b))|"
    r"(?P<oc>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+o'clock)"
    rf"{_TZ}{_DAY_AFTER}"
)
def clock(m: re.Match[str], ctx: Context) -> Result | None:
    if m.group("ampm"):
        h = int(m.group("h"))
        if not 1 <= h <= 12:
            return None
        pm = m.group("ampm").lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
        mins = int(m.group("min") or 0)
    elif m.group("named"):
        named = m.group("named").lower()
        h, mins = (24, 0) if named == "midnight" else (12, 0)
    elif m.group("h24"):
        h, mins = int(m.group("h24")), int(m.group("m24"))
    else:
        raw = m.group("oc").lower()
        h = int(raw) if raw.isdigit() else parse_number(raw) or 0  # type: ignore[assignment]
        mins = 0
    # a bare "at 5 pm" word before ("after", "before", "until") is kept out of the extent
    mon_word = m.group("mon2") or m.group("dmon")
    if mon_word:  # "5 p.m. EST, Nov. 6": the clock time on that date
        mon = MONTHS[mon_word.lower().rstrip(".")]
        day = int(m.group("day2") or m.group("dday"))
        year = cal.year_for(ctx.dct, mon, day, _direction(m, ctx)) if ctx.dct else None
        on = cal.safe_date(year, mon, day) if year else None
        return "TIME", f"{on.isoformat()}T{h:02d}:{mins:02d}" if on else None
    if ctx.dct is None:
        return "TIME", None
    d = ctx.dct
    if m.group("dw"):
        d = d + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(m.group("dw").lower(), 0))
    elif m.group("dwd"):
        d = cal.weekday_near(d, WEEKDAYS[m.group("dwd").lower()], ctx.direction)
    return "TIME", f"{d.isoformat()}T{h:02d}:{mins:02d}"


@rule(
    rf"(?<![\w-])(?:(?P<every>every|each|per)\s+(?:other\s+)?(?:(?P<num>{NUMBER})\s+)?(?P<what>seconds?|minutes?|hours?|"
    r"days?|nights?|weeks?|months?|quarters?|years?|decades?|weekends?|mornings?|evenings?|afternoons?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|spring|summer|fall|autumn|winter)|"
    r"(?P<times>once|twice|(?:\w+)\s+times)\s+(?:a|an|per|each|every)\s+(?P<what2>day|week|month|year|quarter|decade)|"
    rf"(?P<adv>{alternation(SET_ADVERBS)}))(?![\w-])"
)
def recurrence(m: re.Match[str], ctx: Context) -> Result | None:
    if m.group("adv"):
        return "SET", SET_ADVERBS[m.group("adv").lower()]
    what = (m.group("what") or m.group("what2")).lower()
    if m.group("every") and m.group("every").lower() == "each" and what.endswith("s"):
        return None
    if what in WEEKDAYS:
        return "SET", f"XXXX-WXX-{WEEKDAYS[what] + 1}"
    if what in SEASONS:
        return "SET", f"XXXX-{SEASONS[what]}"
    if what.rstrip("s") in DAY_PARTS:
        return "SET", f"XXXX-XX-XXT{DAY_PARTS[what.rstrip('s')]}"
    n = parse_number(m.group("num")) if m.group("num") else 1
    if m.group("every") and m.group("every").lower() == "other":
        n = 2
    return "SET", _duration(n or 1, what)


@rule(
    r"(?<![\w-])(?:(?P<last>last|this|next)\s+)?(?P<h>christmas(?:\s+(?:day|eve))?|new\s+year's(?:\s+(?:day|eve))?|"
    r"thanksgiving(?:\s+day)?|easter(?:\s+sunday)?|independence\s+day|the\s+fourth\s+of\s+july|halloween|"
    r"labor\s+day|memorial\s+day|valentine's\s+day|boxing\s+day|election\s+day)(?:,?\s+(?P<year>\d{4}))?(?![\w-])",
    _capitalized("h"),
)
def holiday(m: re.Match[str], ctx: Context) -> Result | None:
    name = " ".join(m.group("h").lower().split())
    y = _year(m, "year")

    def on(year: int) -> date | None:
        fixed = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
                 "new year's": (1, 1), "new year's day": (1, 1), "new year's eve": (12, 31),
                 "independence day": (7, 4), "the fourth of july": (7, 4), "halloween": (10, 31),
                 "valentine's day": (2, 14), "boxing day": (12, 26)}  # fmt: skip
        if name in fixed:
            return cal.safe_date(year, *fixed[name])
        if name.startswith("thanksgiving"):
            return cal.nth_weekday(year, 11, 3, 4)
        if name.startswith("easter"):
            return cal.easter(year)
        if name == "labor day":
            return cal.nth_weekday(year, 9, 0, 1)
        if name == "election day":  # the Tuesday after the first Monday of November
            monday = cal.nth_weekday(year, 11, 0, 1)
            return monday + timedelta(days=1) if monday else None
        return cal.nth_weekday(year, 5, 0, -1)

    if y is None:
        if ctx.dct is None:
            return "DATE", None
        rel = (m.group("last") or "").lower()
        y = ctx.dct.year
        this_year = on(y)
        if this_year is None:
            return None
        direction = {"last": "past", "next": "future"}.get(rel, ctx.direction)
        if direction == "past" and this_year > ctx.dct:
            y -= 1
        elif direction == "future" and this_year < ctx.dct:
            y += 1
    d = on(y)
    return ("DATE", d.isoformat()) if d else None


_QUANTITY_OF = re.compile(
    r"\b(?:matter|hundreds|thousands|dozens|millions|tens|scores|question)\s+$", re.IGNORECASE
)


@rule(
    r"(?<![\w-])(?:(?P<prep>for|in|over|within|during|after|from|of)\s+)(?P<x>(?:many\s+|several\s+|the\s+)?"
    r"(?P<unit>years|decades|months|weeks|days|centuries|hours|minutes))(?![\w-])"
)
def vague_span(m: re.Match[str], ctx: Context) -> Result | None:
    if m.group("x").lower().startswith("the"):
        return None
    if m.group("prep").lower() == "of" and _QUANTITY_OF.search(m.string, max(0, m.start() - 20), m.start()):
        return None  # "a matter of days", "hundreds of years": a measure, not a time span
    return "DURATION", _duration(None, m.group("unit"))


@rule(r"(?<![\w-])the\s+(?:next\s+|coming\s+)?(?P<unit>years|months|weeks|days|hours)\s+ahead(?![\w-])")
def span_ahead(m: re.Match[str], ctx: Context) -> Result | None:
    """ "the weeks ahead", "the months ahead": an unspecified stretch of time to come."""
    return "DURATION", _duration(None, m.group("unit"))


@rule(
    r"(?<![\w-])(?P<mod>the\s+end|the\s+beginning|the\s+start|the\s+middle|the\s+rest|the\s+remainder|the\s+close|"
    r"the\s+turn)\s+of\s+(?:the|this)\s+(?P<unit>year|month|week|quarter|decade|century)(?![\w-])"
)
def part_of_current(m: re.Match[str], ctx: Context) -> Result | None:
    if ctx.dct is None:
        return "DATE", None
    unit = m.group("unit").lower()
    d = ctx.dct
    value = {"year": str(d.year), "month": cal.month(d.year, d.month), "week": cal.week(d),
             "quarter": cal.granular(d, "Q"), "decade": str(d.year)[:3], "century": str(d.year)[:2]}[unit]  # fmt: skip
    return "DATE", value


@rule(r"(?<![\w-])(?:the|this|last|next|that)\s+weekend(?![\w-])")
def the_weekend(m: re.Match[str], ctx: Context) -> Result | None:
    if ctx.dct is None:
        return "DATE", None
    word = m.group(0).split()[0].lower()
    if word in ("last", "next", "this"):
        return None  # relative_unit handles these
    sat = cal.weekday_near(ctx.dct, 5, ctx.direction)
    return "DATE", cal.week(sat) + "-WE"


_TEEN_CENTURIES = {"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_SPELLED_TENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                 "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
_SPELLED_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}


@rule(
    rf"(?<![\w-])(?:the\s+year\s+)?(?P<c>{alternation(_TEEN_CENTURIES)})[\s-]+(?:(?P<tens>{alternation(_SPELLED_TENS)})"
    rf"(?:[\s-](?P<unit>{alternation(_SPELLED_UNITS)}))?|oh[\s-](?P<oh>{alternation(_SPELLED_UNITS)}))(?![\w-])"
    r"(?!\s+(?:people|percent|dollars|years|of|thousand|hundred|million))|(?<![\w-])(?:the\s+year\s+)?"
    r"(?P<twok>two\s+thousand)(?:(?:\s+and)?[\s-](?P<k>one|two|three|four|five|six|seven|eight|nine|ten))?(?![\w-])"
    r"(?!\s+(?:people|percent|dollars|years|of|thousand|hundred|million|(?!(?:has|was|is|as|its|this)\b)\w+s\b))"
)
def spelled_year(m: re.Match[str], ctx: Context) -> Result | None:
    if m.group("twok"):
        if not m.group(0).lower().startswith("the year") and not m.group("k"):
            return None
        extra = _SPELLED_UNITS.get(
            (m.group("k") or "").lower(), 10 if (m.group("k") or "").lower() == "ten" else 0
        )
        return "DATE", f"{2000 + extra:04d}"
    century = _TEEN_CENTURIES[m.group("c").lower()]
    if m.group("oh"):
        rest = _SPELLED_UNITS[m.group("oh").lower()]
    else:
        rest = _SPELLED_TENS[m.group("tens").lower()] + _SPELLED_UNITS.get((m.group("unit") or "").lower(), 0)
    return "DATE", f"{century * 100 + rest:04d}"


@rule(
    r"(?<![\w-])(?:(?P<prep>for|in|during|of|through|throughout)\s+)?(?P<x>the\s+(?P<adj>full\s+|whole\s+|entire\s+|"
    r"fiscal\s+|latest\s+fiscal\s+)?year)(?![\w-])(?!\s+(?:ago|earlier|later|before|after|\d))"
)
def the_year(m: re.Match[str], ctx: Context) -> Result | None:
    prep = (m.group("prep") or "").lower()
    adj = (m.group("adj") or "").strip().lower()
    # a span of twelve months: "the year ended Aug. 31", "throughout the year", "the whole year";
    # otherwise the calendar or fiscal year in question: "results for the (full) year"
    if prep in ("through", "throughout") or adj in ("whole", "entire"):
        return "DURATION", "P1Y"
    if re.match(r"\s+(?:ended|ending)\b", m.string[m.end() :]):
        return "DURATION", "P1Y"
    if not prep:
        return None
    if ctx.ref and ctx.ref[:4].isdigit():
        return "DATE", ctx.ref[:4]
    return ("DATE", str(ctx.dct.year)) if ctx.dct else ("DATE", None)


_UNIT_WORDS = (
    "second",
    "minute",
    "hour",
    "day",
    "night",
    "week",
    "fortnight",
    "month",
    "quarter",
    "year",
    "decade",
    "centur",
)
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DIGITS = tuple("0123456789")
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "month_day": _MONTH_STEMS, "day_month": _MONTH_STEMS, "month_year": _MONTH_STEMS, "month_alone": _MONTH_STEMS,
    "iso_date": ("-",), "slash_date": ("/",), "year": _DIGITS, "decade": ("0s", "0's", "0’s"), "decade_word": tuple(_DECADE_WORDS),
    "short_year": ("'", "’"), "century": ("centur",), "quarter": ("quarter", "half"),
    "quarter_anaphora": ("quarter", "period", "year-", "year end", "year's end", "year’s end"), "season": tuple(SEASONS),
    "relative_unit": (*_UNIT_WORDS, "morning", "afternoon", "evening"), "amount": _UNIT_WORDS,
    "words": ("now", "current", "present", "recent", "lately", "past", "future", "moment", "to date", "these days",
              "coming", "later date", "once", " term"),
    "deictic_day": ("today", "tonight", "yesterday", "tomorrow"), "weekday": ("day",),
    "clock": ("m.", "am", "pm", "noon", "midnight", "midday", "o'clock", ":"),
    "recurrence": ("every", "each", "per", "once", "twice", "times", *SET_ADVERBS),
    "holiday": ("christmas", "new year", "thanksgiving", "easter", "independence", "fourth of july", "halloween",
                "labor day", "memorial day", "valentine", "boxing day", "election day"),
    "vague_span": ("years", "decades", "months", "weeks", "days", "centuries", "hours", "minutes"),
    "part_of_current": (" of th",), "span_ahead": ("ahead",), "the_weekend": ("weekend",),
    "spelled_year": ("fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "two thousand"),
    "the_year": ("year",),
}  # fmt: skip
RULES[:] = [Rule(r.name, r.pattern, r.normalize, r.check, _TRIGGERS[r.name]) for r in RULES]
