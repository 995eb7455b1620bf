"""Claims attributed in each sentence of a story, and their cross-check across the story's outlets.

`extract_claims` reads each sentence and turns every quantity, every dated event and every venue of a
first showing into a `Claim`: a subject (a canonical entity of the story, or the story's focal object
when the sentence says "the car", "the well"), an attribute named from the unit's dimension and the cue
words around the figure, the value, the qualifiers the sentence gives and the exact source span.

`cross_check` groups the claims by subject and attribute, keeps different qualifiers ("civilian
version", "armoured version") side by side as separate facts, compares the normalized values (money in
USD at each article's date, units in their dimension's base unit, dates at their granularity) with a
tolerance for rounding and "about", and marks each fact agreed, conflicting, single-source or
unverified (several outlets whose values cannot be compared, e.g. a currency with no rate).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from storyline.consolidate.dates import compatible, sort_key, timex_date
from storyline.consolidate.sentences import Sentence, split_story
from storyline.enrich.units import canonical_unit as _canonical_unit
from storyline.model import AnnotatedArticle, Entity, EntityMention, IsoDate, Quantity

Status = Literal["agreed", "conflicting", "single-source", "unverified"]
ValueKind = Literal["money", "quantity", "count", "date", "entity"]

STORY_SUBJECT = "story"  # subject of a claim about the story's event itself (death toll, cases)

# Relative tolerances used when two figures are compared.
ROUNDING_CAP = 0.05  # a rounded figure ("$8bn") may stand for values this far off, relative
APPROXIMATE = 0.10  # "about", "nearly", "some": this much more
EXCHANGE = 0.04  # two outlets' conversions at slightly different rates
CUMULATIVE = frozenset(
    {"death toll", "injured", "missing", "cases", "deaths", "evacuated", "displaced", "arrests", "cost"}
)


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


@dataclass(frozen=True)
class FactValue:
    """One value of a fact as the outlets state it, with every source that states it."""

    text: str  # exact source text of the first statement
    value: float | str | None  # number, ISO date or entity key
    unit: str | None
    normalized: dict[str, Any] | None  # the quantity's USD/EUR, or {"base": .., "unit": ..}
    qualifiers: tuple[str, ...]
    articles: tuple[str, ...]
    sources: tuple[str, ...]
    published: tuple[str, ...]
    spans: tuple[SourceSpan, ...]
    approximate: bool = False
    comparable: bool = True  # False when it could not be compared (money with no rate)
    cluster: int = 0  # values in the same cluster agree with each other
    attributions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    subject: str
    subject_name: str
    attribute: str
    qualifier: str | None  # the variant qualifier shared by the values, None when unqualified
    status: Status
    values: tuple[FactValue, ...]
    articles: tuple[str, ...]
    note: str | None = None
    # for a figure that changes with time (a death toll): (publication date, value text, article id)
    evolution: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def is_update(self) -> bool:
        """True when a conflict reads as later reports raising an earlier figure."""
        return self.note is not None and self.note.startswith("updated")


# --- claim extraction ------------------------------------------------------------------------------

_MONEY_CUES: tuple[tuple[str, str], ...] = (
    # named "price" for a product, "cost" for anything else (see _sentence_claims)
    (
        r"\bpric(?:e|ed|es|ing)\b|\bsells? for\b|\bsold for\b|\bretails?\b|\bcost(?:s|ing|ly)?\b|\bbill\b"
        r"|\bspen[dt]\b|\bexpenses?\b|\bpay(?:s|ing)?\b[^.]{0,40}\bfor\b",
        "cost",
    ),
    (r"\bfine[sd]?\b|\bpenalt(?:y|ies)\b|\bsettlement\b", "fine"),
    (
        r"\bcompensation\b|\bdamages\b|\bclaims?\b|\bpay(?:outs?|ments?)\b|\bpaid\b|\bfund\b|\bescrow\b",
        "compensation",
    ),
    (r"\baid\b|\bdonat(?:ed|ions?)\b|\bpledged?\b", "aid"),
    (r"\brevenues?\b|\bsales\b|\bturnover\b", "revenue"),
    (r"\bprofits?\b|\bearnings\b", "profit"),
    (r"\bloss(?:es)?\b|\bwiped\b", "loss"),
    (r"\bbudget\b", "budget"),
    (r"\binvest(?:ed|ment|ing)?\b", "investment"),
    (r"\bcontract\b|\bdeal\b|\border\b", "contract value"),
)
_COUNT_CUES: tuple[tuple[str, str], ...] = (
    (
        r"\bdeath toll\b|\bkill(?:ed|ing|s)?\b|\bdead\b|\bdied\b|\bdeaths?\b|\bfatalit(?:y|ies)\b|\blives\b|\bbodies\b",
        "death toll",
    ),
    (r"\binjur(?:ed|ies|ing)\b|\bwounded\b|\bhurt\b", "injured"),
    (r"\bmissing\b", "missing"),
    (r"\bcases?\b|\binfect(?:ed|ions?)\b|\bsick\b", "cases"),
    (r"\bevacuat(?:ed|ion)\b", "evacuated"),
    (r"\bdisplaced\b|\bhomeless\b", "displaced"),
    (r"\barrest(?:ed|s)?\b|\bdetained\b", "arrests"),
)
_LENGTH_CUES: tuple[tuple[str, str], ...] = (
    (r"\brange\b", "range"),
    (r"\bdeep\b|\bdepth\b|\bbelow\b|\bbeneath\b", "depth"),
    (r"\blong\b|\blength\b", "length"),
    (r"\btall\b|\bhigh\b|\bheight\b", "height"),
    (r"\bwide\b|\bwidth\b", "width"),
    (r"\bdistance\b|\baway\b|\boff\b|\bfrom\b", "distance"),
)
_DATE_EVENT_CUES: tuple[tuple[str, str], ...] = (
    (r"\binaugurat\w*", "date of inauguration"),
    (
        r"\bfirst (?:shown|presented|unveiled|displayed|exhibited)|\bunveil\w*|\bdebut\w*|\bpremiere\w*|\bfirst (?:public )?(?:showing|appearance)",
        "date first shown",
    ),
    (r"\bfounded\b|\bestablished\b", "date founded"),
    (r"\blaunch(?:ed)?\b", "date of launch"),
    (r"\bopened\b|\bopening\b", "date of opening"),
    (r"\bborn\b", "date of birth"),
    (r"\bsealed\b|\bcapped\b|\bplugged\b", "date sealed"),
    (r"\bexplo(?:ded|sion)\b|\bblew up\b|\bblast\b", "date of explosion"),
    (r"\bstruck\b|\bhit\b", "date struck"),
    (r"\bdied\b|\bdeath\b", "date of death"),
    (r"\bsigned\b", "date signed"),
    (r"\bdeclared\b", "date declared"),
)
_VENUE_CUE = re.compile(
    r"\b(?:first (?:shown|presented|unveiled|displayed|exhibited)|unveiled|debuted|premiered|"
    r"first (?:public )?(?:showing|appearance))\b[^.;]{0,30}?\b(?:at|in|during)\b",
    re.IGNORECASE,
)
_VARIANT = re.compile(
    r"\b((?:the\s+)?(?:[\w-]+\s+){0,2}?(?:version|variant|model|edition|trim|configuration))\b"
    r"|\b((?:planned|intended|destined|built|made)\s+for\s+export(?:\s+in\s+\d{4})?)"
    r"|\b(for\s+export(?:\s+in\s+\d{4})?)"
    r"|\b(export\s+(?:version|price|model))",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\baccording to\s+([^,.;]{2,60})|\b(?:officials|police|authorities|ministry|company|government)\s+"
    r"(?:said|say|says|estimated|reported)\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"\b[Tt]he\s+(?:new\s+|damaged\s+|ruptured\s+|stricken\s+)?(car|cars|vehicle|limousine|sedan|plant|"
    r"well|rig|platform|ship|vessel|aircraft|plane|jet|device|reactor|mine|dam|bridge|building|tower|"
    r"model|factory|station|pipeline|satellite|rocket|missile|tank|phone|drug|vaccine|company|firm|group)\b"
)
_FOCAL_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW", "NORP"})
_SUBJECT_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"})
_PLACE_LABELS = frozenset({"GPE", "LOC"})
_GENERIC_QUALIFIERS = frozenset(
    {"the model", "model", "version", "the version", "new model", "the new model"}
)


def extract_claims(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> list[Claim]:
    """Every claim the story's sentences make, in article then text order."""
    names = {entity.key: entity.name for entity in entities}
    labels = {entity.key: entity.label for entity in entities}
    focal = focal_entity(story, entities)
    claims: list[Claim] = []
    for sentence in split_story(story):
        claims.extend(_sentence_claims(sentence, focal, names, labels))
    return claims


