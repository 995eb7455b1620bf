"""Claims attributed in each sentence of a story.

`extract_claims` reads each sentence and turns every quantity, every dated event and every venue of a
first showing into a `Claim`: a subject (a canonical entity of the story, or the story's focal object
when the sentence says "the car", "the well"), an attribute named from the unit's dimension and the cue
words around the figure, the value, the qualifiers the sentence gives and the exact source span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from storyline.consolidate.cues import (
    ATTRIBUTE_LEMMAS,
    ATTRIBUTION,
    ATTRIBUTION_WORDS,
    CANONICAL_ATTRIBUTES,
    CANONICAL_PREFIXES,
    COUNT_CLAUSE_CUT,
    COUNT_CUES,
    CUMULATIVE,
    DATE_EVENT_CUES,
    GENERIC_NOUNS,
    INCREMENT,
    LENGTH_CUES,
    MONEY_ATTRIBUTES,
    MONEY_CUES,
    NOT_ATTRIBUTE_WORDS,
    NOT_START_NOUNS,
    ORG_ATTRIBUTES,
    OUTPUT_CUE,
    OUTPUT_NOUNS,
    PER_PERIOD,
    PLACE_EVENT_WORDS,
    PLACE_EVENTS,
    PLACE_LABELS,
    PRICE_AT,
    PRICE_WORDS,
    RECALL,
    RUNNING_TOTAL,
    START,
    SUBJECT_LABELS,
    TOLL_OWNER_LABELS,
    VAGUE_COUNT,
    VARIANT,
    VARIANT_WORDS,
    WORKFORCE_NOUNS,
)
from storyline.consolidate.dates import article_timex_dates, timex_date
from storyline.consolidate.focus import STOPWORDS_Q, StoryInfo, explicit_variants, qualifier_key, story_info
from storyline.consolidate.parse import Parse, Reading, language_of, parse_sentences, read_value, stemmed
from storyline.consolidate.sentences import Sentence, split_story
from storyline.enrich.units import canonical_unit as _canonical_unit
from storyline.model import AnnotatedArticle, Entity, EntityMention, IsoDate, Quantity
from storyline.text.words import stemmer

ValueKind = Literal["money", "quantity", "count", "date", "entity"]

STORY_SUBJECT = "story"  # subject of a claim about the story's event itself (death toll, cases)


@dataclass(frozen=True)
class SourceSpan:
    """Where a claim's value is written: article id and offsets into the article's cleaned text."""

    article_id: str
    start: int
    end: int
    text: str  # the exact source text of the value
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True)
class Claim:
    """One statement of one article: `subject`'s `attribute` is `value`, under `qualifiers`."""

    subject: str  # entity key, or STORY_SUBJECT
    subject_name: str
    attribute: str
    kind: ValueKind
    span: SourceSpan
    quantity: Quantity | None = None
    date: IsoDate | None = None
    entity: str | None = None  # entity key of an entity value
    entity_name: str | None = None
    qualifiers: tuple[str, ...] = ()  # variant qualifiers: claims under different ones are not compared
    attribution: str | None = None  # "according to officials": recorded, does not split
    source: str | None = None
    published: IsoDate | None = None

    @property
    def article_id(self) -> str:
        return self.span.article_id


