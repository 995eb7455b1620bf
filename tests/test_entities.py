"""NER, mention edges, unsupported languages, the missed-mention pass and name normalization."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyline.enrich.entities import (
    NerResult,
    clean_span,
    extract_mentions,
    extract_mentions_many,
    find_missed_mentions,
    known_names,
    ner_result,
    ner_support,
)
from storyline.enrich.names import (
    acronyms_of,
    close_spelling,
    looks_like_acronym,
    normalize_name,
    org_core,
    phonetic_key,
    strip_titles,
)
from storyline.model import EntityMention

TEXT = (
    "Angela Merkel met Emmanuel Macron in Berlin on Tuesday. "
    "The two leaders discussed the future of the European Union and Siemens's plans in France."
)


def by_text(mentions: list[EntityMention]) -> dict[str, str]:
    return {m.text: m.label for m in mentions}


def test_ner_on_english_text_finds_people_places_and_organisations() -> None:
    found = extract_mentions(TEXT, "en")
    names = by_text(found)
    assert names.get("Angela Merkel") == "PERSON"
    assert names.get("Emmanuel Macron") == "PERSON"
    assert names.get("Berlin") == "GPE"
    assert names.get("France") == "GPE"
    assert "European Union" in names  # leading "the" cut off
    assert "Tuesday" not in names  # dates are left to the temporal tagger
    for m in found:
        assert TEXT[m.start : m.end] == m.text
        assert not m.text.endswith("'s")


def test_batched_ner_matches_single_calls_and_keeps_order() -> None:
    texts = [TEXT, "", "Boeing delivered planes to Qantas in Sydney.", "Le président Macron est à Paris."]
    results = extract_mentions_many(texts, ["en", "en", None, "fr"])
    assert len(results) == 4
    assert results[0].mentions == extract_mentions(TEXT, "en")
    assert results[1] == NerResult(mentions=[])
    assert "Sydney" in by_text(results[2].mentions)
    assert "Paris" in by_text(results[3].mentions)
    assert results[3].unsupported_language is None


def test_unsupported_language_returns_no_mentions_and_a_reason() -> None:
    assert extract_mentions("Angela Merkel traf Emmanuel Macron in Berlin.", "de") == []
    result = ner_result("Angela Merkel traf Emmanuel Macron in Berlin.", "de-AT")
    assert result.mentions == []
    assert result.unsupported_language == "de"
    reason = ner_support("de")
    assert reason is not None and "de" in reason
    assert ner_support("en") is None
    assert ner_support("en-GB") is None
    assert ner_support(None) is None


def test_clean_span_edges() -> None:
    text = 'He said "the Kremlin\'s" and the U.S. agreed, as did Acme Inc. today.'
    start = text.index("the Kremlin")
    assert clean_span(text, start, start + len("the Kremlin's\"")) == (
        text.index("Kremlin"),
        text.index("Kremlin") + len("Kremlin"),
    )
    us = text.index("U.S.")
    assert clean_span(text, us - 4, us + 5) == (us, us + 4)  # "the U.S.," keeps the abbreviation dot
    acme = text.index("Acme")
    assert text[slice(*clean_span(text, acme, acme + len("Acme Inc.")) or (0, 0))] == "Acme Inc."
    assert clean_span(text, 0, 0) is None
    assert clean_span('" ,', 0, 3) is None


def test_missed_mentions_found_from_names_recognised_elsewhere() -> None:
    texts = [
        "Officials at Gazprom confirmed the deal.",
        "A spokesman said Gazprom would pay. Later Gasprom denied it, and the gazprom logo stayed.",
    ]
    existing = [
        [EntityMention(13, 20, "Gazprom", "ORG")],
        [],
    ]
    known = known_names(m for ms in existing for m in ms)
    assert known == {"Gazprom": "ORG"}
    extra = find_missed_mentions(texts, known, existing)
    assert extra[0] == []  # already recognised there
    found = [(m.text, m.label) for m in extra[1]]
    assert found == [("Gazprom", "ORG"), ("Gasprom", "ORG")]  # lower-case "gazprom" is not a name
    for m in extra[1]:
        assert texts[1][m.start : m.end] == m.text


def test_missed_mentions_without_fuzzy_and_multiword_variants() -> None:
    texts = ["Then Kim Jong-Un spoke, and Kim Jun Un left; Kim Yo Jong stayed."]
    known = {"Kim Jong Un": "PERSON"}
    strict = find_missed_mentions(texts, known, fuzzy=False)[0]
    assert [m.text for m in strict] == ["Kim Jong-Un"]
    loose = find_missed_mentions(texts, known)[0]
    assert [m.text for m in loose] == ["Kim Jong-Un", "Kim Jun Un"]


# --- names -----------------------------------------------------------------------------------


def test_normalize_name_examples() -> None:
    assert normalize_name("Kim Jong-Un") == "kim jong un"
    assert normalize_name("the U.S.'s") == "us"
    assert normalize_name("Gazprom's") == "gazprom"
    assert normalize_name("Zürich") == "zurich"
    assert normalize_name("  The  Hague ") == "hague"
    assert strip_titles(("president", "vladimir", "putin")) == ("vladimir", "putin")
    assert strip_titles(("president",)) == ("president",)
    assert org_core(("ford", "motor", "company")) == ("ford",)
    assert org_core(("general", "motors", "corporation")) == ("general", "motors")


def test_acronyms_and_spelling() -> None:
    assert "kcna" in acronyms_of(("korean", "central", "news", "agency"))
    assert "boe" in acronyms_of(("bank", "of", "england"))
    assert looks_like_acronym("U.S.") and looks_like_acronym("KCNA") and not looks_like_acronym("Kim")
    assert close_spelling("aurus", "auras") and close_spelling("aurus", "orus")
    assert close_spelling("kim jong un", "kim jun un")
    assert close_spelling("chrysler", "chrylser")
    assert not close_spelling("austria", "australia")
    assert not close_spelling("kim jong un", "kim yo jong")
    assert not close_spelling("john smith", "john brown")
    assert not close_spelling("a350", "a380")
    assert not close_spelling("iran", "iraq")
    assert phonetic_key("Aurus") == phonetic_key("Orus")


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=40)


@given(names)
def test_normalize_name_is_idempotent_and_plain(text: str) -> None:
    norm = normalize_name(text)
    assert normalize_name(norm) == norm
    assert norm == norm.strip()
    assert "  " not in norm
    assert norm.isascii()
    assert norm == norm.lower()
    assert not norm.startswith("the ")


@given(
    st.lists(
        st.sampled_from(["Kim", "Jong", "Un", "Putin", "Vladimir", "U.S.", "the"]), min_size=1, max_size=4
    )
)
def test_normalize_name_ignores_case_hyphens_and_spacing(words: list[str]) -> None:
    spaced = " ".join(words)
    assert normalize_name(spaced.upper()) == normalize_name(spaced)
    assert normalize_name("-".join(words)) == normalize_name(spaced)
    assert normalize_name("  ".join(words) + " ") == normalize_name(spaced)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=20))
def test_close_spelling_is_symmetric_and_reflexive(text: str) -> None:
    a = normalize_name(text)
    b = normalize_name(text[::-1])
    assert close_spelling(a, a)
    assert close_spelling(a, b) == close_spelling(b, a)
