"""The date inference measured on a fixed small subset of Timeline17 (the first 12 articles of each
collection), leave-one-topic-out: dates hidden, inferred, compared. `storyline eval dates` runs it in full."""

from __future__ import annotations

from conftest import require_shared
from storyline.eval.dates import HELD_OUT, TEXT_ONLY, evaluate, read_timeline17


def test_inferred_dates_beat_the_simple_rules_on_held_out_topics() -> None:
    cases = read_timeline17(require_shared("timeline17"), per_collection=12)
    assert len(cases) == 120 and len({c.topic for c in cases}) == 4
    report = evaluate(cases)
    held = report.total(HELD_OUT)
    median = report.total("rule: median report day")
    latest = report.total("rule: latest explicit date")
    text = report.total(TEXT_ONLY)
    assert held.n == 120
    # every article with a similar dated report or an explicit date gets one
    assert held.covered >= max(median.covered, latest.covered)
    # Measured on this subset: held-out exact 0.33, within 7 days 0.59; median report day 0.12 / 0.43.
    assert held.exact / held.n >= 0.25 and held.within7 / held.n >= 0.5
    assert held.exact > median.exact and held.within7 > median.within7
    assert held.exact >= latest.exact
    assert text.covered <= held.covered  # the text alone dates fewer articles
