"""The one sentence splitter: (start, end) offsets of the sentences of a text.

Rule based and abbreviation aware. A candidate boundary is end punctuation (. ! ? …, with any closing
quotes or brackets) followed by white space, a CJK full stop, or a line break. It is kept or dropped
by looking at the word before it and the word after it:

- a line break ends a sentence unless the line is wrapped (no end punctuation before it and a
  lower-case word after it);
- end punctuation followed by a lower-case word does not end a sentence ("9 a.m. on Friday",
  "“Why?” he asked");
- a title (Mr., Dr., Gen.) or a joining abbreviation (e.g., vs.) never ends a sentence;
- a number abbreviation (No., Jan., Fig.) does not end a sentence before a number;
- other abbreviations (a.m., U.S., Inc., Jr., etc., a single initial) end a sentence only when the
  next word is one that commonly opens a sentence ("… in the U.S. The talks", but "the U.S. Embassy",
  "J. Smith", "9 a.m. Friday");
- a decimal number never holds a boundary (no white space after its point).

Offsets index the text as given: `text[start:end]` is the sentence, trimmed of white space; text
outside every sentence is white space or has no letter or digit.
"""

from __future__ import annotations

import re


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


# after a full stop, a title does not end a sentence: a name follows
_TITLES = _words(
    "mr mrs ms mx dr prof gen col lt sgt capt cmdr adm maj brig gov sen rep rev fr hon pres supt det "
    "insp cpl pte pvt messrs mme mlle mssrs st"
)
# abbreviations that join what follows to what precedes
_JOINING = _words("e.g i.e cf vs v viz approx ca incl esp resp et al")
# abbreviations that stand before a number
_BEFORE_NUMBER = _words(
    "no nos nr art fig figs vol vols p pp para sec ch chap ed op tel ext "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# abbreviations that may also end a sentence
_AMBIGUOUS = _words(
    "inc ltd co corp plc llc bros jr sr etc dept univ assn est govt intl natl mt ft ave blvd rd hwy "
    "km kg mph min max sq oz lb lbs"
)
# capitalized words that open sentences: after an ambiguous abbreviation, they show a new sentence
_OPENERS = _words(
    """
    a an the this that these those there here it its he she they we i you his her their our my your
    in on at by for from with without after before during since until while when where if as but and
    or so yet nor then now still also however meanwhile moreover nevertheless instead earlier later
    today yesterday tomorrow last next one two three four five six seven eight nine ten some many most
    all both each every no not none neither several other others what who whom whose why how which
    according despite although though because once only even just more few police officials
    """
)

_CANDIDATE = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*(?=\s)|[。！？][\"'”’」』)\]]*|\n")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]\.?", re.UNICODE)
_NEXT_WORD = re.compile(r"\s*[\"'“‘«(\[]*(\S*)")
_LEADING = "\"'“‘«([{"
_END_PUNCT = tuple(".!?:;…\"'”’»)]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in order, trimmed of white space, never empty."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if not _is_boundary(text, start, match):
            continue
        _append_trimmed(text, start, match.end(), spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings."""
    return [text[start:end] for start, end in sentence_spans(text)]


def _is_boundary(text: str, start: int, match: re.Match[str]) -> bool:
    mark = match.group()
    after = _NEXT_WORD.match(text, match.end())
    following = after.group(1) if after else ""
    if mark == "\n":
        before = text[start : match.start()].rstrip()
        wrapped = following[:1].islower() and not before.endswith(_END_PUNCT)
        return not wrapped
    if mark[0] in "。！？":
        return True
    if following[:1].islower():
        return False  # "9 a.m. on Friday", "“Why?” he asked", "U.S. officials"
    if "." not in mark or mark.startswith("..") or mark[0] == "…":
        return True
    preceding = text[start : match.start()].rsplit(None, 1)
    token = preceding[-1].lstrip(_LEADING) if preceding else ""
    word = token.lower().rstrip(".")
    if not word:
        return True
    if word in _TITLES or word in _JOINING:
        return False
    if following[:1].isdigit():
        return word not in _BEFORE_NUMBER
    if word in _BEFORE_NUMBER or word in _AMBIGUOUS or _is_initial_or_dotted(token):
        return following.strip(_LEADING).rstrip(".,;:!?\"'”’").lower() in _OPENERS
    return True


def _is_initial_or_dotted(token: str) -> bool:
    """A single letter ("J.") or a dotted abbreviation ("U.S.", "a.m.", "D.C.")."""
    bare = token.rstrip(".")
    return (len(bare) == 1 and bare.isalpha()) or bool(_DOTTED.fullmatch(token))


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))
