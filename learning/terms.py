"""The terms (périodes) of a class's school year, between its zone's holidays.

A French school year has five terms separated by the autumn, Christmas, winter and
spring holidays, whose dates depend on the school's holiday zone. Zones A, B and C
come from `assessment.schedule.zone_calendar`. Corsica and the overseas académies set
their own calendars, which that data does not contain, so their year is one term.
"""

import datetime as dt
from dataclasses import dataclass

from assessment.schedule import zone_calendar
from schools.models import Classroom

# Holidays this long or longer separate two terms. A bridge such as Ascension's
# (three or four days) does not.
MIN_TERM_BREAK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Term:
    number: int  # from 1; 0 for a year that could not be split
    first_day: dt.date
    last_day: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


def class_terms(classroom: Classroom) -> list[Term]:
    """Return the terms of the class's school year, in order."""
    year = classroom.school_year
    zone = classroom.school.academie.holiday_zone
    calendar = zone_calendar()
    whole_year = [Term(0, year.starts_on, year.ends_on)]
    if zone not in calendar.zones or not (
        calendar.covers(year.starts_on) and calendar.covers(year.ends_on)
    ):
        return whole_year
    terms: list[Term] = []
    first = year.starts_on
    one_day = dt.timedelta(days=1)
    for span in calendar.spans_between(year.starts_on, year.ends_on, [zone]):
        if span.last_day - span.first_day + one_day < MIN_TERM_BREAK:
            continue
        if span.first_day > first:
            terms.append(Term(len(terms) + 1, first, span.first_day - one_day))
        first = max(first, span.last_day + one_day)
    if first <= year.ends_on:
        terms.append(Term(len(terms) + 1, first, year.ends_on))
    return terms or whole_year


def term_of(terms: list[Term], day: dt.date) -> Term:
    """Return the term that contains `day`, or the next one when `day` is a holiday."""
    for term in terms:
        if day <= term.last_day:
            return term
    return terms[-1]
