"""Metadata lines found inside article text: date lines, bylines, agency credits, datelines.

`extract_metadata` removes date lines, bylines and closing agency credits from the text and
returns what they said; an opening dateline ("PARIS (Reuters) -") gives the agency but stays, as
it begins a real sentence. Only the first and last lines of the text are searched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

HEAD_LINES = 8  # lines searched at the start of the text
TAIL_LINES = 4  # lines searched at the end


@dataclass(frozen=True)
class Metadata:
    published: str | None = None  # ISO date
    published_time: str | None = None  # "HH:MM", followed by the zone when given
    authors: tuple[str, ...] = ()
    agency: str | None = None
    removed_lines: tuple[str, ...] = ()
    date_header: bool = False  # the date came from a `date YYYY-MM-DD` header line


# --- dates and times -----------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = r"(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|urday)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    rf"{_WEEKDAY}(?:"
    rf"(?P<d1>\d{{1,2}}){_ORD}\.?\s+{_MONTH.format('m1')},?\s+(?P<y1>\d{{4}})"
    rf"|{_MONTH.format('m2')}\s+(?P<d2>\d{{1,2}}){_ORD},?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
    r"|(?P<a4>\d{1,2})[./](?P<b4>\d{1,2})[./](?P<y4>\d{4})"
    r")"
)
_ZONES = (
    r"UTC|GMT|BST|IST|CET|CEST|EET|EEST|WET|WEST|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|JST|KST|HKT|SGT|AEST|"
    r"AEDT|PKT|WIB|ICT|SAST|CAT|EAT|WAT"
)
_TIME = (
    r"(?P<hh>\d{1,2})[:.h](?P<mm>\d{2})(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?"
    rf"(?:\s*(?P<zone>(?:{_ZONES})(?:\s?[+-]\d{{1,2}}(?::?\d{{2}})?)?|[+-]\d{{2}}:?\d{{2}}))?"
)
_DATE_LABEL = (
    r"(?P<label>(?:last |first )?(?:updated|published|posted|modified|created|date|released|issued)"
    r"|publié(?: le)?|mis à jour(?: le)?|veröffentlicht(?: am)?|aktualisiert(?: am)?|publicado(?: el)?)"
)
MAX_DATE_LINE = 300
_SEGMENT = re.compile(
    rf"(?:{_DATE_LABEL}(?:\s+(?:on|at))?\s*[:|-]?\s*)?(?P<date>{_DATE})"
    rf"(?:\s*(?:,|at|@|-|–|\||/)?\s*(?:at\s+)?(?P<time>{_TIME}))?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"^[\s|/,;:–—•·()\[\]-]*$")


def _iso_date(m: re.Match[str]) -> str | None:
    if m.group("y1"):
        year, month, day = int(m.group("y1")), _MONTHS[m.group("m1").lower()], int(m.group("d1"))
    elif m.group("y2"):
        year, month, day = int(m.group("y2")), _MONTHS[m.group("m2").lower()], int(m.group("d2"))
    elif m.group("y3"):
        year, month, day = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    else:
        a, b, year = int(m.group("a4")), int(m.group("b4")), int(m.group("y4"))
        if a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a:
            day, month = b, a
        elif a == b:
            day = month = a
        else:
            return None  # 03/04/2024: day-month or month-day, never guessed
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _clock(m: re.Match[str]) -> str | None:
    if not m.group("time"):
        return None
    hour, minute = int(m.group("hh")), int(m.group("mm"))
    ampm = (m.group("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    zone = m.group("zone")
    return f"{hour:02d}:{minute:02d}" + (f" {zone.upper().replace(' ', '')}" if zone else "")


def parse_date_line(line: str) -> tuple[str | None, str | None] | None:
    """(date, time) of a line made only of dates ("Updated: 20 Feb 2024 14:00 | Published ..."),
    None when the line holds anything else. A "published" date is preferred to an "updated" one."""
    if len(line) > MAX_DATE_LINE:  # two labelled date-times fit many times over: prose, not a date line
        return None
    segments = list(_SEGMENT.finditer(line))
    if not segments or not _SEPARATORS.match(_SEGMENT.sub("", line)):
        return None
    chosen = segments[0]
    for m in segments:
        label = (m.group("label") or "").lower()
        if label and not any(w in label for w in ("updated", "modified", "mis à jour", "aktualisiert")):
            chosen = m
            break
    return _iso_date(chosen), _clock(chosen)


# Labels of date lines in the default languages ("Updated", "Publié le", "Veröffentlicht am", ...).
_LABEL_WORDS = (
    r"(?:last |first )?(?:updated|published|posted|modified|created|released|issued|date)(?: on| at)?"
    r"|publié(?: le)?|mis à jour(?: le)?|modifié(?: le)?|mise à jour(?: le)?"
    r"|veröffentlicht(?: am)?|aktualisiert(?: am)?|erstellt(?: am)?|stand"
    r"|publicado(?: el| em)?|actualizado(?: el)?|atualizado(?: em)?"
    r"|pubblicato(?: il)?|aggiornato(?: il)?"
    r"|опубликовано|обновлено|дата публикации|опубліковано|оновлено"
    r"|更新|公開|发布时间|发布|更新时间|입력|수정|نشر في|تم التحديث|تاريخ النشر"
)
_LABELLED = re.compile(rf"^\s*(?P<label>{_LABEL_WORDS})\s*[:：|-]?\s*(?P<rest>.{{4,80}})$", re.IGNORECASE)
_BARE_DATE = re.compile(r"^[\w\s.,:/|()+-]{6,60}$")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_CLOCK = re.compile(
    r"(?<![\d.])([01]?\d|2[0-3])(?::|h|\.(?=\d\d(?:\s|$)))([0-5]\d)(?![\d.])(?:\s*([ap])\.?\s?m\.?)?",
    re.IGNORECASE,
)
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?![\d/])")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d{2})(?![\d.])")  # day.month.year
_ZONE_AT_END = re.compile(rf"\b({_ZONES})\b", re.IGNORECASE)
DATEPARSER_LANGUAGES = ["en", "fr", "de", "es", "it", "pt", "ru", "uk", "ja", "zh", "ko", "ar"]


def _dateparser(text: str) -> str | None:
    import dateparser

    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
                "RETURN_AS_TIMEZONE_AWARE": False}  # fmt: skip
    try:
        found = dateparser.parse(text, languages=DATEPARSER_LANGUAGES, settings=settings)
    except Exception:  # dateparser raises on some odd strings: not a date
        return None
    if found is None or not 1900 <= found.year <= 2100:
        return None
    return found.date().isoformat()


def parse_any_date_line(line: str) -> tuple[str | None, str | None] | None:
    """`parse_date_line`, then lines in the default languages: a date-line label followed by a date
    ("Aktualisiert am 20.02.2024, 14:00 Uhr", "Publié le 20 février 2024 à 14h00"), or a short line that is
    only a date and time with its weekday ("Freitag, 06.07.2018, 10:29"). Read with dateparser on a fixed
    language list; a four-digit year is required (no guessed years)."""
    found = parse_date_line(line)
    if found is not None:
        return found
    stripped = line.strip()
    m = _LABELLED.match(stripped)
    rest = m.group("rest") if m else stripped
    if not m and (not _BARE_DATE.match(stripped) or len(stripped.split()) > 6):
        return None
    if not _YEAR.search(rest) or len(rest.split()) > 10:
        return None
    clock = _CLOCK.search(rest)
    date_part = rest[: clock.start()] if clock and clock.start() > 4 else rest
    date_part = re.sub(r"\b(?:um|à|a las|alle|at|в|о)\s*$", "", date_part.strip(" ,|-–—/")).strip(" ,|-–—/")
    numeric = _DOTTED.search(date_part) or _SLASHED.search(date_part)
    if numeric:  # numbers only: day first (dotted, or a label in a day-first language), else never guessed
        a, b, year = int(numeric.group(1)), int(numeric.group(2)), numeric.group(3)
        label = m.group("label") if m else ""
        english = bool(re.fullmatch(r"[a-z ]+", label, re.IGNORECASE)) and "." not in numeric.group(0)
        if english and a <= 12 and b <= 12 and a != b:
            return None
        day, month = (b, a) if english and b > 12 else (a, b)
        date = f"{year}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None
    else:
        date = _dateparser(date_part)
    if date is None:
        return None
    time = None
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        ampm = (clock.group(3) or "").lower()
        if ampm and 1 <= hour <= 12:
            hour = hour % 12 + (12 if ampm == "p" else 0)
        zone = _ZONE_AT_END.search(rest[clock.end() :])
        time = f"{hour:02d}:{minute:02d}" + (f" {zone.group(1).upper()}" if zone else "")
    return date, time


# --- agencies ------------------------------------------------------------------------------------

AGENCIES: dict[str, str] = {
    "reuters": "Reuters", "thomson reuters": "Reuters", "afp": "AFP", "agence france-presse": "AFP",
    "agence france presse": "AFP", "ap": "AP", "associated press": "AP", "the associated press": "AP",
    "ansa": "ANSA", "kyodo": "Kyodo", "kyodo news": "Kyodo", "dpa": "dpa", "efe": "EFE", "xinhua": "Xinhua",
    "pti": "PTI", "ians": "IANS", "ani": "ANI", "uni": "UNI", "yonhap": "Yonhap", "tass": "TASS",
    "ria novosti": "RIA Novosti", "interfax": "Interfax", "anadolu": "Anadolu", "anadolu agency": "Anadolu",
    "bloomberg": "Bloomberg", "aap": "AAP", "apa": "APA", "belga": "Belga", "lusa": "Lusa",
    "europa press": "Europa Press", "ukrinform": "Ukrinform", "jiji": "Jiji", "jiji press": "Jiji",
    "bernama": "Bernama", "antara": "Antara", "wafa": "WAFA", "kuna": "KUNA", "sputnik": "Sputnik",
}  # fmt: skip
_AGENCY = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
_AGENCY_CREDIT = re.compile(
    rf"^[\s(\[–—/-]*(?:(?:with )?(?:inputs?|input|reporting) from\s+|source\s*:\s*|©\s*|\(c\)\s*|"
    r"mit material (?:von|der)\s+|avec\s+|con (?:informazioni|fonti) (?:da|di)\s+|con información de\s+)?"
    rf"(?P<agencies>(?:{_AGENCY})(?:\s*(?:,|and|&|/)\s*(?:{_AGENCY}))*)[\s)\].–—-]*$",
    re.IGNORECASE,
)
_INPUTS_FROM = re.compile(
    r"^[\s(\[–—-]*(?:with )?(?:inputs?|additional inputs?) from\s+(?P<who>[^()]{2,60}?)[\s)\].]*$",
    re.IGNORECASE,
)
_DATELINE = re.compile(rf"\((?P<agency>{_AGENCY})\)\s*[-–—:]", re.IGNORECASE)
# "JOHANNESBURG, Feb 19 (MPA) -": a wire dateline naming an agency not in the list
_WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{2,40}(?:,[^()]{1,40})?\s*"
    r"\((?P<agency>[A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3})\)\s*[-–—]\s"
)
_CONTRIBUTED = re.compile(
    r"^(?:(?:staff )?(?:writers?|correspondents?|reporters?)\s+)?(?P<who>.{2,120}?)\s+contributed"
    r"(?: reporting)? to this (?:report|story|article)(?: from [^.]+)?[.\s\"”']*$",
    re.IGNORECASE,
)


def _canonical_agency(name: str) -> str | None:
    return AGENCIES.get(re.sub(r"\s+", " ", name.strip(" .()")).lower())


def _agencies_in(text: str) -> list[str]:
    return [a for part in re.split(r"\s*(?:,|\band\b|&|/)\s*", text) if (a := _canonical_agency(part))]


# --- bylines -------------------------------------------------------------------------------------

_NAME_WORD = r"(?-i:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*|(?:de|da|di|van|von|der|den|del|la|le|bin|al|el)(?=\s))"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}"
_NAMES = rf"{_NAME}(?:\s*(?:,|and|&|und|et|y|e)\s+{_NAME})*"
_ROLE_TAIL = (
    r"(?:staff writer|staff reporter|special correspondent|correspondent|reporter|editor|"
    r"senior writer|contributor|news desk)"
)
_BY = (
    r"(?:by|par|von|por|di|от|written by|words by|text by|story by|reported by|posted by|"
    r"author|autor|auteur|auteure|autore)"
)
_BYLINE = re.compile(
    rf"^{_BY}\s*:?\s+(?P<names>{_NAMES})\.?$",
    re.IGNORECASE,
)
_BYLINE_TAIL = re.compile(
    rf"(?:[\s,|/–—-]+(?P<tail>{_AGENCY})|\s*[,|/–—-]\s*(?:[\w-]+\s+){{0,3}}{_ROLE_TAIL}"
    r"|\s*,\s*(?-i:[A-Z][\w'-]+)(?:\s(?-i:[A-Z][\w'-]+)){0,2})\.?$",
    re.IGNORECASE,
)
_ROLES = (
    r"(?:photography|photographs|photos?|pictures|reporting|writing|words|text|video|graphics|"
    r"illustrations?)"
)
_ROLE_LIST = re.compile(
    rf"^{_ROLES}(?:\s*(?:,|and|&)\s*(?:and\s+)?{_ROLES})*\s*:\s*(?P<names>{_NAMES})\.?$", re.IGNORECASE
)
_CREDIT_PART = re.compile(
    r"^(?:additional |further )?(?P<role>reporting|writing|written|compiled|editing|edited|"
    r"research|graphics|photos?|photography)(?: by)?\s*:?\s+(?P<names>.+?)\.?$",
    re.IGNORECASE,
)
_DESK = re.compile(
    r"^(?:[A-Z][\w-]*\s+){0,2}(?:digital|web|news|online|city|national|sports|business|foreign|world|"
    r"metro|political|international)\s+desk$",
    re.IGNORECASE,
)


def _split_names(names: str) -> list[str]:
    parts = re.split(r"\s*(?:,|\band\b|&|\bund\b|\bet\b|\by\b)\s*", names.strip())
    out = []
    for part in parts:
        part = part.strip(" .")
        if part:
            out.append(part.title() if part.isupper() else part)
    return out


def _is_name(text: str) -> bool:
    return bool(re.fullmatch(_NAMES, text.strip(" .")))


def parse_byline(line: str) -> tuple[tuple[str, ...], str | None] | None:
    """(authors, agency) of a byline or credit line, None when the line is not one."""
    stripped = line.strip()
    if stripped.startswith("(") and stripped.endswith(")"):
        stripped = stripped[1:-1].strip()
    if len(stripped.split()) > 20:
        return None
    if _DESK.match(stripped):
        return (stripped,), None
    agency = None
    tail = _BYLINE_TAIL.search(stripped)
    if tail:
        agency = _canonical_agency(tail.group("tail")) if tail.group("tail") else None
        stripped = stripped[: tail.start()]
    m = _BYLINE.match(stripped)
    if m and _is_name(m.group("names")):
        return tuple(_split_names(m.group("names"))), agency
    m = _ROLE_LIST.match(stripped)
    if m:
        return tuple(_split_names(m.group("names"))), None
    parts = [p.strip() for p in stripped.split(";") if p.strip()]
    matches = [_CREDIT_PART.match(p) for p in parts]
    if parts and all(matches) and all(_is_name(x.group("names")) for x in matches if x):
        authors: list[str] = []
        for x in matches:
            if x and x.group("role").lower() in ("reporting", "writing", "written", "compiled", "research"):
                authors.extend(_split_names(x.group("names")))
        return tuple(authors), None
    m = _CONTRIBUTED.match(stripped)
    if m:
        who = m.group("who")
        agencies = _agencies_in(who)
        if agencies:
            return (), agencies[0]
        if _is_name(who):
            return tuple(_split_names(who)), None
    return None


def parse_agency_credit(line: str) -> str | None:
    """Agency of a credit line ("- AFP", "(With inputs from PTI)"): the name, "" for a credit
    naming no agency ("with inputs from agencies"), None when the line is not a credit."""
    stripped = line.strip()
    m = _AGENCY_CREDIT.match(stripped)
    if m:
        return _agencies_in(m.group("agencies"))[0]
    m = _INPUTS_FROM.match(stripped)
    if m:
        who = m.group("who")
        agencies = _agencies_in(who)
        if agencies:
            return agencies[0]
        return "" if who.lower() in ("agencies", "agency", "wires", "news agencies") else who.strip()
    return None


def dateline_agency(text: str) -> str | None:
    """Agency named by an opening dateline such as "PARIS, Feb 20 (Reuters) -"."""
    m = _DATELINE.search(text[:300])
    if m:
        return _canonical_agency(m.group("agency"))
    m = _WIRE_DATELINE.match(text)
    return m.group("agency") if m else None


# "date 2024-03-13 Headline of the story": a dump's date header, with the headline run onto its line, or
# itself run onto the line before it by a reader joining lines ("Headline date 2024-03-13")
_DATE_HEADER = re.compile(
    r"(?:^|(?<=\s))date\s*[:=]?\s*(?P<date>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?!\w)[\s|:–—-]*",
    re.IGNORECASE,
)


def split_date_header(line: str) -> tuple[str, str] | None:
    """(ISO date, the line without its header) of a line holding a `date YYYY-MM-DD` header, the text
    before and after the header on lines of their own; None for any other line."""
    m = _DATE_HEADER.search(line)
    if not m or _iso_date_parts(m.group("date")) is None:
        return None
    rest = "\n".join(part for part in (line[: m.start()].strip(), line[m.end() :].strip()) if part)
    return m.group("date"), rest


def _iso_date_parts(value: str) -> str | None:
    year, month, day = (int(x) for x in value.split("-"))
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100):
        return None
    return value


def extract_metadata(text: str) -> tuple[str, Metadata]:
    """Text without its metadata lines, and what they said."""
    header_date = None
    lines = text.split("\n")
    for k, line in enumerate(lines[:HEAD_LINES]):
        header = split_date_header(line) if line.strip() else None
        if header is not None:
            header_date = header[0]
            lines[k] = header[1]
            text = "\n".join(lines)
            break
    text, found = _extract_metadata(text)
    if header_date is not None:
        found = Metadata(header_date, found.published_time if found.published == header_date else None,
                         found.authors, found.agency, (f"date {header_date}", *found.removed_lines),
                         date_header=True)  # fmt: skip
    return text, found


def _extract_metadata(text: str) -> tuple[str, Metadata]:
    paragraphs = [p.split("\n") for p in text.split("\n\n")]
    positions = [(i, j) for i, para in enumerate(paragraphs) for j, line in enumerate(para) if line.strip()]
    head = set(positions[:HEAD_LINES])
    tail = set(positions[-TAIL_LINES:])
    published = published_time = agency = None
    authors: list[str] = []
    remove: set[tuple[int, int]] = set()
    for pos in positions:
        if pos not in head and pos not in tail:
            continue
        line = paragraphs[pos[0]][pos[1]].strip()
        date = parse_any_date_line(line)
        if date is not None:
            remove.add(pos)
            if published is None and date[0] is not None:
                published, published_time = date
            continue
        byline = parse_byline(line)
        if byline is not None:
            remove.add(pos)
            authors.extend(a for a in byline[0] if a not in authors)
            agency = agency or byline[1]
            continue
        if pos in tail:
            credit = parse_agency_credit(line)
            if credit is not None:
                remove.add(pos)
                agency = agency or credit or None
    for i, j in [pos for pos in positions if pos not in remove][:2]:  # a title line may come first
        agency = agency or dateline_agency(paragraphs[i][j])
    removed = tuple(paragraphs[i][j].strip() for i, j in positions if (i, j) in remove)
    kept = [
        "\n".join(line for j, line in enumerate(para) if (i, j) not in remove)
        for i, para in enumerate(paragraphs)
    ]
    clean = "\n\n".join(p for p in kept if p.strip())
    return clean, Metadata(published, published_time, tuple(authors), agency, removed)


# --- headlines of plain text ---------------------------------------------------------------------

HEADLINE_CANDIDATES = 12  # lines from the top of a plain text among which its headline is chosen
_HEADLINE_WORD = re.compile(r"\w{3,}")
HEADLINE_FEATURES = [
    "position", "first", "before_text", "after_text", "log_words", "headline_shape", "ends_period",
    "ends_question", "byline", "date_line", "lead_overlap", "repeated_inside", "follows_date", "reader_title",
]  # fmt: skip


def _lead_words(lines: Sequence[str], start: int) -> set[str]:
    """Words of the first three long lines from `start` on: a headline's words come back in the lead."""
    longs = [line for line in lines[start:] if len(line.split()) >= 15][:3]
    return {w.lower() for line in longs for w in _HEADLINE_WORD.findall(line)}


