"""Headers and metadata in their real variety, each form with hypothesis-generated variants."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.clean import boilerplate_category, clean_article
from storyline.clean.metadata import parse_any_date_line, parse_byline
from storyline.model import Article
from storyline.read import read_bytes

DATES = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2035, 12, 31))
CLOCKS = st.tuples(st.integers(0, 23), st.integers(0, 59))
HEADLINES = st.sampled_from(
    ["Floods hit the north", "Minister resigns after vote", "Oil prices rise again", "Storm closes ports"]
)
BODY = (
    "Heavy rain fell on Wednesday across the region, closing roads and schools.\n\n"
    "Officials said the river would peak on Friday, and asked residents to stay at home."
)
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]  # fmt: skip
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]  # fmt: skip
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]  # fmt: skip
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre"]  # fmt: skip


def _read(text: str) -> Article:
    items = list(read_bytes(text.encode("utf-8"), "dump.txt"))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return clean_article(items[0])


@settings(max_examples=40, deadline=None)
@given(
    DATES, HEADLINES, st.sampled_from(["", " ", "\t", "  "]), st.sampled_from([" ", " | ", " - ", ": ", "  "])
)
def test_date_header_with_the_headline_on_its_line(
    day: dt.date, headline: str, indent: str, sep: str
) -> None:
    article = _read(f"{indent}date {day.isoformat()}{sep}{headline}\n{BODY}\n")
    assert article.published == day.isoformat()
    assert article.title == headline
    assert "date" not in article.text.split("\n")[0].lower()


@settings(max_examples=40, deadline=None)
@given(DATES, HEADLINES, st.permutations(["date", "title", "byline"]), st.sampled_from(["", "  "]))
def test_header_lines_in_any_order(day: dt.date, headline: str, order: list[str], indent: str) -> None:
    parts = {"date": f"{indent}date {day.isoformat()}", "title": headline, "byline": "By Maria Lopez"}
    article = _read("\n".join(parts[k] for k in order) + "\n" + BODY + "\n")
    assert article.published == day.isoformat()
    assert article.title == headline
    assert article.authors == ("Maria Lopez",)
    assert article.text.startswith("Heavy rain fell")


def _labelled_line(day: dt.date, clock: tuple[int, int], form: int) -> str:
    h, m = clock
    d, mo, y = day.day, day.month, day.year
    return [
        f"Updated {MONTHS_EN[mo - 1]} {d}, {y} at {h:02d}:{m:02d} IST",
        f"Published: {d} {MONTHS_EN[mo - 1][:3]} {y} {h:02d}:{m:02d} GMT",
        f"Posted {MONTHS_EN[mo - 1]} {d}, {y} {h:02d}:{m:02d}",
        f"Publié le {d} {MONTHS_FR[mo - 1]} {y} à {h:02d}h{m:02d}",
        f"Mis à jour le {d:02d}/{mo:02d}/{y} à {h:02d}:{m:02d}",
        f"Aktualisiert am {d:02d}.{mo:02d}.{y}, {h:02d}:{m:02d} Uhr",
        f"Veröffentlicht am {d}. {MONTHS_DE[mo - 1]} {y}, {h:02d}:{m:02d} Uhr",
        f"Stand: {d:02d}.{mo:02d}.{y} {h:02d}:{m:02d} Uhr",
        f"Publicado el {d} de {MONTHS_ES[mo - 1]} de {y}, {h:02d}:{m:02d}",
        f"{['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'][day.weekday()]}, "
        f"{d:02d}.{mo:02d}.{y}, {h:02d}:{m:02d}",
    ][form]


@settings(max_examples=150, deadline=None)
@given(DATES, CLOCKS, st.integers(0, 9))
def test_labelled_date_lines_in_several_languages(day: dt.date, clock: tuple[int, int], form: int) -> None:
    line = _labelled_line(day, clock, form)
    found = parse_any_date_line(line)
    assert found is not None, line
    assert found[0] == day.isoformat(), line
    assert found[1] is not None and found[1].startswith(f"{clock[0]:02d}:{clock[1]:02d}"), (line, found)


@settings(max_examples=40, deadline=None)
@given(DATES, CLOCKS, st.integers(0, 9))
def test_a_date_line_is_never_the_title(day: dt.date, clock: tuple[int, int], form: int) -> None:
    article = clean_article(Article(text=BODY, title=_labelled_line(day, clock, form)))
    assert article.published == day.isoformat()
    assert article.title and not parse_any_date_line(article.title)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["PARIS", "NEW YORK", "KYIV", "JOHANNESBURG"]), DATES,
       st.sampled_from(["Reuters", "AFP", "AP", "dpa", "Xinhua"]), st.sampled_from(["-", "–", "—"]))  # fmt: skip
def test_dateline_gives_the_agency_as_source(city: str, day: dt.date, agency: str, dash: str) -> None:
    text = f"{city}, {MONTHS_EN[day.month - 1][:3]} {day.day} ({agency}) {dash} {BODY}"
    article = clean_article(Article(text=text, title="Floods hit the north"))
    assert article.agency == agency
    assert article.source == agency
    with_outlet = clean_article(Article(text=text, title="Floods", source="Le Monde"))
    assert with_outlet.source == "Le Monde"


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["Maria Lopez", "John Smith", "Anna-Lena Krüger"]),
       st.sampled_from(["", ", Reuters", " | AFP"]), st.sampled_from(["By", "BY", "by"]))  # fmt: skip
def test_bylines_are_authors_and_never_the_title(name: str, tail: str, by: str) -> None:
    line = f"{by} {name}{tail}"
    parsed = parse_byline(line)
    assert parsed is not None and parsed[0] == (name,)
    article = clean_article(Article(text=BODY, title=line))
    assert name in article.authors
    assert article.title != line


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["The minister arrives in Kyiv on Monday.", "Firefighters at the scene", "A view of the port"]),
       st.sampled_from(["Jane Doe", "J. Smith", "Pierre Martin"]), st.sampled_from(["Le Monde", "AFP", "Reuters"]),
       st.sampled_from([" – ", " - ", " / ", "/"]))  # fmt: skip
def test_captions_with_a_trailing_copyright_credit(caption: str, name: str, outlet: str, sep: str) -> None:
    assert boilerplate_category(f"{caption} © {name}{sep}{outlet}") in ("caption", "caption-credit")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 999), st.sampled_from(["Comments", "comments", "Comment", "responses", "Kommentare"]),
       st.sampled_from(["", " +", " »", " (show)"]))  # fmt: skip
def test_comment_widget_lines(n: int, word: str, tail: str) -> None:
    assert boilerplate_category(f"{n} {word}{tail}") == "comments"


def test_sentences_about_comments_stay() -> None:
    assert boilerplate_category("He paid 20 comments to the press, and the minister replied to each.") is None
    assert (
        boilerplate_category("The photo © 2020 prize was given to her for the third time in a row.") is None
    )


def test_article_without_title_gets_a_derived_display_title() -> None:
    article = clean_article(Article(text=BODY))
    assert article.title == "Heavy rain fell on Wednesday across the region, closing roads and schools."
    assert article.extra.get("title_derived") is True
    titled = clean_article(Article(text=BODY, title="Floods"))
    assert "title_derived" not in titled.extra