def focal_entity(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> Entity | None:
    """The object the story is about: the product, organisation, facility or event mentioned by the
    most articles (then most often); None when the story names none."""
    by_key = {entity.key: entity for entity in entities}
    articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for item in story:
        seen: set[str] = set()
        for mention in item.mentions:
            key = mention.entity_key
            if key in by_key and by_key[key].label in _FOCAL_LABELS:
                mentions[key] += 1
                seen.add(key)
        articles.update(seen)
    if not articles:
        return None
    best = max(articles, key=lambda key: (articles[key], mentions[key], key))
    return by_key[best]


def _sentence_claims(
    sentence: Sentence, focal: Entity | None, names: dict[str, str], labels: dict[str, str]
) -> list[Claim]:
    claims: list[Claim] = []
    attribution = _attribution(sentence.text)
    for quantity in sentence.quantities:
        if quantity.value is None:
            continue
        attribute = _quantity_attribute(sentence, quantity)
        if attribute is None:
            continue
        if attribute in CUMULATIVE and attribute != "cost":
            subject, subject_name = STORY_SUBJECT, "the story's event"
            place = _nearest(sentence, quantity.start, _PLACE_LABELS, names, labels)
            qualifiers: tuple[str, ...] = (f"in {names.get(place, place)}",) if place else ()
        else:
            subject, subject_name = _subject(sentence, quantity.start, focal, names, labels)
            qualifiers = _variants(sentence, quantity.start)
            if attribute == "cost" and labels.get(subject) == "PRODUCT":
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
    claims.extend(_date_claims(sentence, focal, names, labels, attribution))
    claims.extend(_venue_claims(sentence, focal, names, labels, attribution))
    return claims


def _span(sentence: Sentence, start: int, end: int, text: str) -> SourceSpan:
    return SourceSpan(sentence.article_id, start, end, text, sentence.start, sentence.end)


def _local(sentence: Sentence, start: int, end: int, before: int = 60, after: int = 45) -> tuple[str, int]:
    """Text around [start, end) within the sentence, and the position of `start` inside it."""
    lo = max(sentence.start, start - before)
    hi = min(sentence.end, end + after)
    return sentence.text[lo - sentence.start : hi - sentence.start], start - lo


def _nearest_cue(text: str, anchor: int, cues: Iterable[tuple[str, str]]) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (pattern, name) in enumerate(cues):
        for match in re.finditer(pattern, text, re.IGNORECASE):
            distance = min(abs(match.start() - anchor), abs(match.end() - anchor))
            candidate = (distance, rank, name)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


def _dimension(unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return str(_canonical_unit(unit)[0])
    except ValueError:
        return None


def _quantity_attribute(sentence: Sentence, quantity: Quantity) -> str | None:
    text, anchor = _local(sentence, quantity.start, quantity.end)
    if quantity.kind == "money":
        return _nearest_cue(text, anchor, _MONEY_CUES) or "amount"  # "cost" may become "price" later
    if quantity.kind == "count":
        measured = (quantity.measured or "").lower()
        from_noun = _nearest_cue(measured, 0, _COUNT_CUES) if measured else None
        if from_noun:
            return from_noun
        narrow, at = _local(sentence, quantity.start, quantity.end, before=30, after=30)
        cue = _nearest_cue(narrow, at, _COUNT_CUES)
        if cue:
            return cue
        if measured and not re.fullmatch(r"(?:years?|times?|days?|months?|hours?|minutes?)", measured):
            return f"number of {measured}"
        return None
    dimension = _dimension(quantity.unit)
    if dimension is None:
        return None
    if re.search(r"\bengine\b", text, re.IGNORECASE) and dimension == "volume":
        return "engine displacement"
    if dimension == "length":
        return _nearest_cue(text, anchor, _LENGTH_CUES) or "length"
    if dimension == "ratio":
        share_of = quantity.measured
        return f"share of {share_of}" if share_of else None
    return {
        "mass": "weight",
        "power": "power",
        "energy": "energy",
        "volume": "volume",
        "flow": "flow rate",
        "area": "area",
        "speed": "speed",
    }.get(dimension, dimension)


def _nearest(
    sentence: Sentence, position: int, wanted: frozenset[str], names: dict[str, str], labels: dict[str, str]
) -> str | None:
    """Key of the story entity of a wanted label nearest to `position`, preferring one before it."""
    best: tuple[int, str] | None = None
    for mention in sentence.mentions:
        key = mention.entity_key
        if key is None or key not in names:
            continue
        if labels.get(key, mention.label) not in wanted:
            continue
        distance = position - mention.end if mention.end <= position else 2 * (mention.start - position) + 1
        if best is None or distance < best[0]:
            best = (distance, key)
    return best[1] if best else None


def _subject(
    sentence: Sentence, position: int, focal: Entity | None, names: dict[str, str], labels: dict[str, str]
) -> tuple[str, str]:
    keys = {m.entity_key for m in sentence.mentions if m.entity_key in names}
    if focal is not None and (focal.key in keys or _ANAPHOR.search(sentence.text)):
        return focal.key, focal.name
    key = _nearest(sentence, position, _SUBJECT_LABELS, names, labels)
    if key is not None:
        return key, names[key]
    if focal is not None:
        return focal.key, focal.name
    return STORY_SUBJECT, "the story's subject"


def _variants(sentence: Sentence, position: int) -> tuple[str, ...]:
    """Variant qualifiers of the clause around `position` ("armoured version", "for export in 2021")."""
    text, anchor = _clause(sentence, position)
    found: list[str] = []
    for match in _VARIANT.finditer(text):
        phrase = " ".join(next(g for g in match.groups() if g).split()).lower()
        phrase = re.sub(r"^the\s+", "", phrase)
        if phrase in _GENERIC_QUALIFIERS or re.fullmatch(r"(?:this|that|its|a|an)\s+\w+", phrase):
            continue
        if abs(match.start() - anchor) > 90:
            continue
        found.append(phrase)
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
    match = _ATTRIBUTION.search(text)
    if not match:
        return None
    return " ".join(match.group(0).split())


def _date_claims(
    sentence: Sentence,
    focal: Entity | None,
    names: dict[str, str],
    labels: dict[str, str],
    attribution: str | None,
) -> list[Claim]:
    claims: list[Claim] = []
    for timex in sentence.timexes:
        value = timex_date(timex)
        if value is None:
            continue
        text, anchor = _local(sentence, timex.start, timex.end, before=70, after=40)
        attribute = _nearest_cue(text, anchor, _DATE_EVENT_CUES)
        if attribute is None:
            continue
        subject, subject_name = _subject(sentence, timex.start, focal, names, labels)
        claims.append(
            Claim(
                subject=subject,
                subject_name=subject_name,
                attribute=attribute,
                kind="date",
                span=_span(sentence, timex.start, timex.end, timex.text),
                date=value,
                qualifiers=_variants(sentence, timex.start),
                attribution=attribution,
                source=sentence.source,
                published=sentence.published,
            )
        )
    return claims


def _venue_claims(
    sentence: Sentence,
    focal: Entity | None,
    names: dict[str, str],
    labels: dict[str, str],
    attribution: str | None,
) -> list[Claim]:
    claims: list[Claim] = []
    for cue in _VENUE_CUE.finditer(sentence.text):
        at = sentence.start + cue.end()
        venue: EntityMention | None = None
        for mention in sentence.mentions:
            if (
                at <= mention.start <= at + 25
                and mention.entity_key in names
                and labels.get(mention.entity_key or "", mention.label) in ("EVENT", "FAC", "ORG")
            ):
                venue = mention
                break
        if venue is None or venue.entity_key is None:
            continue
        subject, subject_name = _subject(sentence, sentence.start + cue.start(), focal, names, labels)
        claims.append(
            Claim(
                subject=subject,
                subject_name=subject_name,
                attribute="first shown at",
                kind="entity",
                span=_span(sentence, venue.start, venue.end, venue.text),
                entity=venue.entity_key,
                entity_name=names[venue.entity_key],
                qualifiers=_variants(sentence, venue.start),
                attribution=attribution,
                source=sentence.source,
                published=sentence.published,
            )
        )
    return claims


# --- cross-check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A claim placed on a comparison scale."""

    claim: Claim
    space: str  # values in different spaces cannot be compared
    value: float
    tolerance: float  # absolute
    comparable: bool
    normalized: dict[str, Any] | None


def cross_check(claims: Sequence[Claim]) -> list[Fact]:
    """Facts of the story: the claims grouped by subject and attribute, split by variant qualifier,
    with each fact's values clustered into agreeing sets and the fact's status."""
    groups: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.subject, claim.attribute, _kind_family(claim))].append(claim)
    facts: list[Fact] = []
    for (_subject_key, _attribute, _family), members in groups.items():
        for qualifier, part in _split_by_qualifier(members):
            facts.append(_fact(part, qualifier))
    facts.sort(key=lambda f: (f.subject, f.attribute, f.qualifier or ""))
    return facts


