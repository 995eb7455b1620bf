# ruff: noqa: F811  (pytest fixtures imported from test_api_fixtures are redefined as arguments)
"""Small web and API defects: error pages for browsers, invalid dates, the timeline drawing."""

from __future__ import annotations

import itertools
import re

import pytest

from storyline.serve.web import timeline_drawing
from test_api_fixtures import Served, served  # noqa: F401

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER, "*/*", None])
@pytest.mark.parametrize("url", ["/stories/nope", "/articles/nope", "/entities/nope", "/stories/nope/x",
                                 "/nothing-here"])
def test_pages_answer_an_html_error_page(served: Served, url: str, accept: str | None) -> None:
    r = served.get(url, headers={"accept": accept} if accept else {})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html"), r.text[:200]
    assert "<!doctype html>" in r.text.lower() and "404" in r.text


def test_api_errors_stay_json_and_a_json_client_gets_json(served: Served) -> None:
    for url in ("/api/v1/stories/nope", "/api/v1/articles/nope", "/api/v1/nothing"):
        r = served.get(url, headers={"accept": BROWSER})
        assert r.status_code == 404 and r.headers["content-type"] == "application/json"
        assert r.json()["error"]["status"] == 404
    r = served.get("/stories/nope", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json() == {"error": {"status": 404, "message": "no story with id 'nope'"}}


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "2023-02-29", "2024-00", "0000", "2024-1-5",
                                   "yesterday"])
def test_invalid_dates_are_rejected_with_the_error_shape(served: Served, value: str) -> None:
    for name in ("from", "to"):
        r = served.get("/api/v1/stories", params={name: value})
        assert r.status_code == 400, (name, value, r.text)
        assert r.json()["error"]["status"] == 400 and name in r.json()["error"]["message"]
        page = served.get("/", params={name: value}, headers={"accept": BROWSER})
        assert page.status_code in (400, 422) and "text/html" in page.headers["content-type"]
        assert "not a date" in page.text or "invalid request" in page.text


def test_valid_dates_still_filter(served: Served) -> None:
    for value in ("2024", "2024-03", "2024-02-29", "2024-03-04"):
        assert served.get("/api/v1/stories", params={"from": value}).status_code == 200
        assert served.get("/", params={"from": value}, headers={"accept": BROWSER}).status_code == 200
    everything = served.get("/api/v1/stories").json()["total"]
    assert served.get("/api/v1/stories", params={"from": ""}).json()["total"] == everything


def _labels_fit(drawing: dict[str, object]) -> None:
    width = drawing["width"]
    assert isinstance(width, int)
    for tick in drawing["ticks"]:  # type: ignore[attr-defined]
        half = len(tick["label"]) * 11 * 0.6 / 2  # 11px labels, centred on their tick
        assert tick["x"] - half >= 0 and tick["x"] + half <= width, tick
    xs = [t["x"] for t in drawing["ticks"]]  # type: ignore[attr-defined]
    assert all(b - a >= 60 for a, b in itertools.pairwise(xs)), xs


def test_an_old_background_event_does_not_squeeze_the_others() -> None:
    events = [{"date": "2019-06-01", "text": "The plant opened", "background": True}] + [
        {"date": f"2024-02-{d}", "text": f"event {d}"} for d in (19, 20, 21, 22)]
    drawing = timeline_drawing(events)
    assert drawing is not None and drawing["log_scale"]
    xs = sorted(m["x"] for m in drawing["marks"] if not m["background"])
    # four days of events keep room of their own, not a sliver at the right edge
    assert xs[-1] - xs[0] >= 0.2 * (drawing["right"] - drawing["left"]), xs
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 30, xs
    old = next(m for m in drawing["marks"] if m["background"])
    assert old["x"] < xs[0] - 300
    _labels_fit(drawing)
    labels = [t["label"] for t in drawing["ticks"]]
    assert "2020" in labels and any(label.endswith("Feb") for label in labels), labels
    # a date far ahead is compressed the same way
    ahead = timeline_drawing([*events[1:], {"date": "2031", "text": "The inquiry reports"}])
    assert ahead is not None and ahead["log_scale"]
    near = sorted(m["x"] for m in ahead["marks"] if not m["bar"])
    assert min(b - a for a, b in itertools.pairwise(near)) >= 30, near


def test_timeline_without_far_off_events_is_drawn_to_scale() -> None:
    events = [{"date": d, "text": d} for d in ("2024-03-01", "2024-03-11", "2024-03-21", "2024-04-20")]
    drawing = timeline_drawing(events)
    assert drawing is not None and not drawing["log_scale"]
    xs = [m["x"] for m in drawing["marks"]]
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 1 and abs((xs[3] - xs[2]) - 3 * (xs[1] - xs[0])) < 1
    _labels_fit(drawing)
    for single in ([{"date": "2024-03-01"}], [{"date": "2024"}, {"date": "2024-03"}]):
        d = timeline_drawing(single)
        assert d is not None
        _labels_fit(d)


def test_story_page_draws_the_timeline_axis(served: Served) -> None:
    story = served.get(f"/stories/{served.story_ids[0]}", headers={"accept": BROWSER}).text
    svg = re.search(r"<svg class=\"timeline\".*?</svg>", story, re.S)
    assert svg is not None and 'class="axis"' in svg.group(0) and 'class="tick"' in svg.group(0)