def extract_claims(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> list[Claim]:
    """Every claim the story's sentences make, in article then text order."""
    sentences = split_story(story)
    info = story_info(story, entities, sentences)
    claims: list[Claim] = []
    by_article: dict[str, list[Sentence]] = {}
    for sentence in sentences:
        by_article.setdefault(sentence.article_id, []).append(sentence)
    languages = {item.id: item.article.language for item in story}
    cues: dict[tuple[str, int], str | None] = {}  # the cue path's attribute of each figure, read once
    parses = parse_sentences(
        (languages.get(s.article_id), s.text)
        for s in sentences
        if _worth_parsing(s, info, cues, languages.get(s.article_id))
    )
    for item in story:
        own = by_article.pop(item.id, [])
        dates = article_timex_dates(item.article.text, item.article.published, own)
        code = language_of(item.article.language)
        for sentence, values in zip(own, dates, strict=True):
            parse = parses.get((code, sentence.text)) or None
            claims.extend(_sentence_claims(sentence, info, values, parse, code, cues))
    return claims


def _cue_attribute(sentence: Sentence, quantity: Quantity, cues: dict[tuple[str, int], str | None]) -> str | None:
    key = (sentence.article_id, quantity.start)
    if key not in cues:
        cues[key] = _quantity_attribute(sentence, quantity)
    return cues[key]


def _lexicon_may_name(sentence: Sentence, language: str | None) -> bool:
    """Whether a word of the sentence is in the attribute lexicon (else the parse cannot name a figure)."""
    to_stem = stemmer(language_of(language))
    known = _lexicon_stems(language_of(language))
    return any(to_stem(word) in known for word in re.findall(r"\w+", sentence.text.lower()))


@lru_cache(maxsize=16)
def _lexicon_stems(language: str) -> frozenset[str]:
    return frozenset().union(*(stemmed(words, language) for _, words in ATTRIBUTE_LEMMAS))


def _worth_parsing(
    sentence: Sentence, info: StoryInfo, cues: dict[tuple[str, int], str | None], language: str | None
) -> bool:
    """Only sentences where the parse can change a claim are parsed (bounded cost): a figure the cues
    cannot name; a figure, an age or an event date beside a story entity the parse may make its
    subject; a toll beside an event or object that may own it."""
    named = [m for m in sentence.mentions if info.rep.get(m.entity_key or "")]
    for quantity in sentence.quantities:
        if quantity.value is None:
            continue
        cue = _cue_attribute(sentence, quantity, cues)
        if cue is None:
            if _lexicon_may_name(sentence, language):
                return True
            continue
        if not named:
            continue
        if cue in CUMULATIVE and cue != "cost":
            if any(info.labels.get(info.rep[m.entity_key or ""]) in TOLL_OWNER_LABELS for m in named):
                return True
        elif not _between_parties(cue, quantity):
            return True
    if named and AGE_CANDIDATE.search(sentence.text):
        return True
    return bool(named) and any(_date_attribute(sentence, t.start, t.end) for t in sentence.timexes)


def _sentence_claims(
    sentence: Sentence,
    info: StoryInfo,
    dates: tuple[IsoDate | None, ...] | None = None,
    parse: Parse | None = None,
    language: str | None = "en",
    cues: dict[tuple[str, int], str | None] | None = None,
) -> list[Claim]:
    """The sentence's claims; `dates` are its time expressions' dates read against their sentence or
    paragraph (`article_timex_dates`), the tagger's own values when None."""
    claims: list[Claim] = []
    attribution = _attribution(sentence.text)
    for quantity in sentence.quantities:
        if quantity.value is None:
            continue
        reading = _reading(parse, sentence, quantity.start, quantity.end, language)
        attribute = _cue_attribute(sentence, quantity, {} if cues is None else cues)
        cue = attribute
        attribute = _syntax_attribute(reading, quantity, attribute, language)
        if attribute is None:
            continue
        if cue is None and attribute in CUMULATIVE and _is_increment(
            sentence, quantity.start - sentence.start, quantity.end - sentence.start
        ):
            continue  # "two more bodies": an increment the cues set aside, not a toll
        if attribute in CUMULATIVE and attribute != "cost":
            if _recalls_past(sentence):
                continue  # a toll of another event or a past year's statistic
            subject, subject_name = STORY_SUBJECT, "the story's event"
            other = _syntax_subject(reading, sentence, info, named_head=True)
            if other is not None and other[0] != info.focal and info.labels.get(other[0]) in TOLL_OWNER_LABELS:
                subject, subject_name = other  # "Asian flu killed two million people": that event's toll
            place = _place_after(sentence, quantity.end, info)
            qualifiers: tuple[str, ...] = (f"in {info.names.get(place, place)}",) if place else ()
            listed = None if place else _listed_place(sentence, quantity)
            if listed:
                qualifiers = (f"in {listed}",)
        else:
            owned = None if _between_parties(attribute, quantity) else _syntax_subject(reading, sentence, info)
            subject, subject_name = owned or _subject(sentence, quantity.start, attribute, info)
            qualifiers = _variants(sentence, quantity.start, info)
            if attribute == "cost" and _is_price(sentence, quantity, subject, qualifiers, info):
                attribute = "price"
        kind: ValueKind = quantity.kind
        claims.append(
            Claim(
                subject=subject,
                subject_name=subject_name,
                attribute=attribute,
                kind=kind,
                span=_span(sentence, quantity.start, quantity.end, quantity.text),
                quantity=quantity,
                qualifiers=qualifiers,
                attribution=attribution,
                source=sentence.source,
                published=sentence.published,
            )
        )
    claims.extend(_date_claims(sentence, info, attribution, dates, parse, language))
    claims.extend(_age_claims(sentence, info, attribution, parse, language))
    claims.extend(_venue_claims(sentence, info, attribution))
    return claims


def _recalls_past(sentence: Sentence) -> bool:
    """True when the sentence recalls an earlier event or period: "a month after", "last month's",
    "last year"."""
    return bool(RECALL.search(sentence.text))


def _is_price(
    sentence: Sentence, quantity: Quantity, subject: str, qualifiers: tuple[str, ...], info: StoryInfo
) -> bool:
    text, _ = _local(sentence, quantity.start, quantity.end)
    before = sentence.text[: quantity.start - sentence.start]
    return bool(
        PRICE_WORDS.search(text)
        or PRICE_AT.search(before)
        or info.labels.get(subject) == "PRODUCT"
        or (qualifiers and subject == info.focal)
    )


def _place_after(sentence: Sentence, position: int, info: StoryInfo) -> str | None:
    """The place a toll is given for, when it follows the figure closely ("152 deaths in Mexico")."""
    for mention in sentence.mentions:
        key = mention.entity_key
        if key is None or key not in info.rep or not 0 <= mention.start - position <= 30:
            continue
        if info.labels.get(info.rep[key], mention.label) not in PLACE_LABELS:
            continue
        between = sentence.text[position - sentence.start : mention.start - sentence.start]
        if re.fullmatch(r"\s*(?:\w+\s+){0,2}?in\s+(?:the\s+)?", between):
            return info.rep[key]
    return None


_LISTED_PLACE = re.compile(r"((?:[A-Z][\w.]*\s+){0,2}[A-Z][\w.]*)\s*\(\s*$")


def _listed_place(sentence: Sentence, quantity: Quantity) -> str | None:
    """The place a figure of a bracketed list is given for: "Spain (93), Britain (39)" -> "Spain"."""
    rel_start, rel_end = quantity.start - sentence.start, quantity.end - sentence.start
    if not re.match(r"\s*\)", sentence.text[rel_end:]):
        return None
    match = _LISTED_PLACE.search(sentence.text[max(0, rel_start - 40) : rel_start])
    return " ".join(match.group(1).split()) if match else None


def _span(sentence: Sentence, start: int, end: int, text: str) -> SourceSpan:
    return SourceSpan(sentence.article_id, start, end, text, sentence.start, sentence.end)


def _local(sentence: Sentence, start: int, end: int, before: int = 60, after: int = 45) -> tuple[str, int]:
    """Text around [start, end) within the sentence, and the position of `start` inside it."""
    lo = max(sentence.start, start - before)
    hi = min(sentence.end, end + after)
    return sentence.text[lo - sentence.start : hi - sentence.start], start - lo


def _nearest_cue(text: str, anchor: int, cues: tuple[tuple[str, str], ...]) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (pattern, name) in enumerate(_compiled_cues(cues)):
        for match in pattern.finditer(text):
            distance = min(abs(match.start() - anchor), abs(match.end() - anchor))
            candidate = (distance, rank, name)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


@lru_cache(maxsize=32)
def _compiled_cues(cues: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The cue list's patterns compiled once (the cue lists are module constants)."""
    return tuple((re.compile(pattern, re.IGNORECASE), name) for pattern, name in cues)


def unit_dimension(unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return str(_canonical_unit(unit)[0])
    except ValueError:
        return None


def _quantity_attribute(sentence: Sentence, quantity: Quantity) -> str | None:
    if quantity.kind == "money":
        return _money_attribute(sentence, quantity)
    if quantity.kind == "count":
        return _count_attribute(sentence, quantity)
    text, anchor = _local(sentence, quantity.start, quantity.end)
    dimension = unit_dimension(quantity.unit)
    if dimension is None:
        return None
    if re.search(r"\bengine\b", text, re.IGNORECASE) and dimension == "volume":
        return "engine displacement"
    if dimension == "length":
        return _nearest_cue(text, anchor, LENGTH_CUES) or "length"
    if dimension == "ratio":
        return _ratio_attribute(sentence, quantity)
    if dimension == "volume" and PER_PERIOD.match(FLOW_LEAD.sub("", _after(sentence, quantity), count=1)):
        return "flow rate"  # "40,000 barrels (1.7 million gallons) of oil a day"
    return {
        "mass": "weight",
        "power": "power",
        "energy": "energy",
        "volume": "volume",
        "flow": "flow rate",
        "area": "area",
        "speed": "speed",
    }.get(dimension, dimension)


def _after(sentence: Sentence, quantity: Quantity) -> str:
    return sentence.text[quantity.end - sentence.start :]


# what may stand between a volume and its period: a converted figure in brackets, "of oil"
FLOW_LEAD = re.compile(r"^\s*(?:\([^)]{0,40}\)\s*)?(?:of\s+[A-Za-z]+)?")


def _period(sentence: Sentence, quantity: Quantity) -> str | None:
    match = PER_PERIOD.match(_after(sentence, quantity))
    if not match:
        return None
    return match.group(1).lower() if match.group(1) else "year"


_MONEY_CUES_NOT_PER_SHARE = tuple(cue for cue in MONEY_CUES if cue[1] != "price per share")


def _money_attribute(sentence: Sentence, quantity: Quantity) -> str:
    """What a sum is: price, cost, damage, deal value...; a sum per period is its own attribute
    ("amount per year"), never compared with a one-off price."""
    text, anchor = _local(sentence, quantity.start, quantity.end, before=90)
    after = _after(sentence, quantity)
    if re.match(r"\W{0,2}\s*(?:a|per)\s+share\b", after, re.IGNORECASE):
        return "price per share"
    cue = _nearest_cue(text, anchor, _MONEY_CUES_NOT_PER_SHARE)
    if cue is None:
        before = sentence.text[: quantity.start - sentence.start]
        if PRICE_AT.search(before) or quantity.measured:
            cue = "cost"  # "the sedan at Rs 8.4 crore", "the R1.8 billion plant"
    period = _period(sentence, quantity)
    if period:
        return f"{cue or 'amount'} per {period}"
    return cue or "amount"


def _count_attribute(sentence: Sentence, quantity: Quantity) -> str | None:
    """What a count counts, from the words of its own clause: the verb after the figure ("11 people
    were injured"), else the words before it ("a fire killed nine workers"), else the noun."""
    if VAGUE_COUNT.match(quantity.text):
        return None  # "hundreds of residents" is compatible with any figure
    measured = (quantity.measured or "").lower().strip(".,;: ")
    rel_start, rel_end = quantity.start - sentence.start, quantity.end - sentence.start
    from_noun = _nearest_cue(measured, 0, COUNT_CUES) if measured else None
    if from_noun == "death toll" and _is_increment(sentence, rel_start, rel_end):
        return None
    if from_noun:
        return from_noun
    others = [
        q for q in sentence.quantities if q is not quantity and q.value is not None and q.kind == "count"
    ]
    next_start = min(
        (q.start - sentence.start for q in others if q.start >= quantity.end), default=len(sentence.text)
    )
    prev_end = max((q.end - sentence.start for q in others if q.end <= quantity.start), default=0)
    after = sentence.text[rel_end:next_start][:90]
    after = COUNT_CLAUSE_CUT.split(after, maxsplit=1)[0]
    before = sentence.text[prev_end:rel_start][-70:]
    before = COUNT_CLAUSE_CUT.split(before)[-1]
    period = _period(sentence, quantity)
    if period:
        if measured in OUTPUT_NOUNS or OUTPUT_CUE.search(before + " " + after):
            return "annual output" if period == "year" else f"output per {period}"
        return f"{measured or 'number'} per {period}" if measured not in GENERIC_NOUNS else None
    cue = _nearest_cue(after, 0, COUNT_CUES) or _nearest_cue(before, len(before), COUNT_CUES)
    if (
        cue is None
        and not measured
        and (RUNNING_TOTAL.search(sentence.text) or _listed_place(sentence, quantity))
    ):
        # a bare running total ("bringing the US total to 11", "At 64, the US has the greatest number
        # of confirmed cases") or a place's figure in a list ("cases include Spain (93), Britain
        # (39)"): what it counts is named elsewhere in the sentence
        head = sentence.text[:rel_start]
        cue = _nearest_cue(head, len(head), COUNT_CUES) or _nearest_cue(
            sentence.text[rel_end:], 0, COUNT_CUES
        )
    if cue == "employees" and measured and measured not in WORKFORCE_NOUNS:
        return f"number of {measured}"  # "employs 400 engineers" there: a part of the workforce
    if cue == "death toll" and _is_increment(sentence, rel_start, rel_end):
        return None  # "two more bodies", "the last two bodies": an increment, not the toll
    if cue:
        return cue
    if not measured or measured in GENERIC_NOUNS or (quantity.value or 0) < 10:
        return None  # "three things", "two countries": not a figure worth cross-checking
    if re.fullmatch(r"(?:years?|times?|days?|months?|hours?|minutes?)", measured):
        return None
    return f"number of {measured}"


def _is_increment(sentence: Sentence, start: int, end: int) -> bool:
    """ "two more bodies", "the last two bodies": a figure added to a toll, not the toll."""
    return bool(
        INCREMENT.search(sentence.text[max(0, start - 12) : start])
        or INCREMENT.search(sentence.text[start:end])
    )


def _ratio_attribute(sentence: Sentence, quantity: Quantity) -> str | None:
    """The noun a percentage belongs to: "a 38% premium", "a premium of 38%", "40% of the money"."""
    after = _after(sentence, quantity)
    match = re.match(
        r"\s*(?:per\s*cent|percent|%)?\s*(of\s+(?:the\s+|its\s+|their\s+|a\s+)?)?([A-Za-z]+)",
        after,
        re.IGNORECASE,
    )
    if match:
        word = match.group(2).lower()
        if match.group(1) and word not in NOT_ATTRIBUTE_WORDS:
            return f"share of {word}"
        if (
            not match.group(1)
            and word not in NOT_ATTRIBUTE_WORDS
            and word not in STOPWORDS_Q
            and not re.search(r"(?:ly|ed)$", word)
            and _is_noun_like(word)
        ):
            return word
    before = sentence.text[: quantity.start - sentence.start]
    match = re.search(
        r"\b([A-Za-z]+)\s+of\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+|just\s+)?$", before
    )
    if match and match.group(1).lower() not in NOT_ATTRIBUTE_WORDS and match.group(1).lower() != "share":
        return match.group(1).lower()
    share_of = (quantity.measured or "").lower()
    if share_of and share_of not in ("percent", "per cent", "%"):
        return f"share of {share_of}"
    return None


def _is_noun_like(word: str) -> bool:
    from storyline.text.words import stop_words

    return word not in stop_words("en") and not word.isdigit() and len(word) > 2


def _nearest(sentence: Sentence, position: int, wanted: frozenset[str], info: StoryInfo) -> str | None:
    """Representative key of the story entity of a wanted label nearest to `position`, preferring one
    before it."""
    best: tuple[int, str] | None = None
    for mention in sentence.mentions:
        key = mention.entity_key
        if key is None or key not in info.rep:
            continue
        key = info.rep[key]
        if info.labels.get(key, mention.label) not in wanted:
            continue
        distance = position - mention.end if mention.end <= position else 2 * (mention.start - position) + 1
        if best is None or distance < best[0]:
            best = (distance, key)
    return best[1] if best else None


def _subject(sentence: Sentence, position: int, attribute: str, info: StoryInfo) -> tuple[str, str]:
    """The story's focal object, except for a company's own attributes (employees, founding date),
    which belong to the organisation the sentence names."""
    if attribute in ORG_ATTRIBUTES:
        key = _nearest(sentence, position, SUBJECT_LABELS, info)
        if key is not None:
            return key, info.names[key]
    if info.focal is not None:
        return info.focal, info.names[info.focal]
    key = _nearest(sentence, position, SUBJECT_LABELS, info)
    if key is not None:
        return key, info.names[key]
    return STORY_SUBJECT, "the story's subject"


def _variants(sentence: Sentence, position: int, info: StoryInfo | None = None) -> tuple[str, ...]:
    """Variant qualifiers of the clause around `position` ("armoured version", "for export in 2021");
    in a story contrasting variants, a clause that names one by its distinctive word ("armored
    sedan") gets that variant."""
    text, anchor = _clause(sentence, position)
    found: list[str] = []
    matches = VARIANT.finditer(text) if VARIANT_WORDS.admits(text) else ()
    for match in matches:
        if abs(match.start() - anchor) > 90:
            continue
        for phrase in explicit_variants(match.group(0)):
            key = qualifier_key(phrase)
            canonical = next(
                (q for q in (info.variants.values() if info else ()) if qualifier_key(q) == key), phrase
            )
            found.append(canonical)
    if not found and info is not None and info.variants:
        for word in re.findall(r"[A-Za-z]+", text):
            qualifier = info.variants.get(qualifier_key(word))
            if qualifier:
                found.append(qualifier)
    return tuple(dict.fromkeys(found))


def _clause(sentence: Sentence, position: int) -> tuple[str, int]:
    """The part of the sentence between the semicolons / ', while' / ', whereas' around `position`."""
    text = sentence.text
    at = position - sentence.start
    cuts = [0]
    cuts += [m.end() for m in re.finditer(r";|,\s+(?:while|whereas|but)\b|\bwhile\b", text)]
    lo = max(c for c in cuts if c <= at)
    later = [
        m.start() for m in re.finditer(r";|,\s+(?:while|whereas|but)\b|\bwhile\b", text) if m.start() > at
    ]
    hi = min(later) if later else len(text)
    return text[lo:hi], at - lo


def _attribution(text: str) -> str | None:
    match = ATTRIBUTION.search(text) if ATTRIBUTION_WORDS.admits(text) else None
    if not match:
        return None
    return " ".join(match.group(0).split())


def _date_attribute(sentence: Sentence, start: int, end: int) -> str | None:
    text, anchor = _local(sentence, start, end, before=70, after=40)
    before = text[:anchor]
    starts = [
        m
        for m in START.finditer(before)
        if m.group(1).lower() not in NOT_START_NOUNS and anchor - m.end() <= 25
    ]
    if starts:
        return f"start of {starts[-1].group(1).lower()}"
    return _nearest_cue(text, anchor, DATE_EVENT_CUES)


def _date_claims(
    sentence: Sentence,
    info: StoryInfo,
    attribution: str | None,
    dates: tuple[IsoDate | None, ...] | None,
    parse: Parse | None = None,
    language: str | None = "en",
) -> list[Claim]:
    claims: list[Claim] = []
    for index, timex in enumerate(sentence.timexes):
        value = dates[index] if dates is not None else timex_date(timex)
        if value is None:
            continue
        attribute = _date_attribute(sentence, timex.start, timex.end)
        if attribute is None:
            continue
        reading = _reading(parse, sentence, timex.start, timex.end, language)
        subject, subject_name = _syntax_subject(reading, sentence, info) or _subject(
            sentence, timex.start, attribute, info
        )
        claims.append(
            Claim(
                subject=subject,
                subject_name=subject_name,
                attribute=attribute,
                kind="date",
                span=_span(sentence, timex.start, timex.end, timex.text),
                date=value,
                qualifiers=_variants(sentence, timex.start, info),
                attribution=attribution,
                source=sentence.source,
                published=sentence.published,
            )
        )
    return claims


def _venue_claims(sentence: Sentence, info: StoryInfo, attribution: str | None) -> list[Claim]:
    """Where a dated event took place: the venue of a first showing ("first shown at the Moscow
    Motor Show"), the place of a first showing, a signing, an inauguration or a launch ("unveiled in
    Geneva", "signed in Paris"). A venue and a town are different attributes, never compared."""
    claims: list[Claim] = []
    if not PLACE_EVENT_WORDS.admits(sentence.text):  # most sentences: skip the costly cues
        return claims
    for pattern, attribute, labels in PLACE_EVENTS:
        for cue in pattern.finditer(sentence.text):
            claim = _place_claim(sentence, info, attribution, cue, attribute, labels)
            if claim is not None:
                claims.append(claim)
    return claims


def _place_claim(
    sentence: Sentence,
    info: StoryInfo,
    attribution: str | None,
    cue: re.Match[str],
    attribute: str,
    labels: frozenset[str],
) -> Claim | None:
    at = sentence.start + cue.end()
    venue: EntityMention | None = None
    for mention in sentence.mentions:
        key = info.rep.get(mention.entity_key or "")
        if at <= mention.start <= at + 25 and key and info.labels.get(key, mention.label) in labels:
            venue = mention
            break
    if venue is None or venue.entity_key is None:
        return None
    venue_key = info.rep[venue.entity_key]
    subject, subject_name = _subject(sentence, sentence.start + cue.start(), attribute, info)
    if subject == venue_key:
        return None
    return Claim(
        subject=subject,
        subject_name=subject_name,
        attribute=attribute,
        kind="entity",
        span=_span(sentence, venue.start, venue.end, venue.text),
        entity=venue_key,
        entity_name=info.names[venue_key],
        qualifiers=_variants(sentence, venue.start, info),
        attribution=attribution,
        source=sentence.source,
        published=sentence.published,
    )


def canonical_attribute(attribute: str, unit: str | None = None) -> str:
    """The attribute on the canonical lexicon (price, cost, amount, death toll, count, rate, date,
    place, weight, power, engine size, speed, ...): the extractor's finer names folded onto it; a
    figure in percent is a rate whatever it is a rate of."""
    if unit_dimension(unit) == "ratio":
        return "rate"
    if attribute in CANONICAL_ATTRIBUTES:
        return CANONICAL_ATTRIBUTES[attribute]
    if attribute.split(" per ")[0] in MONEY_ATTRIBUTES:
        return "amount"
    for prefix, canonical in CANONICAL_PREFIXES:
        if attribute.startswith(prefix):
            return canonical
    return attribute


def _reading(
    parse: Parse | None, sentence: Sentence, start: int, end: int, language: str | None = "en"
) -> Reading | None:
    if parse is None:
        return None
    return read_value(parse, start - sentence.start, end - sentence.start, language)


def _lexicon_attribute(lemmas: Sequence[str], language: str | None) -> str | None:
    """The attribute the nearest governing word names (ATTRIBUTE_LEMMAS, compared as stems), if any."""
    for lemma in lemmas:
        for attribute, words in ATTRIBUTE_LEMMAS:
            if lemma in stemmed(words, language):
                return attribute
    return None


def _syntax_attribute(
    reading: Reading | None, quantity: Quantity, cue: str | None, language: str | None = "en"
) -> str | None:
    """The cue's attribute, unless the parse says the figure is an age ("Charlie Noxon, 20,"); where
    the cues name nothing, the attribute of the governing noun or verb."""
    if reading is None:
        return cue
    if reading.age and quantity.kind == "count" and 0 < (quantity.value or 0) < 125:
        return "age"
    if cue is not None or quantity.kind == "money" or VAGUE_COUNT.match(quantity.text):
        return cue
    return _lexicon_attribute(reading.lemmas, language)


def _syntax_subject(
    reading: Reading | None, sentence: Sentence, info: StoryInfo, named_head: bool = False
) -> tuple[str, str] | None:
    """The story entity named in the subject phrase the parse found; the focal entity for "it", "the
    vehicle"; None when the parse found no subject or it names no entity of the story. With
    `named_head`, only an entity that is the head of the clause's subject ("Asian flu killed", not "a
    fire at the plant killed")."""
    if reading is None:
        return None
    if named_head:
        if reading.agent is None:
            return None
        lo, hi = sentence.start + reading.agent[0], sentence.start + reading.agent[1]
        for mention in sentence.mentions:
            key = info.rep.get(mention.entity_key or "")
            if key and mention.start <= lo and hi <= mention.end:
                return key, info.names[key]
        return None
    if reading.subject is None:
        return None
    lo, hi = sentence.start + reading.subject[0], sentence.start + reading.subject[1]
    for mention in sentence.mentions:
        key = info.rep.get(mention.entity_key or "")
        if key and lo <= mention.start and mention.end <= hi:
            return key, info.names[key]
    named = _named_in(sentence.text[lo - sentence.start : hi - sentence.start], info)
    if named is not None:
        return named  # a story entity's name the recognizer missed in this sentence
    if reading.anaphor and info.focal is not None:
        return info.focal, info.names[info.focal]
    return None


# a bare age: "Charlie Noxon, 20, had", "died aged 20", "Kubica, 35, made"; the parse confirms it
AGE_CANDIDATE = re.compile(r",\s(\d{1,3}),|\b(?:aged|âgée?s?)\s(\d{1,3})\b", re.IGNORECASE)


def _age_claims(
    sentence: Sentence, info: StoryInfo, attribution: str | None, parse: Parse | None, language: str | None
) -> list[Claim]:
    """Ages set off after a name or after "aged": the quantity extractor leaves bare numbers alone."""
    claims: list[Claim] = []
    if parse is None:
        return claims
    taken = [(q.start, q.end) for q in sentence.quantities]
    for match in AGE_CANDIDATE.finditer(sentence.text):
        group = 1 if match.group(1) else 2
        start, end = sentence.start + match.start(group), sentence.start + match.end(group)
        if any(a < end and start < b for a, b in taken):
            continue
        reading = _reading(parse, sentence, start, end, language)
        if reading is None or not (reading.age or group == 2):  # "aged 20" is an age whatever the parse
            continue
        value = float(match.group(group))
        if not 0 < value < 125:
            continue
        subject = _syntax_subject(reading, sentence, info)
        if subject is None:
            continue  # an age of someone the story's entities do not name
        text = match.group(group)
        quantity = Quantity(start, end, text, value, "year", kind="count")
        claims.append(
            Claim(
                subject=subject[0],
                subject_name=subject[1],
                attribute="age",
                kind="count",
                span=_span(sentence, start, end, text),
                quantity=quantity,
                attribution=attribution,
                source=sentence.source,
                published=sentence.published,
            )
        )
    return claims


def _between_parties(attribute: str, quantity: Quantity) -> bool:
    """A figure of a transaction or of a company's size ("acquire Fenwright for $2.7bn", "a 38%
    premium", "employs 2,300"): the parse's subject is one party in one report and the other party in
    the next, so these keep the story's own subject (focal object, or the company for its workforce)."""
    return (
        attribute in ORG_ATTRIBUTES
        or attribute.split(" per ")[0] in MONEY_ATTRIBUTES
        or unit_dimension(quantity.unit) == "ratio"
    )


WORD = re.compile(r"\w+")


def _named_in(phrase: str, info: StoryInfo) -> tuple[str, str] | None:
    """The story entity whose display name the phrase holds as whole words ("the Deepwater Horizon
    rig"), the longest name first; only names of two words or more (one word is too often another
    thing)."""
    lowered = " " + " ".join(WORD.findall(phrase.lower())) + " "
    best: tuple[int, str] | None = None
    for key, name in info.names.items():
        words = WORD.findall(name.lower())
        if len(words) >= 2 and " " + " ".join(words) + " " in lowered and (best is None or len(name) > best[0]):
            best = (len(name), key)
    return (best[1], info.names[best[1]]) if best else None
