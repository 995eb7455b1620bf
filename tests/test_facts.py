"""Claims and cross-checks on small hand-built stories (offsets computed from the texts)."""

from __future__ import annotations

from typing import Any

import pytest

from storyline.consolidate.facts import Fact, cross_check, extract_claims
from storyline.model import AnnotatedArticle, Article, Entity, EntityMention, Quantity, TimeExpression


def _at(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return start, start + len(part)


def make(
    aid: str,
    text: str,
    published: str,
    source: str,
    quantities: list[dict[str, Any]] = (),  # type: ignore[assignment]
    timexes: list[tuple[str, str]] = (),  # type: ignore[assignment]
    mentions: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
) -> AnnotatedArticle:
    qs = []
    for q in quantities:
        q = dict(q)
        start, end = _at(text, q.pop("span"), q.pop("nth", 0))
        qs.append(Quantity(start=start, end=end, text=text[start:end], **q))
    ts = []
    for part, value in timexes:
        start, end = _at(text, part)
        ts.append(TimeExpression(start, end, text[start:end], "DATE", value))
    ms = []
    for part, key, label in mentions:
        start = -1
        while True:
            start = text.find(part, start + 1)
            if start < 0:
                break
            ms.append(EntityMention(start, start + len(part), part, label, key))
    return AnnotatedArticle(
        id=aid,
        article=Article(text=text, published=published, source=source),
        timexes=tuple(ts),
        quantities=tuple(qs),
        mentions=tuple(ms),
    )


SENAT = Entity("PRODUCT:aurus senat", "Aurus Senat", "PRODUCT", ("Aurus Senat", "Senat"))
MOSCOW_SHOW = Entity("EVENT:moscow motor show", "Moscow Motor Show", "EVENT", ("Moscow Motor Show",))
GENEVA_SHOW = Entity("EVENT:geneva motor show", "Geneva Motor Show", "EVENT", ("Geneva Motor Show",))
CAR = [("Aurus Senat", SENAT.key, "PRODUCT")]


def _one(facts: list[Fact], attribute: str, qualifier: str | None = None) -> Fact:
    found = [f for f in facts if f.attribute == attribute and f.qualifier == qualifier]
    assert len(found) == 1, [(f.attribute, f.qualifier, f.status) for f in facts]
    return found[0]


def test_price_conflict_across_currencies_with_no_rate_listed_apart() -> None:
    a = make(
        "a1",
        "The Aurus Senat limousine went on sale this week. The car costs 130,000 euros, the maker said.",
        "2021-03-02",
        "Outlet A",
        quantities=[
            dict(
                span="130,000 euros",
                value=130000.0,
                unit="EUR",
                kind="money",
                normalized={"USD": 157000.0, "EUR": 130000.0, "rate_date": "2021-03-02"},
            )
        ],
        mentions=CAR,
    )
    b = make(
        "b1",
        "Buyers of the Aurus Senat will pay about $300,000 for the car, dealers say.",
        "2021-03-03",
        "Outlet B",
        quantities=[
            dict(
                span="$300,000",
                value=300000.0,
                unit="USD",
                kind="money",
                approximate=True,
                normalized={"USD": 300000.0, "EUR": 248000.0, "rate_date": "2021-03-03"},
            )
        ],
        mentions=CAR,
    )
    c = make(
        "c1",
        "The Aurus Senat is priced at 18 million roubles in Russia.",
        "2023-05-03",
        "Outlet C",
        quantities=[
            dict(
                span="18 million roubles",
                value=18e6,
                unit="RUB",
                kind="money",
                normalized={"note": "no rate"},
            )
        ],
        mentions=CAR,
    )
    claims = extract_claims([a, b, c], [SENAT])
    assert {(cl.article_id, cl.attribute, cl.subject) for cl in claims} == {
        ("a1", "price", SENAT.key),
        ("b1", "price", SENAT.key),
        ("c1", "price", SENAT.key),
    }
    price = _one(cross_check(claims), "price")
    assert price.status == "conflicting"
    by_article = {v.articles: v for v in price.values}
    assert by_article[("a1",)].text == "130,000 euros"
    assert by_article[("b1",)].approximate
    assert by_article[("a1",)].cluster != by_article[("b1",)].cluster
    rouble = by_article[("c1",)]
    assert not rouble.comparable and rouble.normalized == {"note": "no rate"}
    span = rouble.spans[0]
    assert c.article.text[span.start : span.end] == "18 million roubles"


def test_agreed_weight_in_tonnes_and_kilograms() -> None:
    a = make(
        "a",
        "The Aurus Senat weighs 6.5 tonnes in its armoured form.",
        "2021-01-01",
        "A",
        quantities=[dict(span="6.5 tonnes", value=6.5, unit="t")],
        mentions=CAR,
    )
    b = make(
        "b",
        "At 6,500 kg, the Aurus Senat is heavy.",
        "2021-01-02",
        "B",
        quantities=[dict(span="6,500 kg", value=6500.0, unit="kg")],
        mentions=CAR,
    )
    c = make(
        "c",
        "The car weighs about 6,400 kg, its maker says.",
        "2021-01-03",
        "C",
        quantities=[dict(span="6,400 kg", value=6400.0, unit="kg", approximate=True)],
    )
    facts = cross_check(extract_claims([a, b, c], [SENAT]))
    weight = _one(facts, "weight")
    assert weight.status == "agreed"
    assert set(weight.articles) == {"a", "b", "c"}
    assert {v.cluster for v in weight.values} == {0}


def test_wrong_kilograms_figure_is_a_conflict() -> None:
    a = make(
        "a",
        "The Aurus Senat weighs 6.5 tonnes.",
        "2021-01-01",
        "A",
        quantities=[dict(span="6.5 tonnes", value=6.5, unit="t")],
        mentions=CAR,
    )
    b = make(
        "b",
        "The Aurus Senat weighs 2,700 kg.",
        "2021-01-02",
        "B",
        quantities=[dict(span="2,700 kg", value=2700.0, unit="kg")],
        mentions=CAR,
    )
    assert _one(cross_check(extract_claims([a, b], [SENAT])), "weight").status == "conflicting"


def test_wrong_year_of_inauguration_is_a_conflict_and_granularity_is_kept() -> None:
    plant = Entity("FAC:kursk plant", "Kursk plant", "FAC", ("Kursk plant",))
    men = [("Kursk plant", plant.key, "FAC")]
    a = make(
        "a",
        "The Kursk plant was inaugurated in May 2018 by the governor.",
        "2024-02-01",
        "A",
        timexes=[("May 2018", "2018-05")],
        mentions=men,
    )
    b = make(
        "b",
        "The Kursk plant, inaugurated on 12 May 2018, employs 900 people.",
        "2024-02-02",
        "B",
        timexes=[("12 May 2018", "2018-05-12")],
        mentions=men,
    )
    c = make(
        "c",
        "Since the plant was inaugurated in 2006, output has doubled.",
        "2024-02-03",
        "C",
        timexes=[("2006", "2006")],
        mentions=[],
    )
    facts = cross_check(extract_claims([a, b, c], [plant]))
    when = _one(facts, "date of inauguration")
    assert when.status == "conflicting"
    clusters: dict[int, set[str]] = {}
    for value in when.values:
        clusters.setdefault(value.cluster, set()).update(value.articles)
    assert sorted(map(sorted, clusters.values())) == [["a", "b"], ["c"]]
    assert {v.value for v in when.values} == {"2018-05", "2018-05-12", "2006"}


def test_first_showing_at_two_motor_shows_conflicts_on_venue_and_year() -> None:
    men = [
        *CAR,
        ("Moscow Motor Show", MOSCOW_SHOW.key, "EVENT"),
        ("Geneva Motor Show", GENEVA_SHOW.key, "EVENT"),
    ]
    a = make(
        "a",
        "The Aurus Senat was first shown at the Moscow Motor Show in August 2018.",
        "2021-01-01",
        "A",
        timexes=[("August 2018", "2018-08")],
        mentions=men,
    )
    b = make(
        "b",
        "The Aurus Senat was first shown at the Moscow Motor Show in 2018.",
        "2021-01-01",
        "B",
        timexes=[("2018", "2018")],
        mentions=men,
    )
    c = make(
        "c",
        "The Aurus Senat debuted at the Geneva Motor Show in 2019.",
        "2021-01-02",
        "C",
        timexes=[("2019", "2019")],
        mentions=men,
    )
    facts = cross_check(extract_claims([a, b, c], [SENAT, MOSCOW_SHOW, GENEVA_SHOW]))
    venue = _one(facts, "first shown at")
    assert venue.status == "conflicting"
    assert {v.value: v.articles for v in venue.values} == {
        MOSCOW_SHOW.key: ("a", "b"),
        GENEVA_SHOW.key: ("c",),
    }
    assert _one(facts, "date first shown").status == "conflicting"


def test_qualified_prices_stand_side_by_side() -> None:
    a = make(
        "a",
        "The civilian version of the Aurus Senat costs 130,000 euros, while the armoured version "
        "costs 300,000 euros.",
        "2021-01-01",
        "A",
        quantities=[
            dict(
                span="130,000 euros",
                value=130000.0,
                unit="EUR",
                kind="money",
                normalized={"USD": 157000.0, "EUR": 130000.0},
            ),
            dict(
                span="300,000 euros",
                value=300000.0,
                unit="EUR",
                kind="money",
                normalized={"USD": 363000.0, "EUR": 300000.0},
            ),
        ],
        mentions=CAR,
    )
    b = make(
        "b",
        "The Aurus Senat costs 130,000 euros.",
        "2021-01-02",
        "B",
        quantities=[
            dict(
                span="130,000 euros",
                value=130000.0,
                unit="EUR",
                kind="money",
                normalized={"USD": 157100.0, "EUR": 130000.0},
            )
        ],
        mentions=CAR,
    )
    facts = cross_check(extract_claims([a, b], [SENAT]))
    civil = _one(facts, "price", "civilian version")
    armoured = _one(facts, "price", "armoured version")
    assert civil.status == "agreed" and set(civil.articles) == {"a", "b"}
    assert armoured.status == "single-source"
    assert [f.status for f in facts if f.status == "conflicting"] == []


def test_rising_death_toll_is_a_dated_update_not_a_silent_merge() -> None:
    a = make(
        "a",
        "The explosion on the rig killed 7 workers, officials said.",
        "2010-04-21",
        "A",
        quantities=[dict(span="7 workers", value=7.0, unit=None, kind="count", measured="workers")],
    )
    b = make(
        "b",
        "The death toll rose to 11 workers on Thursday.",
        "2010-04-23",
        "B",
        quantities=[dict(span="11 workers", value=11.0, unit=None, kind="count", measured="workers")],
    )
    c = make(
        "c",
        "Eleven workers were killed: 11 workers in all, according to officials.",
        "2010-04-24",
        "C",
        quantities=[dict(span="11 workers", value=11.0, unit=None, kind="count", measured="workers")],
    )
    facts = cross_check(extract_claims([a, b, c], []))
    toll = _one(facts, "death toll")
    assert toll.status == "conflicting"
    assert toll.is_update
    assert [(d, aid) for d, _, aid in toll.evolution] == [
        ("2010-04-21", "a"),
        ("2010-04-23", "b"),
        ("2010-04-24", "c"),
    ]
    assert any(v.attributions for v in toll.values)


def test_falling_figure_is_not_called_an_update() -> None:
    a = make(
        "a",
        "The crash killed 40 people.",
        "2010-04-21",
        "A",
        quantities=[dict(span="40 people", value=40.0, unit=None, kind="count", measured="people")],
    )
    b = make(
        "b",
        "The crash killed 12 people.",
        "2010-04-23",
        "B",
        quantities=[dict(span="12 people", value=12.0, unit=None, kind="count", measured="people")],
    )
    toll = _one(cross_check(extract_claims([a, b], [])), "death toll")
    assert toll.status == "conflicting" and not toll.is_update


def test_rounded_figures_agree_and_exact_counts_do_not_stretch() -> None:
    a = make(
        "a",
        "The spill has cost BP $8bn so far.",
        "2010-09-03",
        "A",
        quantities=[dict(span="$8bn", value=8e9, unit="USD", kind="money", normalized={"USD": 8e9})],
        mentions=[("BP", "ORG:bp", "ORG")],
    )
    b = make(
        "b",
        "BP said the cost of the spill had reached $8.2bn.",
        "2010-09-04",
        "B",
        quantities=[dict(span="$8.2bn", value=8.2e9, unit="USD", kind="money", normalized={"USD": 8.2e9})],
        mentions=[("BP", "ORG:bp", "ORG")],
    )
    bp = Entity("ORG:bp", "BP", "ORG", ("BP",))
    assert _one(cross_check(extract_claims([a, b], [bp])), "cost").status == "agreed"


def _extracted(aid: str, text: str, published: str = "2009-04-28") -> AnnotatedArticle:
    """An article annotated by the quantity extractor itself (for the bound and bare-count rules)."""
    from storyline.enrich.quantities import extract_quantities

    return AnnotatedArticle(
        id=aid,
        article=Article(text=text, published=published, source=aid),
        quantities=tuple(extract_quantities(text, published)),
    )


def _status(text_a: str, text_b: str, attribute: str) -> str:
    facts = cross_check(extract_claims([_extracted("a", text_a), _extracted("b", text_b)], []))
    return _one(facts, attribute).status


@pytest.mark.parametrize(
    ("text_a", "text_b", "attribute", "status"),
    [
        # a lower bound does not agree with a figure below it ...
        (
            "SARS killed more than 800 people in 2003 .",
            "In 2003 , 774 people died of SARS .",
            "death toll",
            "conflicting",
        ),
        (
            "The virus has killed at least 81 people .",
            "The virus has killed 81 people .",
            "death toll",
            "agreed",
        ),
        ("Officials said over 100 people died .", "Officials said 101 people died .", "death toll", "agreed"),
        # ... nor with one well above it, for a toll
        ("At least seven workers were killed .", "Nine workers were killed .", "death toll", "conflicting"),
        # other figures keep some room above a lower bound
        (
            "More than 20 people were treated in hospital .",
            "Paramedics said 23 people were taken to hospital .",
            "hospitalised",
            "agreed",
        ),
        # an upper bound does not agree with a figure above it, nor, for a toll, one well below it
        ("The flu has killed up to 159 people .", "The flu has killed 159 people .", "death toll", "agreed"),
        (
            "The flu has killed up to 149 people .",
            "The flu has killed 103 people .",
            "death toll",
            "conflicting",
        ),
        (
            "Fewer than 50 residents were evacuated .",
            "About 60 residents were evacuated .",
            "evacuated",
            "conflicting",
        ),
        ("Fewer than 50 residents were evacuated .", "45 residents were evacuated .", "evacuated", "agreed"),
    ],
)
def test_bounds_are_one_sided(text_a: str, text_b: str, attribute: str, status: str) -> None:
    assert _status(text_a, text_b, attribute) == status


@pytest.mark.parametrize(
    ("text_a", "text_b", "attribute"),
    [
        (
            "A new strain of swine flu that has killed 81 and prompted fears .",
            "The virus has killed 81 people .",
            "death toll",
        ),
        (
            "Two more cases were confirmed in Kansas , bringing the US total to 11 .",
            "In the US , 11 people are now known to have been infected .",
            "cases",
        ),
        (
            "The confirmed death toll had risen by one , to 16 .",
            "He said 16 deaths were confirmed as caused by the flu .",
            "death toll",
        ),
        (
            "At 64 , the US has the greatest number of confirmed cases .",
            "The US has 64 confirmed cases .",
            "cases",
        ),
        ("Mexico : 103 dead .", "The outbreak killed 103 people in Mexico .", "death toll"),
    ],
)
def test_bare_counts_are_claims_of_the_implied_attribute(text_a: str, text_b: str, attribute: str) -> None:
    assert _status(text_a, text_b, attribute) == "agreed"


def test_figures_of_a_list_of_places_are_kept_apart_by_place() -> None:
    facts = cross_check(
        extract_claims(
            [
                _extracted("a", "Cases confirmed in laboratories include Spain (93), Britain (39) ."),
                _extracted("b", "Cases confirmed in laboratories include Spain (93), Britain (40) ."),
            ],
            [],
        )
    )
    assert _one(facts, "cases", "in Spain").status == "agreed"
    assert _one(facts, "cases", "in Britain").status == "conflicting"


def _toll(aid: str, text: str, day: str, source: str, figure: str, value: float) -> AnnotatedArticle:
    return make(
        aid,
        text,
        day,
        source,
        quantities=[dict(span=figure, value=value, unit=None, kind="count", measured="people")],
    )


def test_same_day_disagreement_is_a_conflict_not_a_change_over_time() -> None:
    """Issue 10 item 7: 12 dead per the coast guard and 17 per the police on the same day, then 20 the
    next day, is a disagreement: the brief must not say the figure "changed over time"."""
    from storyline.consolidate.brief import _conflict_sentence

    a = _toll(
        "a", "The shipwreck killed 12 people, the coast guard said.", "2024-03-02", "A", "12 people", 12.0
    )
    b = _toll("b", "The shipwreck killed 17 people, the police said.", "2024-03-02", "B", "17 people", 17.0)
    c = _toll("c", "The shipwreck killed 20 people, officials said.", "2024-03-03", "C", "20 people", 20.0)
    toll = _one(cross_check(extract_claims([a, b, c], [])), "death toll")
    assert toll.status == "conflicting"
    assert not toll.is_update and toll.evolution == ()
    assert toll.note is not None and "same day" in toll.note
    sentence = _conflict_sentence(toll, {"a": "A", "b": "B", "c": "C"})
    assert sentence.kind == "conflict" and "over time" not in sentence.text
    # only the same-day pair: a plain disagreement too
    alone = _one(cross_check(extract_claims([a, b], [])), "death toll")
    assert alone.status == "conflicting" and not alone.is_update and alone.evolution == ()


def test_figure_rising_across_days_with_same_day_agreement_is_an_evolution() -> None:
    a = _toll(
        "a", "The shipwreck killed 12 people, the coast guard said.", "2024-03-02", "A", "12 people", 12.0
    )
    b = _toll("b", "Police said 12 people died in the shipwreck.", "2024-03-02", "B", "12 people", 12.0)
    c = _toll("c", "The death toll rose to 20 people on Sunday.", "2024-03-03", "C", "20 people", 20.0)
    toll = _one(cross_check(extract_claims([a, b, c], [])), "death toll")
    assert toll.status == "conflicting" and toll.is_update
    assert [(d, aid) for d, _, aid in toll.evolution] == [
        ("2024-03-02", "a"),
        ("2024-03-02", "b"),
        ("2024-03-03", "c"),
    ]


def test_places_of_a_first_showing_and_a_signing_are_compared() -> None:
    geneva = Entity("GPE:geneva", "Geneva", "GPE", ("Geneva",))
    paris = Entity("GPE:paris", "Paris", "GPE", ("Paris",))
    men = [*CAR, ("Geneva", geneva.key, "GPE"), ("Paris", paris.key, "GPE")]
    a = make(
        "a",
        "The Aurus Senat was first shown in Geneva in March 2019, and the export deal was signed in Paris.",
        "2021-01-01",
        "A",
        timexes=[("March 2019", "2019-03")],
        mentions=men,
    )
    b = make(
        "b",
        "The Aurus Senat was unveiled in Paris in 2018.",
        "2021-01-02",
        "B",
        timexes=[("2018", "2018")],
        mentions=men,
    )
    c = make(
        "c",
        "The Aurus Senat export deal was signed in Paris last year.",
        "2021-01-03",
        "C",
        mentions=men,
    )
    facts = cross_check(extract_claims([a, b, c], [SENAT, geneva, paris]))
    place = _one(facts, "place first shown")
    assert place.status == "conflicting"
    assert {v.value: v.articles for v in place.values} == {geneva.key: ("a",), paris.key: ("b",)}
    assert _one(facts, "date first shown").status == "conflicting"  # a year apart
    assert _one(facts, "place signed").status == "agreed"
