"""Cited brief: length, citations, no near-duplicates, conflicts stated from the template."""

from __future__ import annotations

from storyline.consolidate.brief import build_brief
from storyline.consolidate.facts import cross_check, extract_claims
from storyline.consolidate.sentences import content_words
from storyline.consolidate.timeline import build_story_timeline
from storyline.model import Entity
from test_facts import make

PLANT = Entity(
    "FAC:modderkloof battery plant", "Modderkloof battery plant", "FAC", ("Modderkloof battery plant",)
)
MEN = [("Modderkloof battery plant", PLANT.key, "FAC")]


def _story() -> list:
    a = make(
        "a",
        "A fire broke out at the Modderkloof battery plant on 18 February 2024. "
        "Three workers died in the blaze, the fire service said. "
        "The Modderkloof battery plant covers 12 hectares on the edge of town. "
        "Smoke from burning lithium cells drifted over nearby farms for hours. "
        "The owner said production would stay halted until inspectors finish their work.",
        "2024-02-19",
        "Meridian Press",
        timexes=[("18 February 2024", "2024-02-18")],
        quantities=[
            dict(span="Three workers", value=3.0, unit=None, kind="count", measured="workers"),
            dict(span="12 hectares", value=12.0, unit="ha"),
        ],
        mentions=MEN,
    )
    b = make(
        "b",
        "Fire broke out at the Modderkloof battery plant on Sunday 18 February. "
        "Five workers died, according to the provincial health department. "
        "The site, which covers 12 hectares, stores thousands of lithium cells. "
        "Firefighters brought the blaze under control on 19 February after a night of work. "
        "Residents were told to keep windows shut because of toxic smoke.",
        "2024-02-20",
        "Lakeshore Daily Post",
        timexes=[("Sunday 18 February", "2024-02-18"), ("19 February", "2024-02-19")],
        quantities=[
            dict(span="Five workers", value=5.0, unit=None, kind="count", measured="workers"),
            dict(span="12 hectares", value=12.0, unit="ha"),
        ],
        mentions=MEN,
    )
    c = make(
        "c",
        "Investigators began examining the Modderkloof battery plant on 21 February. "
        "The labour ministry opened an inquiry into safety at the factory. "
        "Union leaders demanded that battery plants be inspected every year. "
        "Insurers estimate the damage at 40 million rand.",
        "2024-02-22",
        "Highveld Mercury",
        timexes=[("21 February", "2024-02-21")],
        quantities=[
            dict(
                span="40 million rand",
                value=4e7,
                unit="ZAR",
                kind="money",
                normalized={"USD": 2.1e6, "EUR": 1.95e6},
            )
        ],
        mentions=MEN,
    )
    return [a, b, c]


def _brief():
    story = _story()
    entities = [PLANT]
    facts = cross_check(extract_claims(story, entities))
    return story, facts, build_brief(story, facts, build_story_timeline(story))


def _jaccard(x: str, y: str) -> float:
    a, b = set(content_words(x)), set(content_words(y))
    return len(a & b) / max(1, len(a | b))


def test_brief_has_five_to_eight_cited_sentences() -> None:
    story, _, brief = _brief()
    assert 5 <= len(brief) <= 8
    texts = {item.id: item.article.text for item in story}
    for sentence in brief:
        assert sentence.articles
        if sentence.kind == "extract":
            # extractive: the sentence is verbatim in the first cited article
            assert sentence.text in texts[sentence.articles[0]]


def test_paraphrases_across_outlets_are_all_cited() -> None:
    _, _, brief = _brief()
    fire = [s for s in brief if "broke out" in s.text]
    assert len(fire) == 1
    assert set(fire[0].articles) == {"a", "b"}


def test_no_two_brief_sentences_say_the_same_thing() -> None:
    _, _, brief = _brief()
    extracts = [s.text for s in brief if s.kind == "extract"]
    for i, x in enumerate(extracts):
        for y in extracts[i + 1 :]:
            assert _jaccard(x, y) < 0.5, (x, y)


def test_conflict_is_stated_with_each_value_and_outlet() -> None:
    _, facts, brief = _brief()
    assert any(f.status == "conflicting" and f.attribute == "death toll" for f in facts)
    conflict = [s for s in brief if s.kind in ("conflict", "update")]
    assert len(conflict) == 1
    text = conflict[0].text
    assert "death toll" in text
    assert "Three workers (Meridian Press" in text and "Five workers (Lakeshore Daily Post" in text
    assert set(conflict[0].articles) == {"a", "b"}
    # the conflicting figures are not repeated as if they were agreed
    assert not any("Three workers died" in s.text for s in brief if s.kind == "extract")


def test_extracts_are_in_chronological_order() -> None:
    _, _, brief = _brief()
    dates = [s.date for s in brief if s.kind == "extract" and s.date]
    assert dates == sorted(dates)


def test_brief_sentences_do_not_start_inside_a_m_or_abbreviations() -> None:
    a = make(
        "a",
        "Schools in Northgate closed at 10 a.m. Thursday after a gas leak, Mr. Okafor said. "
        "The leak was found by Dr. Lena Brandt at 9 a.m. on Thursday in a U.S. Army depot. "
        "About 400 pupils were sent home by 11 a.m. The roads were closed for hours.",
        "2024-03-14",
        "Meridian Press",
    )
    b = make(
        "b",
        "A gas leak closed Northgate schools at 10 a.m. Thursday, officials said. "
        "Some 400 pupils were sent home by late morning. Engineers sealed the pipe in the afternoon.",
        "2024-03-14",
        "Highveld Mercury",
    )
    story = [a, b]
    brief = build_brief(story, cross_check(extract_claims(story, [])), build_story_timeline(story))
    extracts = [s.text for s in brief if s.kind == "extract"]
    assert extracts
    for text in extracts:
        assert text[0].isupper(), text
        assert not text.startswith(("Thursday after", "Okafor", "Lena", "Army", "on Thursday", "m."))


def test_brief_quotes_only_well_formed_sentences() -> None:
    story = _story()
    furniture = (
        "Fire at Modderkloof battery plant kills workers\n"
        "By Jane Doe and John Roe, Meridian Press\n"
        "Updated 10:32 GMT, 19 February 2024\n"
        "Tags: fire, battery plant, Modderkloof, lithium\n"
        "Firefighters at the scene of the blaze on Sunday.\n"
    )
    lead = story[0]
    shift = len(furniture)
    story[0] = make(
        "a",
        furniture + lead.article.text,
        "2024-02-19",
        "Meridian Press",
        timexes=[("18 February 2024", "2024-02-18"), ("19 February 2024", "2024-02-19")],
        quantities=[
            dict(span="Three workers", value=3.0, unit=None, kind="count", measured="workers"),
            dict(span="12 hectares", value=12.0, unit="ha"),
        ],
        mentions=MEN,
    )
    assert story[0].article.text[shift:] == lead.article.text
    facts = cross_check(extract_claims(story, [PLANT]))
    brief = build_brief(story, facts, build_story_timeline(story))
    assert 5 <= len(brief) <= 8
    texts = [b.text for b in brief]
    for line in furniture.splitlines():
        assert line not in texts
    assert all(t.rstrip().endswith((".", "!", "?")) for t in texts)
    assert all(b.articles for b in brief)
    # the death toll the outlets disagree on is stated as such, never as an agreed extract
    conflicts = [b for b in brief if b.kind in ("conflict", "update")]
    assert len(conflicts) == 1 and "death toll" in conflicts[0].text
    assert conflicts[0].text.startswith(("Outlets disagree on", "Reports of"))