def _kind_family(claim: Claim) -> str:
    if claim.kind in ("date", "entity"):
        return claim.kind
    if claim.quantity is not None and claim.kind == "quantity":
        return _dimension(claim.quantity.unit) or "quantity"
    return claim.kind


def _split_by_qualifier(claims: list[Claim]) -> list[tuple[str | None, list[Claim]]]:
    """Claims under the same variant qualifier together. An unqualified claim joins the one qualified
    group its value agrees with, so "the car costs 130,000 euros" meets "the civilian version costs
    130,000 euros"; otherwise it stays with the unqualified claims."""
    qualified: dict[str, list[Claim]] = defaultdict(list)
    plain: list[Claim] = []
    for claim in claims:
        if claim.qualifiers:
            qualified[" / ".join(claim.qualifiers)].append(claim)
        else:
            plain.append(claim)
    if not qualified:
        return [(None, plain)] if plain else []
    rest: list[Claim] = []
    for claim in plain:
        fits = [name for name, part in qualified.items() if any(_agree(claim, other) for other in part)]
        if len(fits) == 1:
            qualified[fits[0]].append(claim)
        else:
            rest.append(claim)
    out: list[tuple[str | None, list[Claim]]] = [(name, part) for name, part in qualified.items()]
    if rest:
        out.append((None, rest))
    return out


