"""Story titles and the Markdown dossier."""

from __future__ import annotations

from storyline.dossier import central_title, headline, story_markdown
from storyline.model import Article


def test_central_title_prefers_the_headline_sharing_most_words() -> None:
    titles = [
        "Minister praises rescue workers",
        "Nine dead as fire guts Modderkloof battery plant",
        "Modderkloof battery plant fire: death toll rises to nine",
        None,
    ]
    assert central_title(titles) == "Nine dead as fire guts Modderkloof battery plant"  # tie: the earliest
    assert central_title(["Dock strike ends", "Dock strike ends after talks", "Harbour reopens"]) == (
        "Dock strike ends"
    )
    assert central_title([None, " "]) == "(untitled story)"


def test_untitled_text_gets_its_first_sentence_as_headline() -> None:
    text = "US demands oil spill costs clarification from BP . Thousands of barrels leak daily."
    assert headline(Article(text=text)) == "US demands oil spill costs clarification from BP ."
    long = "word " * 60 + "end. Next sentence."
    cut = headline(Article(text=long))
    assert cut is not None and cut.endswith("…") and len(cut) <= 101
    assert headline(Article(text="x", title="Given title")) == "Given title"


def test_markdown_dossier_numbers_citations_and_marks_conflicts() -> None:
    story = {
        "title": "Tunnel opens", "size": 2, "sources": ["A", "B"], "first_date": "2024-04-12",
        "last_date": "2024-04-13",
        "articles": [
            {"id": "a1", "title": "T1", "source": "A", "published": "2024-04-12", "url": None, "path": "x.txt",
             "duplicate_of": None},
            {"id": "a2", "title": "T2", "source": "B", "published": "2024-04-13", "url": "https://b.example/t",
             "duplicate_of": "a1"},
        ],
        "brief": [{"text": "The tunnel opened.", "articles": ["a1", "a2"]}],
        "timeline": [{"date": "2006", "text": "Work began.", "articles": ["a2"], "background": True}],
        "facts": [{"subject": "Tunnel", "attribute": "cost", "status": "conflicting",
                   "values": [{"text": "€6.2bn", "qualifier": None, "articles": ["a1"]},
                              {"text": "€5.8bn | x", "qualifier": "estimate", "articles": ["a2"]}]}],
        "entities": [{"name": "SBTA", "type": "ORG", "aliases": ["SBTA", "Sorvenne Base Tunnel Authority"]}],
    }
    md = story_markdown(story)
    assert "- The tunnel opened. [1][2]" in md
    assert "**2006** *(background)*: Work began. [2]" in md
    assert "**CONFLICTING**" in md and "€5.8bn \\| x (estimate) [2]" in md
    assert "also Sorvenne Base Tunnel Authority" in md
    assert "(near-copy of [1])" in md
