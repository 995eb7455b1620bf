"""Source templates (storyline.clean.templates): fingerprints, learning, and which lines they cut."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from storyline.clean.templates import (
    DEFAULT_PARAMS,
    SourceTemplate,
    TemplateParams,
    fingerprint,
    fingerprints,
    learn,
    normalize_line,
    remove_template,
    template_lines,
    text_lines,
)

WIDGET = "Download the Northgate Chronicle app for alerts"
SIGN_OFF = "Reporting by Ana Ruiz; editing by Tom Hale"


_WORDS = ["amber", "birch", "cedar", "dune", "ember", "fjord", "grove", "heath", "inlet", "juniper", "kelp", "larch", "marsh"]


def _body(i: int) -> list[str]:
    """An article of its own (digits alone would not make its lines differ: fingerprints mask them)."""
    w = [_WORDS[(i + k) % len(_WORDS)] + _WORDS[(3 * i + k) % len(_WORDS)] for k in range(4)]
    return [
        f"The harbour authority said the {w[0]} crane had been repaired after a fire at the {w[1]} dock.",
        f"Workers from the {w[2]} shift returned to the quay and inspectors found no further damage there.",
        f"{w[3].title()}: a short line of its own",
    ]


def _learned(n: int, extra: tuple[str, ...] = (WIDGET, SIGN_OFF)) -> SourceTemplate:
    template = SourceTemplate()
    for i in range(n):
        template = learn(template, [*_body(i), *extra])
    return template


lines_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(lines_text)
def test_normalize_line_is_idempotent(line: str) -> None:
    once = normalize_line(line)
    assert normalize_line(once) == once


@given(lines_text, st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_fingerprint_ignores_case_spacing_and_numbers(line: str, a: int, b: int) -> None:
    base = f"{line} {a} comments"
    variant = "  " + f"{line.upper()}   {b}\tCOMMENTS ".replace(" ", "  ")
    assert fingerprint(base) is not None
    if normalize_line(line.upper()) == normalize_line(line):  # upper-casing may change a letter's identity
        assert fingerprint(base) == fingerprint(variant)


@given(lines_text)
def test_fingerprint_of_compatibility_forms_is_the_same(line: str) -> None:
    assert fingerprint(unicodedata.normalize("NFKC", line)) == fingerprint(line)


def test_lines_without_letters_or_digits_have_no_fingerprint() -> None:
    assert fingerprint("  — • —  ") is None
    assert fingerprints(["***", "", "Share"]) == (fingerprint("share"),)


def test_learn_counts_each_article_once() -> None:
    template = learn(SourceTemplate(), [WIDGET, WIDGET.upper(), "Other line"])
    assert template.articles == 1 and template.support(WIDGET) == 1


def test_repeated_widget_and_sign_off_are_cut_and_the_body_kept() -> None:
    template = _learned(4)
    article = [*_body(9), WIDGET, SIGN_OFF]
    assert template_lines(template, article) == [False, False, False, True, True]
    text, removed = remove_template("\n\n".join(article), template)
    assert removed == (WIDGET, SIGN_OFF)
    assert text == "\n\n".join(_body(9))


def test_nothing_is_cut_before_the_least_number_of_articles() -> None:
    params = TemplateParams(min_articles=3, min_share=0.2)
    article = [*_body(9), WIDGET]
    assert not any(template_lines(_learned(2), article, params))
    assert template_lines(_learned(3), article, params)[-1]


def test_a_line_in_too_small_a_share_of_the_articles_is_kept() -> None:
    template = _learned(3)
    for i in range(3, 40):
        template = learn(template, _body(i))
    assert not template_lines(template, [WIDGET], TemplateParams(min_articles=2, min_share=0.2))[0]


def test_a_resent_article_keeps_its_sentences() -> None:
    """The body of an article seen before (a re-send under another address, an update) is not furniture."""
    template = SourceTemplate()
    for _ in range(3):
        template = learn(template, [*_body(1), WIDGET])
    marked = template_lines(template, [*_body(1), WIDGET])
    assert marked[:2] == [False, False] and marked[-1]


def test_sentences_of_an_early_story_are_kept_until_the_template_is_mature() -> None:
    sentence = _body(1)[0]
    params = TemplateParams(min_articles=2, min_share=0.2)
    young = SourceTemplate(articles=5, counts={fingerprint(sentence) or "": 3})
    assert not template_lines(young, [sentence, *_body(7)], params)[0]
    mature = SourceTemplate(articles=10, counts={fingerprint(sentence) or "": 5})
    assert template_lines(mature, [sentence, *_body(7)], params)[0]


def test_a_text_that_would_be_emptied_is_kept_whole() -> None:
    template = _learned(5, extra=())
    text = "\n".join(_body(0)[2:])
    assert remove_template(text, template) == (text, ())


def test_text_lines_drops_blank_lines() -> None:
    assert text_lines("  a \n\n b\n   \n") == ["a", "b"]


def test_timeline17_templates_cut_comment_furniture_and_little_else() -> None:
    """Real articles in publication order, each outlet's template learned from the ones before: the
    comment-policy lines Reuters appends go, and only a small share of all lines."""
    from conftest import require_shared
    from storyline.eval.templates import timeline17_templates

    rows = {r.outlet: r for r in timeline17_templates(require_shared("timeline17"), DEFAULT_PARAMS, mode="earlier",
                                                      samples=10, limit=150)}  # fmt: skip
    reuters = rows["reuters"]
    assert "Views expressed in the comments do not represent those of Reuters ." in reuters.samples
    assert 0 < reuters.removed < 0.05 * reuters.lines
    assert sum(r.removed for r in rows.values()) < 0.02 * sum(r.lines for r in rows.values())
