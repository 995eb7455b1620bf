"""Unit table: surface words to normalised symbols, and conversions within a dimension.

A symbol belongs to one dimension (mass, power, volume, length, ...) and has a factor to that
dimension's base unit (kg, kW, L, m, ...). Rates are written "SYMBOL/PERIOD" ("bbl/d", "t/yr"); a
volume per time is based on barrels per day, any other rate on its base unit per day.

Used by the quantity extractor and, later, by the cross-checker to compare figures given in
different units ("5,000 barrels a day" against "795,000 litres a day").
"""

from __future__ import annotations

# symbol -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    # mass, base kg
    "kg": ("mass", 1.0),
    "g": ("mass", 0.001),
    "mg": ("mass", 1e-6),
    "t": ("mass", 1000.0),
    "lb": ("mass", 0.45359237),
    "oz": ("mass", 0.028349523125),
    # power, base kW
    "kW": ("power", 1.0),
    "W": ("power", 0.001),
    "MW": ("power", 1000.0),
    "GW": ("power", 1e6),
    "hp": ("power", 0.7456998715822702),
    # energy, base kWh
    "kWh": ("energy", 1.0),
    "MWh": ("energy", 1000.0),
    "GWh": ("energy", 1e6),
    # volume, base L
    "L": ("volume", 1.0),
    "mL": ("volume", 0.001),
    "m3": ("volume", 1000.0),
    "gal": ("volume", 3.785411784),
    "bbl": ("volume", 158.987294928),
    "cf": ("volume", 28.316846592),
    # length, base m
    "m": ("length", 1.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "km": ("length", 1000.0),
    "mi": ("length", 1609.344),
    "nmi": ("length", 1852.0),
    "ft": ("length", 0.3048),
    "in": ("length", 0.0254),
    "yd": ("length", 0.9144),
    # area, base m2
    "m2": ("area", 1.0),
    "cm2": ("area", 1e-4),
    "km2": ("area", 1e6),
    "ha": ("area", 1e4),
    "acre": ("area", 4046.8564224),
    "sq mi": ("area", 2589988.110336),
    "sq ft": ("area", 0.09290304),
    # speed, base km/h
    "km/h": ("speed", 1.0),
    "mph": ("speed", 1.609344),
    "kn": ("speed", 1.852),
    # ratios and plain counts
    "%": ("ratio", 1.0),
    "pp": ("ratio points", 1.0),
    "magnitude": ("magnitude", 1.0),
    "count": ("count", 1.0),
}

BASE: dict[str, str] = {
    "mass": "kg",
    "power": "kW",
    "energy": "kWh",
    "volume": "L",
    "length": "m",
    "area": "m2",
    "speed": "km/h",
    "ratio": "%",
    "ratio points": "pp",
    "magnitude": "magnitude",
    "count": "count",
    "flow": "bbl/d",
}