def headline_features(lines: Sequence[str], reader_title: bool) -> list[list[float]]:
    """Features of each candidate headline among the first lines of a plain text (`reader_title`: the
    first line is the one a reader took as the title)."""
    from storyline.clean.lines import line_features
    from storyline.read._paragraphs import looks_like_headline

    candidates = [line.strip() for line in lines[:HEADLINE_CANDIDATES]]
    first_text = next((i for i, line in enumerate(lines) if len(line.split()) >= 15), len(lines))
    base = line_features(candidates)
    out = []
    for i, line in enumerate(candidates):
        words = {w.lower() for w in _HEADLINE_WORD.findall(line)}
        lead = _lead_words(lines, i + 1)
        n_words = len(line.split())
        date = _DATE_SHAPE.search(line) is not None and n_words <= 12
        previous = candidates[i - 1] if i else ""
        out.append(
            [
                *base[i],
                math.log1p(i),
                float(i == 0),
                math.log1p(max(0, first_text - i)),
                float(i > first_text),
                math.log1p(n_words),
                float(looks_like_headline(line)),
                float(line.endswith(".") and not line.endswith("...")),
                float(line.endswith(("?", "!"))),
                float(parse_byline(line) is not None),
                float(date),
                len(words & lead) / max(1, len(words)),
                float(
                    any(
                        line in other
                        for j, other in enumerate(candidates)
                        if j != i and len(other) > len(line)
                    )
                ),
                float(_DATE_SHAPE.search(previous) is not None and len(previous.split()) <= 12),
                float(reader_title and i == 0),
            ]
        )
    return out


_DATE_SHAPE = re.compile(
    rf"{_DATE}|\b\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:19|20)\d{{2}}\b|\b\d{{1,2}}:\d{{2}}\b", re.IGNORECASE
)


def choose_headline(lines: Sequence[str], stage: Any, reader_title: bool) -> int | None:
    """The index of the headline among the first lines of a plain text, by the learned headline scorer
    (`stage`: a `storyline.clean.lines.Stage` over the line features and HEADLINE_FEATURES); None when no
    line is a headline."""
    from storyline.read._paragraphs import looks_like_headline

    rows = headline_features(lines, reader_title)
    scored = [(stage.prob(row), i) for i, row in enumerate(rows) if looks_like_headline(lines[i])]
    if not scored:
        return None
    best, index = max(scored)
    return index if best >= 0.05 else None
