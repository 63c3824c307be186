"""The terms of a school year, between the zone's holidays."""

import datetime as dt

import pytest

from learning.terms import class_terms, term_of

pytestmark = pytest.mark.django_db


def test_zone_c_year_has_five_terms(classroom):
    # Zone C, 2026-2027: Toussaint from 17 October, Christmas from 19 December,
    # winter from 6 February, spring from 3 April; Ascension's bridge is no break.
    terms = class_terms(classroom)
    assert [term.number for term in terms] == [1, 2, 3, 4, 5]
    assert terms[0].first_day == dt.date(2026, 9, 1)
    assert terms[0].last_day == dt.date(2026, 10, 16)
    assert terms[1].first_day == dt.date(2026, 11, 2)
    assert terms[4].first_day == dt.date(2027, 4, 19)
    assert terms[4].last_day == dt.date(2027, 7, 2)


def test_holiday_day_belongs_to_next_term(classroom):
    terms = class_terms(classroom)
    assert term_of(terms, dt.date(2026, 10, 20)).number == 2


def test_overseas_year_is_one_term(classroom):
    academie = classroom.school.academie
    academie.holiday_zone = "overseas"
    academie.save()
    (term,) = class_terms(classroom)
    assert term.number == 0
    assert term.first_day == classroom.school_year.starts_on
