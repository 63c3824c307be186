"""Reopening a closed wave in a class for the pupils who have not finished."""

import datetime as dt
import uuid

import pytest

from assessment.models import Response, Wave, WaveReopening, WaveSession
from assessment.services import (
    LATE_ANSWER_GRACE,
    AssessmentError,
    WaveClosedError,
    WaveNotStartedError,
    active_sessions_for_pupil,
    close_wave,
    record_answer,
    reopen_wave,
    start_response,
    start_wave,
)
from assessment.tests.conftest import make_pupil

UTC = dt.UTC
ITEMS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]
# The wave runs from Monday 1 to Friday 5 March 2027, Paris time (UTC+1).
IN_WINDOW = dt.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
AFTER_WINDOW = dt.datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
UNTIL = dt.date(2027, 3, 10)
# Midnight at the end of 10 March in Paris.
REOPENING_END = dt.datetime(2027, 3, 10, 23, 0, tzinfo=UTC)


@pytest.fixture
def march_wave(campaign) -> Wave:
    return Wave.objects.create(
        campaign=campaign,
        label="T2",
        opens_on=dt.date(2027, 3, 1),
        closes_on=dt.date(2027, 3, 5),
    )


def answer(response, item, now, answered_at=None):
    return record_answer(
        response,
        key=uuid.uuid4(),
        item=item,
        value=3,
        answered_at=answered_at,
        now=now,
    )


def finish(response, now) -> None:
    for item in ITEMS:
        answer(response, item, now)


@pytest.fixture
def ran_wave(march_wave, classroom, teacher, pupil, classmate):
    """The wave ran in class: Léa finished, Noé was absent."""
    start_wave(march_wave, classroom, teacher, now=IN_WINDOW)
    finish(start_response(march_wave, pupil, now=IN_WINDOW), IN_WINDOW)
    return march_wave


@pytest.fixture
def reopening(ran_wave, classroom, teacher) -> WaveReopening:
    return reopen_wave(ran_wave, classroom, teacher, until=UNTIL, now=AFTER_WINDOW)


class TestReopenWave:
    def test_records_who_and_when(self, reopening, teacher):
        assert reopening.reopened_by == teacher
        assert reopening.reopened_at == AFTER_WINDOW

    def test_closes_at_school_midnight(self, reopening):
        assert reopening.closes_at == REOPENING_END

    def test_closes_at_reunion_midnight(
        self, march_wave, reunion_classroom, teacher, campaign
    ):
        campaign.classes.add(reunion_classroom)
        make_pupil(reunion_classroom, "Maëlys")
        start_wave(march_wave, reunion_classroom, teacher, now=IN_WINDOW)
        reopening = reopen_wave(
            march_wave, reunion_classroom, teacher, until=UNTIL, now=AFTER_WINDOW
        )
        # Saint-Denis is at UTC+4 all year.
        assert reopening.closes_at == dt.datetime(2027, 3, 10, 20, 0, tzinfo=UTC)

    def test_absent_pupil_answers(self, reopening, classmate):
        response = start_response(reopening.session.wave, classmate, now=AFTER_WINDOW)
        finish(response, AFTER_WINDOW)
        response.refresh_from_db()
        assert response.completed_at == AFTER_WINDOW

    def test_finished_pupil_cannot_change_answers(self, reopening, pupil):
        response = Response.objects.get(pupil=pupil)
        with pytest.raises(WaveClosedError):
            answer(response, "P1", AFTER_WINDOW)

    def test_finished_pupil_cannot_start_again(self, reopening, pupil):
        with pytest.raises(WaveClosedError):
            start_response(reopening.session.wave, pupil, now=AFTER_WINDOW)

    def test_pupil_finishing_during_reopening_may_correct(self, reopening, classmate):
        response = start_response(reopening.session.wave, classmate, now=AFTER_WINDOW)
        finish(response, AFTER_WINDOW)
        later = AFTER_WINDOW + dt.timedelta(hours=1)
        assert answer(response, "P1", later).status == "replaced"

    def test_today_page_lists_wave_for_absent_pupil_only(
        self, reopening, pupil, classmate
    ):
        assert active_sessions_for_pupil(classmate, AFTER_WINDOW) == [reopening.session]
        assert active_sessions_for_pupil(pupil, AFTER_WINDOW) == []

    def test_closed_after_end(self, reopening, classmate):
        with pytest.raises(WaveClosedError):
            start_response(reopening.session.wave, classmate, now=REOPENING_END)

    def test_late_answer_within_grace_accepted(self, reopening, classmate):
        response = start_response(reopening.session.wave, classmate, now=AFTER_WINDOW)
        given = REOPENING_END - dt.timedelta(minutes=5)
        arrived = REOPENING_END + LATE_ANSWER_GRACE - dt.timedelta(minutes=1)
        outcome = answer(response, "P1", arrived, answered_at=given)
        assert outcome.status == "created"

    def test_late_answer_after_grace_rejected(self, reopening, classmate):
        response = start_response(reopening.session.wave, classmate, now=AFTER_WINDOW)
        given = REOPENING_END - dt.timedelta(minutes=5)
        arrived = REOPENING_END + LATE_ANSWER_GRACE + dt.timedelta(minutes=1)
        with pytest.raises(WaveClosedError):
            answer(response, "P1", arrived, answered_at=given)

    def test_close_ends_reopening(self, reopening, classroom, teacher, classmate):
        moment = AFTER_WINDOW + dt.timedelta(hours=2)
        close_wave(reopening.session.wave, classroom, teacher, now=moment)
        reopening.refresh_from_db()
        assert reopening.ended_at == moment
        with pytest.raises(WaveClosedError):
            start_response(reopening.session.wave, classmate, now=moment)

    def test_second_reopening_replaces_first(self, reopening, classroom, coordinator):
        moment = AFTER_WINDOW + dt.timedelta(days=1)
        second = reopen_wave(
            reopening.session.wave,
            classroom,
            coordinator,
            until=dt.date(2027, 3, 12),
            now=moment,
        )
        reopening.refresh_from_db()
        assert reopening.ended_at == moment
        assert second.reopened_by == coordinator
        assert WaveReopening.objects.count() == 2


