"""The research data set of a study: one row per consenting pupil and wave.

`study_dataset` reads the database into the long frame that `assessment.impact` and
`assessment.psychometrics` take, and that the research export writes:

- ``pupil``, ``class``, ``school``: keyed hashes (pupil: `pupil_pseudonym` of the
  INE hash; class and school: HMAC-SHA256 of their database id under
  `settings.PSEUDONYM_KEY`), never a name, an INE or a UAI;
- ``arm``: ``programme`` or ``comparison``, the class's arm in the study;
- ``wave``: the wave label (``T1``...), in the campaign's order;
- ``status``: ``completed``, ``started`` or ``absent`` (no response);
- ``simulated``: the response was generated for a demo (`Response.is_simulated`);
- ``excluded``: a data-quality rule of the study marks the response (long string,
  too fast, partial completion), and ``quality_flags`` lists those rules;
- one column per item, reverse-keyed items already turned round as the
  instrument's scoring does, NaN for a skipped or unseen item;
- one score column per scale (its key), with the instrument's scoring rule: the
  mean of the answered items when at least the scale's minimum share is answered;
- one column per performance-task score (``<task key>_<score name>``), when the
  campaign's waves had tasks.

Only `research_pupils` enter (consent given, class with an arm), and each has a row
for every wave, so a pupil who missed a wave still counts in the attrition.
`analysis_frame` blanks the items and scores of responses the analysis must leave
out (unfinished or excluded). Reading a study runs a fixed number of queries
whatever its size.
"""

import hmac
import logging
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from assessment.models import Response, Wave
from assessment.scoring import ScaleSpec, load_answers, reverse_key, scales_of
from assessment.scoring import score_scale as score_items
from performance.definitions import definition_of
from performance.games import SoloGame
from performance.games.base import Event
from performance.models import TaskEvent, TaskRun
from performance.services import game_of
from studies.models import ClassArm, Study
from studies.pseudonyms import pupil_pseudonym
from studies.quality import RuleCount, quality_exclusions
from studies.services import research_pupils

logger = logging.getLogger(__name__)

ID_COLUMNS = ("pupil", "class", "school", "arm", "wave")
STATUS_COLUMNS = ("status", "simulated", "excluded", "quality_flags")
COMPLETED, STARTED, ABSENT = "completed", "started", "absent"
# Hex digits kept of a class or school hash: 48 bits, so two of 70,000 classes
# share one with a probability of about 1e-5 (birthday bound n² / 2^49).
_GROUP_HEX_DIGITS = 12


def class_pseudonym(class_id: int) -> str:
    """Return the research id ("C-…") of a class: a keyed hash of its database id."""
    return "C-" + _keyed_hash(f"research-class:{class_id}")


def school_pseudonym(school_id: int) -> str:
    """Return the research id ("S-…") of a school: a keyed hash of its database id."""
    return "S-" + _keyed_hash(f"research-school:{school_id}")


def _keyed_hash(text: str) -> str:
    digest = hmac.digest(
        settings.PSEUDONYM_KEY.encode("utf-8"), text.encode("utf-8"), "sha256"
    )
    return digest.hex()[:_GROUP_HEX_DIGITS]


@dataclass(frozen=True)
class StudyDataset:
    """A study's long frame and what its columns are.

    ``scales`` maps each scale key (a score column) to its item columns, in the
    instrument's order; ``task_columns`` lists the performance-task score columns.
    ``waves`` are the labels in time order and ``points`` the number of points of
    the response scale (answers run from 1 to ``points``). ``exclusion_counts``
    has the quality report's flags and pupils per rule, missing waves included.
    """

    frame: pd.DataFrame
    waves: list[str]
    scales: dict[str, list[str]]
    scale_titles: dict[str, dict[str, str]]
    points: int
    exclusion_counts: list[RuleCount]
    task_columns: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        return [item for items in self.scales.values() for item in items]

    @property
    def skills(self) -> list[str]:
        return list(self.scales)

    @property
    def has_simulated(self) -> bool:
        return bool(self.frame["simulated"].any())


