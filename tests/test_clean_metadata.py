from __future__ import annotations

import pytest

from storyline.clean.metadata import extract_metadata, parse_agency_credit, parse_byline, parse_date_line


@pytest.mark.parametrize(
    ("line", "date", "time"),
    [
        ("Updated February 20th, 2024 at 14:00 IST", "2024-02-20", "14:00 IST"),
        ("Last updated: 20 Feb 2024 14:00", "2024-02-20", "14:00"),
        ("Published on 2024-02-20", "2024-02-20", None),
        ("Feb 20, 2024, 02:00 PM IST", "2024-02-20", "14:00 IST"),
        ("date 2024-02-20", "2024-02-20", None),
        ("Published: 25/11/2023 | Updated: 26/11/2023 09:00", "2023-11-25", None),
        ("Updated: 26 Nov 2023 | Published: 25 Nov 2023 08:10", "2023-11-25", "08:10"),
        ("Tuesday 12 May 2009 16.36 BST", "2009-05-12", "16:36 BST"),
    ],
)
def test_date_lines(line: str, date: str, time: str | None) -> None:
    assert parse_date_line(line) == (date, time)


def test_ambiguous_numeric_date_not_guessed() -> None:
    assert parse_date_line("Published 03/04/2024") == (None, None)


@pytest.mark.parametrize(
    "line",
    ["Updated figures were published on 20 Feb 2024.", "The vote was held on Feb 20, 2024 in the capital."],
)
def test_sentences_with_dates_are_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


@pytest.mark.parametrize(
    ("line", "authors", "agency"),
    [
        ("By Hanna Oller", ("Hanna Oller",), None),
        ("By Oskar Veil and Lena Marsh", ("Oskar Veil", "Lena Marsh"), None),
        ("By LISA GRUNWALD Associated Press", ("Lisa Grunwald",), "AP"),
        ("Photography, Reporting, and Writing: Mira Sol", ("Mira Sol",), None),
        ("Reporting by Tomas Brenn; Editing by Alia Varga", ("Tomas Brenn",), None),
        ("(Reporting by Ada Moll and Ines Baro; Editing by Tom Welk)", ("Ada Moll", "Ines Baro"), None),
        ("Digital Desk", ("Digital Desk",), None),
        ("Written by Farid Selmi", ("Farid Selmi",), None),
        ("By Priya Castellane, Business reporter", ("Priya Castellane",), None),
        ("The Associated Press contributed to this report.", (), "AP"),
    ],
)
def test_bylines(line: str, authors: tuple[str, ...], agency: str | None) -> None:
    assert parse_byline(line) == (authors, agency)


@pytest.mark.parametrize("line", ["By Tuesday, the council will have voted.", "By then it was too late."])
def test_sentences_starting_with_by_are_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


@pytest.mark.parametrize(
    ("line", "agency"),
    [("Reuters", "Reuters"), ("(Reuters)", "Reuters"), ("- AFP", "AFP"), ("with inputs from PTI", "PTI"),
     ("ANSA", "ANSA"), ("Kyodo", "Kyodo"), ("(mit Material von AFP)", "AFP"),
     ("(With inputs from agencies)", "")],
)  # fmt: skip
def test_agency_credits(line: str, agency: str) -> None:
    assert parse_agency_credit(line) == agency


def test_agency_as_subject_is_not_a_credit() -> None:
    assert parse_agency_credit("Reuters reported the sale last week.") is None


def test_extract_metadata_removes_lines_and_keeps_dateline() -> None:
    text = (
        "By Hanna Oller\nUpdated February 20th, 2024 at 14:00 IST\n\n"
        "PARIS (Reuters) - The strike ended on Monday.\nUnions said pay would rise.\n\nReuters"
    )
    clean, found = extract_metadata(text)
    assert clean == "PARIS (Reuters) - The strike ended on Monday.\nUnions said pay would rise."
    assert (found.published, found.published_time) == ("2024-02-20", "14:00 IST")
    assert found.authors == ("Hanna Oller",)
    assert found.agency == "Reuters"
    assert found.removed_lines == ("By Hanna Oller", "Updated February 20th, 2024 at 14:00 IST", "Reuters")


def test_dateline_gives_agency_and_stays() -> None:
    text = "TERAVA, Oct 12 (AFP) - An earthquake struck the north.\nNo victims were reported."
    clean, found = extract_metadata(text)
    assert clean == text
    assert found.agency == "AFP"


def test_closing_agency_only_at_the_end() -> None:
    text = "AFP\nThe agency AFP said so.\n" + "\n".join(f"Line {i} of the report." for i in range(12))
    _clean, found = extract_metadata(text)
    assert found.agency is None
