"""Task sessions, runs, idempotent events, groups and their shared state."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from performance.models import DeviceMode, Group, TaskEvent, TaskRun
from performance.services import (
    EventRejectedError,
    GroupDraft,
    NotGroupedError,
    PerformanceError,
    TaskClosedError,
    apply_group_action,
    close_group_round,
    close_task,
    current_tasks,
    draw_groups,
    form_groups,
    open_sessions_for_pupil,
    open_task,
    record_event,
    save_observation,
    start_run,
    task_progress,
    write_group_state,
)
from performance.tests.conftest import make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def puzzles(tasks, wave, classroom, teacher):
    return open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)


@pytest.fixture
def pictures(tasks, wave, classroom, teacher):
    return open_task(tasks["communication-pictures"], wave, classroom, teacher)


@pytest.fixture
def pot(tasks, wave, classroom, teacher):
    return open_task(tasks["cooperation-sharing"], wave, classroom, teacher)


def send(run, kind, payload, *, key=None, seq=1, **extra):
    return record_event(
        run, key=key or uuid.uuid4(), kind=kind, payload=payload, seq=seq, **extra
    )


# Task sessions.


def test_current_tasks_keeps_newest_version(tasks):
    newer = tasks["perseverance-puzzles"]
    newer.pk = None
    newer.version = "0.10.0"
    newer.save()
    keys = {task.key: task.version for task in current_tasks()}
    assert keys["perseverance-puzzles"] == "0.10.0"
    assert len(keys) == 4


def test_open_task_outside_wave_rejected(tasks, wave, classroom, teacher):
    wave.opens_on = timezone.localdate() + dt.timedelta(days=3)
    wave.save()
    with pytest.raises(PerformanceError) as caught:
        open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    assert caught.value.code == "wave_not_open"


def test_open_task_class_outside_campaign(tasks, wave, other_classroom, colleague):
    with pytest.raises(PerformanceError) as caught:
        open_task(tasks["perseverance-puzzles"], wave, other_classroom, colleague)
    assert caught.value.code == "class_not_in_campaign"


def test_open_task_twice_reopens(puzzles, teacher):
    close_task(puzzles, teacher)
    again = open_task(puzzles.task, puzzles.wave, puzzles.classroom, teacher)
    assert again.pk == puzzles.pk
    assert again.closed_at is None


def test_second_version_not_opened_beside_first(puzzles, teacher):
    newer = puzzles.task
    newer.pk = None
    newer.version = "0.2.0"
    newer.save()
    with pytest.raises(PerformanceError) as caught:
        open_task(newer, puzzles.wave, puzzles.classroom, teacher)
    assert caught.value.code == "other_version_open"


def test_pupil_sees_open_sessions_only(puzzles, pictures, pupil, teacher):
    close_task(pictures, teacher)
    assert open_sessions_for_pupil(pupil) == [puzzles]


# Runs and events of a pupil alone.


def test_start_run_draws_material_once(puzzles, pupil):
    run = start_run(puzzles, pupil)
    again = start_run(puzzles, pupil)
    assert again.pk == run.pk
    assert len(run.material["grids"]) == 5
    assert run.started_at is not None


def test_start_run_of_closed_task_rejected(puzzles, pupil, teacher):
    close_task(puzzles, teacher)
    with pytest.raises(TaskClosedError):
        start_run(puzzles, pupil)


def test_start_run_other_class_rejected(puzzles, outsider_pupil):
    with pytest.raises(PerformanceError) as caught:
        start_run(puzzles, outsider_pupil)
    assert caught.value.code == "not_in_class"


def test_group_task_needs_group(pictures, pupil):
    with pytest.raises(NotGroupedError):
        start_run(pictures, pupil)


def test_same_event_key_stored_once(puzzles, pupil):
    run = start_run(puzzles, pupil)
    key = uuid.uuid4()
    first = send(run, "choose", {"round": 1, "level": "hard"}, key=key)
    again = send(run, "choose", {"round": 1, "level": "hard"}, key=key)
    assert first.status == "created"
    assert again.status == "duplicate"
    assert again.event.pk == first.event.pk
    assert TaskEvent.objects.filter(run=run).count() == 1


def test_event_key_of_other_run_rejected(puzzles, pupil, classmate):
    key = uuid.uuid4()
    send(start_run(puzzles, pupil), "choose", {"round": 1, "level": "easy"}, key=key)
    with pytest.raises(PerformanceError) as caught:
        send(
            start_run(puzzles, classmate),
            "choose",
            {"round": 1, "level": "easy"},
            key=key,
        )
    assert caught.value.code == "key_conflict"


def test_invalid_event_rejected(puzzles, pupil):
    run = start_run(puzzles, pupil)
    with pytest.raises(EventRejectedError) as caught:
        send(run, "choose", {"round": 9, "level": "easy"})
    assert caught.value.code == "invalid_event"
    assert not run.events.exists()


def test_run_completes_with_last_round(puzzles, pupil):
    run = start_run(puzzles, pupil)
    outcome = None
    for number in range(1, 6):
        send(run, "choose", {"round": number, "level": "easy"}, seq=2 * number)
        outcome = send(
            run,
            "end",
            {"round": number, "outcome": "give_up", "elapsed_ms": 1000},
            seq=2 * number + 1,
        )
    run.refresh_from_db()
    assert outcome.completed is True
    assert run.completed_at is not None


def test_late_event_made_before_close_kept(puzzles, pupil, teacher):
    run = start_run(puzzles, pupil)
    closed_at = timezone.now() - dt.timedelta(minutes=1)
    close_task(puzzles, teacher, now=closed_at)
    outcome = send(
        run,
        "choose",
        {"round": 1, "level": "easy"},
        occurred_at=closed_at - dt.timedelta(minutes=1),
    )
    assert outcome.status == "created"


def test_event_made_after_close_rejected(puzzles, pupil, teacher):
    run = start_run(puzzles, pupil)
    close_task(puzzles, teacher)
    with pytest.raises(TaskClosedError):
        send(run, "choose", {"round": 1, "level": "easy"})


# Groups.


def test_form_groups_seats_members(pictures, pupil, classmate, teacher):
    (group,) = form_groups(
        pictures, [GroupDraft(1, [pupil, classmate])], DeviceMode.DEVICES, teacher
    )
    seats = dict(group.runs.values_list("pupil_id", "seat"))
    assert seats == {pupil.pk: 0, classmate.pk: 1}
    assert group.version == 0
    assert group.state["phase"] == "message"


def test_pair_of_three_rejected(pictures, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    with pytest.raises(PerformanceError, match="Le groupe 1 a 3 élève"):
        form_groups(
            pictures,
            [GroupDraft(1, [pupil, classmate, third])],
            DeviceMode.DEVICES,
            teacher,
        )


def test_class_game_refuses_shared_device(pot, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    with pytest.raises(PerformanceError) as caught:
        form_groups(
            pot, [GroupDraft(1, [pupil, classmate, third])], DeviceMode.SHARED, teacher
        )
    assert caught.value.code == "device_mode"


def test_started_group_kept_when_regrouping(
    pictures, pupil, classmate, classroom, teacher
):
    (group,) = form_groups(
        pictures, [GroupDraft(1, [pupil, classmate])], DeviceMode.DEVICES, teacher
    )
    run = group.runs.get(seat=0)
    send(run, "message", {"trial": 0, "words": {"shape": "circle"}})
    others = [make_pupil(classroom, "Inès"), make_pupil(classroom, "Jade")]
    form_groups(pictures, [GroupDraft(2, others)], DeviceMode.DEVICES, teacher)
    assert Group.objects.filter(session=pictures).count() == 2
    with pytest.raises(PerformanceError) as caught:
        form_groups(pictures, [GroupDraft(3, [pupil, others[0]])], "devices", teacher)
    assert caught.value.code == "pupil_taken"


def test_unstarted_groups_replaced(pictures, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    form_groups(pictures, [GroupDraft(1, [pupil, classmate])], "devices", teacher)
    form_groups(pictures, [GroupDraft(1, [pupil, third])], "devices", teacher)
    group = Group.objects.get(session=pictures)
    assert set(group.runs.values_list("pupil_id", flat=True)) == {pupil.pk, third.pk}
    assert TaskRun.objects.get(session=pictures, pupil=classmate).group is None


def test_draw_pairs_leaves_odd_pupil_out(
    pictures, pupil, classmate, classroom, teacher
):
    third = make_pupil(classroom, "Inès")
    groups = draw_groups(pictures, [pupil, classmate, third], "devices", teacher)
    grouped = TaskRun.objects.filter(session=pictures, group__isnull=False)
    assert len(groups) == 1
    assert grouped.count() == 2


def test_draw_class_game_makes_one_group(pot, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    (group,) = draw_groups(pot, [pupil, classmate, third], "devices", teacher)
    assert group.runs.count() == 3
    assert group.state["seats"] == 3


def pair_of(session, pupil, classmate, teacher, mode=DeviceMode.DEVICES):
    (group,) = form_groups(session, [GroupDraft(1, [pupil, classmate])], mode, teacher)
    return group, group.runs.get(seat=0), group.runs.get(seat=1)


def test_group_action_key_applied_once(pictures, pupil, classmate, teacher):
    group, speaker, _listener = pair_of(pictures, pupil, classmate, teacher)
    key = uuid.uuid4()
    payload = {"trial": 0, "words": {"shape": "circle"}}
    first = send(speaker, "message", payload, key=key)
    again = send(speaker, "message", payload, key=key)
    group.refresh_from_db()
    assert first.status == "created"
    assert again.status == "duplicate"
    assert group.version == 1
    assert group.events.count() == 1
    assert again.view["phase"] == "choose"


def test_group_action_out_of_turn_rejected(pictures, pupil, classmate, teacher):
    group, _speaker, listener = pair_of(pictures, pupil, classmate, teacher)
    with pytest.raises(EventRejectedError) as caught:
        send(listener, "message", {"trial": 0, "words": {"shape": "circle"}})
    group.refresh_from_db()
    assert caught.value.code == "not_allowed"
    assert group.version == 0
    assert not group.events.exists()


def test_listener_view_hides_target(pictures, pupil, classmate, teacher):
    _group, speaker, listener = pair_of(pictures, pupil, classmate, teacher)
    outcome = send(speaker, "message", {"trial": 0, "words": {"shape": "circle"}})
    assert "target" in outcome.view
    seen = send(listener, "choose", {"trial": 0, "picture": "B"})
    assert seen.view["result"]["correct"] is False


def test_shared_device_acts_for_named_seat(pictures, pupil, classmate, teacher):
    group, speaker, _listener = pair_of(
        pictures, pupil, classmate, teacher, DeviceMode.SHARED
    )
    send(speaker, "message", {"trial": 0, "words": {"shape": "circle"}}, seat=0)
    send(speaker, "choose", {"trial": 0, "picture": "A"}, seat=1)
    group.refresh_from_db()
    actors = list(group.events.order_by("seq").values_list("run__pupil_id", flat=True))
    assert actors == [pupil.pk, classmate.pk]
    assert group.state["results"][0]["correct"] is True


def test_shared_device_seat_out_of_range(pictures, pupil, classmate, teacher):
    _group, speaker, _listener = pair_of(
        pictures, pupil, classmate, teacher, DeviceMode.SHARED
    )
    with pytest.raises(EventRejectedError, match="seat 2"):
        send(speaker, "message", {"trial": 0, "words": {"shape": "circle"}}, seat=2)


def test_devices_mode_ignores_claimed_seat(pictures, pupil, classmate, teacher):
    _group, _speaker, listener = pair_of(pictures, pupil, classmate, teacher)
    with pytest.raises(EventRejectedError):
        send(listener, "message", {"trial": 0, "words": {"shape": "circle"}}, seat=0)


def test_stale_state_write_refused(pictures, pupil, classmate, teacher):
    group, speaker, _listener = pair_of(pictures, pupil, classmate, teacher)
    send(speaker, "message", {"trial": 0, "words": {"shape": "circle"}})
    written = write_group_state(group.pk, 0, {"overwritten": True}, timezone.now())
    group.refresh_from_db()
    assert written is False
    assert group.version == 1
    assert group.state["phase"] == "choose"


def test_group_finish_completes_runs(pot, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        pot, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    runs = list(group.runs.order_by("seat"))
    for number in range(1, 5):
        for run in runs:
            send(run, "contribute", {"round": number, "tokens": 5})
    assert TaskRun.objects.filter(group=group, completed_at__isnull=False).count() == 3


def test_teacher_closes_round(pot, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        pot, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    send(group.runs.get(seat=0), "contribute", {"round": 1, "tokens": 6})
    group.refresh_from_db()
    close_group_round(group, teacher)
    group.refresh_from_db()
    assert group.state["round"] == 2
    assert group.state["history"][0]["share"] == 12
    assert group.events.filter(run__isnull=True, kind="close_round").count() == 1


def test_group_action_after_close_rejected(pot, pupil, classmate, classroom, teacher):
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        pot, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    close_task(pot, teacher)
    with pytest.raises(TaskClosedError):
        send(group.runs.get(seat=0), "contribute", {"round": 1, "tokens": 6})


# Progress and observation.


def test_progress_per_pupil(puzzles, pupil, classmate):
    run = start_run(puzzles, pupil)
    send(run, "choose", {"round": 1, "level": "easy"})
    rows = {row.pupil.pk: row.status for row in task_progress(puzzles)}
    assert rows == {pupil.pk: "in_progress", classmate.pk: "not_started"}


def test_observation_saved_and_replaced(
    tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    group, _first, _second = pair_of(session, pupil, classmate, teacher)
    save_observation(group, {"O1": 3, "O2": 4}, teacher)
    observation = save_observation(group, {"O1": 2}, teacher)
    assert observation.ratings == {"O1": 2}
    assert group.observation.pk == observation.pk


def test_observation_rating_out_of_scale(
    tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    group, _first, _second = pair_of(session, pupil, classmate, teacher)
    with pytest.raises(PerformanceError, match="La note 5 de O1"):
        save_observation(group, {"O1": 5}, teacher)


def test_observation_needs_grid(pictures, pupil, classmate, teacher):
    group, _first, _second = pair_of(pictures, pupil, classmate, teacher)
    with pytest.raises(PerformanceError) as caught:
        save_observation(group, {"O1": 2}, teacher)
    assert caught.value.code == "no_grid"


# Concurrent writers: run on PostgreSQL, skipped on the in-memory SQLite database.


def run_together(actions) -> list[Exception]:
    barrier = threading.Barrier(len(actions))
    errors: list[Exception] = []

    def go(action) -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as error:  # reported by the caller's asserts
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_contributions_all_kept(pot, classroom, teacher):
    if connection.vendor == "sqlite":
        # The suite's in-memory SQLite database runs in shared-cache mode, whose table
        # locks fail at once instead of waiting for the busy timeout.
        pytest.skip("concurrent writers need PostgreSQL or a file SQLite database")
    pupils = [make_pupil(classroom, f"Élève {n}") for n in range(8)]
    (group,) = form_groups(pot, [GroupDraft(1, pupils)], "devices", teacher)
    runs = list(group.runs.order_by("seat"))

    def contribute(run, tokens):
        return lambda: send(run, "contribute", {"round": 1, "tokens": tokens})

    errors = run_together([contribute(run, run.seat + 1) for run in runs])
    group.refresh_from_db()
    assert errors == []
    assert group.version == 8
    assert group.state["history"][0]["contributions"] == {
        str(seat): seat + 1 for seat in range(8)
    }


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_action_key_once(pictures, pupil, classmate, teacher):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL or a file SQLite database")
    group, speaker, _listener = pair_of(pictures, pupil, classmate, teacher)
    key = uuid.uuid4()
    statuses = []

    def message():
        outcome = apply_group_action(
            group,
            run=speaker,
            key=key,
            kind="message",
            payload={"trial": 0, "words": {"shape": "circle"}},
        )
        statuses.append(outcome.status)

    errors = run_together([message] * 4)
    group.refresh_from_db()
    assert errors == []
    assert sorted(statuses) == ["created", "duplicate", "duplicate", "duplicate"]
    assert group.version == 1