def _point(claim: Claim) -> _Point:
    if claim.kind == "date":
        return _Point(claim, "date", 0.0, 0.0, True, None)
    if claim.kind == "entity":
        return _Point(claim, "entity", 0.0, 0.0, True, None)
    quantity = claim.quantity
    assert quantity is not None and quantity.value is not None
    low = quantity.value
    high = quantity.value_max if quantity.value_max is not None else low
    middle = (low + high) / 2
    tolerance = (
        (high - low) / 2
        + _rounding(quantity.value)
        + (APPROXIMATE * abs(middle) if quantity.approximate else 0.0)
    )
    if claim.kind == "money":
        currency = quantity.unit or "?"
        normalized = quantity.normalized or {}
        usd = normalized.get("USD")
        if isinstance(usd, (int, float)) and quantity.value:
            factor = float(usd) / quantity.value
            return _Point(
                claim,
                "USD",
                middle * factor,
                tolerance * factor + EXCHANGE * abs(middle * factor),
                True,
                normalized,
            )
        if currency == "USD":
            return _Point(claim, "USD", middle, tolerance, True, {"USD": middle})
        return _Point(claim, f"money:{currency}", middle, tolerance, False, normalized or {"note": "no rate"})
    unit = quantity.unit or "count"
    factor = 1.0
    space = f"unit:{unit}"
    if quantity.unit:
        try:
            dimension, factor = _canonical_unit(quantity.unit)
            space = f"dim:{dimension}"
        except ValueError:
            pass
    if claim.kind == "count":
        space = "count"
        factor = 1.0
    base = middle * factor
    return _Point(claim, space, base, tolerance * factor, True, {"base": base, "space": space})


