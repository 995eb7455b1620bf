"""Inferred publication dates of undated articles: the clues, the offset tables, the inference."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.consolidate.inferred_dates import (
    DateClue,
    DateModel,
    Example,
    OffsetTable,
    Report,
    clues_from_text,
    infer_article_date,
    infer_date,
    load_model,
    train,
)
from storyline.enrich.timex import tag


def test_clues_are_explicit_dates_weekdays_and_days_of_months_not_deictic_words() -> None:
    text = ("Crude has reached Louisiana since the rig blew up on 20 April. On Friday BP said it had begun, "
            "and yesterday it said so again. The hearing of 3 March 2011 was short.")
    clues = clues_from_text(text, "2010-05-15")
    kinds = {c.text: (c.kind, c.value, c.direction) for c in clues}
    assert kinds["20 April"] == ("monthday", "2010-04-20", "past")
    assert kinds["Friday"] == ("weekday", "2010-05-14", "past")
    assert kinds["3 March 2011"][0] == "explicit"
    assert "yesterday" not in kinds  # counted from the publication: says nothing about which day it is


def test_a_clue_is_read_from_each_candidate_day() -> None:
    friday = DateClue("weekday", 0, 6, "Friday", "2010-05-14", "past")
    assert friday.resolve(date(2010, 5, 14)) == date(2010, 5, 14)
    assert friday.resolve(date(2010, 5, 20)) == date(2010, 5, 14)
    assert friday.resolve(date(2010, 5, 21)) == date(2010, 5, 21)
    coming = DateClue("weekday", 0, 6, "Friday", "2010-05-14", "future")
    assert coming.resolve(date(2010, 5, 15)) == date(2010, 5, 21)
    april = DateClue("monthday", 0, 8, "20 April", "2010-04-20", "past")
    assert april.resolve(date(2011, 1, 5)) == date(2010, 4, 20)
    assert april.resolve(date(2011, 5, 5)) == date(2011, 4, 20)
    assert april.offset(date(2011, 4, 21)) == 1


def test_offset_tables_round_trip_and_favour_what_was_counted() -> None:
    table = OffsetTable.count([0, 0, 0, 1, 1, 2, -3, 400])
    again = OffsetTable.from_json(table.as_json())
    assert again == table
    assert table.log_density(0) > table.log_density(1) > table.log_density(5)
    assert table.log_density(400) < table.log_density(60)  # the tails spread thin
    model = train([Example("2010-05-15", (DateClue("weekday", 0, 6, "Friday", "2010-05-14"),), ("2010-05-14",))])
    assert model.clues["weekday"].counts == {1: 1.0}
    assert model.story.counts == {1: 1.0}
    assert DateModel.from_json(model.as_json()) == model


def test_the_story_and_the_weekdays_give_the_day() -> None:
    # BP's letter "on Saturday", dispersants "on Friday"; reports of the same event on 14 and 15 May 2010.
    text = ("BP says oil dispersants applied at the source of the leak on Friday have begun to take effect. "
            "US officials noted in a letter on Saturday that the firm had pledged to assume all costs.")
    reports = [Report("a", "2010-05-14"), Report("b", "2010-05-15"), Report("c", "2010-05-16")]
    found = infer_article_date(text, tag(text, None), reports)
    assert found is not None
    assert found.date == "2010-05-15"
    assert found.method == "text+story"
    assert 0 < found.confidence <= 1
    evidence = found.evidence()
    assert {c["text"] for c in evidence["clues"]} == {"Friday", "Saturday"}
    assert [r["id"] for r in evidence["reports"]] == ["a", "b", "c"]


def test_an_explicit_date_alone_dates_an_article_with_no_story() -> None:
    text = "The inquiry heard on 3 March 2011 that the valve had failed. Engineers had warned in 2009."
    found = infer_article_date(text, tag(text, None), [])
    assert found is not None
    assert found.method == "text"
    day = date.fromisoformat(found.date)
    assert date(2011, 3, 3) <= day <= date(2011, 3, 3) + timedelta(days=7)


def test_nothing_to_go_on_gives_no_date() -> None:
    text = "Divers found two more victims on Sunday, the fire service said."
    assert infer_article_date(text, tag(text, None), []) is None  # a weekday does not tell the year
    assert infer_date([], []) is None


def test_the_shipped_model_loads() -> None:
    model = load_model()
    assert set(model.clues) >= {"explicit", "weekday", "monthday", "latest"}
    assert model.text_weight > 0


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    gaps=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
    weekday=st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
)
def test_the_inferred_day_stays_near_the_story(start: date, gaps: list[int], weekday: str) -> None:
    days = [start + timedelta(days=sum(gaps[: i + 1])) for i in range(len(gaps))]
    reports = [Report(str(i), d.isoformat()) for i, d in enumerate(days)]
    text = f"Rescue teams searched the river on {weekday}, officials said."
    found = infer_article_date(text, tag(text, None), reports)
    assert found is not None
    day = date.fromisoformat(found.date)
    assert min(days) - timedelta(days=31) <= day <= max(days) + timedelta(days=31)
    assert found.window is not None and found.window[0] <= found.date <= found.window[1]
