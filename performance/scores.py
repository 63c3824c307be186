"""Per-pupil task scores of a wave, as a tidy table for the statistics and reports.

`task_scores(wave)` returns one row per pupil, task and score, with stable column
names (`SCORE_COLUMNS`). The score names are each game's `score_names`, plus
`grid_score` for the members of a group the teacher observed: the mean of the grid's
ratings, from 1 to the grid's number of points. Rows carry the pupil's id, never a
name; pseudonymise it before any research export.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pandas as pd

from assessment.models import Wave
from performance.definitions import TaskDefinition, definition_of
from performance.games import SoloGame
from performance.games.base import Event, Scores
from performance.models import TaskEvent, TaskRun
from performance.services import game_of
from schools.models import Classroom

SCORE_COLUMNS = [
    "wave_id",
    "classroom_id",
    "pupil_id",
    "task_key",
    "task_version",
    "skill",
    "score",
    "value",
    "completed",
    "is_simulated",
]


def grid_score(ratings: Mapping[str, int]) -> float | None:
    """Return the mean rating of an observation grid, or None when it is empty."""
    values = list(ratings.values())
    return sum(values) / len(values) if values else None


def task_scores(
    wave: Wave, classrooms: Iterable[Classroom] | None = None
) -> pd.DataFrame:
    """Return the task scores of every pupil who played a task in `wave`.

    Restricted to `classrooms` when given. A pupil alone counts once they sent an
    event; a member of a group once the group acted. A score the play cannot give
    (no failure to choose after, no trial as listener) is NaN. Reads the runs and
    the events in two queries, whatever the number of pupils.
    """
    runs = TaskRun.objects.filter(session__wave=wave).select_related(
        "session__task", "group__observation"
    )
    if classrooms is not None:
        runs = runs.filter(session__classroom__in=list(classrooms))
    runs_list = list(runs)
    events = _events_by_run(run.pk for run in runs_list if run.group_id is None)
    definitions: dict[int, TaskDefinition] = {}
    rows = []
    for run in runs_list:
        task = run.session.task
        if task.pk not in definitions:
            definitions[task.pk] = definition_of(task)
        scores = _scores_of(run, definitions[task.pk], events.get(run.pk, []))
        if scores is None:
            continue
        for name, value in scores.items():
            rows.append(
                {
                    "wave_id": wave.pk,
                    "classroom_id": run.session.classroom_id,
                    "pupil_id": run.pupil_id,
                    "task_key": task.key,
                    "task_version": task.version,
                    "skill": task.skill,
                    "score": name,
                    "value": float("nan") if value is None else float(value),
                    "completed": run.completed_at is not None,
                    "is_simulated": run.is_simulated,
                }
            )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _events_by_run(run_ids: Iterable[int]) -> dict[int, list[Event]]:
    events: defaultdict[int, list[Event]] = defaultdict(list)
    rows = (
        TaskEvent.objects.filter(run__in=list(run_ids))
        .order_by("run", "seq", "pk")
        .values_list("run_id", "kind", "payload")
    )
    for run_id, kind, payload in rows:
        events[run_id].append(Event(kind, payload))
    return events


def _scores_of(
    run: TaskRun, definition: TaskDefinition, events: list[Event]
) -> Scores | None:
    game = game_of(run.session.task)
    if isinstance(game, SoloGame):
        if not events:
            return None
        return game.score(definition.content, run.material, events)
    group = run.group
    if group is None or run.seat is None or group.version == 0:
        return None
    scores = game.score(definition.content, group.state, run.seat)
    observation = getattr(group, "observation", None)
    if definition.observation_grid is not None:
        scores["grid_score"] = (
            grid_score(observation.ratings) if observation is not None else None
        )
    return scores
