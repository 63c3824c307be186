"""task_scores: the per-pupil task score table of a wave."""

import math
import uuid

import pytest

from performance.models import TaskRun
from performance.scores import SCORE_COLUMNS, grid_score, task_scores
from performance.services import (
    GroupDraft,
    form_groups,
    open_task,
    record_event,
    save_observation,
    start_run,
)

pytestmark = pytest.mark.django_db


def send(run, kind, payload, seq=1):
    return record_event(run, key=uuid.uuid4(), kind=kind, payload=payload, seq=seq)


def value_of(frame, pupil, score):
    rows = frame[(frame.pupil_id == pupil.pk) & (frame.score == score)]
    assert len(rows) == 1
    return rows.value.iloc[0]


def test_grid_score_is_mean_rating():
    assert grid_score({"O1": 2, "O2": 4, "O3": 3}) == pytest.approx(3.0)
    assert grid_score({}) is None


def test_empty_wave_gives_empty_table(wave):
    frame = task_scores(wave)
    assert list(frame.columns) == SCORE_COLUMNS
    assert frame.empty


def test_solo_scores_per_pupil(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    run = start_run(session, pupil)
    start_run(session, classmate)  # started, no event: not scored
    send(run, "choose", {"round": 1, "level": "hard"}, seq=1)
    send(run, "end", {"round": 1, "outcome": "give_up", "elapsed_ms": 4000}, seq=2)
    send(run, "choose", {"round": 2, "level": "easy"}, seq=3)
    frame = task_scores(wave)
    assert set(frame.pupil_id) == {pupil.pk}
    assert value_of(frame, pupil, "hard_choice_share") == pytest.approx(0.5)
    assert value_of(frame, pupil, "hard_after_failure_share") == pytest.approx(0.0)
    assert value_of(frame, pupil, "time_on_task_seconds") == pytest.approx(4.0)
    assert set(frame.skill) == {"perseverance"}
    assert not frame.completed.any()


def test_missing_score_is_nan(tasks, wave, classroom, teacher, pupil):
    session = open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    send(start_run(session, pupil), "choose", {"round": 1, "level": "easy"})
    frame = task_scores(wave)
    assert math.isnan(value_of(frame, pupil, "hard_after_failure_share"))


def test_pair_scores_with_grid(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate])], "devices", teacher
    )
    first = TaskRun.objects.get(group=group, seat=0)
    for position, symbol in enumerate(["moon", "star", "heart"]):
        send(first, "place", {"puzzle": 0, "position": position, "symbol": symbol})
    send(TaskRun.objects.get(group=group, seat=1), "try", {"puzzle": 0})
    save_observation(group, {"O1": 4, "O2": 2}, teacher)
    frame = task_scores(wave)
    assert value_of(frame, pupil, "own_action_share") == pytest.approx(3 / 4)
    assert value_of(frame, classmate, "own_action_share") == pytest.approx(1 / 4)
    assert value_of(frame, pupil, "contribution_balance") == pytest.approx(0.5)
    assert value_of(frame, pupil, "joint_success_share") == pytest.approx(1.0)
    assert value_of(frame, classmate, "grid_score") == pytest.approx(3.0)


def test_unplayed_group_not_scored(tasks, wave, classroom, teacher, pupil, classmate):
    session = open_task(tasks["communication-pictures"], wave, classroom, teacher)
    form_groups(session, [GroupDraft(1, [pupil, classmate])], "devices", teacher)
    assert task_scores(wave).empty


def test_scores_filtered_by_class(
    tasks, wave, classroom, other_classroom, teacher, pupil
):
    session = open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    send(start_run(session, pupil), "choose", {"round": 1, "level": "easy"})
    assert task_scores(wave, classrooms=[other_classroom]).empty
    assert not task_scores(wave, classrooms=[classroom]).empty


def test_scores_query_count_flat(
    tasks, wave, classroom, teacher, pupil, classmate, django_assert_max_num_queries
):
    session = open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    for someone in (pupil, classmate):
        send(start_run(session, someone), "choose", {"round": 1, "level": "easy"})
    # Runs, events, and the task definition read through the run's join.
    with django_assert_max_num_queries(2):
        task_scores(wave)
