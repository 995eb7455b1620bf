"""Relative dates of a story timeline read against their sentence or paragraph, metadata lines left
out, and one date's events merged across outlets with every citation."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from storyline.consolidate.dates import anchored_date, iso_date
from storyline.consolidate.sentences import Sentence, is_header, is_metadata, is_well_formed
from storyline.consolidate.timeline import build_story_timeline, dated_sentences
from storyline.enrich.timex import tag
from storyline.model import AnnotatedArticle, Article, TimeExpression


def tagged(aid: str, text: str, published: str, source: str) -> AnnotatedArticle:
    """An article annotated with the project's own temporal tagger (anchored on the publication)."""
    return AnnotatedArticle(
        id=aid,
        article=Article(text=text, published=published, source=source),
        timexes=tuple(tag(text, published)),
    )


def _dates(story: list[AnnotatedArticle]) -> dict[str, str]:
    return {sentence.text: value for value, sentence in dated_sentences(story)}


HISTORY = (
    "Renault unveiled the first Sarathi prototype at the Geneva motor show in March 2019.\n"
    "The same year the company opened an assembly line in Pune, and the following month it hired "
    "1,200 workers there. That day the shares of the group rose by 4 percent.\n"
    "Production of the new model began on Monday, the company said in a statement."
)


def test_relative_expressions_take_the_year_of_their_paragraph() -> None:
    story = [tagged("a", HISTORY, "2024-05-15", "Motor Weekly")]
    dates = _dates(story)
    same_year = next(v for t, v in dates.items() if t.startswith("The same year"))
    # a paragraph without a date of its own: the article's last date (the paragraph before), as the
    # tagger reads it, never the publication year
    assert same_year == "2019"
    # in a paragraph that gives its year, the relative expressions stay in that year
    text = (
        "Renault unveiled the first Sarathi prototype at the Geneva motor show in March 2019. "
        "The same year the company opened an assembly line in Pune, and the following month it hired "
        "1,200 workers there. That day the shares of the group rose by 4 percent.\n"
        "Production of the new model began on Monday, the company said in a statement."
    )
    dates = _dates([tagged("a", text, "2024-05-15", "Motor Weekly")])
    assert next(v for t, v in dates.items() if t.startswith("The same year")) == "2019"
    assert next(v for t, v in dates.items() if t.startswith("That day")) == "2019-03"
    # a paragraph without dates of its own is read on the publication date
    assert next(v for t, v in dates.items() if t.startswith("Production")) == "2024-05-13"


def test_weekday_and_month_without_year_follow_the_explicit_date_of_their_paragraph() -> None:
    text = (
        "The well blew out on 20 April 2010, killing 11 workers on the rig. "
        "On Thursday the rig sank in 1,500 metres of water. "
        "Engineers tried to cap the well on 8 May and failed.\n"
        "On Sunday BP said it had paid out $20bn to date."
    )
    dates = _dates([tagged("a", text, "2024-06-12", "Gulf Courier")])
    assert next(v for t, v in dates.items() if t.startswith("On Thursday")) == "2010-04-22"
    assert next(v for t, v in dates.items() if t.startswith("Engineers")) == "2010-05-08"
    # the next paragraph is about the present again: the tagger's publication-based value stays
    assert next(v for t, v in dates.items() if t.startswith("On Sunday")) == "2024-06-09"


def test_headers_and_metadata_lines_never_become_events() -> None:
    text = (
        "Fire at Modderkloof battery plant\n"
        "By Jane Doe and John Roe, Meridian Press\n"
        "Updated 10:32 GMT, 18 February 2024\n"
        "Tags: fire, battery plant, Modderkloof, 2024\n"
        "A fire broke out at the Modderkloof battery plant on 18 February 2024, officials said."
    )
    events = build_story_timeline([tagged("a", text, "2024-02-18", "Meridian Press")])
    assert [e.text for e in events] == [
        "A fire broke out at the Modderkloof battery plant on 18 February 2024, officials said."
    ]


