import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from activities.models import Activity, ActivityVersion
from assessment.models import Response
from iota.demo import (
    ACTIVITIES_THIS_WEEK,
    ACTIVITY_NEXT_WEEK,
    DEMO_ADULTS,
    DEMO_PASSWORD,
    DEMO_UAI,
    SIMULATED_SHARE,
    TASK_KEY,
    load_demo_data,
)
from iota.demo_study import DemoStudyDesign, create_demo_study
from learning.models import Assignment
from learning.services import school_today, today_activities
from performance.models import Task, TaskSession
from performance.services import open_sessions_for_pupil
from reports.analysis import AnalysisSettings, analyse_study
from reports.models import AnalysisStatus, StudyAnalysis
from schools.models import Pupil, School
from studies.models import ClassArm, Consent, ConsentStatus

ROOT = Path(__file__).resolve().parents[2]
CONTENT_FILES = len(list((ROOT / "activities" / "content").glob("*.yaml")))
TASK_FILES = len(list((ROOT / "performance" / "tasks").glob("*.yaml")))


def demo_counts() -> dict[str, int]:
    return {
        "pupils": Pupil.objects.count(),
        "responses": Response.objects.count(),
        "versions": ActivityVersion.objects.count(),
        "assignments": Assignment.objects.count(),
        "tasks": Task.objects.count(),
        "task sessions": TaskSession.objects.count(),
    }


pytestmark = pytest.mark.django_db


def test_demo_loads_reference_sample(reference_data):
    summary = load_demo_data(reference_data, with_study=False)
    school = School.objects.get(uai=DEMO_UAI)
    assert summary.created
    assert school.classes.count() == 3
    assert Pupil.objects.filter(school=school).count() == 61


def test_demo_without_reference_data_generates_pupils(tmp_path: Path):
    summary = load_demo_data(tmp_path / "absent", with_study=False)
    assert "fictional" in summary.source
    assert Pupil.objects.filter(school__uai=DEMO_UAI).count() == 61


def test_demo_accounts_accept_password(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    assert len(summary.accounts) == 6
    for email, _role in summary.accounts:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD), email
    assert User.objects.get(email="admin@iota.example").is_superuser


