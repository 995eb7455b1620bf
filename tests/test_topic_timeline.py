"""Topic timeline on a small synthetic set, and the Timeline17 gate."""

from __future__ import annotations

import pytest

from conftest import require_shared
from storyline.consolidate.topic_timeline import TopicTimelineConfig, build_topic_timeline
from test_facts import make


def _articles() -> list:
    texts = [
        (
            "1",
            "2024-03-02",
            "The Sorvenne tunnel flooded on 1 March 2024 after heavy rain in the valley . "
            "Engineers pumped water out of the Sorvenne tunnel through the night .",
        ),
        (
            "2",
            "2024-03-02",
            "Water filled the Sorvenne tunnel on 1 March 2024 , closing the road link . "
            "Drivers were sent over the mountain pass instead .",
        ),
        (
            "3",
            "2024-03-03",
            "After the flood of 1 March 2024 the operator closed the Sorvenne tunnel for checks . "
            "Divers inspected the drains on 2 March 2024 and found them blocked by mud .",
        ),
        (
            "4",
            "2024-04-13",
            "The Sorvenne tunnel reopened on 12 April 2024 after six weeks of repairs . "
            "The first cars went through the Sorvenne tunnel at dawn .",
        ),
        (
            "5",
            "2024-04-14",
            "Traffic returned to the Sorvenne tunnel , which reopened on 12 April 2024 . "
            "The repairs cost the region more than expected .",
        ),
        (
            "6",
            "2024-04-20",
            "A week after the Sorvenne tunnel reopened on 12 April 2024 , traffic is back to normal .",
        ),
        ("7", "2024-04-22", "Since 12 April 2024 the Sorvenne tunnel carries lorries again ."),
    ]
    out = []
    for aid, day, text in texts:
        timexes = []
        for part, value in [
            ("1 March 2024", "2024-03-01"),
            ("2 March 2024", "2024-03-02"),
            ("12 April 2024", "2024-04-12"),
        ]:
            if part in text:
                timexes.append((part, value))
        out.append(make(aid, text, day, "Outlet " + aid, timexes=timexes))
    return out


def test_dates_are_chosen_by_how_many_articles_refer_to_them() -> None:
    timeline = build_topic_timeline(_articles(), max_dates=2, sentences_per_date=1)
    assert [day for day, _ in timeline] == ["2024-03-01", "2024-04-12"]
    for _day, sentences in timeline:
        assert len(sentences) == 1
        assert sentences[0].article_id in {"1", "2", "3", "4", "5", "6", "7"}


def test_sentences_of_a_date_mention_it_and_are_not_repeated() -> None:
    items = _articles()
    texts = {a.id: a.article.text for a in items}
    timeline = dict(build_topic_timeline(items, max_dates=3, sentences_per_date=2))
    flood = timeline["2024-03-01"]
    assert len(flood) == 2 and len({s.text for s in flood}) == 2
    for s in flood:
        assert texts[s.article_id][s.start : s.end] == s.text
        assert "1 March 2024" in s.text


def test_time_span_limits_the_dates() -> None:
    timeline = build_topic_timeline(_articles(), max_dates=5, sentences_per_date=1, start="2024-04-01")
    days = [day for day, _ in timeline]
    assert days[0] == "2024-04-12"
    assert all(day >= "2024-04-01" for day in days)


def test_nothing_asked_nothing_given() -> None:
    assert build_topic_timeline(_articles(), max_dates=0, sentences_per_date=2) == []


@pytest.mark.eval
def test_timeline17_gate_on_three_timelines() -> None:
    root = require_shared("timeline17")
    from storyline.eval.timeline import evaluate_timeline17

    report = evaluate_timeline17(root, topics=["H1N1_bbc", "H1N1_guardian", "H1N1_reuters"])
    mean = report.mean
    assert len(report.timelines) == 3
    # reached on these three: align ROUGE-1 F 0.150, date F1 0.806 (all ten, dev: 0.137 / 0.669;
    # leave-one-topic-out: 0.134 / 0.667)
    assert mean["align_m:1_rouge_1"] >= 0.13
    assert mean["date_f1"] >= 0.72


