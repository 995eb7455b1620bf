"""Figures written the way French, German, Spanish ... write them, and the English hyphenated scale."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.enrich.localized import SCALE_WORDS
from storyline.enrich.quantities import extract_quantities
from storyline.text.numbers import GROUP_MARKS, figure_value, format_figure

LANGUAGES = sorted(GROUP_MARKS)


@given(
    st.sampled_from(LANGUAGES),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=3),
    st.data(),
)
def test_a_formatted_figure_reads_back_as_its_value(language: str, cents: int, decimals: int, data) -> None:
    value = cents / 10**decimals
    group = data.draw(st.sampled_from(GROUP_MARKS[language]))
    written = format_figure(value, language, decimals, group)
    assert figure_value(written, language) == pytest.approx(value)


@given(st.sampled_from([lang for lang in LANGUAGES if lang != "en"]), st.integers(min_value=1, max_value=999))
def test_a_decimal_comma_is_a_decimal_mark_outside_english(language: str, tenths: int) -> None:
    written = format_figure(tenths / 10, language, 1)
    assert figure_value(written, language) == pytest.approx(tenths / 10)
    assert figure_value(written, "en") != pytest.approx(tenths / 10) or tenths % 10 == 0


@given(st.sampled_from(sorted(SCALE_WORDS)), st.integers(min_value=1, max_value=999), st.data())
def test_a_scaled_amount_of_euros_is_its_value(language: str, whole: int, data) -> None:
    scale, factor = data.draw(st.sampled_from(sorted(SCALE_WORDS[language].items())))
    text = f"Le coût: {format_figure(whole + 0.5, language, 1)} {scale} EUR."
    found = extract_quantities(text, None, language)
    assert [(q.value, q.unit) for q in found] == [(pytest.approx((whole + 0.5) * factor), "EUR")]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Scholz vise une taxe de 0,2 % sur les achats d'actions.", [("0,2 %", 0.2, "%")]),
        ("fr", "taxé à un taux de 0,1% et les contrats à 0,01%.", [("0,1%", 0.1, "%"), ("0,01%", 0.01, "%")]),
        ("fr", "une retraite de 1,5 milliard d'euros par an", [("1,5 milliard d'euros", 1.5e9, "EUR")]),
        ("fr", "(1,2 milliard de dollars)", [("1,2 milliard de dollars", 1.2e9, "USD")]),
        (
            "fr",
            "au moins neuf États et 12 000 personnes",
            [("neuf États", 9, "count"), ("12 000 personnes", 12000, "count")],
        ),
        (
            "de",
            "Rund 2.500 Menschen zahlten 3,4 Mrd. €",
            [("2.500 Menschen", 2500, "count"), ("3,4 Mrd. €", 3.4e9, "EUR")],
        ),
        (
            "de",
            "1,5 Milliarden Euro, 5 Prozent",
            [("1,5 Milliarden Euro", 1.5e9, "EUR"), ("5 Prozent", 5, "%")],
        ),
        ("de", "ein Schaden von 1.5 Mio. Euro", [("1.5 Mio. Euro", 1.5e6, "EUR")]),
        ("es", "costó mil millones de dólares", [("mil millones de dólares", 1e9, "USD")]),
        ("es", "3,5 millones de personas", [("3,5 millones de personas", 3.5e6, "count")]),
        ("en", "costing Auckland Transport 135-thousand-dollars.", [("135-thousand-dollars", 135000, "USD")]),
    ],
)
def test_figures_are_read_as_the_language_writes_them(language: str, text: str, expected: list) -> None:
    found = extract_quantities(text, "2019-06-03", language)
    assert [(q.text, q.value, q.unit) for q in found] == [(t, pytest.approx(v), u) for t, v, u in expected]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "le 12 mai 2019 à 14h30, pendant 12 ans"),
        ("de", "am 3. Mai 2019 um 12 Uhr, seit 12 Jahren"),
        ("es", "el 5 de mayo de 2019, hace 3 años"),
        ("fr", "la route A380 et le code 0370"),
    ],
)
def test_dates_times_and_codes_are_not_figures(language: str, text: str) -> None:
    assert extract_quantities(text, None, language) == []
