from __future__ import annotations

import json
import re

import pytest

from conftest import require_shared
from storyline.clean import clean_article, clean_text, normalize_text
from storyline.clean.boilerplate import boilerplate_category
from storyline.model import Article

TEXT = (
    "Digital Desk\nUpdated February 20th, 2024 at 14:00 IST\n\n"
    "Hyderabad: Two engineers were among the workers hurt in the fire at the plant on Sunday night.\n\n"
    "Also Read: Shares fall after plant fire\n"
    "The company said production would resume next month.\n\n"
    "Follow us on Google News\n(With inputs from PTI)"
)


def test_clean_article_fills_empty_fields() -> None:
    out = clean_article(Article(text=TEXT, source="deccan"))
    assert out.text == (
        "Hyderabad: Two engineers were among the workers hurt in the fire at the plant on Sunday night.\n\n"
        "The company said production would resume next month."
    )
    assert (out.published, out.published_time) == ("2024-02-20", "14:00 IST")
    assert out.authors == ("Digital Desk",)
    assert out.agency == "PTI"
    assert out.language == "en"
    assert out.source == "deccan"


def test_reader_metadata_wins() -> None:
    article = Article(
        text=TEXT,
        published="2024-02-21",
        published_time=None,
        language="fr",
        authors=("A. Reader",),
        agency="AFP",
    )
    out = clean_article(article)
    assert out.published == "2024-02-21" and out.published_time is None
    assert out.language == "fr"
    assert out.agency == "AFP"
    assert out.authors == ("A. Reader", "Digital Desk")
    assert article.text == TEXT  # input untouched


def test_language_restricted_and_none_for_short() -> None:
    assert clean_article(Article(text="Read more: x\nShort text.")).language is None
    french = "Le gouvernement a présenté mercredi un projet de loi sur les retraites des fonctionnaires."
    assert clean_article(Article(text=french), languages=("en", "de")).language in ("en", "de")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_timeline17_reuters_no_real_sentence_lost() -> None:
    path = require_shared("timeline17", "bpoil_reuters", "articles.jsonl")
    with path.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(100), f, strict=False)]
    kinds: dict[str, int] = {}
    total_in = total_kept = 0
    for text in texts:
        lines = [line for line in text.split("\n") if line.strip()]
        clean, removed = clean_text(text, line_model=None)  # the rules; the learned model is below
        kept = clean.split("\n")
        assert len(kept) <= len(lines) <= len(kept) + len(removed)
        total_in += len(lines)
        total_kept += len(kept)
        for line in removed:
            # every removed line is boilerplate or a credit/date line, or repeats a kept line
            kind = boilerplate_category(line) or ("repeat" if line in kept else "metadata")
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == "metadata":
                assert re.search(r"\b(?:by|Reuters|AFP|AP)\b", line), line
        # nothing but the removed lines is lost: same words in the same order otherwise
        assert sorted(_words(clean) + _words(" ".join(removed))) == sorted(_words(normalize_text(text)))
    assert kinds.get("comments", 0) >= 30  # "This discussion is now closed."
    assert total_kept >= 0.98 * total_in
    assert set(kinds) <= {"comments", "site-notice", "metadata", "repeat", "caption-credit"}
    # the learned line model takes the site's furniture the rules leave (product blurbs, comment notes)
    learned_in = learned_kept = 0
    for text in texts:
        clean, removed = clean_text(text)
        assert sorted(_words(clean) + _words(" ".join(removed))) == sorted(_words(normalize_text(text)))
        learned_in += len(_words(normalize_text(text)))
        learned_kept += len(_words(clean))
    assert learned_kept >= 0.95 * learned_in


@pytest.mark.parametrize(
    ("outlet", "line"),
    [
        ("bpoil_reuters", "This discussion is now closed ."),
        ("bpoil_foxnews", "This copy may not be in its final form and may be updated ."),
        ("H1N1_bbc", "Your comments may be published on any BBC media worldwide ."),
    ],
)
def test_timeline17_known_boilerplate_removed(outlet: str, line: str) -> None:
    path = require_shared("timeline17", outlet, "articles.jsonl")
    with path.open(encoding="utf-8") as f:
        all_texts = [json.loads(raw)["text"] for raw in f]
    texts = [t for t in all_texts if line in (x.strip() for x in t.split("\n"))][:5]
    assert texts
    for text in texts:
        clean, _removed = clean_text(text)
        assert line.replace(" .", ".") not in clean