def test_one_dates_events_merge_across_outlets_with_every_citation() -> None:
    a = tagged(
        "a",
        "Back in 2015 the plant was sold to Lakeshore Energy. The same year a fire broke out at the plant.",
        "2024-02-19",
        "Meridian Press",
    )
    b = tagged(
        "b",
        "A fire broke out at the plant in 2015, months after its sale to Lakeshore Energy.",
        "2024-02-20",
        "Highveld Mercury",
    )
    c = tagged(
        "c",
        "A fire broke out at the plant in 2015, the fire brigade records show.",
        "2024-02-21",
        "Lakeshore Daily Post",
    )
    events = build_story_timeline([a, b, c])
    fire = [e for e in events if e.date == "2015" and "fire" in e.text]
    assert len(fire) == 1
    assert fire[0].articles == ("a", "b", "c")
    assert {ref.article_id for ref in fire[0].sentences} == {"a", "b", "c"}


def _timex(text: str, value: str) -> TimeExpression:
    return TimeExpression(0, len(text), text, "DATE", value)


def test_anchored_date_shifts_at_the_granularity_spoken_of() -> None:
    assert anchored_date(_timex("the following month", "2024-06"), "2019-12-03", True) == "2020-01"
    assert anchored_date(_timex("two days later", "2024-06-14"), "2019-12-31", True) == "2020-01-02"
    assert anchored_date(_timex("the next day", "2024-06-13"), "2019", True) is None
    assert anchored_date(_timex("the previous year", "2023"), "2019-03", True) == "2018"
    assert anchored_date(_timex("yesterday", "2024-06-11"), "2019-03-02", True) == "2024-06-11"
    assert anchored_date(_timex("next week", "2024-06-17"), "2019-03-02", True) == "2024-06-17"
    assert anchored_date(_timex("the next week", "2024-06-17"), "2019-03-02", True) == "2019-03-09"
    # no explicit date around: the tagger's reading of the discourse stands, else the publication
    assert anchored_date(_timex("the same day", "2010-04-16"), "2010-06-15", False) == "2010-04-16"
    assert (
        anchored_date(TimeExpression(0, 19, "the following month", "DATE", None, False), "2010-06-15", False)
        == "2010-07"
    )
    assert anchored_date(_timex("March 2019", "2019-03"), "2024-06-12", False) == "2019-03"


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2090, 1, 1)),
    st.sampled_from(["the same year", "that day", "the following month", "on Sunday", "the day before"]),
)
def test_anchored_dates_are_calendar_dates_near_their_anchor(day: object, phrase: str) -> None:
    anchor = str(day)
    value = anchored_date(_timex(phrase, "2024-06-12"), anchor, True)
    assert value is not None and iso_date(value) == value
    assert abs(int(value[:4]) - int(anchor[:4])) <= 1


def _sentence(text: str) -> Sentence:
    return Sentence("a", 0, 0, len(text), text, None, None)


def test_sentence_shapes() -> None:
    assert is_header(_sentence("Fire kills three at battery plant"))
    assert is_metadata(_sentence("By Jane Doe and John Roe, Reuters"))
    assert is_metadata(_sentence("Ford | Mustang | electric cars | Detroit"))
    assert not is_metadata(_sentence("By Monday, police had arrested four people."))
    assert is_well_formed(_sentence("Police said the fire was contained on Sunday."))
    assert not is_well_formed(_sentence("Firefighters at the scene of the blaze on Sunday."))


def test_dated_event_claims_take_the_year_of_their_paragraph() -> None:
    from storyline.consolidate.facts import extract_claims

    text = (
        "The Aurus Senat was presented to the public in 2018 at a ceremony in Moscow. "
        "On Monday its maker said the armoured model was first shown the following year.\n"
        "The company said on Monday that sales would start in Europe."
    )
    claims = extract_claims([tagged("a", text, "2024-05-15", "Motor Weekly")], [])
    shown = [c for c in claims if c.attribute == "date first shown"]
    assert [c.date for c in shown] == ["2019"]
