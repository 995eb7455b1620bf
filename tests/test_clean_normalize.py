from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from storyline.clean.normalize import detokenise, looks_tokenised, normalize_text


def test_compatibility_spaces_and_invisible_characters() -> None:
    text = "Prime\u00a0Minister\u202fsaid\u200b it\u2003was\ufeff over\u00ad."
    assert normalize_text(text) == "Prime Minister said it was over."


def test_nfc_composes_accents() -> None:
    decomposed = "Le pre\u0301sident a parle\u0301"
    assert normalize_text(decomposed) == "Le président a parlé"
    assert unicodedata.is_normalized("NFC", normalize_text(decomposed))


def test_safe_nfkc_only() -> None:
    # ligatures and full-width digits fold; CJK punctuation and ZWNJ stay
    assert normalize_text("\ufb01nal score \uff11\uff12") == "final score 12"
    assert normalize_text("東京、大阪。") == "東京、大阪。"
    assert normalize_text("می\u200cخواهم") == "می\u200cخواهم"


def test_control_characters_and_line_endings() -> None:
    assert normalize_text("One\x07 line\r\nTwo\tlines\r\n\r\n\r\nNew paragraph") == (
        "One line\nTwo lines\n\nNew paragraph"
    )


def test_paragraph_structure_kept() -> None:
    text = "First  paragraph ,  line one.\nLine two .\n \n\n\nSecond paragraph."
    assert normalize_text(text) == "First paragraph, line one.\nLine two.\n\nSecond paragraph."


def test_timeline17_tokenised_text() -> None:
    text = (
        "GALLIANO , Louisiana -LRB- Reuters -RRB- - BP 's shares fell `` sharply '' , "
        "almost $ 50 billion -LRB- 25 % -RRB- .\nI do n't know , '' he said ."
    )
    assert looks_tokenised(text)
    assert normalize_text(text) == (
        'GALLIANO, Louisiana (Reuters) - BP\'s shares fell "sharply", almost $50 billion (25%).\n'
        "I don't know,\" he said."
    )


def test_plain_text_not_detokenised() -> None:
    text = "He said 'yes' to the plan ( and more ) today."
    assert not looks_tokenised(text)
    assert normalize_text(text) == text


def test_detokenise_brackets() -> None:
    assert detokenise("-LSB- sic -RSB- and -LCB- x -RCB-") == "[sic] and {x}"


_pieces = st.sampled_from(
    [*"ab é,.;:!?'\"`-()\n\t\r ", "\u00a0", "\u200b", "\x07", "-LRB-", "``", "''", " n't"]
)
_text = st.lists(_pieces, max_size=40).map("".join)


@given(_text)
def test_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(_text)
def test_no_control_or_runs_of_spaces(text: str) -> None:
    out = normalize_text(text)
    assert "  " not in out and "\n\n\n" not in out and "\t" not in out and "\r" not in out
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in out)
    assert out == out.strip()
    assert all(line == line.strip() for line in out.split("\n"))


@given(
    st.lists(
        st.text(alphabet="abcdefgh XYZ", min_size=1, max_size=30).filter(str.strip), min_size=1, max_size=5
    )
)
def test_paragraph_count_kept(paragraphs: list[str]) -> None:
    out = normalize_text("\n\n".join(paragraphs))
    assert len(out.split("\n\n")) == len(paragraphs)