def test_demo_leaves_pupils_to_answer(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    pupils = Pupil.objects.filter(school__uai=DEMO_UAI).count()
    assert len(summary.pupils_without_answers) >= pupils * (1 - SIMULATED_SHARE) - 3
    assert all(p.picture_password for p in summary.pupils_without_answers)


def test_demo_second_load_changes_nothing(tmp_path: Path):
    load_demo_data(tmp_path, with_study=False)
    before = demo_counts()
    summary = load_demo_data(tmp_path)
    assert not summary.created
    assert summary.added == []
    assert demo_counts() == before


def test_demo_loads_starter_activities(tmp_path: Path):
    load_demo_data(tmp_path, with_study=False)
    assert CONTENT_FILES > 0
    assert Activity.objects.filter(current_version__isnull=False).count() == (
        CONTENT_FILES
    )


def test_demo_plans_activities_per_class(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    for classroom in summary.classes:
        today = school_today(classroom)
        plan = list(classroom.assignments.order_by("position"))
        keys = [assignment.activity.key for assignment in plan]
        assert keys == [*ACTIVITIES_THIS_WEEK, ACTIVITY_NEXT_WEEK], classroom.label
        for assignment in plan[:-1]:
            assert assignment.starts_on == today
            assert assignment.due_on is not None
            assert assignment.due_on.weekday() == 4
            assert today <= assignment.due_on < today + dt.timedelta(days=7)
            assert assignment.assigned_by in classroom.teachers.all()
        next_week = plan[-1]
        assert next_week.starts_on.weekday() == 0
        assert next_week.starts_on > plan[0].due_on
        assert next_week.due_on == next_week.starts_on + dt.timedelta(days=4)


def test_demo_pupil_sees_activities_today(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    for pupil in summary.pupils_without_answers:
        activities = today_activities(pupil)
        keys = [activity.assignment.activity.key for activity in activities]
        assert keys == list(ACTIVITIES_THIS_WEEK), pupil.pk
        assert not any(activity.done for activity in activities)
        assert all(activity.attempts == 0 for activity in activities)


def test_demo_opens_task_in_first_class(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    first, *others = summary.classes
    assert Task.objects.count() == TASK_FILES
    session = summary.task_session
    assert session is not None
    assert session.task.key == TASK_KEY
    assert session.classroom == first
    pupil = first.pupils.filter(left_on=None).first()
    assert open_sessions_for_pupil(pupil) == [session]
    for classroom in others:
        pupil = classroom.pupils.filter(left_on=None).first()
        assert open_sessions_for_pupil(pupil) == []


def test_demo_adds_what_older_data_lacks(tmp_path: Path):
    load_demo_data(tmp_path, with_study=False)
    before = demo_counts()
    TaskSession.objects.all().delete()
    Assignment.objects.all().delete()
    summary = load_demo_data(tmp_path, with_study=False)
    assert not summary.created
    assert summary.added == ["assignments", "task session"]
    assert demo_counts() == before


def test_load_demo_queues_analysis(
    tmp_path: Path, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    load_demo_data(tmp_path, with_study=False)
    # Four small classes replace the demo study's twenty, to keep the test fast.
    study = create_demo_study(
        coordinator=User.objects.get(email=DEMO_ADULTS[0][0]),
        password=DEMO_PASSWORD,
        design=DemoStudyDesign(class_counts=(2, 2), pupils_per_class=6),
    )
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--analysis", "queue", stdout=out)
    analysis = StudyAnalysis.objects.get(study=study)
    assert analysis.status == AnalysisStatus.QUEUED
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reports.tasks.analyse_study_task"
    assert queued.args_kwargs["args"] == [analysis.pk]
    assert "analysis is queued" in out.getvalue()


def test_load_demo_prints_guide(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    out = io.StringIO()
    call_command("load_demo", "--analysis", "skip", stdout=out)
    text = out.getvalue()
    session = summary.task_session
    assert session is not None
    assert "Demo data already present: nothing changed." in text
    for page in ("/apprendre/bibliotheque/", "/taches/", "/activites/redaction/"):
        assert page in text
    assert f"In class {session.classroom.code}, 'Mes tâches'" in text
    for classroom in summary.classes:
        assert f"class {classroom.code} ({classroom.label}" in text


def test_demo_study_recovers_its_known_effect(tmp_path: Path):
    summary = load_demo_data(tmp_path)
    study = summary.study
    design = DemoStudyDesign()
    assert study is not None
    assert "données simulées" in study.name

    # The design: 20 classes in 6 schools, drawn by school, half in each arm.
    arms = ClassArm.objects.filter(study=study)
    assert arms.count() == sum(design.class_counts) == 20
    assert arms.filter(arm="programme").count() == 10
    assert arms.values("classroom__school").distinct().count() == 6
    assert study.campaign.waves.count() == 4
    assert Consent.objects.filter(study=study, status=ConsentStatus.GIVEN).exists()
    assert not Response.objects.filter(is_simulated=False).exists()

    # Each skill's latent score gains `design.effect` SD by T4 in the programme.
    # Scale scores measure it with error, so their effect is somewhat smaller,
    # but each skill's WWC g interval must contain it, and the estimates must be
    # positive and of the right size on average.
    results = analyse_study(
        study, AnalysisSettings(replications=999, psychometrics=False)
    )
    impact = results["impact"]
    assert results["impact_errors"] == []
    assert len(impact) == 4
    for row in impact:
        assert row["g_ci_low"] <= design.effect <= row["g_ci_high"], row["skill"]
        assert row["mixed_estimate"] > 0, row["skill"]
        assert row["did"] > 0, row["skill"]
    mean_g = sum(row["g"] for row in impact) / len(impact)
    assert design.effect - 0.15 <= mean_g <= design.effect + 0.15
    assert results["simulated"]["responses"] == results["simulated"]["all_responses"]
