from pathlib import Path

import pytest

from assessment.models import Response
from iota.demo import DEMO_UAI, SIMULATED_SHARE, load_demo_data
from schools.models import Pupil, School

pytestmark = pytest.mark.django_db


def test_demo_loads_reference_sample(reference_data):
    summary = load_demo_data(reference_data)
    school = School.objects.get(uai=DEMO_UAI)
    assert summary.created
    assert school.classes.count() == 3
    assert Pupil.objects.filter(school=school).count() == 61


def test_demo_without_reference_data_generates_pupils(tmp_path: Path):
    summary = load_demo_data(tmp_path / "absent")
    assert "fictional" in summary.source
    assert Pupil.objects.filter(school__uai=DEMO_UAI).count() == 61


def test_demo_answers_are_simulated(tmp_path: Path):
    load_demo_data(tmp_path)
    responses = Response.objects.all()
    assert responses.exists()
    assert not responses.filter(is_simulated=False).exists()


def test_demo_leaves_pupils_to_answer(tmp_path: Path):
    summary = load_demo_data(tmp_path)
    pupils = Pupil.objects.filter(school__uai=DEMO_UAI).count()
    assert len(summary.pupils_without_answers) >= pupils * (1 - SIMULATED_SHARE) - 3
    assert all(p.picture_password for p in summary.pupils_without_answers)


def test_demo_second_load_changes_nothing(tmp_path: Path):
    load_demo_data(tmp_path)
    before = (Pupil.objects.count(), Response.objects.count())
    summary = load_demo_data(tmp_path)
    assert not summary.created
    assert (Pupil.objects.count(), Response.objects.count()) == before
