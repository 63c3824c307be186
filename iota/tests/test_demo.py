from pathlib import Path

import pytest

from assessment.models import Response
from iota.demo import DEMO_UAI, SIMULATED_SHARE, load_demo_data
from iota.demo_study import DemoStudyDesign
from reports.analysis import AnalysisSettings, analyse_study
from schools.models import Pupil, School
from studies.models import ClassArm, Consent, ConsentStatus

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


def test_demo_leaves_pupils_to_answer(tmp_path: Path):
    summary = load_demo_data(tmp_path, with_study=False)
    pupils = Pupil.objects.filter(school__uai=DEMO_UAI).count()
    assert len(summary.pupils_without_answers) >= pupils * (1 - SIMULATED_SHARE) - 3
    assert all(p.picture_password for p in summary.pupils_without_answers)


def test_demo_second_load_changes_nothing(tmp_path: Path):
    load_demo_data(tmp_path, with_study=False)
    before = (Pupil.objects.count(), Response.objects.count())
    summary = load_demo_data(tmp_path)
    assert not summary.created
    assert (Pupil.objects.count(), Response.objects.count()) == before


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
