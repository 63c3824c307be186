import datetime as dt
import math
import uuid

import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Answer, Response
from assessment.services import wave_window_for
from iota.demo_study import DemoStudyDesign, create_demo_study
from performance.definitions import sync_tasks
from performance.models import Task
from performance.services import open_task, record_event, run_scores, start_run
from reports.dataset import (
    ABSENT,
    COMPLETED,
    analysis_frame,
    class_pseudonym,
    school_pseudonym,
    study_dataset,
    task_column,
)
from schools.models import Pupil
from studies.models import Consent, ConsentStatus
from studies.pseudonyms import pupil_pseudonym
from studies.services import research_pupils

pytestmark = pytest.mark.django_db


def test_dataset_keeps_consenting_pupils_only(small_study):
    dataset = study_dataset(small_study)
    given = set(
        Consent.objects.filter(
            study=small_study, status=ConsentStatus.GIVEN
        ).values_list("pupil__ine_hash", flat=True)
    )
    refused = Consent.objects.filter(study=small_study).exclude(
        status=ConsentStatus.GIVEN
    )
    assert refused.exists()
    assert set(dataset.frame["pupil"]) == {pupil_pseudonym(ine) for ine in given}


def test_dataset_has_a_row_per_pupil_and_wave(small_study):
    dataset = study_dataset(small_study)
    frame = dataset.frame
    pupils = research_pupils(small_study).count()
    assert dataset.waves == ["T1", "T2", "T3", "T4"]
    assert len(frame) == pupils * 4
    assert not frame.duplicated(["pupil", "wave"]).any()
    assert (frame["status"] == ABSENT).any()


def test_dataset_ids_are_pseudonyms(small_study):
    frame = study_dataset(small_study).frame
    pupil = research_pupils(small_study).select_related("classroom").first()
    text = frame.to_csv()
    assert pupil.last_name not in text
    assert pupil.ine_hash not in text
    assert pupil.classroom.school.uai not in text
    rows = frame[frame["pupil"] == pupil_pseudonym(pupil.ine_hash)]
    assert set(rows["class"]) == {class_pseudonym(pupil.classroom_id)}
    assert set(rows["school"]) == {school_pseudonym(pupil.classroom.school_id)}


def test_dataset_turns_reverse_keyed_items_round(small_study):
    dataset = study_dataset(small_study)
    definition = small_study.campaign.instrument.definition
    reverse = next(item["key"] for item in definition["items"] if item.get("reverse"))
    straight = next(
        item["key"] for item in definition["items"] if not item.get("reverse")
    )
    pupil = research_pupils(small_study).first()
    response = Response.objects.filter(
        pupil=pupil, wave__label="T1", completed_at__isnull=False
    ).first()
    assert response is not None
    stored = dict(response.answers.values_list("item", "value"))
    row = dataset.frame[
        (dataset.frame["pupil"] == pupil_pseudonym(pupil.ine_hash))
        & (dataset.frame["wave"] == "T1")
    ].iloc[0]
    points = dataset.points
    if stored[reverse] is not None:
        assert row[reverse] == points + 1 - stored[reverse]
    if stored[straight] is not None:
        assert row[straight] == stored[straight]


def test_dataset_scores_follow_the_scoring_rule(small_study):
    dataset = study_dataset(small_study)
    frame = dataset.frame
    skill, items = next(iter(dataset.scales.items()))
    completed = frame[frame["status"] == COMPLETED].iloc[0]
    answered = [completed[item] for item in items if not math.isnan(completed[item])]
    assert completed[skill] == pytest.approx(sum(answered) / len(answered))


def test_dataset_marks_simulated_and_excluded_rows(small_study):
    frame = study_dataset(small_study).frame
    responded = frame[frame["status"] != ABSENT]
    assert responded["simulated"].all()
    assert not frame.loc[frame["status"] == ABSENT, "simulated"].any()
    excluded = frame[frame["excluded"]]
    assert (excluded["quality_flags"] != "").all()