@pytest.mark.eval
def test_leave_one_topic_out_on_a_small_subset() -> None:
    """Three small timelines of two topics, a 2x2 grid: each topic is scored under settings chosen
    on the other topic only."""
    root = require_shared("timeline17")
    from storyline.eval.timeline import fast_scores, leave_one_topic_out, load_cases, score_case

    cases = load_cases(root, topics=["H1N1_bbc", "H1N1_guardian", "bpoil_foxnews"])
    grid: dict[str, tuple[float | int, ...]] = {"topic_weight": (0.5, 1.0), "mmr_lambda": (0.75, 0.9)}
    report = leave_one_topic_out(cases, grid)
    assert set(report.chosen) == {"H1N1", "bpoil"}
    for case, entry in zip(cases, report.held_out.timelines, strict=True):
        # the held-out score is the score under the setting chosen without the case's topic
        assert entry.scores == score_case(case, report.chosen[case.topic], scorer=fast_scores)
    mean = report.held_out.mean
    # reached: align ROUGE-1 F 0.148, ROUGE-2 F 0.039, date F1 0.894
    assert mean["align_m:1_rouge_1"] >= 0.135
    assert mean["date_f1"] >= 0.85


def test_alignment_rouge_matches_tilse() -> None:
    """Our alignment ROUGE (many-to-one, date-content costs) and date F1 give tilse's numbers."""
    from storyline.eval.timeline import fast_scores, score_timeline

    reference = [
        ("2010-04-20", ["An explosion on the Deepwater Horizon rig kills 11 workers ."]),
        ("2010-04-22", ["The rig sinks into the Gulf of Mexico ."]),
        ("2010-05-02", ["President Obama visits the Gulf coast .", "Fishing is banned in federal waters ."]),
        ("2010-07-15", ["BP caps the leaking well ."]),
    ]
    predicted = [
        ("2010-04-20", ["A blast on the Deepwater Horizon drilling rig killed 11 workers on Tuesday ."]),
        ("2010-04-23", ["The burning rig sank into the Gulf of Mexico , leaving oil leaking ."]),
        ("2010-05-01", ["Obama will visit the Gulf coast on Sunday , the White House said ."]),
        ("2010-06-01", ["BP 's top kill attempt failed to stop the leak ."]),
    ]
    ours = fast_scores(predicted, reference)
    theirs = score_timeline(predicted, reference)
    for key, value in ours.items():
        assert value == pytest.approx(theirs[key], abs=1e-12), key
    assert 0 < ours["align_m:1_rouge_1"] < 1 and ours["date_f1"] == pytest.approx(0.25)


def test_a_day_named_only_before_it_happens_weighs_less_with_a_forward_weight() -> None:
    # two articles published before 12 April name it (a plan), two published after it name 1 March
    items = [
        make("a", "The Sorvenne tunnel will reopen on 12 April 2024 , the operator said on Monday .",
             "2024-03-20", "Outlet a", timexes=[("12 April 2024", "2024-04-12")]),
        make("b", "Repairs should let the Sorvenne tunnel reopen on 12 April 2024 , engineers said .",
             "2024-03-25", "Outlet b", timexes=[("12 April 2024", "2024-04-12")]),
        make("c", "The Sorvenne tunnel flooded on 1 March 2024 after heavy rain in the valley .",
             "2024-03-05", "Outlet c", timexes=[("1 March 2024", "2024-03-01")]),
        make("d", "Since the flood of 1 March 2024 the Sorvenne tunnel has stayed closed to traffic .",
             "2024-03-07", "Outlet d", timexes=[("1 March 2024", "2024-03-01")]),
    ]
    plain = TopicTimelineConfig(published_weight=0.0)
    backward = TopicTimelineConfig(published_weight=0.0, forward_weight=0.5)
    assert [d for d, _ in build_topic_timeline(items, 1, 1, config=plain)] == ["2024-03-01"]  # tie: earlier day
    assert [d for d, _ in build_topic_timeline(items, 1, 1, config=backward)] == ["2024-03-01"]
    flipped = TopicTimelineConfig(published_weight=0.0, forward_weight=2.0)
    assert [d for d, _ in build_topic_timeline(items, 1, 1, config=flipped)] == ["2024-04-12"]


def test_a_sentence_goes_under_one_date_only() -> None:
    sentence = "Schools in Northgate will close on Friday and reopen on Monday after the storm ."
    articles = [
        # one sentence naming two days
        make("a", sentence, "2024-03-14", "Meridian Press",
             timexes=[("Friday", "2024-03-15"), ("Monday", "2024-03-18")]),
        # the same wire sentence in another outlet, its weekday resolved differently
        make("b", sentence, "2024-03-14", "Highveld Mercury",
             timexes=[("Friday", "2024-03-08"), ("Monday", "2024-03-11")]),
        make("c", "The storm reached Northgate on Friday with winds of 120 km/h and heavy rain .",
             "2024-03-16", "Lakeshore Daily Post", timexes=[("Friday", "2024-03-15")]),
    ]
    timeline = build_topic_timeline(articles, max_dates=6, sentences_per_date=2)
    shown = [s.text for _, chosen in timeline for s in chosen]
    assert shown.count(sentence) == 1, timeline
    assert [day for day, _ in timeline] == ["2024-03-15"]  # the days only that sentence names are left out