def _rounding(value: float) -> float:
    """Half a unit of the figure's last significant digit, capped at ROUNDING_CAP of the figure:
    "$8bn" may stand for 8.3bn; an exact small count (11) has no such slack."""
    magnitude = abs(value)
    if magnitude == 0:
        return 0.0
    if magnitude < 1000 and float(magnitude).is_integer():
        return 0.0
    step = 10 ** math.floor(math.log10(magnitude))
    while step > 1e-9 and abs(magnitude / step - round(magnitude / step)) > 1e-6:
        step /= 10
    return min(step / 2, ROUNDING_CAP * magnitude)


def _agree(a: Claim, b: Claim) -> bool:
    return _agree_points(_point(a), _point(b))


def _agree_points(pa: _Point, pb: _Point) -> bool:
    a, b = pa.claim, pb.claim
    if a.kind != b.kind and {a.kind, b.kind} != {"count", "quantity"}:
        return False
    if a.kind == "date" and b.kind == "date":
        return a.date is not None and b.date is not None and compatible(a.date, b.date)
    if a.kind == "entity" and b.kind == "entity":
        return a.entity == b.entity
    if pa.space != pb.space:
        return False
    return abs(pa.value - pb.value) <= max(pa.tolerance, pb.tolerance)


def _clusters(points: list[_Point]) -> list[list[_Point]]:
    """Agreeing sets over the sorted values: a value joins the open set when it agrees with both the
    set's first and last member (linear in the number of values), else opens a new set."""
    if not points:
        return []
    kind = points[0].claim.kind
    if kind == "date":
        ordered = sorted(points, key=lambda p: sort_key(p.claim.date or "9999"))
    elif kind == "entity":
        ordered = sorted(points, key=lambda p: p.claim.entity or "")
    else:
        ordered = sorted(points, key=lambda p: (p.space, p.value))
    clusters: list[list[_Point]] = []
    for point in ordered:
        for cluster in reversed(clusters[-3:]):
            if _agree_points(point, cluster[0]) and _agree_points(point, cluster[-1]):
                cluster.append(point)
                break
        else:
            clusters.append([point])
    return clusters