def test_analysis_frame_blanks_unusable_responses(small_study):
    dataset = study_dataset(small_study)
    frame = analysis_frame(dataset)
    unusable = (dataset.frame["status"] != COMPLETED) | dataset.frame["excluded"]
    assert frame.loc[unusable, dataset.skills].isna().all().all()
    assert len(frame) == len(dataset.frame)


def test_dataset_excludes_a_rushed_response(coordinator):
    # Every response rushed: each one must come back excluded as too fast.
    study = create_demo_study(
        coordinator=coordinator,
        password="x",
        design=DemoStudyDesign(
            class_counts=(2,), pupils_per_class=5, size_spread=0, rushed=1.0, seed=3
        ),
    )
    frame = study_dataset(study).frame
    completed = frame[frame["status"] == COMPLETED]
    assert len(completed) > 0
    assert completed["excluded"].all()
    assert completed["quality_flags"].str.contains("too_fast").all()


def test_dataset_queries_do_not_grow_with_pupils(coordinator):
    counts = []
    for index, size in enumerate((4, 9)):
        study = create_demo_study(
            coordinator=coordinator,
            password="x",
            design=DemoStudyDesign(
                class_counts=(2,),
                pupils_per_class=size,
                size_spread=0,
                seed=11 + index,
            ),
        )
        with CaptureQueriesContext(connection) as queries:
            study_dataset(study)
        counts.append(len(queries))
        # The demo generator names its teacher account; free it for the next study.
        study.campaign.classes.first().teachers.all().delete()
    assert counts[0] == counts[1]


def test_dataset_answers_match_the_database(small_study):
    frame = study_dataset(small_study).frame
    answered = frame[frame["status"] != ABSENT]
    items = [c for c in frame.columns if c[:3] in {"PER", "COL", "COM", "COO"}]
    in_frame = int(answered[items].notna().to_numpy().sum())
    research = research_pupils(small_study)
    in_database = Answer.objects.filter(
        response__pupil__in=research, value__isnull=False
    ).count()
    assert in_frame == in_database
    assert isinstance(frame["wave"].dtype, pd.CategoricalDtype)
    assert Pupil.objects.filter(classroom__campaigns=small_study.campaign).count() > (
        research.count()
    )


def test_dataset_adds_task_scores(small_study):
    sync_tasks()
    task = Task.objects.filter(key="perseverance-puzzles").latest("loaded_at")
    wave = small_study.campaign.waves.get(label="T1")
    pupil = research_pupils(small_study).select_related("classroom").first()
    now = wave_window_for(wave, pupil.classroom)[0] + dt.timedelta(hours=10)
    session = open_task(task, wave, pupil.classroom, None, now=now)
    run = start_run(session, pupil, now=now)
    for number in range(1, 6):
        for offset, (kind, payload) in enumerate(
            [
                ("choose", {"round": number, "level": "easy"}),
                ("end", {"round": number, "outcome": "give_up", "elapsed_ms": 900}),
            ]
        ):
            record_event(
                run,
                key=uuid.uuid4(),
                kind=kind,
                payload=payload,
                seq=2 * number + offset,
                occurred_at=now,
                now=now,
            )
    run.refresh_from_db()
    assert run.completed_at is not None

    dataset = study_dataset(small_study)
    expected = run_scores(run)
    columns = [task_column(task.key, name) for name in expected]
    assert dataset.task_columns == columns
    row = dataset.frame[
        (dataset.frame["pupil"] == pupil_pseudonym(pupil.ine_hash))
        & (dataset.frame["wave"] == "T1")
    ].iloc[0]
    for column, value in zip(columns, expected.values(), strict=True):
        if value is None:
            assert math.isnan(row[column])
        else:
            assert row[column] == pytest.approx(value)
    others = dataset.frame[dataset.frame["wave"] != "T1"]
    assert others[columns].isna().all().all()