def _pupils(study: Study) -> pd.DataFrame:
    rows = research_pupils(study).values_list(
        "pk", "ine_hash", "classroom_id", "classroom__school_id"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["pupil_id", "ine_hash", "class_id", "school_id"]
    )
    arms = dict(ClassArm.objects.filter(study=study).values_list("classroom_id", "arm"))
    frame["arm"] = frame["class_id"].map(arms)
    frame["pupil"] = frame["ine_hash"].map(pupil_pseudonym)
    frame["class"] = frame["class_id"].map(class_pseudonym)
    frame["school"] = frame["school_id"].map(school_pseudonym)
    return frame.drop(columns="ine_hash")


def _responses(study: Study, waves: Sequence[Wave]) -> pd.DataFrame:
    rows = Response.objects.filter(
        wave__in=list(waves), pupil__in=research_pupils(study)
    ).values_list("pk", "pupil_id", "wave_id", "completed_at", "is_simulated")
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=["response", "pupil_id", "wave_id", "completed_at", "simulated"],
    )
    frame["status"] = np.where(frame["completed_at"].notna(), COMPLETED, STARTED)
    return frame.drop(columns="completed_at")


def _keyed_items(answers: pd.DataFrame, specs: Sequence[ScaleSpec]) -> pd.DataFrame:
    """Return the answers with each scale's reverse-keyed items turned round."""
    keyed = answers.copy()
    for spec in specs:
        keyed[list(spec.items)] = reverse_key(
            answers, spec.items, spec.reverse, points=spec.points
        )
    return keyed


def _scores(answers: pd.DataFrame, specs: Sequence[ScaleSpec]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            spec.key: score_items(
                answers,
                spec.items,
                spec.reverse,
                points=spec.points,
                min_answered=spec.min_answered,
            )["score"]
            for spec in specs
        },
        index=answers.index,
    )


def _flags(
    study: Study, pupil_ids: dict[str, int]
) -> tuple[dict[tuple[int, int], str], list[RuleCount]]:
    """Return the quality rules that exclude each (pupil id, wave id) response.

    `pupil_ids` maps each research pupil's pseudonym to their id, since the
    exclusion report lists its flags under pseudonyms. Also returns the report's
    counts of flags and pupils per rule.
    """
    report = quality_exclusions(study)
    rules: defaultdict[tuple[int, int], set[str]] = defaultdict(set)
    for row in report.rows:
        key = (pupil_ids[row.pseudonym], row.wave_id)
        if key in report.excluded_responses:
            rules[key].add(row.rule)
    flags = {key: ";".join(sorted(values)) for key, values in rules.items()}
    return flags, report.counts


_NON_WORD = re.compile(r"\W+")


def task_column(task_key: str, score: str) -> str:
    """Return the column of a task score: ``<task key>_<score>``, in snake case."""
    return _NON_WORD.sub("_", f"{task_key}_{score}").strip("_").lower()


def _task_scores(study: Study, waves: Sequence[Wave]) -> pd.DataFrame:
    """Score the completed task runs of the research pupils, one row per pupil-wave.

    Runs the same scoring as `performance.services.run_scores`, with the runs and
    the events of every solo run read in two queries instead of one per run.
    """
    runs = list(
        TaskRun.objects.filter(
            session__wave__in=list(waves),
            pupil__in=research_pupils(study),
            completed_at__isnull=False,
        ).select_related("session__task", "group")
    )
    if not runs:
        return pd.DataFrame(columns=["pupil_id", "wave_id"])
    events: defaultdict[int, list[Event]] = defaultdict(list)
    for run_id, kind, payload in (
        TaskEvent.objects.filter(run__in=[run.pk for run in runs])
        .order_by("run_id", "seq", "pk")
        .values_list("run_id", "kind", "payload")
    ):
        events[run_id].append(Event(kind, payload))
    records: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for run in runs:
        task = run.session.task
        game = game_of(task)
        content = definition_of(task).content
        if isinstance(game, SoloGame):
            scores = game.score(content, run.material, events[run.pk])
        elif run.group is not None and run.seat is not None:
            scores = game.score(content, run.group.state, run.seat)
        else:
            continue
        record = records[(run.pupil_id, run.session.wave_id)]
        for name, value in scores.items():
            record[task_column(task.key, name)] = (
                math.nan if value is None else float(value)
            )
    frame = pd.DataFrame.from_dict(records, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["pupil_id", "wave_id"])
    return frame.reset_index()


