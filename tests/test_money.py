"""normalize_money: ECB reference rates, the previous business day at weekends, and no silent guess."""

from __future__ import annotations

import pytest

from storyline.enrich.money import normalize_money


def test_eur_to_usd_in_2024_is_plausible() -> None:
    out = normalize_money(100.0, "EUR", "2024-03-01")
    assert out["EUR"] == pytest.approx(100.0)
    assert 100.0 < out["USD"] < 120.0
    assert out["rate_date"] == "2024-03-01"
    assert out["source"] == "ECB reference rate"


def test_usd_and_eur_are_inverse() -> None:
    there = normalize_money(1000.0, "EUR", "2015-06-10")
    back = normalize_money(there["USD"], "USD", "2015-06-10")
    assert back["EUR"] == pytest.approx(1000.0)


def test_gbp_converts_through_the_same_day() -> None:
    out = normalize_money(50e6, "GBP", "2010-05-14")
    assert out["rate_date"] == "2010-05-14"
    assert out["EUR"] > 50e6  # the pound was worth more than a euro in 2010
    assert out["USD"] > out["EUR"]


def test_weekend_uses_the_previous_business_day() -> None:
    saturday = normalize_money(100.0, "EUR", "2024-03-02")
    sunday = normalize_money(100.0, "EUR", "2024-03-03")
    friday = normalize_money(100.0, "EUR", "2024-03-01")
    assert saturday["rate_date"] == sunday["rate_date"] == "2024-03-01"
    assert saturday["USD"] == friday["USD"]


def test_rub_after_march_2022_has_no_rate() -> None:
    out = normalize_money(82e6, "RUB", "2024-03-01")
    assert out["note"] == "no rate"
    assert (out["value"], out["currency"]) == (82e6, "RUB")
    assert "USD" not in out


def test_rub_before_2022_converts() -> None:
    out = normalize_money(82e6, "RUB", "2019-06-03")
    assert 0 < out["USD"] < 82e6


def test_a_currency_the_ecb_does_not_quote_has_no_rate() -> None:
    out = normalize_money(1000.0, "HTG", "2010-01-20")
    assert out["note"] == "no rate"


def test_dates_outside_the_data_have_no_rate() -> None:
    assert normalize_money(10.0, "USD", "1990-01-02")["note"] == "no rate"
    assert normalize_money(10.0, "USD", "2199-01-02")["note"] == "no rate"


@pytest.mark.parametrize("on", [None, "2024", "2024-03", "not a date"])
def test_without_an_exact_day_there_is_no_rate(on: str | None) -> None:
    assert normalize_money(10.0, "EUR", on)["note"] == "no rate"