def _fact(claims: list[Claim], qualifier: str | None) -> Fact:
    first = claims[0]
    points = [_point(claim) for claim in claims]
    comparable = [p for p in points if p.comparable]
    spaces = Counter(p.space for p in comparable)
    clusters = _clusters(comparable)
    # values that could not be compared form clusters of their own, flagged not comparable
    loose = _clusters([p for p in points if not p.comparable])
    articles = tuple(dict.fromkeys(c.article_id for c in claims))
    status: Status
    note: str | None = None
    conflicting_clusters = [c for c in clusters if c]
    by_space: dict[str, int] = Counter(c[0].space for c in conflicting_clusters)
    if len(articles) < 2:
        status = "single-source"
    elif any(n > 1 for n in by_space.values()) and _distinct_articles(conflicting_clusters):
        status = "conflicting"
    elif any(len({p.claim.article_id for p in c}) > 1 for c in clusters):
        status = "agreed"
    else:
        status = "unverified"
        if loose:
            note = "values in currencies with no exchange rate could not be compared"
    if len(spaces) > 1 and status != "single-source":
        note = (note + "; " if note else "") + "some values are in units that cannot be compared"
    evolution: tuple[tuple[str, str, str], ...] = ()
    if (
        status == "conflicting"
        and first.attribute in CUMULATIVE
        and first.kind in ("count", "money", "quantity")
    ):
        evolution, rising = _evolution(comparable)
        if rising:
            note = "updated over time: later reports give higher figures"
        else:
            note = "figures differ between reports and do not simply rise over time"
    values: list[FactValue] = []
    for index, cluster in enumerate(clusters):
        values.extend(_values(cluster, index, comparable=True))
    for index, cluster in enumerate(loose, start=len(clusters)):
        values.extend(_values(cluster, index, comparable=False))
    return Fact(
        subject=first.subject,
        subject_name=first.subject_name,
        attribute=first.attribute,
        qualifier=qualifier,
        status=status,
        values=tuple(values),
        articles=articles,
        note=note,
        evolution=evolution,
    )


