"""Claims read through the dependency parse: the subject a figure attaches to, ages, tolls of another
named event; and the parse's bounded cost (only candidate sentences, each parsed once)."""

from __future__ import annotations

from storyline.consolidate import parse
from storyline.consolidate.facts import STORY_SUBJECT, Claim, extract_claims
from storyline.model import Entity
from test_facts import make

SENAT = Entity("PRODUCT:aurus senat", "Aurus Senat", "PRODUCT", ("Aurus Senat",))
NIVA = Entity("PRODUCT:lada niva", "Lada Niva", "PRODUCT", ("Lada Niva",))
NOXON = Entity("PERSON:charlie noxon", "Charlie Noxon", "PERSON", ("Charlie Noxon",))
ASIAN_FLU = Entity("EVENT:asian flu", "Asian flu", "EVENT", ("Asian flu",))


def _claims(texts: list[tuple[str, list[dict[str, object]]]], entities: list[Entity]) -> list[Claim]:
    mentions = [(name, e.key, e.label) for e in entities for name in e.aliases]
    story = []
    for n, (text, quantities) in enumerate(texts):
        present = [m for m in mentions if m[0] in text]
        story.append(make(f"a{n}", text, "2024-03-01", f"outlet{n}", quantities=quantities, mentions=present))
    return extract_claims(story, entities)


def test_a_figure_belongs_to_the_subject_of_its_verb_not_to_the_focal_object() -> None:
    claims = _claims(
        [
            ("The Aurus Senat was shown in Moscow. The Lada Niva weighs 1.4 tonnes.",
             [dict(span="1.4 tonnes", value=1400.0, unit="kg")]),
            ("The Aurus Senat weighs 6.5 tonnes.", [dict(span="6.5 tonnes", value=6500.0, unit="kg")]),
        ],
        [SENAT, NIVA],
    )  # fmt: skip
    weights = {c.span.text: c.subject_name for c in claims if c.attribute == "weight"}
    assert weights == {"1.4 tonnes": "Lada Niva", "6.5 tonnes": "Aurus Senat"}


def test_the_vehicle_is_the_story_focal_object() -> None:
    claims = _claims(
        [
            ("The Aurus Senat was shown in Moscow. The vehicle weighs 6.5 tonnes, more than a Lada Niva.",
             [dict(span="6.5 tonnes", value=6500.0, unit="kg")]),
            ("The Aurus Senat is armoured.", []),
        ],
        [SENAT, NIVA],
    )  # fmt: skip
    assert [(c.subject_name, c.attribute) for c in claims] == [("Aurus Senat", "weight")]


def test_an_age_set_off_after_a_name() -> None:
    claims = _claims([("Charlie Noxon, 20, had been skiing with his two siblings in Utah.", [])], [NOXON])
    ages = [c for c in claims if c.attribute == "age"]
    assert len(ages) == 1
    assert ages[0].subject_name == "Charlie Noxon" and ages[0].quantity is not None
    assert ages[0].quantity.value == 20.0 and ages[0].span.text == "20"


def test_a_toll_belongs_to_the_named_event_that_killed() -> None:
    count = dict(kind="count", unit=None, measured="people")
    claims = _claims(
        [
            ("In 1957 the Asian flu killed two million people.", [dict(span="two million", value=2e6, **count)]),
            ("A fire at the plant killed seven people.", [dict(span="seven", value=7.0, **count)]),
        ],
        [ASIAN_FLU],
    )  # fmt: skip
    tolls = {c.span.text: c.subject for c in claims if c.attribute == "death toll"}
    assert tolls == {"two million": ASIAN_FLU.key, "seven": STORY_SUBJECT}


def test_only_candidate_sentences_are_parsed_and_each_once() -> None:
    before = len(parse._cache)
    text = "Officials said the Lada Niva weighs 1.4 tonnes. Nothing else happened here today."
    quantities = [dict(span="1.4 tonnes", value=1400.0, unit="kg")]
    _claims([(text, quantities), (text, quantities)], [NIVA])
    parsed = [key for key in list(parse._cache)[before:]]
    assert [t for _, t in parsed] == ["Officials said the Lada Niva weighs 1.4 tonnes."]
    again = parse.parse_sentences([("en", parsed[0][1])])
    assert again[parsed[0]] is parse._cache[parsed[0]]  # served from the cache
