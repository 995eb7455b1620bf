"""Unit tests of the temporal tagger: one case per expression kind, tense-driven anchoring,
unknown creation times, and properties of offsets on arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.enrich.timex import tag
from storyline.model import TimeExpression

DCT = "2024-02-20"  # a Tuesday


def one(text: str, dct: str | None = DCT) -> TimeExpression:
    found = tag(text, dct)
    assert len(found) == 1, found
    return found[0]


def values(text: str, dct: str | None = DCT) -> list[tuple[str, str, str | None]]:
    return [(t.text, t.type, t.value) for t in tag(text, dct)]


def test_weekday_follows_the_tense_of_the_sentence() -> None:
    assert values("On Sunday he said the deal was done.") == [("Sunday", "DATE", "2024-02-18")]
    assert values("On Sunday she will travel to Paris.") == [("Sunday", "DATE", "2024-02-25")]
    assert values("Talks are going to resume Friday.") == [("Friday", "DATE", "2024-02-23")]
    assert values("Talks collapsed Friday.") == [("Friday", "DATE", "2024-02-16")]


def test_bare_weekday_without_tense_takes_the_nearest() -> None:
    assert one("Tuesday").value == "2024-02-20"
    assert one("The market opens Wednesday").value == "2024-02-21"


def test_month_alone_follows_tense() -> None:
    assert values("Prices rose in May.") == [("May", "DATE", "2023-05")]
    assert values("Prices will rise in May.") == [("May", "DATE", "2024-05")]
    assert values("It happened last September.") == [("last September", "DATE", "2023-09")]
    assert values("It opens next January.") == [("next January", "DATE", "2025-01")]


def test_may_as_a_modal_verb_is_not_a_month() -> None:
    assert tag("Officials May be reluctant, and prices may rise.", DCT) == []


def test_absolute_dates() -> None:
    assert one("It ended on February 18, 2019.").value == "2019-02-18"
    assert values("He spoke February 18.") == [("February 18", "DATE", "2024-02-18")]
    assert one("The law passed in March 1998.").value == "1998-03"
    assert one("It was signed on 3 March 2001.").value == "2001-03-03"
    assert one("The file is dated 2021-06-30.").value == "2021-06-30"
    assert values("It grew in 2021.") == [("2021", "DATE", "2021")]
    assert values("They have lived there since 2018.") == [("2018", "DATE", "2018")]


def test_years_decades_centuries() -> None:
    assert values("the 1940s") == [("the 1940s", "DATE", "194")]
    assert values("the class of '19") == [("'19", "DATE", "2019")]
    assert values("the class of '98", "2000-01-01") == [("'98", "DATE", "1998")]
    assert values("in the 20th century") == [("the 20th century", "DATE", "19")]
    assert values("in fiscal 1998") == [("fiscal 1998", "DATE", "1998")]
    assert one("nineteen ninety-six").value == "1996"


def test_numbers_that_are_not_years() -> None:
    assert tag("It sold 1,990 cars for $2000 and 1999 percent.", DCT) == []


def test_deictic_words() -> None:
    assert one("He left yesterday.").value == "2024-02-19"
    assert one("She arrives tomorrow.").value == "2024-02-21"
    assert one("Today is busy.").value == "2024-02-20"
    assert values("Prices are now high.") == [("now", "DATE", "PRESENT_REF")]
    assert values("It is currently closed.") == [("currently", "DATE", "PRESENT_REF")]
    assert values("It rose in recent years.") == [("recent years", "DATE", "PAST_REF")]
    assert values("It will grow in the future.") == [("the future", "DATE", "FUTURE_REF")]


def test_relative_calendar_units() -> None:
    assert values("Sales rose this week.") == [("this week", "DATE", "2024-W08")]
    assert values("Sales fell last week.") == [("last week", "DATE", "2024-W07")]
    assert values("It closed last month.") == [("last month", "DATE", "2024-01")]
    assert values("It closed last year.") == [("last year", "DATE", "2023")]
    assert values("It opens next year.") == [("next year", "DATE", "2025")]
    assert values("It opened earlier this year.") == [("earlier this year", "DATE", "2024")]
    assert values("Profit fell in the previous year.") == [("the previous year", "DATE", "2023")]


def test_previous_year_is_anchored_on_the_mentioned_date() -> None:
    found = values("In March 2010 sales rose, up from the previous year.")
    assert found == [("March 2010", "DATE", "2010-03"), ("the previous year", "DATE", "2009")]


def test_later_and_earlier_use_the_last_mentioned_date() -> None:
    found = values("The storm hit on March 3, 2010. Two days later the power came back.")
    assert found == [("March 3, 2010", "DATE", "2010-03-03"), ("Two days later", "DATE", "2010-03-05")]
    assert values("A year earlier it was cheaper.") == [("A year earlier", "DATE", "2023")]


def test_ago_is_anchored_on_the_creation_time() -> None:
    assert values("He left three years ago.") == [("three years ago", "DATE", "2021")]
    assert values("He left two days ago.") == [("two days ago", "DATE", "2024-02-18")]


def test_durations() -> None:
    assert values("for the past three years") == [("the past three years", "DURATION", "P3Y")]
    assert values("It lasted a decade.") == [("a decade", "DURATION", "P10Y")]
    assert values("a two-year contract") == [("two-year", "DURATION", "P2Y")]
    assert values("in the first nine months") == [("the first nine months", "DURATION", "P9M")]
    assert values("It took 90 minutes.") == [("90 minutes", "DURATION", "PT90M")]
    assert values("for several weeks") == [("several weeks", "DURATION", "PXW")]


def test_ages_are_not_durations() -> None:
    assert tag("A 6-year-old boy", DCT) == []


def test_sets() -> None:
    assert values("He runs every week.") == [("every week", "SET", "P1W")]
    assert values("It is updated daily.") == [("daily", "SET", "P1D")]
    assert values("She calls twice a month.") == [("twice a month", "SET", "P1M")]
    assert values("Shops close on Sundays.") == [("Sundays", "SET", "XXXX-WXX-7")]


def test_fiscal_periods() -> None:
    assert values("Profit rose in the third quarter.") == [("the third quarter", "DATE", "2023-Q3")]
    assert values("Profit will rise in the third quarter.") == [("the third quarter", "DATE", "2024-Q3")]
    assert values("third-quarter profit of 1998", "1998-11-02") == [
        ("third-quarter", "DATE", "1998-Q3"),
        ("1998", "DATE", "1998"),
    ]
    found = values("Profit rose in the third quarter, up from $5 a year earlier.", "1989-10-27")
    assert found == [("the third quarter", "DATE", "1989-Q3"), ("a year earlier", "DATE", "1988-Q3")]
    assert values("the first half of 1990") == [("the first half of 1990", "DATE", "1990-H1")]


def test_seasons() -> None:
    assert values("It will open this spring.") == [("this spring", "DATE", "2024-SP")]
    assert values("It opened last fall.") == [("last fall", "DATE", "2023-FA")]
    assert tag("Prices fall when rates rise.", DCT) == []


def test_times_of_day() -> None:
    assert values("It began at 12:30 p.m.") == [("12:30 p.m.", "TIME", "2024-02-20T12:30")]
    assert values("It began at 9 a.m. yesterday.") == [("9 a.m. yesterday", "TIME", "2024-02-19T09:00")]
    assert values("They met Friday morning.") == [("Friday morning", "DATE", "2024-02-16")]
    assert values("He spoke this morning.") == [("this morning", "TIME", "2024-02-20TMO")]
    assert values("It rained last night.") == [("last night", "TIME", "2024-02-19TNI")]


def test_holidays() -> None:
    assert one("They met at Christmas.", "1998-12-30").value == "1998-12-25"
    assert one("They will meet at Thanksgiving.", "1999-10-01").value == "1999-11-25"


def test_unknown_dct_keeps_absolute_and_leaves_relative_unresolved() -> None:
    absolute = one("It ended on February 18, 2019.", None)
    assert (absolute.value, absolute.anchored) == ("2019-02-18", True)
    for text in ("on Sunday he said", "last September", "in May", "yesterday", "this week", "two days ago"):
        found = one(text, None)
        assert found.value is None and found.anchored is False, found
    pairs = values("The storm hit on March 3, 2010. Two days later the power came back.", None)
    assert pairs[1] == ("Two days later", "DATE", "2010-03-05")


def test_extents_follow_timeml() -> None:
    text = "On Sunday, since 2018, last September and in the 1940s"
    assert [t.text for t in tag(text, DCT)] == ["Sunday", "2018", "last September", "the 1940s"]


def test_invalid_dates_are_skipped() -> None:
    assert tag("It is due February 31.", DCT) == []


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200), st.sampled_from([DCT, None, "1998-12-31"])
)
def test_offsets_always_slice_the_text(text: str, dct: str | None) -> None:
    found = tag(text, dct)
    previous_end = 0
    for t in found:
        assert text[t.start : t.end] == t.text
        assert t.start >= previous_end and t.end > t.start
        previous_end = t.end
        assert t.anchored == (t.value is not None)


_PIECES = st.sampled_from(
    [
        "on Sunday",
        "last September",
        "in May",
        "2 days later",
        "'19",
        "the 1990s",
        "12:30 p.m.",
        "every week",
        "the third quarter",
        "fiscal 1998",
        "he said",
        "will",
        "yesterday",
        " ",
        ", ",
        ". ",
        "It",
        "Friday morning",
        "3 March 2001",
        "the past three years",
        "quarterly",
        "nineteen ninety",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.sampled_from([DCT, None]))
def test_sentences_made_of_time_words_never_break(pieces: list[str], dct: str | None) -> None:
    text = " ".join(pieces)
    for t in tag(text, dct):
        assert text[t.start : t.end] == t.text
        assert t.type in ("DATE", "TIME", "DURATION", "SET")
        if dct is not None and t.value is None:
            raise AssertionError(f"unresolved with a creation time: {t}")


def test_tense_cues_ignore_passive_participles_and_spatial_next() -> None:
    # "will be named": the participle after "be" is not a past cue, "will" decides
    assert values("Collins will be named commander for a mission in December.") == [
        ("December", "DATE", "2024-12")
    ]
    # "next to" is spatial, "plans" alone is a noun: neither points to the future
    assert values("Bombs exploded next to the embassy on Friday.") == [("Friday", "DATE", "2024-02-16")]
    assert values("On Friday, when she set aside vacation plans, she flew home.") == [
        ("Friday", "DATE", "2024-02-16")
    ]


def test_tense_cue_of_the_same_clause_wins() -> None:
    assert values("They could leave as soon as Thursday, Castro said.") == [
        ("Thursday", "DATE", "2024-02-22")
    ]


def test_deadline_words_point_ahead() -> None:
    assert values("They said they expect the deal to be completed by March 15.") == [
        ("March 15", "DATE", "2024-03-15")
    ]
    assert values("The dividend was declared, payable March 1.") == [("March 1", "DATE", "2024-03-01")]
    # in a past-tense clause the nearest occurrence: "until Monday, they had not..."
    assert values("Until Monday, they had not called him a suspect.") == [("Monday", "DATE", "2024-02-19")]
    # a date a few days behind in a future-tense clause is the recent one
    assert values("They would appeal to repatriate the child by Feb. 17.") == [
        ("Feb. 17", "DATE", "2024-02-17")
    ]


def test_plural_weekday_with_part_of_day_is_a_set() -> None:
    assert values("Flights leave on Tuesday nights.") == [("Tuesday nights", "SET", "XXXX-WXX-2TNI")]


def test_reporting_quarter_conventions() -> None:
    dct = "1989-10-30"  # early in the fourth quarter
    # the quarter just ended is still to be reported: not next year's
    assert values("It expects to report a loss for the third quarter.", dct) == [
        ("the third quarter", "DATE", "1989-Q3")
    ]
    assert values("It earned $5 in the year-ago third quarter.", dct) == [
        ("the year-ago third quarter", "DATE", "1988-Q3")
    ]
    assert values("Net sales for this year's third quarter were $14 million.", dct) == [
        ("this year's third quarter", "DATE", "1989-Q3")
    ]
    # the latest quarter is the last one completed; the year-ago one is a year before it
    assert values("Sales rose in the latest quarter.", dct) == [("the latest quarter", "DATE", "1989-Q3")]
    assert values("It earned $5 in the year-earlier quarter.", dct) == [
        ("the year-earlier quarter", "DATE", "1988-Q3")
    ]


def test_last_year_in_a_quarterly_report() -> None:
    dct = "1989-10-30"
    found = values("In the third quarter, it lost $2 million, against a profit of $3 million last year.", dct)
    assert found == [("the third quarter", "DATE", "1989-Q3"), ("last year", "DATE", "1988-Q3")]
    # a span of several months reported: the comparison is with the earlier year
    found = values(
        "Profit rose in the third quarter. For the nine months, net was $5, up from $4 a year earlier.", dct
    )
    assert found[-1] == ("a year earlier", "DATE", "1988")


def test_infinitive_and_irregular_passive_take_the_nearest_occurrence() -> None:
    # "decided to admit ... in March": the infinitive is not past like "decided"
    assert values("NATO decided to admit the three countries in March.") == [("March", "DATE", "2024-03")]
    # "would still be held": "held" after "be" is a passive participle, not a past cue
    assert values("The ceremony would still be held on April 24.") == [("April 24", "DATE", "2024-04-24")]
    # a preposition "to" is no infinitive
    assert values("Shares fell to the lowest level in December.") == [("December", "DATE", "2023-12")]


def test_fractions_of_units() -> None:
    assert values("It took 2 1/2 years.") == [("2 1/2 years", "DURATION", "P2Y6M")]
    assert values("It lasted 5 1/2 hours.") == [("5 1/2 hours", "DURATION", "PT5H30M")]
    assert values("It took two and a half years.") == [("two and a half years", "DURATION", "P2Y6M")]
    # "later" after a clock amount stays out: the duration after some event
    assert values("But a minute and a half later, a pilot called.") == [
        ("a minute and a half", "DURATION", "PT1M30S")
    ]


def test_possessive_weekday_is_a_reported_event_without_the_s() -> None:
    # DCT is a Tuesday: "Thursday's" is the one before, and "'s" stays out of the extent
    assert values("The premium is over Thursday's closing price.") == [("Thursday", "DATE", "2024-02-15")]
    # an infinitive governed by a future cue stays future
    assert values("The deal is scheduled to close Monday.") == [("Monday", "DATE", "2024-02-26")]


def test_extents_leave_out_determiners_of_modified_nouns_and_hedges() -> None:
    assert values("It ended the 14-day waiting period.") == [("14-day", "DURATION", "P14D")]
    assert values("Profit fell in the nine months.") == [("the nine months", "DURATION", "P9M")]
    assert values("It grew over the past four months.") == [("the past four months", "DURATION", "P4M")]
    assert values("It lasted about three days.") == [("three days", "DURATION", "P3D")]
    assert values("It happened in the past.") == [("the past", "DATE", "PAST_REF")]


def test_fractions_and_rates_are_not_periods() -> None:
    assert tag("He owns about three-quarters of the shares.", DCT) == []
    assert tag("It sold a quarter of its stake.", DCT) == []
    assert values("It will save $2 million a year.") == [("a year", "SET", "P1Y")]
    assert values("It left within a year.") == [("a year", "DURATION", "P1Y")]


def test_month_with_relative_year() -> None:
    assert values("It happened in July last year.") == [("July last year", "DATE", "2023-07")]
    assert values("It began in February this year.") == [("February this year", "DATE", "2024-02")]


def test_the_year_is_a_span_only_when_bounded_or_throughout() -> None:
    dct = "1989-11-02"
    assert values("For the year ended Sept. 30, it earned $4.", dct)[0] == ("the year", "DURATION", "P1Y")
    assert values("Sales for the full year were $6.6 billion.", dct) == [("the full year", "DATE", "1989")]
    assert values("It set a high for the year.", dct) == [("the year", "DATE", "1989")]
    assert values("Profit should rise throughout the fiscal year.", dct) == [
        ("the fiscal year", "DURATION", "P1Y")
    ]


def test_spelled_years_in_dates_and_couple() -> None:
    assert values("January nineteen ninety-seven.") == [("January nineteen ninety-seven", "DATE", "1997-01")]
    assert values("It was the winter of nineteen ninety-four.") == [
        ("the winter of nineteen ninety-four", "DATE", "1994-WI")
    ]
    assert values("The approach of the year two thousand has many worried.") == [
        ("the year two thousand", "DATE", "2000")
    ]
    assert tag("About two thousand people came.", DCT) == []
    assert values("It took a couple of years.") == [("a couple of years", "DURATION", "P2Y")]


def test_near_term_is_the_future() -> None:
    assert values("Profit will be weak in the near term.") == [("the near term", "DATE", "FUTURE_REF")]


def test_this_month_is_in_the_current_year() -> None:
    assert values("It opens this September.") == [("this September", "DATE", "2024-09")]


def test_date_before_a_colon() -> None:
    assert values("It said in an editorial on Saturday, April 25: the court erred.", "1998-04-24") == [
        ("Saturday, April 25", "DATE", "1998-04-25")
    ]


def test_ages_with_a_spaced_old_are_not_durations() -> None:
    assert tag("Mr. Reupke, 52 years old, resigned.", DCT) == []
    assert tag("employees 55 years old or older", DCT) == []


def test_measure_phrases_with_of_are_not_spans() -> None:
    assert tag("It should be done in a matter of months.", DCT) == []
    assert tag("They ruled for hundreds of years.", DCT) == []
    assert values("It has been troubled for years.") == [("years", "DURATION", "PXY")]


def test_clock_time_keeps_deadline_word_out_and_takes_a_following_date() -> None:
    assert values("The offer expires at 5 p.m. EST, Nov. 6, the company said.", "1989-10-30") == [
        ("5 p.m. EST, Nov. 6", "TIME", "1989-11-06T17:00")
    ]
    assert values("The offer runs until 5 p.m. EST Nov. 9.", "1989-11-02") == [
        ("5 p.m. EST Nov. 9", "TIME", "1989-11-09T17:00")
    ]
    assert values("Bids are due by noon.") == [("noon", "TIME", "2024-02-20T12:00")]


def test_spelled_decades() -> None:
    assert values("Prices soared in the nineties.", "1998-02-20") == [("the nineties", "DATE", "199")]
    assert values("in the early sixties") == [("the early sixties", "DATE", "196")]
    assert tag("Temperatures were in the nineties.", DCT) == []


def test_march_as_a_procession_is_not_a_month() -> None:
    assert tag("Protesters joined the annual March for Life on Capitol Hill.", DCT) == []
    assert values("Prices rose in March.") == [("March", "DATE", "2023-03")]


def test_amounts_with_more_or_a_day_kind() -> None:
    assert values("The talks need two more weeks.") == [("two more weeks", "DURATION", "P2W")]
    assert values("for at least 20 more years") == [("at least 20 more years", "DURATION", "P20Y")]
    assert values("over eight trading days") == [("eight trading days", "DURATION", "P8D")]


def test_year_end_without_a_hyphen() -> None:
    assert values("Staff will be cut by year end.", "1989-11-01") == [("year end", "DATE", "1989")]
    assert values("before the year's end", "1989-11-01") == [("year's end", "DATE", "1989")]


def test_election_day() -> None:
    assert values("Polls close on Election Day.", "1998-10-26") == [("Election Day", "DATE", "1998-11-03")]


def test_part_of_day_before_a_deictic_day() -> None:
    assert values("Shares fell mid-afternoon yesterday.", "1989-11-02") == [
        ("mid-afternoon yesterday", "TIME", "1989-11-01TAF")
    ]


def test_units_ahead() -> None:
    assert values("Prices may rise in the weeks ahead.") == [("the weeks ahead", "DURATION", "PXW")]


def test_verb_of_saying_yields_to_the_verb_of_the_clause() -> None:
    text = (
        "NATO has decided to admit Poland, Hungary and the Czech Republic in early March, an official said."
    )
    assert values(text, "1999-02-10") == [("early March", "DATE", "1999-03")]
    assert values("In September, it announced plans to buy the unit.", "1989-10-30") == [
        ("September", "DATE", "1989-09")
    ]


THURSDAY = "2024-03-14"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The union called a strike for Monday.", "2024-03-18"),
        ("Unions have called a strike for Monday, officials said.", "2024-03-18"),
        ("A strike is planned for Monday.", "2024-03-18"),
        ("Classes are cancelled for Friday.", "2024-03-15"),
        ("Schools remain closed on Friday.", "2024-03-15"),
        ("Schools may stay shut on Monday.", "2024-03-18"),
        ("Ministers will meet on Monday.", "2024-03-18"),
        ("Buses run every hour from Monday.", "2024-03-18"),
        ("The road stays shut until Monday.", "2024-03-18"),
        # the past stays past
        ("The port was closed on Monday.", "2024-03-11"),
        ("Shares bought from Monday to Wednesday rose.", "2024-03-11"),
        ("A memorial service planned for Wednesday was canceled.", "2024-03-13"),
    ],
)
def test_weekdays_that_point_forward_are_dated_ahead(text: str, expected: str) -> None:
    found = next(t for t in tag(text, THURSDAY) if t.text.endswith("day"))
    assert found.value == expected, text
