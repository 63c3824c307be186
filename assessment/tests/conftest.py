"""Fixtures of the assessment tests: the shipped instrument, a campaign with an open
wave, and pupils with accounts."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from assessment.instruments import sync_instruments
from assessment.models import Campaign, Instrument, Wave, WaveSession
from iota.testing import make_pupil as make_enrolled_pupil
from iota.testing import make_pupil_user
from schools.models import Academie, Classroom, Pupil, School

SHIPPED_KEY = "perseverance-self-report"


def make_pupil(classroom: Classroom, first_name: str, **fields: object) -> Pupil:
    """Create a pupil enrolled in `classroom` with the account sign-in would give."""
    pupil = make_enrolled_pupil(classroom, first_name, **fields)
    make_pupil_user(pupil)
    return pupil


@pytest.fixture
def instrument(db) -> Instrument:
    sync_instruments(settings.IOTA_INSTRUMENTS_DIR)
    return Instrument.objects.get(key=SHIPPED_KEY)


@pytest.fixture
def campaign(instrument, school_year, classroom, coordinator) -> Campaign:
    campaign = Campaign.objects.create(
        name="Persévérance 2026-2027",
        instrument=instrument,
        school_year=school_year,
        created_by=coordinator,
    )
    campaign.classes.add(classroom)
    return campaign


@pytest.fixture
def wave(campaign) -> Wave:
    """A wave whose dates include today in every time zone."""
    today = timezone.now().date()
    return Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=7),
    )


@pytest.fixture
def session(wave, classroom, teacher) -> WaveSession:
    return WaveSession.objects.create(
        wave=wave, classroom=classroom, started_by=teacher
    )


@pytest.fixture
def pupil(classroom) -> Pupil:
    return make_pupil(classroom, "Léa")


@pytest.fixture
def classmate(classroom) -> Pupil:
    return make_pupil(classroom, "Noé")


@pytest.fixture
def outsider_pupil(other_classroom) -> Pupil:
    """A pupil of a class that is not in the campaign."""
    return make_pupil(other_classroom, "Inès")


@pytest.fixture
def pupil_client(pupil) -> Client:
    client = Client()
    client.force_login(pupil.user)
    return client


@pytest.fixture
def reunion_classroom(school_year, teacher) -> Classroom:
    academie = Academie.objects.create(
        code="la-reunion",
        name="La Réunion",
        time_zone="Indian/Reunion",
        holiday_zone="overseas",
    )
    school = School.objects.create(
        uai="9740001A", name="École du Volcan", academie=academie
    )
    room = Classroom.objects.create(
        school=school,
        school_year=school_year,
        label="CM2 - Mme Payet",
        levels=["CM2"],
        code="PAYE26",
    )
    room.teachers.add(teacher)
    return room
