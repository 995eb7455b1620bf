"""Unit table and conversions used by the extractor and the cross-checker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.enrich.units import UNITS, canonical_unit, convert_units, to_base, unit_symbol


@pytest.mark.parametrize(
    ("word", "symbol"),
    [("tonnes", "t"), ("ton", "t"), ("horsepower", "hp"), ("hp", "hp"), ("kW", "kW"), ("liter", "L"),
     ("litres", "L"), ("miles", "mi"), ("feet", "ft"), ("gallons", "gal"), ("barrels", "bbl"),
     ("bpd", "bbl/d"), ("percent", "%"), ("per cent", "%"), ("km", "km")],
)  # fmt: skip
def test_unit_symbols(word: str, symbol: str) -> None:
    assert unit_symbol(word) == symbol


def test_canonical_units() -> None:
    assert canonical_unit("t") == ("mass", 1000.0)
    assert canonical_unit("kW")[0] == "power"
    assert canonical_unit("bbl/d") == ("flow", pytest.approx(1.0))
    assert canonical_unit("gal/d")[0] == "flow"
    assert canonical_unit("t/yr")[0] == "mass/time"


def test_conversions() -> None:
    assert convert_units(600, "hp", "kW") == pytest.approx(447.4, abs=0.1)
    assert convert_units(1, "mi", "km") == pytest.approx(1.609344)
    assert convert_units(42, "gal", "bbl") == pytest.approx(1.0, rel=1e-6)
    assert convert_units(1_000_000, "gal/d", "bbl/d") == pytest.approx(23809.5, rel=1e-4)
    assert to_base(5000, "ft") == (pytest.approx(1524.0), "m")


def test_different_dimensions_do_not_convert() -> None:
    with pytest.raises(ValueError):
        convert_units(1, "kg", "m")
    with pytest.raises(ValueError):
        canonical_unit("furlongs")


@given(st.sampled_from(sorted(UNITS)), st.floats(min_value=1e-6, max_value=1e9))
def test_round_trip_through_the_base_unit(unit: str, value: float) -> None:
    dimension, _ = canonical_unit(unit)
    base_value, base = to_base(value, unit)
    assert canonical_unit(base)[0] == dimension
    assert convert_units(base_value, base, unit) == pytest.approx(value, rel=1e-9)
