"""Wave windows in each school's time zone, and starting and closing a wave."""

import datetime as dt

import pytest

from assessment.models import Wave, WaveSession
from assessment.services import (
    AssessmentError,
    WaveNotOpenError,
    WaveNotStartedError,
    active_sessions_for_pupil,
    close_wave,
    start_wave,
    wave_is_open_for,
    wave_window_for,
)

UTC = dt.UTC


@pytest.fixture
def march_wave(campaign, reunion_classroom) -> Wave:
    campaign.classes.add(reunion_classroom)
    return Wave.objects.create(
        campaign=campaign,
        label="T2",
        opens_on=dt.date(2027, 3, 2),
        closes_on=dt.date(2027, 3, 12),
    )


@pytest.fixture
def june_wave(campaign, reunion_classroom) -> Wave:
    campaign.classes.add(reunion_classroom)
    return Wave.objects.create(
        campaign=campaign,
        label="T4",
        opens_on=dt.date(2027, 6, 1),
        closes_on=dt.date(2027, 6, 11),
    )


def test_window_opens_3_hours_earlier_in_reunion_in_winter(
    march_wave, classroom, reunion_classroom
):
    paris_opens, _ = wave_window_for(march_wave, classroom)
    reunion_opens, _ = wave_window_for(march_wave, reunion_classroom)
    assert paris_opens == dt.datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    assert reunion_opens == dt.datetime(2027, 3, 1, 20, 0, tzinfo=UTC)


def test_window_opens_2_hours_earlier_in_reunion_in_summer(
    june_wave, classroom, reunion_classroom
):
    paris_opens, _ = wave_window_for(june_wave, classroom)
    reunion_opens, _ = wave_window_for(june_wave, reunion_classroom)
    assert paris_opens - reunion_opens == dt.timedelta(hours=2)


def test_window_ends_at_midnight_after_last_day(march_wave, classroom):
    _, closes_at = wave_window_for(march_wave, classroom)
    assert closes_at == dt.datetime(2027, 3, 12, 23, 0, tzinfo=UTC)


def test_wave_open_in_reunion_before_paris(march_wave, classroom, reunion_classroom):
    evening_in_paris = dt.datetime(2027, 3, 1, 21, 0, tzinfo=UTC)
    assert wave_is_open_for(march_wave, reunion_classroom, evening_in_paris)
    assert not wave_is_open_for(march_wave, classroom, evening_in_paris)


def test_wave_open_on_last_local_day(march_wave, classroom, reunion_classroom):
    # 21:30 UTC on 12 March is 22:30 in Paris but already 13 March in Saint-Denis.
    late = dt.datetime(2027, 3, 12, 21, 30, tzinfo=UTC)
    assert wave_is_open_for(march_wave, classroom, late)
    assert not wave_is_open_for(march_wave, reunion_classroom, late)


def test_start_wave_inside_window(march_wave, reunion_classroom, teacher):
    now = dt.datetime(2027, 3, 1, 21, 0, tzinfo=UTC)
    session = start_wave(march_wave, reunion_classroom, teacher, now=now)
    assert session.started_at == now
    assert session.started_by == teacher
    assert session.closed_at is None


def test_start_wave_before_window_rejected(march_wave, classroom, teacher):
    now = dt.datetime(2027, 3, 1, 21, 0, tzinfo=UTC)
    with pytest.raises(WaveNotOpenError, match="2 mars 2027 au 12 mars 2027"):
        start_wave(march_wave, classroom, teacher, now=now)
    assert not WaveSession.objects.exists()


def test_start_wave_after_window_rejected(march_wave, classroom, teacher):
    now = dt.datetime(2027, 3, 13, 8, 0, tzinfo=UTC)
    with pytest.raises(WaveNotOpenError):
        start_wave(march_wave, classroom, teacher, now=now)


def test_start_wave_class_outside_campaign_rejected(
    march_wave, other_classroom, colleague
):
    now = dt.datetime(2027, 3, 3, 8, 0, tzinfo=UTC)
    with pytest.raises(AssessmentError) as caught:
        start_wave(march_wave, other_classroom, colleague, now=now)
    assert caught.value.code == "class_not_in_campaign"


def test_start_wave_twice_keeps_one_session(march_wave, classroom, teacher):
    now = dt.datetime(2027, 3, 3, 8, 0, tzinfo=UTC)
    first = start_wave(march_wave, classroom, teacher, now=now)
    second = start_wave(march_wave, classroom, teacher, now=now + dt.timedelta(hours=1))
    assert first.pk == second.pk
    assert WaveSession.objects.count() == 1


def test_close_then_start_reopens(march_wave, classroom, teacher):
    now = dt.datetime(2027, 3, 3, 8, 0, tzinfo=UTC)
    start_wave(march_wave, classroom, teacher, now=now)
    closed = close_wave(march_wave, classroom, teacher, now=now)
    assert closed.closed_at == now
    reopened = start_wave(march_wave, classroom, teacher, now=now)
    assert reopened.closed_at is None


def test_close_unstarted_wave_rejected(march_wave, classroom, teacher):
    with pytest.raises(WaveNotStartedError):
        close_wave(march_wave, classroom, teacher)


def test_active_sessions_list_started_open_waves(session, pupil):
    assert active_sessions_for_pupil(pupil) == [session]


def test_active_sessions_skip_closed_wave(session, pupil, teacher):
    close_wave(session.wave, session.classroom, teacher)
    assert active_sessions_for_pupil(pupil) == []


def test_active_sessions_skip_other_class(session, outsider_pupil):
    assert active_sessions_for_pupil(outsider_pupil) == []


def test_active_sessions_skip_ended_window(session, pupil):
    later = dt.datetime.combine(
        session.wave.closes_on + dt.timedelta(days=2), dt.time(12), tzinfo=UTC
    )
    assert active_sessions_for_pupil(pupil, later) == []