class TestReopenRefused:
    def test_never_started(self, march_wave, classroom, teacher, classmate):
        with pytest.raises(WaveNotStartedError, match="jamais été lancée"):
            reopen_wave(march_wave, classroom, teacher, until=UNTIL, now=AFTER_WINDOW)

    def test_still_open(self, ran_wave, classroom, teacher):
        with pytest.raises(AssessmentError, match="encore ouverte") as error:
            reopen_wave(
                ran_wave,
                classroom,
                teacher,
                until=dt.date(2027, 3, 4),
                now=IN_WINDOW,
            )
        assert error.value.code == "wave_still_open"

    def test_everyone_finished(self, ran_wave, classroom, teacher, classmate):
        classmate.left_on = dt.date(2027, 3, 3)
        classmate.save(update_fields=["left_on"])
        with pytest.raises(AssessmentError, match="Tous les élèves") as error:
            reopen_wave(ran_wave, classroom, teacher, until=UNTIL, now=AFTER_WINDOW)
        assert error.value.code == "nothing_to_reopen"

    def test_end_in_past(self, ran_wave, classroom, teacher):
        with pytest.raises(AssessmentError, match="déjà passé") as error:
            reopen_wave(
                ran_wave,
                classroom,
                teacher,
                until=dt.date(2027, 3, 7),
                now=AFTER_WINDOW,
            )
        assert error.value.code == "invalid_reopening_end"

    def test_end_too_far(self, ran_wave, classroom, teacher):
        with pytest.raises(AssessmentError, match="7 jours au plus"):
            reopen_wave(
                ran_wave,
                classroom,
                teacher,
                until=dt.date(2027, 3, 16),
                now=AFTER_WINDOW,
            )

    def test_class_outside_campaign(self, ran_wave, other_classroom, colleague):
        with pytest.raises(AssessmentError) as error:
            reopen_wave(
                ran_wave, other_classroom, colleague, until=UNTIL, now=AFTER_WINDOW
            )
        assert error.value.code == "class_not_in_campaign"

    def test_nothing_written_when_refused(self, ran_wave, classroom, teacher):
        with pytest.raises(AssessmentError):
            reopen_wave(
                ran_wave,
                classroom,
                teacher,
                until=dt.date(2027, 3, 30),
                now=AFTER_WINDOW,
            )
        assert not WaveReopening.objects.exists()
        assert WaveSession.objects.get().closed_at is None
