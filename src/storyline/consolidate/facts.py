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
from dataclasses import dataclass, field, replace
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
CONVERSION = 0.08  # a figure converted between unit systems is rounded again ("30 km" -> "20 miles")
LOWER_BOUND_SLACK = 0.5  # "more than 20" stands for up to 50% more (not for tolls, which get updated)
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
    (r"\ba share\b|\bper share\b", "price per share"),
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
    (r"\bdamage[sd]?\b(?!\s+(?:compensation|fund|claims?)\b)", "damage"),
    (
        r"\bacqui(?:re[sd]?|ring|sition)\b|\bbuy(?:s|ing|out)?\b|\btake-?over\b|\bdeal\b|\bvalued\b|\bworth\b",
        "deal value",
    ),
    (r"\bcontract\b|\border\b", "contract value"),
)
_PRICE_WORDS = re.compile(r"\bpric(?:e|ed|es|ing)\b|\bsells? for\b|\bsold for\b|\bretails?\b", re.IGNORECASE)
# "<product noun> at <money>": a price ("the civilian version at Rs 2.75 crore")
_PRICE_AT = re.compile(
    r"\b(?:version|variant|model|edition|sedan|car|vehicle|limousine|phone|device|tickets?)\s+(?:\w+\s+)?at\s*$",
    re.IGNORECASE,
)
# a figure per period: "900 million rupees a year", "200 units a year"
_PER_PERIOD = re.compile(
    r"^\W{0,2}\s*(?:a|per|each|every)\s+(year|month|week|day)\b|^\s*(annually|yearly)\b", re.IGNORECASE
)
_LOWER_BOUND = re.compile(
    r"^(?:more\s+than|(?:just\s+|well\s+)?over|at\s+least|upwards\s+of|in\s+excess\s+of)\b", re.IGNORECASE
)
_UPPER_BOUND = re.compile(
    r"^(?:up\s+to|fewer\s+than|less\s+than|at\s+most|no\s+more\s+than)\b", re.IGNORECASE
)
# a bare count that is the value of a running total ("bringing the US total to 11")
_RUNNING_TOTAL = re.compile(r"\b(?:toll|total|tally|number|count)\b", re.IGNORECASE)
# counts of generic nouns ("three things", "two countries") carry no fact worth cross-checking
_GENERIC_NOUNS = frozenset(
    [
        "people",
        "persons",
        "person",
        "things",
        "thing",
        "times",
        "ways",
        "ones",
        "parts",
        "kinds",
        "types",
        "sides",
        "countries",
        "companies",
        "firms",
        "members",
        "reasons",
        "questions",
        "days",
        "years",
        "months",
        "weeks",
        "hours",
        "minutes",
        "steps",
        "points",
        "cases",
        "words",
    ]
)
_WORKFORCE_NOUNS = frozenset(["people", "persons", "employees", "staff", "workers", "jobs"])
_INCREMENT = re.compile(r"\b(?:last|further|additional|another|other)\s+$|^\S+\s+more\s", re.IGNORECASE)
# a sentence recalling another event or a past period ("a month after", "last year")
_RECALL = re.compile(
    r"\b(?:comes?|came|just|only)\s+(?:a|one|two|three|\d+)\s+(?:weeks?|months?|years?)\s+after\b|\blast (?:week|month|year)'s\b|\blast year\b",
    re.IGNORECASE,
)
_OUTPUT_NOUNS = frozenset(
    [
        "units",
        "cars",
        "vehicles",
        "trucks",
        "aircraft",
        "planes",
        "ships",
        "tonnes",
        "tons",
        "barrels",
        "cells",
        "batteries",
    ]
)
_OUTPUT_CUE = re.compile(
    r"\b(?:produc\w*|build|built|make|manufactur\w*|output|capacity|assembl\w*)\b", re.IGNORECASE
)
_COUNT_CUES: tuple[tuple[str, str], ...] = (
    (
        r"\bdeath toll\b|\bkill(?:ed|ing|s)?\b|\bdead\b|\bdied\b|\bdeaths?\b|\bfatalit(?:y|ies)\b|\blives\b|\bbodies\b",
        "death toll",
    ),
    (r"\binjur(?:ed|ies|ing)\b|\bwounded\b|\bhurt\b", "injured"),
    (
        r"\bhospitali[sz](?:ed|ation)\b|\b(?:taken|admitted|treated)\s+(?:to|in|at)\s+(?:a\s+|the\s+)?hospital",
        "hospitalised",
    ),
    (r"\bemploy(?:s|ed|ees?|ing)?\b|\bworkforce\b|\bstaff\b|\bjobs\b", "employees"),
    (r"\bmissing\b", "missing"),
    (
        r"\bcases?\b|\binfect(?:ed|ions?)\b|\bsick\b|\bcontract(?:ed|ing)\s+(?:the\s+)?(?:disease|virus|illness)",
        "cases",
    ),
    (r"\bevacuat(?:ed|ion)\b|\b(?:leave|left|fled|flee|forced from)\s+their\s+homes\b", "evacuated"),
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
# "<noun> began / will start / is due to begin": the start of that noun ("start of construction")
_START = re.compile(
    r"\b([a-z]+)(?:\s+of\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+)?)?\s+(?:had\s+|have\s+|has\s+)?(?:(?:will|would|is|are)\s+(?:due\s+to\s+)?)?"
    r"(?:began|begun|begin|begins|started|start|starts|commenced|commence|run\s+from|start\s+from)\b",
    re.IGNORECASE,
)
_NOT_START_NOUNS = frozenset(
    [
        "it",
        "they",
        "he",
        "she",
        "we",
        "this",
        "that",
        "which",
        "who",
        "what",
        "and",
        "but",
        "or",
        "then",
        "also",
        "have",
        "has",
        "had",
        "would",
        "will",
        "work",
    ]
)
_DATE_EVENT_CUES: tuple[tuple[str, str], ...] = (
    (r"\bvot(?:e|ed|es|ing)\b", "date of vote"),
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
_FOCAL_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"})
_SUBJECT_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"})
_OBJECT_LABELS = frozenset({"PRODUCT", "FAC", "EVENT"})  # things a story is about rather than actors
_PLACE_LABELS = frozenset({"GPE", "LOC"})
_LABEL_PRIORITY = ("PRODUCT", "FAC", "EVENT", "ORG", "WORK_OF_ART", "LAW", "NORP", "GPE", "LOC", "PERSON")
_GENERIC_QUALIFIERS = frozenset(
    {"the model", "model", "version", "the version", "new model", "the new model"}
)
_VARIANT_NOUNS = frozenset({"version", "variant", "model", "edition", "trim", "configuration"})
# attributes of an organisation rather than of the story's object: their subject is the company named
_ORG_ATTRIBUTES = frozenset({"employees", "date founded", "revenue", "profit"})
# a mention acting as speaker or owner ("RMN said", "RMN's plant"): an actor, not the story's object
_AGENT_AFTER = re.compile(
    r"^(?:'s|’s|\s*,?\s*(?:said|says|told|announced|confirmed|added|plans?|will|would|has agreed|agreed|"
    r"unveil\w*|launch\w*|expects?|estimated)\b)",
    re.IGNORECASE,
)
_VAGUE_COUNT = re.compile(
    r"^(?:hundreds|thousands|dozens|tens|scores|millions|several|many)\b", re.IGNORECASE
)
_COUNT_CLAUSE_CUT = re.compile(r"[,;()]|\b(?:and|when|after|before|while|but|as|of whom)\b", re.IGNORECASE)
_NOT_ATTRIBUTE_WORDS = frozenset(
    [
        "in",
        "on",
        "at",
        "to",
        "by",
        "from",
        "for",
        "over",
        "than",
        "since",
        "during",
        "last",
        "next",
        "this",
        "that",
        "and",
        "or",
        "but",
        "yesterday",
        "today",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "higher",
        "lower",
        "more",
        "less",
        "up",
        "down",
    ]
)


@dataclass
class _Story:
    """What claim extraction knows about the whole story."""

    names: dict[str, str]  # representative entity key -> display name
    labels: dict[str, str]
    rep: dict[str, str]  # entity key -> representative key of its name group
    focal: str | None
    variants: dict[str, str]  # distinctive variant word (normalized) -> qualifier ("armoured version")


def extract_claims(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> list[Claim]:
    """Every claim the story's sentences make, in article then text order."""
    sentences = split_story(story)
    info = _story_info(story, entities, sentences)
    claims: list[Claim] = []
    for sentence in sentences:
        claims.extend(_sentence_claims(sentence, info))
    return claims


def _skeleton(name: str) -> str:
    """Spelling-tolerant key of a name's first word: first letter and following consonants, doubled
    letters collapsed ("Sarathi", "Saarthi", "Sarthi" -> "srth")."""
    first = re.sub(r"[^a-z]", "", (name.split() or [""])[0].lower())
    if not first:
        return ""
    rest = re.sub(r"[aeiouy]", "", first[1:])
    return re.sub(r"(.)\1+", r"\1", first[0] + rest)


def _name_groups(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    groups: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        skeleton = _skeleton(entity.name)
        groups[skeleton if len(skeleton) >= 3 else f"key:{entity.key}"].append(entity)
    return groups


def _story_info(
    story: Sequence[AnnotatedArticle], entities: Sequence[Entity], sentences: list[Sentence]
) -> _Story:
    groups = _name_groups(entities)
    article_sets: dict[str, set[str]] = defaultdict(set)
    mention_count: Counter[str] = Counter()
    agent_count: Counter[str] = Counter()
    known = {entity.key for entity in entities}
    texts = {item.id: item.article.text for item in story}
    for item in story:
        for mention in item.mentions:
            if mention.entity_key in known:
                key = mention.entity_key
                article_sets[key].add(item.id)
                mention_count[key] += 1
                if _AGENT_AFTER.match(texts[item.id][mention.end : mention.end + 30]):
                    agent_count[key] += 1
    rep: dict[str, str] = {}
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    scores: dict[str, tuple[float, int, str]] = {}
    for members in groups.values():
        member_names = [m.name for m in members]
        best = max(members, key=lambda e: _display_rank(e, member_names, article_sets, mention_count))
        label_votes: Counter[str] = Counter()
        for member in members:
            specific = any(other != member.name and other in member.name for other in member_names)
            label_votes[member.label] += (mention_count[member.key] or 1) * (2 if specific else 1)
        label = max(
            label_votes,
            key=lambda lab: (
                label_votes[lab],
                -_LABEL_PRIORITY.index(lab) if lab in _LABEL_PRIORITY else -99,
            ),
        )
        for member in members:
            rep[member.key] = best.key
        names[best.key] = best.name
        labels[best.key] = label
        arts = set().union(*(article_sets[m.key] for m in members))
        mentions = sum(mention_count[m.key] for m in members)
        agents = sum(agent_count[m.key] for m in members)
        if arts and label in _FOCAL_LABELS:
            weight = 1.1 if label in _OBJECT_LABELS else 1.0
            score = len(arts) * weight * (1.0 - 0.6 * agents / max(mentions, 1))
            scores[best.key] = (score, mentions, best.key)
    focal = max(scores, key=lambda k: scores[k]) if scores else None
    return _Story(names, labels, rep, focal, _variant_vocabulary(sentences))


def _display_rank(
    entity: Entity, member_names: list[str], article_sets: dict[str, set[str]], mention_count: Counter[str]
) -> tuple[int, int, int, str]:
    """Which name of a group to show: the most reported, then the one containing the others."""
    contains = sum(other != entity.name and other in entity.name for other in member_names)
    return (
        len(article_sets[entity.key]) + contains,
        mention_count[entity.key],
        len(entity.name),
        entity.name,
    )


def focal_entity(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> Entity | None:
    """The object the story is about: the product, facility, event or organisation (name variants
    folded) mentioned by the most articles, less when it mostly speaks or owns ("X said", "X's")."""
    info = _story_info(story, entities, [])
    if info.focal is None:
        return None
    return next((e for e in entities if e.key == info.focal), None)


def _qualifier_key(phrase: str) -> str:
    """Spelling-neutral form of a qualifier word ("armoured" and "armored" meet)."""
    return re.sub(r"ou(?=r)", "o", phrase.lower())


def _variant_vocabulary(sentences: list[Sentence]) -> dict[str, str]:
    """Distinctive words of the story's explicit variant qualifiers, when the story contrasts at least
    two ("civilian version" / "armoured version"): a clause saying just "armoured" means that variant."""
    qualifiers: dict[str, str] = {}
    for sentence in sentences:
        for phrase in _explicit_variants(sentence.text):
            qualifiers.setdefault(_qualifier_key(phrase), phrase)
    if len(qualifiers) < 2:
        return {}
    vocabulary: dict[str, str] = {}
    for key, phrase in qualifiers.items():
        for word in key.split():
            if word not in _VARIANT_NOUNS and word not in STOPWORDS_Q and len(word) > 3:
                vocabulary.setdefault(word, phrase)
    return vocabulary


STOPWORDS_Q = frozenset({"the", "its", "their", "this", "that", "an", "a", "new", "for", "in"})


def _explicit_variants(text: str) -> list[str]:
    found: list[str] = []
    for match in _VARIANT.finditer(text):
        phrase = " ".join(next(g for g in match.groups() if g).split()).lower()
        phrase = re.sub(r"^(?:the|its|their|this|that|an|a)\s+", "", phrase)
        if phrase in _GENERIC_QUALIFIERS or re.fullmatch(r"(?:this|that|its|a|an)\s+\w+", phrase):
            continue
        if phrase.split()[0] in ("both", "each", "all", "two", "three", "every"):
            continue
        found.append(phrase)
    return found


def _sentence_claims(sentence: Sentence, info: _Story) -> list[Claim]:
    claims: list[Claim] = []
    attribution = _attribution(sentence.text)
    for quantity in sentence.quantities:
        if quantity.value is None:
            continue
        attribute = _quantity_attribute(sentence, quantity)
        if attribute is None:
            continue
        if attribute in CUMULATIVE and attribute != "cost":
            if _recalls_past(sentence):
                continue  # a toll of another event or a past year's statistic
            subject, subject_name = STORY_SUBJECT, "the story's event"
            place = _place_after(sentence, quantity.end, info)
            qualifiers: tuple[str, ...] = (f"in {info.names.get(place, place)}",) if place else ()
            listed = None if place else _listed_place(sentence, quantity)
            if listed:
                qualifiers = (f"in {listed}",)
        else:
            subject, subject_name = _subject(sentence, quantity.start, attribute, info)
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
    claims.extend(_date_claims(sentence, info, attribution))
    claims.extend(_venue_claims(sentence, info, attribution))
    return claims


def _recalls_past(sentence: Sentence) -> bool:
    """True when the sentence recalls an earlier event or period: "a month after", "last month's",
    "last year"."""
    return bool(_RECALL.search(sentence.text))


def _is_price(
    sentence: Sentence, quantity: Quantity, subject: str, qualifiers: tuple[str, ...], info: _Story
) -> bool:
    text, _ = _local(sentence, quantity.start, quantity.end)
    before = sentence.text[: quantity.start - sentence.start]
    return bool(
        _PRICE_WORDS.search(text)
        or _PRICE_AT.search(before)
        or info.labels.get(subject) == "PRODUCT"
        or (qualifiers and subject == info.focal)
    )


def _place_after(sentence: Sentence, position: int, info: _Story) -> str | None:
    """The place a toll is given for, when it follows the figure closely ("152 deaths in Mexico")."""
    for mention in sentence.mentions:
        key = mention.entity_key
        if key is None or key not in info.rep or not 0 <= mention.start - position <= 30:
            continue
        if info.labels.get(info.rep[key], mention.label) not in _PLACE_LABELS:
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
    if quantity.kind == "money":
        return _money_attribute(sentence, quantity)
    if quantity.kind == "count":
        return _count_attribute(sentence, quantity)
    text, anchor = _local(sentence, quantity.start, quantity.end)
    dimension = _dimension(quantity.unit)
    if dimension is None:
        return None
    if re.search(r"\bengine\b", text, re.IGNORECASE) and dimension == "volume":
        return "engine displacement"
    if dimension == "length":
        return _nearest_cue(text, anchor, _LENGTH_CUES) or "length"
    if dimension == "ratio":
        return _ratio_attribute(sentence, quantity)
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


def _period(sentence: Sentence, quantity: Quantity) -> str | None:
    match = _PER_PERIOD.match(_after(sentence, quantity))
    if not match:
        return None
    return match.group(1).lower() if match.group(1) else "year"


def _money_attribute(sentence: Sentence, quantity: Quantity) -> str:
    """What a sum is: price, cost, damage, deal value...; a sum per period is its own attribute
    ("amount per year"), never compared with a one-off price."""
    text, anchor = _local(sentence, quantity.start, quantity.end, before=90)
    after = _after(sentence, quantity)
    if re.match(r"\W{0,2}\s*(?:a|per)\s+share\b", after, re.IGNORECASE):
        return "price per share"
    cues = [cue for cue in _MONEY_CUES if cue[1] != "price per share"]
    cue = _nearest_cue(text, anchor, cues)
    if cue is None:
        before = sentence.text[: quantity.start - sentence.start]
        if _PRICE_AT.search(before) or quantity.measured:
            cue = "cost"  # "the sedan at Rs 8.4 crore", "the R1.8 billion plant"
    period = _period(sentence, quantity)
    if period:
        return f"{cue or 'amount'} per {period}"
    return cue or "amount"


def _count_attribute(sentence: Sentence, quantity: Quantity) -> str | None:
    """What a count counts, from the words of its own clause: the verb after the figure ("11 people
    were injured"), else the words before it ("a fire killed nine workers"), else the noun."""
    if _VAGUE_COUNT.match(quantity.text):
        return None  # "hundreds of residents" is compatible with any figure
    measured = (quantity.measured or "").lower().strip(".,;: ")
    rel_start, rel_end = quantity.start - sentence.start, quantity.end - sentence.start
    from_noun = _nearest_cue(measured, 0, _COUNT_CUES) if measured else None
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
    after = _COUNT_CLAUSE_CUT.split(after, maxsplit=1)[0]
    before = sentence.text[prev_end:rel_start][-70:]
    before = _COUNT_CLAUSE_CUT.split(before)[-1]
    period = _period(sentence, quantity)
    if period:
        if measured in _OUTPUT_NOUNS or _OUTPUT_CUE.search(before + " " + after):
            return "annual output" if period == "year" else f"output per {period}"
        return f"{measured or 'number'} per {period}" if measured not in _GENERIC_NOUNS else None
    cue = _nearest_cue(after, 0, _COUNT_CUES) or _nearest_cue(before, len(before), _COUNT_CUES)
    if (
        cue is None
        and not measured
        and (_RUNNING_TOTAL.search(sentence.text) or _listed_place(sentence, quantity))
    ):
        # a bare running total ("bringing the US total to 11", "At 64, the US has the greatest number
        # of confirmed cases") or a place's figure in a list ("cases include Spain (93), Britain
        # (39)"): what it counts is named elsewhere in the sentence
        head = sentence.text[:rel_start]
        cue = _nearest_cue(head, len(head), _COUNT_CUES) or _nearest_cue(
            sentence.text[rel_end:], 0, _COUNT_CUES
        )
    if cue == "employees" and measured and measured not in _WORKFORCE_NOUNS:
        return f"number of {measured}"  # "employs 400 engineers" there: a part of the workforce
    if cue == "death toll" and _is_increment(sentence, rel_start, rel_end):
        return None  # "two more bodies", "the last two bodies": an increment, not the toll
    if cue:
        return cue
    if not measured or measured in _GENERIC_NOUNS or (quantity.value or 0) < 10:
        return None  # "three things", "two countries": not a figure worth cross-checking
    if re.fullmatch(r"(?:years?|times?|days?|months?|hours?|minutes?)", measured):
        return None
    return f"number of {measured}"


def _is_increment(sentence: Sentence, start: int, end: int) -> bool:
    """ "two more bodies", "the last two bodies": a figure added to a toll, not the toll."""
    return bool(
        _INCREMENT.search(sentence.text[max(0, start - 12) : start])
        or _INCREMENT.search(sentence.text[start:end])
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
        if match.group(1) and word not in _NOT_ATTRIBUTE_WORDS:
            return f"share of {word}"
        if (
            not match.group(1)
            and word not in _NOT_ATTRIBUTE_WORDS
            and word not in STOPWORDS_Q
            and not re.search(r"(?:ly|ed)$", word)
            and _is_noun_like(word)
        ):
            return word
    before = sentence.text[: quantity.start - sentence.start]
    match = re.search(
        r"\b([A-Za-z]+)\s+of\s+(?:about\s+|around\s+|nearly\s+|roughly\s+|some\s+|just\s+)?$", before
    )
    if match and match.group(1).lower() not in _NOT_ATTRIBUTE_WORDS and match.group(1).lower() != "share":
        return match.group(1).lower()
    share_of = (quantity.measured or "").lower()
    if share_of and share_of not in ("percent", "per cent", "%"):
        return f"share of {share_of}"
    return None


def _is_noun_like(word: str) -> bool:
    from storyline.consolidate.sentences import STOPWORDS

    return word not in STOPWORDS and not word.isdigit() and len(word) > 2


def _nearest(sentence: Sentence, position: int, wanted: frozenset[str], info: _Story) -> str | None:
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


def _subject(sentence: Sentence, position: int, attribute: str, info: _Story) -> tuple[str, str]:
    """The story's focal object, except for a company's own attributes (employees, founding date),
    which belong to the organisation the sentence names."""
    if attribute in _ORG_ATTRIBUTES:
        key = _nearest(sentence, position, _SUBJECT_LABELS, info)
        if key is not None:
            return key, info.names[key]
    if info.focal is not None:
        return info.focal, info.names[info.focal]
    key = _nearest(sentence, position, _SUBJECT_LABELS, info)
    if key is not None:
        return key, info.names[key]
    return STORY_SUBJECT, "the story's subject"


def _variants(sentence: Sentence, position: int, info: _Story | None = None) -> tuple[str, ...]:
    """Variant qualifiers of the clause around `position` ("armoured version", "for export in 2021");
    in a story contrasting variants, a clause that names one by its distinctive word ("armored
    sedan") gets that variant."""
    text, anchor = _clause(sentence, position)
    found: list[str] = []
    for match in _VARIANT.finditer(text):
        if abs(match.start() - anchor) > 90:
            continue
        for phrase in _explicit_variants(match.group(0)):
            key = _qualifier_key(phrase)
            canonical = next(
                (q for q in (info.variants.values() if info else ()) if _qualifier_key(q) == key), phrase
            )
            found.append(canonical)
    if not found and info is not None and info.variants:
        for word in re.findall(r"[A-Za-z]+", text):
            qualifier = info.variants.get(_qualifier_key(word))
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
    match = _ATTRIBUTION.search(text)
    if not match:
        return None
    return " ".join(match.group(0).split())


def _date_attribute(sentence: Sentence, start: int, end: int) -> str | None:
    text, anchor = _local(sentence, start, end, before=70, after=40)
    before = text[:anchor]
    starts = [
        m
        for m in _START.finditer(before)
        if m.group(1).lower() not in _NOT_START_NOUNS and anchor - m.end() <= 25
    ]
    if starts:
        return f"start of {starts[-1].group(1).lower()}"
    return _nearest_cue(text, anchor, _DATE_EVENT_CUES)


def _date_claims(sentence: Sentence, info: _Story, attribution: str | None) -> list[Claim]:
    claims: list[Claim] = []
    for timex in sentence.timexes:
        value = timex_date(timex)
        if value is None:
            continue
        attribute = _date_attribute(sentence, timex.start, timex.end)
        if attribute is None:
            continue
        subject, subject_name = _subject(sentence, timex.start, attribute, info)
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


def _venue_claims(sentence: Sentence, info: _Story, attribution: str | None) -> list[Claim]:
    claims: list[Claim] = []
    for cue in _VENUE_CUE.finditer(sentence.text):
        at = sentence.start + cue.end()
        venue: EntityMention | None = None
        for mention in sentence.mentions:
            key = info.rep.get(mention.entity_key or "")
            if (
                at <= mention.start <= at + 25
                and key
                and info.labels.get(key, mention.label) in ("EVENT", "FAC", "ORG")
            ):
                venue = mention
                break
        if venue is None or venue.entity_key is None:
            continue
        venue_key = info.rep[venue.entity_key]
        subject, subject_name = _subject(sentence, sentence.start + cue.start(), "first shown at", info)
        claims.append(
            Claim(
                subject=subject,
                subject_name=subject_name,
                attribute="first shown at",
                kind="entity",
                span=_span(sentence, venue.start, venue.end, venue.text),
                entity=venue_key,
                entity_name=info.names[venue_key],
                qualifiers=_variants(sentence, venue.start, info),
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
    claims = _dated_money(claims)
    for claim in claims:
        attribute = "cost" if claim.attribute == "price" else claim.attribute  # one group, named below
        groups[(claim.subject, attribute, _kind_family(claim))].append(claim)
    facts: list[Fact] = []
    for (_subject_key, attribute, _family), members in groups.items():
        for same_scale in _split_by_magnitude(members, attribute):
            for qualifier, part in _split_by_qualifier(same_scale):
                facts.append(_fact(part, qualifier))
    facts.sort(key=lambda f: (f.subject, f.attribute, f.qualifier or ""))
    return facts


MAGNITUDE = 5.0  # measures this many times apart are of different things ("27 km" tunnel, "180 m" machine)


def _split_by_magnitude(claims: list[Claim], attribute: str) -> list[list[Claim]]:
    """Measures (not tolls, which grow) kept apart when their values are of different orders of
    magnitude: they describe different things, not a disagreement."""
    if attribute in CUMULATIVE or len(claims) < 2 or claims[0].kind != "quantity":
        return [claims]
    points = sorted(((_point(c).value, c) for c in claims), key=lambda p: p[0])
    if points[0][0] <= 0:
        return [claims]
    parts: list[list[Claim]] = [[points[0][1]]]
    last = points[0][0]
    last_unit = points[0][1].quantity.unit if points[0][1].quantity else None
    for value, claim in points[1:]:
        unit = claim.quantity.unit if claim.quantity else None
        # "1,000" and "62,000 barrels a day" are a disagreement; "180 m" and "27 km" are two things
        if value > last * MAGNITUDE and unit != last_unit:
            parts.append([])
        parts[-1].append(claim)
        last, last_unit = value, unit
    return parts


def _dated_money(claims: Sequence[Claim]) -> list[Claim]:
    """Sums of undated articles converted at the story's median publication date, so that an undated
    report's price still meets the dated ones."""
    days = sorted(c.published[:10] for c in claims if c.published and len(c.published) >= 10)
    if not days:
        return list(claims)
    story_day = days[len(days) // 2]
    out: list[Claim] = []
    for claim in claims:
        quantity = claim.quantity
        if (
            claim.kind == "money"
            and not claim.published
            and quantity is not None
            and quantity.value
            and quantity.unit
            and not (quantity.normalized or {}).get("USD")
        ):
            from storyline.enrich.money import normalize_money

            normalized = normalize_money(quantity.value, quantity.unit, story_day)
            if normalized.get("USD"):
                claim = replace(claim, quantity=replace(quantity, normalized=normalized))
        out.append(claim)
    return out


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
    bounded = _bounded(claim, quantity) if high == low else None
    if bounded is not None:
        # "more than 800" stands for 800 up to a little more, never for 774; "up to 149" the reverse
        low, high = bounded
        tolerance = (high - low) / 2
    else:
        tolerance = (
            (high - low) / 2
            + _rounding(quantity.value)
            + (_approximate(quantity.value) if quantity.approximate else 0.0)
        )
    middle = (low + high) / 2
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


def _bounded(claim: Claim, quantity: Quantity) -> tuple[float, float] | None:
    """The interval a one-sided figure stands for: a lower bound ("more than", "over", "at least")
    from the figure up, an upper bound ("up to", "fewer than", "less than") from the figure down; a
    death toll, which is updated, reaches as far as "about" would, other figures LOWER_BOUND_SLACK.
    None for a figure that is not a bound."""
    value = quantity.value
    if value is None:
        return None
    lower = _LOWER_BOUND.match(quantity.text) is not None
    if not lower and _UPPER_BOUND.match(quantity.text) is None:
        return None
    toll = claim.attribute == "death toll"
    if lower:
        reach = _approximate(value) if toll else abs(value) * LOWER_BOUND_SLACK
        return value, value + reach
    reach = _approximate(value) if toll else abs(value) * LOWER_BOUND_SLACK / (1 + LOWER_BOUND_SLACK)
    return value - reach, value


def _step(value: float) -> float:
    """Unit of the figure's last significant digit (6.6e9 -> 1e8; 140 -> 10)."""
    magnitude = abs(value)
    step = 10 ** math.floor(math.log10(magnitude))
    while step > 1e-9 and abs(magnitude / step - round(magnitude / step)) > 1e-6:
        step /= 10
    return step


def _approximate(value: float) -> float:
    """Slack of "about": one unit of the figure's last digit, at most APPROXIMATE of it ("about
    $6.6bn" is 6.5-6.7bn, "about 140" is 130-150)."""
    if value == 0:
        return 0.0
    return min(_step(value), APPROXIMATE * abs(value))


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
    slack = max(pa.tolerance, pb.tolerance)
    if (
        a.kind == "quantity"
        and b.kind == "quantity"
        and a.quantity is not None
        and b.quantity is not None
        and a.quantity.unit != b.quantity.unit
    ):
        slack += CONVERSION * max(abs(pa.value), abs(pb.value))
    return abs(pa.value - pb.value) <= slack


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
        evolution, same_day = _evolution(comparable, clusters)
        if evolution:
            note = "updated over time: later reports give higher figures"
        elif same_day:
            note = "reports of the same day disagree"
        else:
            note = "figures differ between reports and do not simply rise over time"
    values: list[FactValue] = []
    for index, cluster in enumerate(clusters):
        values.extend(_values(cluster, index, comparable=True))
    for index, cluster in enumerate(loose, start=len(clusters)):
        values.extend(_values(cluster, index, comparable=False))
    attribute = "price" if any(c.attribute == "price" for c in claims) else first.attribute
    return Fact(
        subject=first.subject,
        subject_name=first.subject_name,
        attribute=attribute,
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


def _evolution(
    points: list[_Point], clusters: list[list[_Point]]
) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """The figure's evolution, (publication date, value text, article) in publication order, when it is
    one: reports of different days whose values rise from day to day, every day's reports agreeing
    with each other. Reports of the same day that disagree are a conflict, never a change over time.
    Returns (evolution or (), whether some day's reports disagree)."""
    cluster_of = {id(p): index for index, cluster in enumerate(clusters) for p in cluster}
    dated = sorted((p for p in points if p.claim.published), key=lambda p: (p.claim.published or "", p.value))
    by_day: dict[str, list[_Point]] = defaultdict(list)
    for p in dated:
        by_day[p.claim.published or ""].append(p)
    same_day = any(len({cluster_of.get(id(p), -1) for p in day}) > 1 for day in by_day.values())
    days = sorted(by_day)
    rising = (
        not same_day
        and len(days) > 1
        and all(
            max(p.value for p in by_day[a]) <= min(p.value for p in by_day[b]) + 1e-9
            for a, b in itertools.pairwise(days)
        )
    )
    if not rising:
        return (), same_day
    return tuple((p.claim.published or "", p.claim.span.text, p.claim.article_id) for p in dated), False


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
