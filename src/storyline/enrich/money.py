"""Currencies: surface forms to ISO 4217 codes, and conversion to USD and EUR at ECB reference rates.

The rates are the ECB's daily reference rates bundled with `currencyconverter`. A conversion uses
the rate of the given day or, when that day has none (weekends, holidays), of the nearest earlier
business day within `MAX_RATE_AGE_DAYS`. Anything else (a currency the ECB does not quote, a date
before or after the data, RUB after March 2022) gives {"note": "no rate"} and the original amount:
never a silently wrong conversion.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from currency_converter import RateNotFoundError

MAX_RATE_AGE_DAYS = 5  # Good Friday to Easter Monday is four days without a rate
SOURCE = "ECB reference rate"

# symbol written before the amount -> ISO code
PREFIX_SYMBOLS: dict[str, str] = {
    "$": "USD", "US$": "USD", "USD": "USD", "U.S.$": "USD",
    "A$": "AUD", "AU$": "AUD", "AUD": "AUD",
    "C$": "CAD", "CA$": "CAD", "CAD": "CAD",
    "HK$": "HKD", "HKD": "HKD", "NZ$": "NZD", "NZD": "NZD", "S$": "SGD", "SGD": "SGD",
    "£": "GBP", "GBP": "GBP",
    "€": "EUR", "EUR": "EUR",
    "¥": "JPY", "JPY": "JPY",
    "₹": "INR", "Rs": "INR", "Rs.": "INR", "INR": "INR",
    "R": "ZAR", "ZAR": "ZAR",
    "₽": "RUB", "RUB": "RUB",
    "CHF": "CHF", "SFr": "CHF",
    "R$": "BRL", "BRL": "BRL",
    "₩": "KRW", "KRW": "KRW",
    "CNY": "CNY", "RMB": "CNY",
}  # fmt: skip

# currency word written after the amount (lower case) -> ISO code
SUFFIX_WORDS: dict[str, str] = {
    "dollar": "USD", "dollars": "USD", "us dollars": "USD", "u.s. dollars": "USD", "american dollars": "USD",
    "australian dollars": "AUD", "canadian dollars": "CAD", "hong kong dollars": "HKD",
    "new zealand dollars": "NZD", "singapore dollars": "SGD",
    "euro": "EUR", "euros": "EUR",
    "pounds sterling": "GBP", "sterling": "GBP", "british pounds": "GBP",
    "yen": "JPY", "japanese yen": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "chinese yuan": "CNY",
    "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB", "russian rubles": "RUB",
    "russian roubles": "RUB",
    "rupee": "INR", "rupees": "INR", "indian rupees": "INR",
    "rand": "ZAR", "south african rand": "ZAR",
    "swiss francs": "CHF", "swiss franc": "CHF",
    "gourde": "HTG", "gourdes": "HTG", "haitian gourdes": "HTG",
    "mexican pesos": "MXN", "real": "BRL", "reais": "BRL", "brazilian reais": "BRL",
    "south korean won": "KRW", "korean won": "KRW",
    "kronor": "SEK", "swedish kronor": "SEK", "norwegian kroner": "NOK", "danish kroner": "DKK",
    "zloty": "PLN", "zlotys": "PLN", "lira": "TRY", "turkish lira": "TRY",
}  # fmt: skip


@lru_cache(maxsize=1)
def _converter() -> Any:
    """The ECB rate table, loaded once on first use."""
    from currency_converter import CurrencyConverter

    return CurrencyConverter()  # no fallbacks: a missing rate raises, we decide what to do


def _parse_day(on: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(on[:10]) if len(on) >= 10 else None
    except ValueError:
        return None


def normalize_money(value: float, currency: str, on: str | None) -> dict[str, Any]:
    """`value` in `currency` as USD and EUR at the ECB reference rate of day `on` ("YYYY-MM-DD").

    Returns {"USD", "EUR", "rate_date", "source"}; or {"note": "no rate", "reason", "value", "currency"}
    when there is no rate for that currency near that day (or no exact day is given).
    """
    no_rate: dict[str, Any] = {"note": "no rate", "value": value, "currency": currency}
    day = _parse_day(on) if on else None
    if day is None:
        return {**no_rate, "reason": "no exact date to take a rate on"}
    converter = _converter()
    if currency != "EUR" and currency not in converter.currencies:
        return {**no_rate, "reason": f"the ECB does not quote {currency}"}
    for back in range(MAX_RATE_AGE_DAYS + 1):
        when = day - dt.timedelta(days=back)
        try:
            usd = float(converter.convert(value, currency, "USD", date=when))
            eur = float(converter.convert(value, currency, "EUR", date=when))
        except RateNotFoundError:  # no rate that day, or a date outside the data
            continue
        return {"USD": usd, "EUR": eur, "rate_date": when.isoformat(), "source": SOURCE}
    return {**no_rate, "reason": f"no {currency} rate within {MAX_RATE_AGE_DAYS} days before {day}"}
