"""Dates and the policy version date (kg.normalize.dates)."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.normalize.dates import find_dates, find_policy_date

DATES = [
    ("December 12, 2023", "2023-12-12"),
    ("Dec. 12, 2023", "2023-12-12"),
    ("Dec 12 2023", "2023-12-12"),
    ("December 12th, 2023", "2023-12-12"),
    ("Sept. 5, 2023", "2023-09-05"),
    ("12 December 2023", "2023-12-12"),
    ("12th of December, 2023", "2023-12-12"),
    ("1st January 2024", "2024-01-01"),
    ("2023-12-12", "2023-12-12"),
    ("2023/12/01", "2023-12-01"),
    ("12/11/2023", "2023-12-11"),  # month first
    ("25/12/2023", "2023-12-25"),  # day first: 25 is not a month
    ("12-11-2023", "2023-12-11"),
    ("12.11.2023", "2023-11-12"),  # dotted: day first
    ("December 2023", "2023-12-01"),  # month only: its first day
    ("Feb 2020", "2020-02-01"),
    ("JULY 22, 2018", "2018-07-22"),
    ("February 29, 2024", "2024-02-29"),
]

NOT_DATES = [
    "February 30, 2023", "February 29, 2023", "2023-02-30", "13/13/2023", "31.04.2023", "2023", "in 2023",
    "you may 2023", "version 1.2.2023.4", "12/12/23", "December 12", "call 310.532.5000", "July 22, 1850",
]

POLICY_DATES = [
    ("Last updated: July 22, 2018", "Last updated: July 22, 2018", "2018-07-22"),  # calsoft
    ("Last Modified: Feb 10, 2020", "Last Modified: Feb 10, 2020", "2020-02-10"),  # pro-softnet
    ("This document was last updated on November 1, 2023", "last updated on November 1, 2023", "2023-11-01"),
    ("Last revision: December 12, 2023", "Last revision: December 12, 2023", "2023-12-12"),  # cubesoft
    ("Effective date: 01/15/2024", "Effective date: 01/15/2024", "2024-01-15"),
    ("Effective as of 12th of December, 2023.", "Effective as of 12th of December, 2023", "2023-12-12"),
    ("Revised 2023-03-01", "Revised 2023-03-01", "2023-03-01"),
    ("Updated on 5 June 2022", "Updated on 5 June 2022", "2022-06-05"),
    ("Date of last revision: 12.11.2023", "Date of last revision: 12.11.2023", "2023-11-12"),
    ("This Privacy Policy is effective as of December 2023.", "effective as of December 2023", "2023-12-01"),
    ("Effective date:\nMarch 3, 2024", "Effective date:\nMarch 3, 2024", "2024-03-03"),
    ("Last updated on our website on March 3, 2024", "Last updated on our website on March 3, 2024", "2024-03-03"),
]

NO_POLICY_DATE = [
    "We founded the company on July 22, 2018.",  # no cue
    "We will revise the updated date at the bottom of this page.",  # cue, no date
    "Last updated\n\nOur history. On January 1, 2020 we moved.",  # date on another line, after other words
    "Updated: February 30, 2023",  # not a date
    "",
]


@pytest.mark.parametrize("text, iso", DATES)
def test_find_dates(text, iso):
    sentence = f"Published {text}, in print."
    [(start, end, got)] = find_dates(sentence)
    assert (sentence[start:end], got) == (text, iso)


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_a_date(text):
    assert find_dates(text) == []


def test_several_dates_in_order():
    text = "From Dec. 12, 2023 to 12/11/2024 (and 2025-01-31)."
    assert [iso for _, _, iso in find_dates(text)] == ["2023-12-12", "2024-12-11", "2025-01-31"]


@pytest.mark.parametrize("text, span, iso", POLICY_DATES)
def test_find_policy_date(text, span, iso):
    start, end, got = find_policy_date(text)
    assert (text[start:end], got) == (span, iso)


@pytest.mark.parametrize("text", NO_POLICY_DATE)
def test_no_policy_date(text):
    assert find_policy_date(text) is None


def test_first_cue_with_a_date_wins():
    text = "We revised our practices. Effective date: March 1, 2021. Last updated: June 2, 2022."
    assert find_policy_date(text)[2] == "2021-03-01"


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


FORMATS = {
    "long": lambda d: f"{d:%B} {d.day}, {d.year}",
    "abbreviated": lambda d: f"{d:%b}. {d.day}, {d.year}",
    "day first": lambda d: f"{d.day} {d:%B} {d.year}",
    "ordinal": lambda d: f"{ordinal(d.day)} of {d:%B}, {d.year}",
    "iso": lambda d: d.isoformat(),
    "us": lambda d: f"{d.month}/{d.day}/{d.year}",
    "dotted": lambda d: f"{d.day:02}.{d.month:02}.{d.year}",
}


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.sampled_from(sorted(FORMATS)))
def test_rendered_date_parses_back(d, fmt):
    text = FORMATS[fmt](d)
    assert find_dates(f"on {text} we") == [(3, 3 + len(text), d.isoformat())]


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)).filter(lambda d: d.day > 12))
def test_day_first_with_slashes_when_unambiguous(d):
    assert find_dates(f"{d.day}/{d.month}/{d.year}")[0][2] == d.isoformat()


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
def test_month_and_year_is_the_first_of_the_month(d):
    assert find_dates(f"{d:%B} {d.year}")[0][2] == d.replace(day=1).isoformat()
