from __future__ import annotations

import pytest

from storyline.clean.boilerplate import boilerplate_category, remove_boilerplate

BOILERPLATE = [
    ("Subscribe now for full access", "subscription"),
    ("Already a subscriber? Log in", "subscription"),
    ("You have reached your limit of free articles this month.", "subscription"),
    ("Listen to this article", "audio-reading-time"),
    ("6 min read", "audio-reading-time"),
    ("Comments (31)", "comments"),
    ("Comments are closed.", "comments"),
    ("You must be signed in to leave a comment.", "comments"),
    ("Share this article", "share-follow"),
    ("Follow us on Instagram", "share-follow"),
    ("Share | Tweet | Email", "share-follow"),
    ("Picture: Town hall of Ebersdorf", "caption-credit"),
    ("Photo: Reuters", "caption-credit"),
    ("(c) Anna Roth - Ebersdorf Courier", "caption-credit"),
    ("File photo", "caption-credit"),
    ("Workers leave the plant on Monday. | Image: AP", "caption"),
    ("Advertisement", "advertisement"),
    ("Story continues below advertisement", "advertisement"),
    ("Read more: Ebersdorf mayor resigns", "teaser"),
    ("Also read | Storm hits the coast", "teaser"),
    ("Sign up for our weekly newsletter", "newsletter"),
    ("This site uses cookies. By continuing to browse you accept them.", "cookies"),
    ("Tags: politics, Ebersdorf", "site-notice"),
]

NEWS = [
    "The service gained 40,000 subscribers in March, the company said.",
    "Subscribers will pay two euros more from June.",
    "Photos of the damaged bridge were shared widely on social media.",
    "The photo shows the suspect leaving the bank at 10 a.m.",
    "The minister declined to comment.",
    "Reuters could not independently verify the reports.",
    "Shares of the airline fell 4 percent.",
    "The share of coal in electricity production fell to 12 percent.",
    "Follow-up talks are planned for May.",
    "Advertising revenue rose by a fifth.",
    "The bakery sells 5,000 cookies a day.",
    "The newsletter of the institute has 40,000 readers.",
    "Pupils read more when they choose the books themselves.",
    "Picture this: a city without cars.",
    "Photograph: Jim Kell said he heard three shots before the lights went out in the whole street.",
]


@pytest.mark.parametrize(("line", "category"), BOILERPLATE)
def test_boilerplate_lines(line: str, category: str) -> None:
    assert boilerplate_category(line) == category


@pytest.mark.parametrize("line", NEWS)
def test_news_sentences_kept(line: str) -> None:
    assert boilerplate_category(line) is None


def test_remove_keeps_paragraphs_and_reports_lines() -> None:
    text = (
        "Advertisement\nThe mayor resigned.\n\nShare this article\n\n"
        "The council meets on Friday.\nRead more: X"
    )
    clean, removed = remove_boilerplate(text)
    assert clean == "The mayor resigned.\n\nThe council meets on Friday."
    assert removed == ("Advertisement", "Share this article", "Read more: X")


def test_repeated_lines_keep_first() -> None:
    text = "The river rose.\nOfficials said more rain was coming.\n\nThe river rose.\nSchools closed."
    clean, removed = remove_boilerplate(text)
    assert clean == "The river rose.\nOfficials said more rain was coming.\n\nSchools closed."
    assert removed == ("The river rose.",)


def test_credit_run_into_sentence_keeps_the_sentence() -> None:
    clean, removed = remove_boilerplate("Photograph: Jim Young/Reuters What does this mean for drilling?")
    assert clean == "What does this mean for drilling?"
    assert removed == ("Photograph: Jim Young/Reuters",)


def test_long_line_never_removed_even_if_it_starts_like_boilerplate() -> None:
    line = (
        "Read more: the commission found that the company had ignored forty warnings from its own "
        "engineers over six years before the dam failed and flooded the valley."
    )
    assert remove_boilerplate(line) == (line, ())