# period symbol -> length in days
PERIODS: dict[str, float] = {"h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 365.25 / 12, "yr": 365.25}

# surface word (lower case) -> symbol
ALIASES: dict[str, str] = {
    "kg": "kg", "kgs": "kg", "kilogram": "kg", "kilograms": "kg", "kilogramme": "kg", "kilogrammes": "kg",
    "kilo": "kg", "kilos": "kg",
    "g": "g", "gram": "g", "grams": "g", "gramme": "g", "grammes": "g",
    "mg": "mg", "milligram": "mg", "milligrams": "mg",
    "t": "t", "ton": "t", "tons": "t", "tonne": "t", "tonnes": "t", "metric ton": "t", "metric tons": "t",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "oz": "oz", "ounce": "oz", "ounces": "oz",
    "kw": "kW", "kilowatt": "kW", "kilowatts": "kW",
    "w": "W", "watt": "W", "watts": "W",
    "mw": "MW", "megawatt": "MW", "megawatts": "MW",
    "gw": "GW", "gigawatt": "GW", "gigawatts": "GW",
    "hp": "hp", "bhp": "hp", "horsepower": "hp",
    "kwh": "kWh", "kilowatt-hour": "kWh", "kilowatt-hours": "kWh", "kilowatt hours": "kWh",
    "mwh": "MWh", "megawatt-hours": "MWh", "megawatt hours": "MWh",
    "gwh": "GWh", "gigawatt-hours": "GWh", "gigawatt hours": "GWh",
    "l": "L", "liter": "L", "liters": "L", "litre": "L", "litres": "L", "ltr": "L",
    "ml": "mL", "milliliter": "mL", "milliliters": "mL", "millilitre": "mL", "millilitres": "mL",
    "cubic meters": "m3", "cubic metres": "m3", "cubic meter": "m3", "cubic metre": "m3", "m3": "m3",
    "gal": "gal", "gallon": "gal", "gallons": "gal",
    "bbl": "bbl", "barrel": "bbl", "barrels": "bbl",
    "cubic feet": "cf", "cubic foot": "cf",
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
    "km": "km", "kilometer": "km", "kilometers": "km", "kilometre": "km", "kilometres": "km",
    "mi": "mi", "mile": "mi", "miles": "mi",
    "nautical mile": "nmi", "nautical miles": "nmi",
    "ft": "ft", "foot": "ft", "feet": "ft",
    "inch": "in", "inches": "in",
    "yard": "yd", "yards": "yd",
    "square kilometers": "km2", "square kilometres": "km2", "sq km": "km2", "km2": "km2",
    "square meters": "m2", "square metres": "m2", "square meter": "m2", "square metre": "m2",
    "square centimeters": "cm2", "square centimetres": "cm2",
    "hectare": "ha", "hectares": "ha", "ha": "ha",
    "acre": "acre", "acres": "acre",
    "square miles": "sq mi", "square mile": "sq mi", "sq mi": "sq mi",
    "square feet": "sq ft", "square foot": "sq ft", "sq ft": "sq ft",
    "km/h": "km/h", "kph": "km/h", "kmh": "km/h",
    "kilometers per hour": "km/h", "kilometres per hour": "km/h",
    "mph": "mph", "miles per hour": "mph",
    "knot": "kn", "knots": "kn",
    "%": "%", "percent": "%", "per cent": "%", "pct": "%",
    "percentage point": "pp", "percentage points": "pp", "magnitude": "magnitude",
}  # fmt: skip

# surface (lower case) of a rate unit written as one token -> symbol
RATE_ALIASES: dict[str, str] = {"bpd": "bbl/d", "b/d": "bbl/d", "bopd": "bbl/d"}


def unit_symbol(word: str) -> str | None:
    """Normalised symbol for a unit word ("tonnes" -> "t", "horsepower" -> "hp"), None if unknown."""
    key = " ".join(word.split())
    if key in UNITS:
        return key
    low = key.lower()
    return ALIASES.get(low) or RATE_ALIASES.get(low)


def canonical_unit(unit: str) -> tuple[str, float]:
    """(dimension, factor to the dimension's base unit) of a symbol or rate "SYMBOL/PERIOD".

    Raises ValueError for an unknown unit.
    """
    if unit in UNITS:
        return UNITS[unit]
    if "/" in unit:
        head, _, period = unit.rpartition("/")
        if head in UNITS and period in PERIODS:
            dimension, factor = UNITS[head]
            per_day = factor / PERIODS[period]
            if dimension == "volume":
                return "flow", per_day / UNITS["bbl"][1]
            return f"{dimension}/time", per_day
    raise ValueError(f"unknown unit {unit!r}")


def base_unit(dimension: str) -> str:
    """Base unit symbol of a dimension ("mass" -> "kg"; "mass/time" -> "kg/d")."""
    if dimension in BASE:
        return BASE[dimension]
    head, _, tail = dimension.partition("/")
    if tail == "time" and head in BASE:
        return f"{BASE[head]}/d"
    raise ValueError(f"unknown dimension {dimension!r}")


def to_base(value: float, unit: str) -> tuple[float, str]:
    """The value in its dimension's base unit, with that unit's symbol."""
    dimension, factor = canonical_unit(unit)
    return value * factor, base_unit(dimension)


def convert_units(value: float, unit: str, to: str) -> float:
    """`value` in `unit` expressed in `to`; ValueError when the dimensions differ."""
    dim_from, f_from = canonical_unit(unit)
    dim_to, f_to = canonical_unit(to)
    if dim_from != dim_to:
        raise ValueError(f"cannot convert {unit!r} ({dim_from}) to {to!r} ({dim_to})")
    return value * f_from / f_to
