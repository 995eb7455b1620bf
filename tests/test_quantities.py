"""extract_quantities on the forms news writes amounts in, and on numbers that are not amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.clean.normalize import normalize_text
from storyline.enrich.quantities import extract_quantities, parse_number
from storyline.model import Quantity


def only(text: str, published: str | None = "2010-05-14") -> Quantity:
    found = extract_quantities(text, published)
    assert len(found) == 1, found
    q = found[0]
    assert text[q.start : q.end] == q.text
    return q


@pytest.mark.parametrize(
    ("text", "value", "unit", "kind"),
    [
        ("He sold it for 130,000 euros.", 130_000, "EUR", "money"),
        ("It cost $300,000 to build.", 300_000, "USD", "money"),
        ("fined 82 million rubles", 82e6, "RUB", "money"),
        ("fined 82 million roubles", 82e6, "RUB", "money"),
        ("worth 168 million Japanese yen", 168e6, "JPY", "money"),
        ("a deal worth £50m", 50e6, "GBP", "money"),
        ("a cap of $ 75m on damages", 75e6, "USD", "money"),
        ("a €1.2bn fund", 1.2e9, "EUR", "money"),
        ("raised Rs 5 crore", 5e7, "INR", "money"),
        ("raised ₹5 lakh", 5e5, "INR", "money"),
        ("a car weighing 3.1 ton", 3.1, "t", "quantity"),
        ("12 tonnes of food", 12, "t", "quantity"),
        ("a 600 horsepower engine", 600, "hp", "quantity"),
        ("a 600 hp engine", 600, "hp", "quantity"),
        ("rated at 450 kW", 450, "kW", "quantity"),
        ("a 4.4-liter V8", 4.4, "L", "quantity"),
        ("5,000 barrels a day", 5000, "bbl/d", "quantity"),
        ("5,000 barrels per day", 5000, "bbl/d", "quantity"),
        ("at least 11,000 bpd", 11_000, "bbl/d", "quantity"),
        ("35,000 gallons of oil", 35_000, "gal", "quantity"),
        ("up 20 percent", 20, "%", "quantity"),
        ("up 20%", 20, "%", "quantity"),
        ("up 20 per cent", 20, "%", "quantity"),
        ("42 miles away", 42, "mi", "quantity"),
        ("5,000 feet beneath", 5000, "ft", "quantity"),
        ("nine miles off the coast", 9, "mi", "quantity"),
        ("(14km) off", 14, "km", "quantity"),
        ("winds of 105mph", 105, "mph", "quantity"),
        ("killing 11 workers", 11, "count", "count"),
        ("three people died", 3, "count", "count"),
        ("Eleven people died", 11, "count", "count"),
        ("a dozen eggs", 12, "count", "count"),
        ("tens of millions of artillery shells", 1e7, "count", "count"),
        ("more than 750 fishermen", 750, "count", "count"),
    ],
)
def test_amounts(text: str, value: float, unit: str, kind: str) -> None:
    q = only(text)
    assert q.value == pytest.approx(value)
    assert (q.unit, q.kind) == (unit, kind)


def test_two_thirds_is_a_percentage() -> None:
    q = only("two-thirds of voters")
    assert q.unit == "%"
    assert q.value == pytest.approx(200 / 3)


def test_tokenised_text_is_read_after_the_cleaner_normalizes_it() -> None:
    # Penn-Treebank text ("-LRB-", "#" for the pound, "25 ,000") is the cleaner's business: the
    # extractor only ever sees normalized text.
    text = normalize_text("a statutory cap of $ 75m -LRB- # 50m -RRB- for 25 ,000 claims .")
    usd, gbp, claims = extract_quantities(text, "2010-05-15")
    assert (usd.text, usd.unit, usd.value) == ("$75m", "USD", 75e6)
    assert (gbp.text, gbp.unit, gbp.value) == ("£50m", "GBP", 50e6)
    assert (claims.value, claims.unit) == (25_000, "count")


def test_extractor_has_no_tokeniser_branches() -> None:
    assert all(q.unit != "GBP" for q in extract_quantities("a cap of # 50m on damages"))
    assert parse_number("60 ,000") is None


def test_rand_per_month_keeps_the_period() -> None:
    q = only("contracts from R129 p/m", "2019-06-03")
    assert (q.unit, q.value) == ("ZAR", 129)
    assert q.normalized is not None and q.normalized["per"] == "mo"


def test_count_per_year() -> None:
    q = only("about 500 per year")
    assert (q.value, q.unit, q.approximate) == (500, "count", True)
    assert q.normalized == {"per": "yr"}


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("around 1,000 people", "around"),
        ("about $300,000", "about"),
        ("an estimated 4.9 million barrels", "an estimated"),
        ("some 100 miles south", "some"),
        ("nearly five million barrels", "nearly"),
        ("more than 1,000 people", "more than"),
        ("up to 90m doses", "up to"),
        ("roughly 16,000 barrels", "roughly"),
        ("approximately 30 tonnes", "approximately"),
        ("~30 tonnes", "~"),
    ],
)
def test_approximate(text: str, word: str) -> None:
    q = only(text)
    assert q.approximate
    assert q.text.startswith(word)


def test_exact_is_not_approximate() -> None:
    assert not only("killing 11 workers").approximate


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("3-4 tonnes", 3, 4, "t"),
        ("between 12,000 and 19,000 barrels", 12_000, 19_000, "bbl"),
        ("12,000-25,000 bpd", 12_000, 25_000, "bbl/d"),
        ("250,000 to 400,000 tonnes of oil", 250_000, 400_000, "t"),
        ("$1-2bn", 1e9, 2e9, "USD"),
    ],
)
def test_ranges(text: str, low: float, high: float, unit: str) -> None:
    q = only(text)
    assert (q.value, q.value_max, q.unit) == (low, high, unit)


@pytest.mark.parametrize(
    ("text", "measured"),
    [
        ("5,000 barrels a day", "barrels"),
        ("tens of millions of artillery shells", "shells"),
        ("more than 1,000 people", "people"),
        ("two Texas beaches", "beaches"),
        ("three of the leading players", "players"),
        ("the $ 20 billion escrow fund", "fund"),
    ],
)
def test_measured_noun(text: str, measured: str) -> None:
    assert only(text).measured == measured


@pytest.mark.parametrize(
    "text",
    [
        "It happened in 2010 .",
        "On May 5 the well blew .",
        "on 20 April , police said",
        "at 10:30 am local time",
        "Thu May 27 , 2010 12:32 pm EDT",
        "the 46-year-old said",
        "he died aged 50",
        "call 0370 60 60 900 to donate",
        "the first case",
        "the 2012 Games",
        "the Macondo 252 well",
        "the H1N1 virus",
        "for 85 days",
        "a seven-member panel",
        "BBC Radio 4",
        "the FTSE 100 index",
        "to # 41 , you are right",
        "in the 1990s",
    ],
)
def test_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_offsets_index_into_the_text() -> None:
    text = "BP said 11 workers died and $ 20 billion was set aside; 5,000 barrels a day leaked."
    found = extract_quantities(text, "2010-06-20")
    assert [q.text for q in found] == ["11 workers", "$ 20 billion", "5,000 barrels a day"]
    assert all(text[q.start : q.end] == q.text for q in found)


def test_money_is_normalized_at_the_publication_day() -> None:
    q = only("a fund of €100m", "2024-03-01")
    assert q.normalized is not None
    assert q.normalized["EUR"] == pytest.approx(100e6)
    assert q.normalized["rate_date"] == "2024-03-01"
    assert 1.0e8 < q.normalized["USD"] < 1.2e8


def test_money_without_a_rate_keeps_the_original() -> None:
    q = only("fined 82 million rubles", "2024-03-01")
    assert q.normalized is not None and q.normalized["note"] == "no rate"
    assert (q.value, q.unit) == (82e6, "RUB")


def test_physical_amounts_are_normalized_to_base_units() -> None:
    q = only("5,000 feet beneath")
    assert q.normalized == {"value": pytest.approx(1524.0), "unit": "m"}
    flow = only("5,000 barrels a day")
    assert flow.normalized == {"value": pytest.approx(5000.0), "unit": "bbl/d"}


# ---------------------------------------------------------------- number parsing


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_grouped_integers(n: int) -> None:
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=9))
def test_parse_grouped_decimals(whole: int, tenth: int) -> None:
    assert parse_number(f"{whole:,}.{tenth}") == pytest.approx(whole + tenth / 10)


@given(
    st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [("million", 1e6), ("bn", 1e9), ("m", 1e6), ("billion", 1e9), ("k", 1e3), ("crore", 1e7)]
    ),
    st.sampled_from(["", " "]),
)
def test_parse_scaled(number: object, scale: tuple[str, float], gap: str) -> None:
    word, factor = scale
    assert parse_number(f"{number}{gap}{word}") == pytest.approx(float(str(number)) * factor)


@given(st.integers(min_value=1000, max_value=999_999_999))
def test_tokenised_thousands_are_normalized_then_parsed(n: int) -> None:
    text = normalize_text(f"some {n:,} people came, he said .".replace(",", " ,"))
    assert text == f"some {n:,} people came, he said."
    assert parse_number(f"{n:,}") == n


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("one", 1),
        ("eleven", 11),
        ("twenty-five", 25),
        ("ninety nine", 99),
        ("a dozen", 12),
        ("two million", 2e6),
    ],
)
def test_parse_words(words: str, value: float) -> None:
    assert parse_number(words) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3x", "twenty-ten"])
def test_parse_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_vague_multiple_of_a_unit() -> None:
    text = "The spill polluted hundreds of kilometres of shoreline and killed wildlife ."
    q = only(text)
    assert (q.text, q.value, q.unit, q.approximate) == ("hundreds of kilometres", 100, "km", True)


@given(st.text(alphabet="0123456789 ,.$#£€-/abkmtonsperday%", max_size=40))
def test_spans_always_index_into_the_text(text: str) -> None:
    for q in extract_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    ("text", "figure", "value"),
    [
        ("the swine flu virus that has killed 81 and prompted fears .", "81", 81),
        (
            "The number of deaths caused by the flu has risen to 159 with 1,300 under observation .",
            "159",
            159,
        ),
        ("At 64 , the US has the greatest number of confirmed cases .", "64", 64),
        ("Two more cases were confirmed , bringing the US total to 11 .", "11", 11),
        ("The virus has infected 20 in the United States .", "20", 20),
        ("It lasted six months and killed 775 of the 8,000 people it infected .", "775", 775),
        ("Mexico : 103 dead - officials", "103", 103),
        ("Of the 101 suspected deaths , 19 have been confirmed .", "19", 19),
        ("The flu has killed 26 people in Mexico , two in the United States and one in Canada .", "two", 2),
        ("A helicopter crashes into a crane on a London tower , kills two .", "two", 2),
        (
            "The number of workers killed in the fire has risen to nine after two more bodies were found .",
            "nine",
            9,
        ),
        ("The virus has killed around 150 in Mexico .", "around 150", 150),
    ],
)
def test_bare_count_with_an_implied_noun(text: str, figure: str, value: float) -> None:
    found = [q for q in extract_quantities(text, "2009-04-28") if q.text == figure]
    assert len(found) == 1, extract_quantities(text, "2009-04-28")
    assert (found[0].value, found[0].unit, found[0].kind) == (value, "count", "count")


@pytest.mark.parametrize(
    "text",
    [
        "She was 64 in 2009 .",
        "He scored 3 in the game .",
        "The team won 3 to 1 .",
        "The storm killed 2-year-old twins .",
        "The attack killed 3 more on Sunday .",
        "They met at 5 , then left .",
        "Turn to page 11 .",
    ],
)
def test_bare_number_without_an_implied_noun_is_no_count(text: str) -> None:
    assert [q for q in extract_quantities(text) if q.kind == "count"] == []


def test_figures_of_a_list_of_places_are_counts() -> None:
    text = "Cases confirmed in laboratories include Spain (93), Britain (39) and Germany (11)."
    counts = [(q.text, q.value) for q in extract_quantities(text) if q.kind == "count"]
    assert counts == [("93", 93), ("39", 39), ("11", 11)]
    aside = "The company (1) said it would appeal, and sales rose (2) in Spain (3) last year."
    assert [q for q in extract_quantities(aside) if q.kind == "count"] == []
