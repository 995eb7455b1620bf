"""The date inference measured on a fixed split of Timeline17 by topic: offset tables counted on the
first 50 articles of each bpoil collection, scored on the first 25 of each H1N1, haiti and MJ one
(dates hidden one at a time). `storyline eval dates` runs it in full, leave-one-topic-out."""

from __future__ import annotations

from conftest import require_shared
from storyline.eval.dates import (
    HELD_OUT,
    LATEST_RULE,
    MEDIAN_RULE,
    TEXT_ONLY,
    evaluate_split,
    read_timeline17,
)


def test_inferred_dates_beat_the_simple_rules_on_held_out_topics() -> None:
    cases = read_timeline17(require_shared("timeline17"), per_collection=25, per_topic={"bpoil": 50})
    assert len(cases) == 375
    report = evaluate_split(cases, ["bpoil"])
    held, median, latest = report.total(HELD_OUT), report.total(MEDIAN_RULE), report.total(LATEST_RULE)
    assert held.n == 125
    # Measured: exact 0.272, within a day 0.392, within a week 0.528, coverage 0.744; the reports'
    # median day 0.088 / 0.168 / 0.336 (0.608); the latest explicit date 0.288 / 0.304 / 0.328 (0.424).
    assert held.exact / held.n >= 0.24 and held.within1 / held.n >= 0.35 and held.within7 / held.n >= 0.48
    assert held.covered >= max(median.covered, latest.covered)
    assert held.exact > median.exact
    assert held.within1 > max(median.within1, latest.within1)
    assert held.within7 > max(median.within7, latest.within7)
    assert report.total(TEXT_ONLY).covered == latest.covered  # the text alone: only with an explicit date
