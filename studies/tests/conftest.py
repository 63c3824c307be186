"""Fixtures of the study tests: a campaign of the shipped 8-item questionnaire over
classes in two académies, its study, and builders for responses with timed answers."""

import datetime as dt
import uuid
from collections.abc import Sequence

import pytest
from django.conf import settings
from django.utils import timezone

from assessment.instruments import sync_instruments
from assessment.models import Answer, Campaign, Instrument, Response, Wave
from schools.models import Academie, Classroom, Pupil, School, SchoolYear
from studies.models import Study

SHIPPED_KEY = "perseverance-self-report"
ITEMS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")


def make_classroom(
    school: School, school_year: SchoolYear, label: str, code: str
) -> Classroom:
    return Classroom.objects.create(
        school=school, school_year=school_year, label=label, levels=["CM1"], code=code
    )


def make_response(
    wave: Wave,
    pupil: Pupil,
    values: Sequence[int | None],
    *,
    gap_seconds: float = 10.0,
    items: Sequence[str] = ITEMS,
    completed: bool | None = None,
    start: dt.datetime | None = None,
) -> Response:
    """Store `values` for the first items, `gap_seconds` apart, as one response.

    The response is completed when every item has an answer, unless `completed`
    says otherwise.
    """
    start = start or timezone.now() - dt.timedelta(hours=1)
    if completed is None:
        completed = len(values) == len(items)
    response = Response.objects.create(
        wave=wave,
        pupil=pupil,
        started_at=start,
        completed_at=start + dt.timedelta(minutes=10) if completed else None,
        answer_changes=len(values),
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            item=item,
            value=value,
            client_key=uuid.uuid4(),
            answered_at=start + dt.timedelta(seconds=gap_seconds * index),
        )
        for index, (item, value) in enumerate(zip(items, values, strict=False))
    )
    return response


@pytest.fixture
def instrument(db) -> Instrument:
    sync_instruments(settings.IOTA_INSTRUMENTS_DIR)
    return Instrument.objects.get(key=SHIPPED_KEY)


@pytest.fixture
def lyon(db) -> Academie:
    return Academie.objects.create(
        code="lyon", name="Lyon", time_zone="Europe/Paris", holiday_zone="A"
    )


@pytest.fixture
def lyon_school(lyon) -> School:
    return School.objects.create(uai="0690001F", name="École du Rhône", academie=lyon)


@pytest.fixture
def campaign(instrument, school_year, classroom, other_classroom, coordinator):
    campaign = Campaign.objects.create(
        name="Persévérance 2026-2027",
        instrument=instrument,
        school_year=school_year,
        created_by=coordinator,
    )
    campaign.classes.add(classroom, other_classroom)
    return campaign


@pytest.fixture
def study(campaign, coordinator) -> Study:
    return Study.objects.create(
        name="Évaluation 2026-2027", campaign=campaign, created_by=coordinator
    )


@pytest.fixture
def open_wave(campaign) -> Wave:
    """A wave whose dates include today in every time zone."""
    today = timezone.localdate()
    return Wave.objects.create(
        campaign=campaign,
        label="T2",
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=7),
    )


@pytest.fixture
def closed_wave(campaign) -> Wave:
    """A wave whose dates ended last week everywhere."""
    today = timezone.localdate()
    return Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=7),
    )
