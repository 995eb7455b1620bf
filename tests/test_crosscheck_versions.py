"""Claims on one subject and attribute compared whatever their qualifiers: versions side by side with
their spread, money in one currency at each article's date, a same-version disagreement a conflict."""

from __future__ import annotations

from typing import Any

from storyline.consolidate.crosscheck import CrossCheckConfig, cross_check
from storyline.consolidate.facts import Fact, extract_claims
from test_facts import CAR, SENAT, make


def _money(span: str, value: float, unit: str, usd: float) -> dict[str, Any]:
    return dict(span=span, value=value, unit=unit, kind="money", normalized={"USD": usd})


def _story() -> list:
    a = make(
        "a",
        "The civilian version of the Aurus Senat costs 130,000 euros, while the armoured version "
        "costs 300,000 euros.",
        "2021-01-01",
        "Motor Weekly",
        quantities=[
            _money("130,000 euros", 130000.0, "EUR", 157000.0),
            _money("300,000 euros", 300000.0, "EUR", 363000.0),
        ],
        mentions=CAR,
    )
    b = make(
        "b",
        "The civilian version of the Aurus Senat sells for $157,000.",
        "2021-01-03",
        "Auto Courier",
        quantities=[_money("$157,000", 157000.0, "USD", 157000.0)],
        mentions=CAR,
    )
    c = make(
        "c",
        "The armoured version of the Aurus Senat is priced at Rs 4.5 crore.",
        "2021-01-05",
        "Delhi Wheels",
        quantities=[_money("Rs 4.5 crore", 4.5e7, "INR", 615000.0)],
        mentions=CAR,
    )
    return [a, b, c]


def _price(facts: list[Fact], word: str) -> Fact:
    found = [f for f in facts if f.attribute == "price" and word in (f.qualifier or "")]
    assert len(found) == 1, [(f.attribute, f.qualifier, f.status) for f in facts]
    return found[0]


def test_versions_are_shown_side_by_side_with_their_spread() -> None:
    facts = cross_check(extract_claims(_story(), [SENAT]))
    civil, armoured = _price(facts, "civilian"), _price(facts, "armo")
    # same version, three currencies: euros and dollars agree at the article's date
    assert civil.status == "agreed" and set(civil.articles) == {"a", "b"}
    # same version, values far apart once in dollars: a conflict
    assert armoured.status == "conflicting"
    for fact in (civil, armoured):
        assert fact.note is not None and "differs by version" in fact.note
        assert [v.qualifier for v in fact.versions] == ["civilian version", "armoured version"]
        assert all(v.space == "USD" for v in fact.versions)
    assert civil.versions[0].normalized == 157000.0
    assert civil.spread is not None and civil.spread > 1.0  # the armoured car costs more than twice


def test_tolerance_comes_from_the_config() -> None:
    claims = extract_claims(_story(), [SENAT])
    loose = cross_check(claims, CrossCheckConfig(exchange=1.0))
    assert _price(loose, "armo").status == "agreed"


def test_a_single_version_has_no_side_by_side() -> None:
    story = _story()[1:2]
    facts = cross_check(extract_claims(story, [SENAT]))
    assert all(not f.versions and f.spread is None for f in facts)