def study_dataset(study: Study, *, with_tasks: bool = True) -> StudyDataset:
    """Read the study's research data into its long frame; see the module docstring.

    Rows are ordered by wave, then class and pupil pseudonym.
    """
    campaign = study.campaign
    definition = campaign.instrument.definition
    specs = scales_of(definition)
    items = [item["key"] for item in definition["items"]]
    waves = list(campaign.waves.order_by("opens_on", "label"))
    wave_labels = {wave.pk: wave.label for wave in waves}

    pupils = _pupils(study)
    grid = pupils.merge(
        pd.DataFrame({"wave_id": [wave.pk for wave in waves]}), how="cross"
    )
    responses = _responses(study, waves)
    answers = load_answers(
        Response.objects.filter(pk__in=responses["response"].tolist()), items
    )
    keyed = _keyed_items(answers, specs)
    scores = _scores(answers, specs)
    measured = responses.set_index("response").join(keyed).join(scores)
    frame = grid.merge(measured, on=["pupil_id", "wave_id"], how="left")
    frame["status"] = frame["status"].fillna(ABSENT)
    frame["simulated"] = frame["simulated"].astype("boolean").fillna(False).astype(bool)

    flags, counts = _flags(
        study, dict(zip(pupils["pupil"], pupils["pupil_id"], strict=True))
    )
    keys = list(zip(frame["pupil_id"], frame["wave_id"], strict=True))
    frame["quality_flags"] = [flags.get(key, "") for key in keys]
    frame["excluded"] = frame["quality_flags"] != ""

    task_columns: list[str] = []
    if with_tasks:
        tasks = _task_scores(study, waves)
        task_columns = [c for c in tasks.columns if c not in ("pupil_id", "wave_id")]
        if task_columns:
            frame = frame.merge(tasks, on=["pupil_id", "wave_id"], how="left")

    frame["wave"] = pd.Categorical(
        frame["wave_id"].map(wave_labels),
        categories=[wave.label for wave in waves],
        ordered=True,
    )
    frame = frame.sort_values(["wave", "class", "pupil"], kind="stable")
    columns = [
        *ID_COLUMNS,
        *STATUS_COLUMNS,
        *items,
        *(spec.key for spec in specs),
        *task_columns,
    ]
    frame = frame.reindex(columns=columns).reset_index(drop=True)
    logger.info(
        "Data set of study %s: %d pupils, %d waves, %d responses.",
        study.pk,
        len(pupils),
        len(waves),
        len(responses),
    )
    return StudyDataset(
        frame=frame,
        waves=[wave.label for wave in waves],
        scales={spec.key: list(spec.items) for spec in specs},
        scale_titles={spec.key: dict(spec.title) for spec in specs},
        points=int(definition["response_format"]["points"]),
        exclusion_counts=counts,
        task_columns=task_columns,
    )


def analysis_frame(dataset: StudyDataset) -> pd.DataFrame:
    """Return the frame the analyses take: data only from usable responses.

    The items and scores of an unfinished response, or of one a quality rule
    excludes, become NaN; the row stays, so the pupil still counts as randomised.
    """
    frame = dataset.frame.copy()
    unusable = (frame["status"] != COMPLETED) | frame["excluded"]
    measures = [*dataset.items, *dataset.skills, *dataset.task_columns]
    frame.loc[unusable, measures] = np.nan
    frame["wave"] = frame["wave"].astype(str)
    return frame