def _distinct_articles(clusters: list[list[_Point]]) -> bool:
    """True when the disagreeing values do not all come from one single article."""
    return len({p.claim.article_id for c in clusters for p in c}) > 1


def _evolution(points: list[_Point]) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """(publication date, value text, article) in publication order, and whether the figure only rises."""
    dated = sorted((p for p in points if p.claim.published), key=lambda p: (p.claim.published or "", p.value))
    rows = tuple((p.claim.published or "", p.claim.span.text, p.claim.article_id) for p in dated)
    by_day: dict[str, list[float]] = defaultdict(list)
    for p in dated:
        by_day[p.claim.published or ""].append(p.value)
    days = sorted(by_day)
    rising = len(days) > 1 and all(
        max(by_day[a]) <= min(by_day[b]) + 1e-9 for a, b in itertools.pairwise(days)
    )
    return rows, rising


def _values(cluster: list[_Point], index: int, comparable: bool) -> list[FactValue]:
    grouped: dict[tuple[Any, ...], list[_Point]] = defaultdict(list)
    for point in cluster:
        claim = point.claim
        if claim.quantity is not None:
            key: tuple[Any, ...] = (
                claim.quantity.value,
                claim.quantity.value_max,
                claim.quantity.unit,
                claim.qualifiers,
            )
        else:
            key = (claim.date or claim.entity, claim.qualifiers)
        grouped[key].append(point)
    out: list[FactValue] = []
    for members in grouped.values():
        claim = members[0].claim
        value: float | str | None
        if claim.quantity is not None:
            value, unit = claim.quantity.value, claim.quantity.unit
        elif claim.kind == "date":
            value, unit = claim.date, None
        else:
            value, unit = claim.entity, None
        out.append(
            FactValue(
                text=claim.span.text,
                value=value,
                unit=unit,
                normalized=members[0].normalized,
                qualifiers=claim.qualifiers,
                articles=tuple(dict.fromkeys(p.claim.article_id for p in members)),
                sources=tuple(dict.fromkeys(p.claim.source or p.claim.article_id for p in members)),
                published=tuple(dict.fromkeys(p.claim.published for p in members if p.claim.published)),
                spans=tuple(p.claim.span for p in members),
                approximate=any(
                    p.claim.quantity is not None and p.claim.quantity.approximate for p in members
                ),
                comparable=comparable,
                cluster=index,
                attributions=tuple(
                    dict.fromkeys(p.claim.attribution for p in members if p.claim.attribution)
                ),
            )
        )
    return out


def describe_value(value: FactValue) -> str:
    """Human form of a value, from the source text: "130,000 euros", "about $300,000"."""
    return value.text
