"""Status of a class in a wave: transitions, time zones and daylight saving time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Response, Wave, WaveReopening, WaveSession
from assessment.services import wave_window_for
from assessment.status import WaveStatus, class_wave_status, wave_states
from assessment.tests.conftest import make_pupil
from schools.models import Classroom

UTC = dt.UTC


@pytest.fixture
def dst_wave(campaign, reunion_classroom) -> Wave:
    """A wave across the change to summer time in Paris (28 March 2027)."""
    campaign.classes.add(reunion_classroom)
    return Wave.objects.create(
        campaign=campaign,
        label="T3",
        opens_on=dt.date(2027, 3, 24),
        closes_on=dt.date(2027, 3, 31),
    )


def status_at(wave, classroom, now, **fields) -> WaveStatus:
    opens_at, closes_at = wave_window_for(wave, classroom)
    values = {
        "session": None,
        "reopening": None,
        "enrolled": 10,
        "completed": 0,
        "completion_target": 80,
    }
    values.update(fields)
    return class_wave_status(opens_at=opens_at, closes_at=closes_at, now=now, **values)


def open_session(wave, classroom) -> WaveSession:
    return WaveSession(
        wave=wave,
        classroom=classroom,
        started_at=dt.datetime(2027, 3, 24, 8, 0, tzinfo=UTC),
    )


def closed_session(wave, classroom, closed_at) -> WaveSession:
    session = open_session(wave, classroom)
    session.closed_at = closed_at
    return session


class TestWindowAcrossDaylightSaving:
    def test_paris_window_opens_in_winter_time(self, dst_wave, classroom):
        opens_at, _ = wave_window_for(dst_wave, classroom)
        assert opens_at == dt.datetime(2027, 3, 23, 23, 0, tzinfo=UTC)

    def test_paris_window_closes_in_summer_time(self, dst_wave, classroom):
        _, closes_at = wave_window_for(dst_wave, classroom)
        assert closes_at == dt.datetime(2027, 3, 31, 22, 0, tzinfo=UTC)

    def test_window_one_hour_shorter_in_paris(
        self, dst_wave, classroom, reunion_classroom
    ):
        # Subtracting two datetimes of the same ZoneInfo gives wall-clock time, so
        # both are converted to UTC first.
        paris = [
            moment.astimezone(UTC) for moment in wave_window_for(dst_wave, classroom)
        ]
        reunion = [
            moment.astimezone(UTC)
            for moment in wave_window_for(dst_wave, reunion_classroom)
        ]
        paris_length = paris[1] - paris[0]
        reunion_length = reunion[1] - reunion[0]
        assert reunion_length - paris_length == dt.timedelta(hours=1)

    def test_autumn_day_lasts_25_hours(self, campaign, classroom):
        # Summer time ends in Paris on Sunday 31 October 2027.
        wave = Wave(
            campaign=campaign,
            label="T1",
            opens_on=dt.date(2027, 10, 31),
            closes_on=dt.date(2027, 10, 31),
        )
        opens_at, closes_at = wave_window_for(wave, classroom)
        length = closes_at.astimezone(UTC) - opens_at.astimezone(UTC)
        assert length == dt.timedelta(hours=25)

    def test_open_in_last_summer_time_minute(self, dst_wave, classroom):
        now = dt.datetime(2027, 3, 31, 21, 59, tzinfo=UTC)  # 23:59 in Paris
        session = open_session(dst_wave, classroom)
        assert status_at(dst_wave, classroom, now, session=session) == WaveStatus.OPEN

    def test_missed_at_local_midnight(self, dst_wave, classroom):
        now = dt.datetime(2027, 3, 31, 22, 0, tzinfo=UTC)  # midnight in Paris
        session = open_session(dst_wave, classroom)
        status = status_at(dst_wave, classroom, now, session=session)
        assert status == WaveStatus.MISSED

    def test_reunion_ends_before_paris(self, dst_wave, classroom, reunion_classroom):
        now = dt.datetime(2027, 3, 31, 20, 30, tzinfo=UTC)
        paris = status_at(
            dst_wave, classroom, now, session=open_session(dst_wave, classroom)
        )
        reunion = status_at(
            dst_wave,
            reunion_classroom,
            now,
            session=open_session(dst_wave, reunion_classroom),
        )
        assert paris == WaveStatus.OPEN
        assert reunion == WaveStatus.MISSED


class TestStatusTransitions:
    BEFORE = dt.datetime(2027, 3, 23, 22, 59, tzinfo=UTC)
    DURING = dt.datetime(2027, 3, 25, 9, 0, tzinfo=UTC)
    AFTER = dt.datetime(2027, 4, 2, 9, 0, tzinfo=UTC)

    def test_not_started_before_window(self, dst_wave, classroom):
        assert status_at(dst_wave, classroom, self.BEFORE) == WaveStatus.NOT_STARTED

    def test_not_started_in_window_without_session(self, dst_wave, classroom):
        assert status_at(dst_wave, classroom, self.DURING) == WaveStatus.NOT_STARTED

    def test_open_once_started(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(dst_wave, classroom, self.DURING, session=session)
        assert status == WaveStatus.OPEN

    def test_done_as_soon_as_everyone_finished(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(
            dst_wave, classroom, self.DURING, session=session, completed=10
        )
        assert status == WaveStatus.DONE

    def test_done_at_target_after_window(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(
            dst_wave, classroom, self.AFTER, session=session, completed=8
        )
        assert status == WaveStatus.DONE

    def test_missed_below_target_after_window(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(
            dst_wave, classroom, self.AFTER, session=session, completed=7
        )
        assert status == WaveStatus.MISSED

    def test_missed_without_session_after_window(self, dst_wave, classroom):
        assert status_at(dst_wave, classroom, self.AFTER) == WaveStatus.MISSED

    def test_closed_early_below_target_missed(self, dst_wave, classroom):
        session = closed_session(dst_wave, classroom, self.DURING)
        status = status_at(
            dst_wave, classroom, self.DURING, session=session, completed=2
        )
        assert status == WaveStatus.MISSED

    def test_closed_early_at_target_done(self, dst_wave, classroom):
        session = closed_session(dst_wave, classroom, self.DURING)
        status = status_at(
            dst_wave, classroom, self.DURING, session=session, completed=9
        )
        assert status == WaveStatus.DONE

    def test_open_again_while_reopened(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        reopening = WaveReopening(
            session=session,
            reopened_at=self.AFTER,
            closes_at=self.AFTER + dt.timedelta(days=2),
        )
        status = status_at(
            dst_wave,
            classroom,
            self.AFTER,
            session=session,
            reopening=reopening,
            completed=3,
        )
        assert status == WaveStatus.OPEN

    def test_class_without_pupils_missed(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(dst_wave, classroom, self.AFTER, session=session, enrolled=0)
        assert status == WaveStatus.MISSED

    def test_campaign_target_respected(self, dst_wave, classroom):
        session = open_session(dst_wave, classroom)
        status = status_at(
            dst_wave,
            classroom,
            self.AFTER,
            session=session,
            completed=5,
            completion_target=50,
        )
        assert status == WaveStatus.DONE


def completed_response(wave, pupil) -> Response:
    return Response.objects.create(
        wave=wave,
        pupil=pupil,
        completed_at=dt.datetime(2027, 3, 25, 9, 30, tzinfo=UTC),
    )


@pytest.mark.django_db
class TestWaveStates:
    AFTER = dt.datetime(2027, 4, 2, 9, 0, tzinfo=UTC)

    def test_counts_enrolled_and_finished_pupils(self, dst_wave, classroom, teacher):
        WaveSession.objects.create(wave=dst_wave, classroom=classroom)
        lea, noe = make_pupil(classroom, "Léa"), make_pupil(classroom, "Noé")
        make_pupil(classroom, "Zoé")
        gone = make_pupil(classroom, "Tom", left_on=dt.date(2027, 3, 26))
        for pupil in (lea, noe, gone):
            completed_response(dst_wave, pupil)
        state = wave_states([dst_wave], [classroom], self.AFTER)[
            (dst_wave.pk, classroom.pk)
        ]
        assert state.enrolled == 3
        assert state.completed == 2
        assert state.percent_completed == 67
        assert state.status == WaveStatus.MISSED

    def test_class_outside_campaign_left_out(
        self, dst_wave, classroom, other_classroom
    ):
        states = wave_states([dst_wave], [classroom, other_classroom], self.AFTER)
        assert (dst_wave.pk, classroom.pk) in states
        assert (dst_wave.pk, other_classroom.pk) not in states

    def test_running_reopening_reported(self, dst_wave, reunion_classroom):
        session = WaveSession.objects.create(wave=dst_wave, classroom=reunion_classroom)
        make_pupil(reunion_classroom, "Léa")
        WaveReopening.objects.create(
            session=session,
            reopened_at=self.AFTER,
            # Midnight at the end of 5 April in Saint-Denis (UTC+4).
            closes_at=dt.datetime(2027, 4, 5, 20, 0, tzinfo=UTC),
        )
        now = self.AFTER + dt.timedelta(hours=1)
        state = wave_states([dst_wave], [reunion_classroom], now)[
            (dst_wave.pk, reunion_classroom.pk)
        ]
        assert state.status == WaveStatus.OPEN
        assert state.reopened_until == dt.date(2027, 4, 5)
        assert state.may_close
        assert not state.may_reopen

    def test_query_count_does_not_grow_with_classes(
        self, dst_wave, campaign, school, school_year
    ):
        rooms = []
        for index in range(4):
            room = Classroom.objects.create(
                school=school,
                school_year=school_year,
                label=f"CM1 {index}",
                code=f"CODE{index}",
            )
            campaign.classes.add(room)
            WaveSession.objects.create(wave=dst_wave, classroom=room)
            make_pupil(room, f"Élève {index}")
            rooms.append(room)
        loaded = list(
            Classroom.objects.filter(pk__in=[r.pk for r in rooms]).select_related(
                "school__academie"
            )
        )
        waves = list(Wave.objects.select_related("campaign").filter(pk=dst_wave.pk))
        with CaptureQueriesContext(connection) as one_class:
            wave_states(waves, loaded[:1], self.AFTER)
        with CaptureQueriesContext(connection) as four_classes:
            wave_states(waves, loaded, self.AFTER)
        assert len(four_classes) == len(one_class)
