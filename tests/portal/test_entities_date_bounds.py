"""A date range's upper bound given as a year or a month takes in that whole year or month."""

from datetime import date

import pytest

from portal.entities.selectors import FilterError, parse_day


def test_a_year_as_upper_bound_is_its_last_day_and_as_lower_bound_its_first():
    assert parse_day("1914", "date_to", end=True) == date(1914, 12, 31)
    assert parse_day("1914", "date_from") == date(1914, 1, 1)


def test_a_month_as_upper_bound_is_its_last_day_leap_years_included():
    assert parse_day("1914-08", "date_to", end=True) == date(1914, 8, 31)
    assert parse_day("1916-02", "date_to", end=True) == date(1916, 2, 29)
    assert parse_day("1914-08-23", "date_to", end=True) == date(1914, 8, 23)


def test_a_bad_month_says_what_is_expected():
    with pytest.raises(FilterError, match="a year, a year-month or a date"):
        parse_day("1914-13", "date_to", end=True)
