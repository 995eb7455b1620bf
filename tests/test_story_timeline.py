"""Story timeline: ordering, granularity, merging across outlets, background events."""

from __future__ import annotations

from storyline.consolidate.timeline import build_story_timeline
from test_facts import make


def _story() -> list:
    a = make(
        "a",
        "A fire broke out at the Modderkloof battery plant on 18 February 2024. "
        "The plant opened in 2009 and employs 400 people. "
        "Firefighters contained the blaze on 19 February 2024 after a night of work.",
        "2024-02-19",
        "Meridian Press",
        timexes=[("18 February 2024", "2024-02-18"), ("2009", "2009"), ("19 February 2024", "2024-02-19")],
    )
    b = make(
        "b",
        "Fire broke out at the Modderkloof battery plant on Sunday 18 February. "
        "An inquiry into the fire will report in March 2024, the province said.",
        "2024-02-20",
        "Lakeshore Daily Post",
        timexes=[("Sunday 18 February", "2024-02-18"), ("March 2024", "2024-03")],
    )
    c = make(
        "c",
        "Residents near the plant were told on 18 February to keep their windows shut.",
        "2024-02-21",
        "Highveld Mercury",
        timexes=[("18 February", "2024-02-18")],
    )
    return [a, b, c]


def test_events_are_ordered_merged_and_keep_granularity() -> None:
    events = build_story_timeline(_story())
    assert [e.date for e in events] == ["2009", "2024-02-18", "2024-02-18", "2024-02-19", "2024-03"]
    fire = [e for e in events if e.date == "2024-02-18" and "broke out" in e.text]
    assert len(fire) == 1 and fire[0].articles == ("a", "b")
    residents = [e for e in events if e.date == "2024-02-18" and e is not fire[0]]
    assert residents[0].articles == ("c",)
    assert [e.granularity for e in events] == ["year", "day", "day", "day", "month"]


def test_background_events_are_kept_and_marked() -> None:
    events = build_story_timeline(_story())
    background = [e for e in events if e.background]
    assert [e.date for e in background] == ["2009"]
    assert "opened in 2009" in background[0].text
    assert not any(e.background for e in events if e.date.startswith("2024"))


def test_each_event_cites_its_sentence_offsets() -> None:
    story = _story()
    texts = {item.id: item.article.text for item in story}
    for event in build_story_timeline(story):
        for ref in event.sentences:
            assert ref.article_id in event.articles
            assert texts[ref.article_id][ref.start : ref.end].strip()
        assert any(texts[r.article_id][r.start : r.end] == event.text for r in event.sentences)


def test_story_without_dates_has_no_events() -> None:
    story = [make("x", "Nothing here has a date at all, only words.", "2024-01-01", "A")]
    assert build_story_timeline(story) == []
