"""Cue data of claim extraction: the words around a figure, a date or a venue that name its attribute,
its bounds, its variant qualifier and its subject's role; entity labels a subject or a place may have."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WordGate:
    """A cheap test run before a costly case-insensitive pattern that cannot match without one of
    `words` (lowercase): False means the pattern has no match, True means it may have one."""

    words: tuple[str, ...]
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.compile("|".join(re.escape(word) for word in self.words), re.IGNORECASE)
        object.__setattr__(self, "_pattern", pattern)

    def admits(self, text: str) -> bool:
        if text.isascii():  # ASCII: str.lower is exactly the pattern's case folding
            lowered = text.lower()
            return any(word in lowered for word in self.words)
        # elsewhere the pattern also folds "ſ", "K", "İ"... onto ASCII letters: ask it
        return self._pattern.search(text) is not None


CUMULATIVE = frozenset(
    {"death toll", "injured", "missing", "cases", "deaths", "evacuated", "displaced", "arrests", "cost"}
)  # figures that are updated as a story goes on (a later, higher toll is an update)

MONEY_CUES: tuple[tuple[str, str], ...] = (
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
PRICE_WORDS = re.compile(r"\bpric(?:e|ed|es|ing)\b|\bsells? for\b|\bsold for\b|\bretails?\b", re.IGNORECASE)
# "<product noun> at <money>": a price ("the civilian version at Rs 2.75 crore")
PRICE_AT = re.compile(
    r"\b(?:version|variant|model|edition|sedan|car|vehicle|limousine|phone|device|tickets?)\s+(?:\w+\s+)?at\s*$",
    re.IGNORECASE,
)
# a figure per period: "900 million rupees a year", "200 units a year"
PER_PERIOD = re.compile(
    r"^\W{0,2}\s*(?:a|per|each|every)\s+(year|month|week|day)\b|^\s*(annually|yearly)\b", re.IGNORECASE
)
LOWER_BOUND = re.compile(
    r"^(?:more\s+than|(?:just\s+|well\s+)?over|at\s+least|upwards\s+of|in\s+excess\s+of)\b", re.IGNORECASE
)
UPPER_BOUND = re.compile(r"^(?:up\s+to|fewer\s+than|less\s+than|at\s+most|no\s+more\s+than)\b", re.IGNORECASE)
# a bare count that is the value of a running total ("bringing the US total to 11")
RUNNING_TOTAL = re.compile(r"\b(?:toll|total|tally|number|count)\b", re.IGNORECASE)
# counts of generic nouns ("three things", "two countries") carry no fact worth cross-checking
GENERIC_NOUNS = frozenset(
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
WORKFORCE_NOUNS = frozenset(["people", "persons", "employees", "staff", "workers", "jobs"])
INCREMENT = re.compile(r"\b(?:last|further|additional|another|other)\s+$|^\S+\s+more\s", re.IGNORECASE)
# a sentence recalling another event or a past period ("a month after", "last year")
RECALL = re.compile(
    r"\b(?:comes?|came|just|only)\s+(?:a|one|two|three|\d+)\s+(?:weeks?|months?|years?)\s+after\b|\blast (?:week|month|year)'s\b|\blast year\b",
    re.IGNORECASE,
)
OUTPUT_NOUNS = frozenset(
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
OUTPUT_CUE = re.compile(
    r"\b(?:produc\w*|build|built|make|manufactur\w*|output|capacity|assembl\w*)\b", re.IGNORECASE
)
COUNT_CUES: tuple[tuple[str, str], ...] = (
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
LENGTH_CUES: tuple[tuple[str, str], ...] = (
    (r"\brange\b", "range"),
    (r"\bdeep\b|\bdepth\b|\bbelow\b|\bbeneath\b", "depth"),
    (r"\blong\b|\blength\b", "length"),
    (r"\btall\b|\bhigh\b|\bheight\b", "height"),
    (r"\bwide\b|\bwidth\b", "width"),
    (r"\bdistance\b|\baway\b|\boff\b|\bfrom\b", "distance"),
)
# "<noun> began / will start / is due to begin": the start of that noun ("start of construction")
START = re.compile(
    r"\b([a-z]+)(?:\s+of\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+)?)?\s+(?:had\s+|have\s+|has\s+)?(?:(?:will|would|is|are)\s+(?:due\s+to\s+)?)?"
    r"(?:began|begun|begin|begins|started|start|starts|commenced|commence|run\s+from|start\s+from)\b",
    re.IGNORECASE,
)
NOT_START_NOUNS = frozenset(
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
DATE_EVENT_CUES: tuple[tuple[str, str], ...] = (
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
_SHOWN = (
    r"\b(?:first (?:shown|presented|unveiled|displayed|exhibited)|unveiled|debuted|premiered|"
    r"first (?:public )?(?:showing|appearance))\b[^.;]{0,30}?\b"
)
VENUE_CUE = re.compile(_SHOWN + r"(?:at|in|during)\b", re.IGNORECASE)
_VENUES = frozenset({"EVENT", "FAC", "ORG"})
_PLACES = frozenset({"GPE", "LOC"})
# where a dated event took place: (cue ending just before the place, attribute, labels the place has)
PLACE_EVENTS: tuple[tuple[re.Pattern[str], str, frozenset[str]], ...] = (
    (VENUE_CUE, "first shown at", _VENUES),
    (re.compile(_SHOWN + r"in\b", re.IGNORECASE), "place first shown", _PLACES),
    (re.compile(r"\bsigned\b[^.;]{0,30}?\b(?:at|in)\b", re.IGNORECASE), "place signed", _PLACES | {"FAC"}),
    (
        re.compile(r"\binaugurat\w*\b[^.;]{0,30}?\b(?:at|in)\b", re.IGNORECASE),
        "place of inauguration",
        _PLACES | {"FAC"},
    ),
    (re.compile(r"\blaunch(?:ed)?\b[^.;]{0,30}?\bat\b", re.IGNORECASE), "place of launch", _VENUES - {"ORG"}),
)
# every PLACE_EVENTS cue holds one of these words: a sentence with none of them has no place claim
PLACE_EVENT_WORDS = WordGate(("first", "unveiled", "debuted", "premiered", "signed", "inaugurat", "launch"))
VARIANT = re.compile(
    r"\b((?:the\s+)?(?:[\w-]+\s+){0,2}?(?:version|variant|model|edition|trim|configuration))\b"
    r"|\b((?:planned|intended|destined|built|made)\s+for\s+export(?:\s+in\s+\d{4})?)"
    r"|\b(for\s+export(?:\s+in\s+\d{4})?)"
    r"|\b(export\s+(?:version|price|model))",
    re.IGNORECASE,
)
# every VARIANT match holds one of these words
VARIANT_WORDS = WordGate(("version", "variant", "model", "edition", "trim", "configuration", "export"))
ATTRIBUTION = re.compile(
    r"\baccording to\s+([^,.;]{2,60})|\b(?:officials|police|authorities|ministry|company|government)\s+"
    r"(?:said|say|says|estimated|reported)\b",
    re.IGNORECASE,
)
ATTRIBUTION_WORDS = WordGate(
    ("according to", "officials", "police", "authorities", "ministry", "company", "government")
)
ANAPHOR = re.compile(
    r"\b[Tt]he\s+(?:new\s+|damaged\s+|ruptured\s+|stricken\s+)?(car|cars|vehicle|limousine|sedan|plant|"
    r"well|rig|platform|ship|vessel|aircraft|plane|jet|device|reactor|mine|dam|bridge|building|tower|"
    r"model|factory|station|pipeline|satellite|rocket|missile|tank|phone|drug|vaccine|company|firm|group)\b"
)
FOCAL_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"})
SUBJECT_LABELS = frozenset({"PRODUCT", "ORG", "FAC", "EVENT", "WORK_OF_ART", "LAW"})
OBJECT_LABELS = frozenset({"PRODUCT", "FAC", "EVENT"})  # things a story is about rather than actors
PLACE_LABELS = frozenset({"GPE", "LOC"})
# a toll belongs to another named thing than the story's event only when that thing is an event or an
# object ("Asian flu killed two million"), never when it is an actor ("the mayor evacuated 1,200")
TOLL_OWNER_LABELS = frozenset({"EVENT", "PRODUCT"})
LABEL_PRIORITY = ("PRODUCT", "FAC", "EVENT", "ORG", "WORK_OF_ART", "LAW", "NORP", "GPE", "LOC", "PERSON")
GENERIC_QUALIFIERS = frozenset({"the model", "model", "version", "the version", "new model", "the new model"})
VARIANT_NOUNS = frozenset({"version", "variant", "model", "edition", "trim", "configuration"})
# attributes of an organisation rather than of the story's object: their subject is the company named
ORG_ATTRIBUTES = frozenset({"employees", "date founded", "revenue", "profit"})
# a mention acting as speaker or owner ("RMN said", "RMN's plant"): an actor, not the story's object
AGENT_AFTER = re.compile(
    r"^(?:'s|’s|\s*,?\s*(?:said|says|told|announced|confirmed|added|plans?|will|would|has agreed|agreed|"
    r"unveil\w*|launch\w*|expects?|estimated)\b)",
    re.IGNORECASE,
)
VAGUE_COUNT = re.compile(r"^(?:hundreds|thousands|dozens|tens|scores|millions|several|many)\b", re.IGNORECASE)
COUNT_CLAUSE_CUT = re.compile(r"[,;()]|\b(?:and|when|after|before|while|but|as|of whom)\b", re.IGNORECASE)
NOT_ATTRIBUTE_WORDS = frozenset(
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
# the extractor's attribute names on the small canonical lexicon the claims evaluation labels with
# (exact names first, then name prefixes)
CANONICAL_ATTRIBUTES: dict[str, str] = {
    "death toll": "death toll",
    "deaths": "death toll",
    "injured": "injured",
    "hospitalised": "injured",
    "cases": "cases",
    "missing": "count",
    "evacuated": "count",
    "displaced": "count",
    "arrests": "count",
    "employees": "count",
    "annual output": "count",
    "price": "price",
    "price per share": "price",
    "cost": "cost",
    "engine displacement": "engine size",
    "length": "distance",
    "range": "distance",
    "depth": "distance",
    "height": "distance",
    "width": "distance",
    "distance": "distance",
    "first shown at": "place",
    "place first shown": "place",
    "place signed": "place",
    "place of inauguration": "place",
    "place of launch": "place",
}
CANONICAL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("number of ", "count"),
    ("output per ", "count"),
    ("share of ", "rate"),
    ("cost per ", "cost"),
    ("price per ", "price"),
    ("date", "date"),
    ("start of ", "date"),
    ("place", "place"),
)
MONEY_ATTRIBUTES = frozenset(
    {
        "fine",
        "compensation",
        "aid",
        "revenue",
        "profit",
        "loss",
        "budget",
        "investment",
        "damage",
        "deal value",
        "contract value",
        "amount",
    }
)


def _lemmas(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


# the words (lemmas, several languages) a value's governing noun or verb has for each attribute: the
# parse finds the word, this names what the value is. General words only, never one article's phrase.
ATTRIBUTE_LEMMAS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "death toll",
        _lemmas(
            "kill die dead death toll fatality body victim life perish",  # en
            "tuer mourir mort décès décéder victime bilan",  # fr
            "matar morir muerto muerte víctima fallecer",  # es
            "töten sterben tote tod opfer",  # de
        ),
    ),
    (
        "injured",
        _lemmas(
            "injure injured wound wounded hurt injury blesser blessé blessure herir herido verletzen verletzte"
        ),
    ),
    (
        "cases",
        _lemmas("case infect infection cas infecter contaminer contamination caso contagio infektion"),
    ),
    ("evacuated", _lemmas("evacuate evacuee flee évacuer évacué fuir evacuar evakuieren")),
    ("price", _lemmas("price sell retail fare prix vendre tarif precio vender preis verkaufen")),
    (
        "cost",
        _lemmas(
            "cost spend bill expense expenditure coût coûter dépenser dépense costo coste costar gastar kosten"
        ),
    ),
    ("weight", _lemmas("weigh weight peser poids pesar peso wiegen gewicht")),
    ("power", _lemmas("power horsepower puissance potencia leistung")),
    ("engine displacement", _lemmas("displacement cylindrée cilindrada hubraum")),
    ("speed", _lemmas("speed vitesse velocidad geschwindigkeit")),
    ("employees", _lemmas("employ employee staff workforce employer salarié empleado mitarbeiter")),
)
