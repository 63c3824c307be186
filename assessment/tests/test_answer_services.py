"""start_response, record_answer and wave_progress."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from assessment.models import Answer, Response
from assessment.services import (
    LATE_ANSWER_GRACE,
    AnswerKeyConflictError,
    InvalidAnswerError,
    WaveClosedError,
    WaveNotStartedError,
    answered_items,
    close_wave,
    record_answer,
    start_response,
    wave_progress,
)
from assessment.tests.conftest import make_pupil

ITEMS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]


@pytest.fixture
def response(session, pupil) -> Response:
    return start_response(session.wave, pupil)


def answer(response, item="P1", value=2, key=None, **fields):
    return record_answer(
        response, key=key or uuid.uuid4(), item=item, value=value, **fields
    )


def test_start_response_creates_once(session, pupil):
    first = start_response(session.wave, pupil)
    second = start_response(session.wave, pupil)
    assert first.pk == second.pk
    assert Response.objects.count() == 1


def test_start_response_before_wave_started_rejected(wave, pupil):
    with pytest.raises(WaveNotStartedError):
        start_response(wave, pupil)


def test_start_response_pupil_not_in_class_rejected(session, outsider_pupil):
    with pytest.raises(WaveNotStartedError):
        start_response(session.wave, outsider_pupil)


def test_start_response_after_close_rejected(session, pupil, teacher):
    close_wave(session.wave, session.classroom, teacher)
    with pytest.raises(WaveClosedError):
        start_response(session.wave, pupil)


def test_start_response_pupil_who_left_rejected(session, pupil):
    pupil.left_on = timezone.localdate()
    pupil.save()
    with pytest.raises(WaveNotStartedError):
        start_response(session.wave, pupil)


def test_answer_stored(response):
    outcome = answer(response, value=3)
    stored = Answer.objects.get()
    assert outcome.status == "created"
    assert stored.item == "P1"
    assert stored.value == 3


def test_same_key_twice_stores_one_answer(response):
    key = uuid.uuid4()
    answer(response, value=3, key=key)
    again = answer(response, value=3, key=key)
    assert again.status == "duplicate"
    assert Answer.objects.count() == 1


def test_same_key_returns_stored_value(response):
    key = uuid.uuid4()
    answer(response, value=3, key=key)
    again = answer(response, value=1, key=key)
    assert again.answer.value == 3


def test_new_key_replaces_answer(response):
    now = timezone.now()
    answer(response, value=1, answered_at=now - dt.timedelta(seconds=5))
    outcome = answer(response, value=4, answered_at=now)
    assert outcome.status == "replaced"
    assert Answer.objects.count() == 1
    assert Answer.objects.get().value == 4


def test_replacement_takes_new_key(response):
    now = timezone.now()
    answer(response, value=1, answered_at=now - dt.timedelta(seconds=5))
    key = uuid.uuid4()
    answer(response, value=4, key=key, answered_at=now)
    assert Answer.objects.get().client_key == key


def test_older_answer_arriving_late_is_superseded(response):
    now = timezone.now()
    answer(response, value=4, answered_at=now)
    outcome = answer(response, value=1, answered_at=now - dt.timedelta(seconds=5))
    assert outcome.status == "superseded"
    assert Answer.objects.get().value == 4


def test_answer_changes_count_stored_and_replaced(response):
    now = timezone.now()
    key = uuid.uuid4()
    answer(
        response, item="P1", value=1, key=key, answered_at=now - dt.timedelta(seconds=5)
    )
    answer(response, item="P1", value=1, key=key)  # resent: a duplicate
    answer(response, item="P2", value=3, answered_at=now - dt.timedelta(seconds=4))
    answer(response, item="P1", value=4, answered_at=now)  # replaces P1
    answer(response, item="P1", value=2, answered_at=now - dt.timedelta(seconds=9))
    response.refresh_from_db()
    assert response.answer_changes == 3


def test_future_answered_at_capped_at_now(response):
    now = timezone.now()
    answer(response, answered_at=now + dt.timedelta(days=3), now=now)
    assert Answer.objects.get().answered_at == now


def test_skip_stored_as_null(response):
    answer(response, value=None)
    assert Answer.objects.get().value is None


def test_skip_refused_when_not_allowed(response, instrument):
    instrument.definition["response_format"]["allow_skip"] = False
    instrument.save()
    with pytest.raises(InvalidAnswerError):
        answer(response, value=None)


@pytest.mark.parametrize("value", [0, 5, "2", 2.5, True])
def test_value_outside_scale_rejected(response, value):
    with pytest.raises(InvalidAnswerError):
        answer(response, value=value)
    assert not Answer.objects.exists()


def test_unknown_item_rejected(response):
    with pytest.raises(InvalidAnswerError, match="Q42"):
        answer(response, item="Q42")


def test_key_of_other_pupil_rejected(session, response, classmate):
    key = uuid.uuid4()
    answer(response, key=key)
    other = start_response(session.wave, classmate)
    with pytest.raises(AnswerKeyConflictError):
        answer(other, key=key)
    assert other.answers.count() == 0


def test_answer_after_close_rejected(response, teacher):
    close_wave(response.wave, response.pupil.classroom, teacher)
    with pytest.raises(WaveClosedError):
        answer(response)


def test_answer_given_before_close_accepted_late(response, teacher):
    closed_at = timezone.now()
    close_wave(response.wave, response.pupil.classroom, teacher, now=closed_at)
    outcome = answer(
        response,
        answered_at=closed_at - dt.timedelta(minutes=2),
        now=closed_at + dt.timedelta(hours=1),
    )
    assert outcome.status == "created"


def test_late_answer_after_grace_rejected(response, teacher):
    closed_at = timezone.now()
    close_wave(response.wave, response.pupil.classroom, teacher, now=closed_at)
    with pytest.raises(WaveClosedError):
        answer(
            response,
            answered_at=closed_at - dt.timedelta(minutes=2),
            now=closed_at + LATE_ANSWER_GRACE + dt.timedelta(minutes=1),
        )


def test_resent_key_after_close_still_acknowledged(response, teacher):
    key = uuid.uuid4()
    answer(response, key=key)
    close_wave(response.wave, response.pupil.classroom, teacher)
    assert answer(response, key=key).status == "duplicate"


def test_last_answer_completes_response(response):
    for item in ITEMS[:-1]:
        assert answer(response, item=item).completed is False
    outcome = answer(response, item=ITEMS[-1], value=None)
    response.refresh_from_db()
    assert outcome.completed is True
    assert response.completed_at is not None


def test_replacing_does_not_complete(response):
    for _ in range(len(ITEMS)):
        answer(response, item="P1", answered_at=timezone.now())
    response.refresh_from_db()
    assert response.completed_at is None


def test_answered_items_lists_values(response):
    answer(response, item="P1", value=2)
    answer(response, item="P2", value=None)
    assert answered_items(response) == {"P1": 2, "P2": None}


def test_progress_counts_each_state(session, classroom, pupil, classmate):
    latecomer = make_pupil(classroom, "Zoé")
    done = start_response(session.wave, pupil)
    for item in ITEMS:
        answer(done, item=item)
    answer(start_response(session.wave, classmate), item="P1")
    progress = wave_progress(session.wave, classroom)
    statuses = {row.pupil.pk: row.status for row in progress.pupils}
    assert statuses[pupil.pk] == "finished"
    assert statuses[classmate.pk] == "in_progress"
    assert statuses[latecomer.pk] == "not_started"
    assert progress.finished_count == 1


def test_progress_counts_answers(session, classroom, pupil):
    response = start_response(session.wave, pupil)
    answer(response, item="P1")
    answer(response, item="P2")
    row = wave_progress(session.wave, classroom).pupils[0]
    assert row.answered == 2


def test_progress_leaves_out_pupils_who_left(session, classroom, pupil, classmate):
    classmate.left_on = timezone.localdate()
    classmate.save()
    pupils = [row.pupil for row in wave_progress(session.wave, classroom).pupils]
    assert pupils == [pupil]


@pytest.mark.django_db(transaction=True)
def test_same_key_sent_concurrently_stored_once(session, pupil):
    if connection.vendor == "sqlite":
        # The suite's in-memory SQLite database runs in shared-cache mode, whose table
        # locks fail at once instead of waiting for the busy timeout.
        pytest.skip("concurrent writers need PostgreSQL or a file SQLite database")
    response = start_response(session.wave, pupil)
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    statuses, errors = [], []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(answer(response, key=key, value=3).status)
        except (
            Exception
        ) as error:  # reported by the asserts below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(statuses) == ["created", "duplicate", "duplicate", "duplicate"]
    assert Answer.objects.filter(response=response).count() == 1
