import io

import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from assessment.effects import minimum_detectable_effect
from iota.demo_study import STUDY_TEACHER
from reports.analysis import AnalysisSettings, analyse_study
from reports.dataset import study_dataset
from reports.models import AnalysisStatus, ExportFormat, ExportLog, StudyAnalysis
from reports.presentation import fmt, fmt_ci
from reports.services import data_fingerprint
from studies.services import research_pupils

pytestmark = pytest.mark.django_db


def _store_analysis(study, settings: AnalysisSettings) -> StudyAnalysis:
    results = analyse_study(study, settings)
    return StudyAnalysis.objects.create(
        study=study,
        fingerprint=data_fingerprint(study),
        status=AnalysisStatus.DONE,
        results=results,
        finished_at=timezone.now(),
    )


@pytest.fixture
def analysis(small_study) -> StudyAnalysis:
    """A stored analysis without the CFAs, which the page tests do not read."""
    return _store_analysis(
        small_study, AnalysisSettings(replications=199, psychometrics=False)
    )


@pytest.fixture
def full_analysis(small_study) -> StudyAnalysis:
    return _store_analysis(small_study, AnalysisSettings(replications=199))


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def test_dashboard_shows_the_stored_analysis(analysis, coordinator):
    url = reverse("reports:dashboard", kwargs={"study_pk": analysis.study_id})
    response = _client(coordinator).get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "données simulées" in content
    first = analysis.results["impact"][0]
    assert fmt(first["did"], 3) in content
    assert fmt_ci(first["g_ci_low"], first["g_ci_high"]) in content
    assert content.count("<svg") == 5  # four growth curves and the flow
    assert "<script" not in content.split("<main", 1)[1].split("</main>")[0]
    assert 'http-equiv="refresh"' not in content


def test_dashboard_hides_names_from_researchers(analysis, researcher):
    url = reverse("reports:dashboard", kwargs={"study_pk": analysis.study_id})
    content = _client(researcher).get(url).content.decode()
    for last_name, ine_hash in research_pupils(analysis.study).values_list(
        "last_name", "ine_hash"
    ):
        assert f">{last_name}<" not in content
        assert ine_hash not in content


def test_dashboard_queues_an_analysis_when_none(small_study, coordinator):
    url = reverse("reports:dashboard", kwargs={"study_pk": small_study.pk})
    response = _client(coordinator).get(url)
    queued = StudyAnalysis.objects.get(study=small_study)
    assert response.status_code == 200
    assert queued.status == AnalysisStatus.QUEUED
    assert 'http-equiv="refresh"' in response.content.decode()
    _client(coordinator).get(url)
    assert StudyAnalysis.objects.filter(study=small_study).count() == 1


def test_pdf_report_states_the_numbers(full_analysis, coordinator):
    analysis = full_analysis
    url = reverse("reports:report-pdf", kwargs={"study_pk": analysis.study_id})
    response = _client(coordinator).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    results = analysis.results
    assert "DONNÉES SIMULÉES" in text
    assert "graine 7" in text
    assert "2 classes programme et 2 classes de comparaison" in text
    assert f"{results['design']['research_pupils']} élèves" in text
    assert "199 tirages" in text
    assert "Holm" in text
    for row in results["impact"]:
        assert fmt(row["did"], 3) in text
        assert fmt(row["g"], 2) in text
    assert "75 %" in text  # the long-string threshold of the quality rules
    assert "Limites" in text
    assert "Invariance longitudinale" in text
    alpha = results["reliability"][0]["alpha"]
    assert fmt(alpha, 2) in text


def test_pdf_report_built_once_per_study_name(analysis, coordinator):
    url = reverse("reports:report-pdf", kwargs={"study_pk": analysis.study_id})
    client = _client(coordinator)
    first = client.get(url).content
    assert client.get(url).content == first
    analysis.study.name = "Étude renommée"
    analysis.study.save(update_fields=["name"])
    renamed = client.get(url).content
    assert renamed != first
    assert "Étude renommée" in _pdf_text(renamed)


def test_pdf_waits_for_an_analysis(small_study, coordinator):
    url = reverse("reports:report-pdf", kwargs={"study_pk": small_study.pk})
    response = _client(coordinator).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reports:dashboard", kwargs={"study_pk": small_study.pk}
    )


def _export(study, user, export_format):
    url = reverse("reports:export", kwargs={"study_pk": study.pk})
    return _client(user).post(url, {"format": export_format})


def test_csv_export_is_pseudonymised_and_logged(small_study, researcher):
    response = _export(small_study, researcher, ExportFormat.CSV)
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    frame = study_dataset(small_study).frame
    assert response.status_code == 200
    assert lines[0].split(",")[:5] == ["pupil", "class", "school", "arm", "wave"]
    assert len(lines) == len(frame) + 1
    assert not text.startswith("\ufeff")
    pupil = research_pupils(small_study).first()
    assert pupil.last_name not in text
    log = ExportLog.objects.get()
    assert log.user == researcher
    assert log.format == ExportFormat.CSV
    assert log.rows == len(frame)
    assert log.simulated_rows == int(frame["simulated"].sum())


def test_excel_export_uses_bom_semicolon_and_decimal_comma(small_study, coordinator):
    response = _export(small_study, coordinator, ExportFormat.EXCEL_CSV)
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("pupil;class;school;arm;wave;status")
    skill = study_dataset(small_study).skills[0]
    scores = [
        line.split(";")[header.split(";").index(skill)]
        for line in text.split("\r\n")[1:]
        if line
    ]
    assert any("," in score for score in scores)
    assert not any("." in score for score in scores)


def test_parquet_export_reads_back(small_study, coordinator):
    response = _export(small_study, coordinator, ExportFormat.PARQUET)
    table = pq.read_table(io.BytesIO(response.content)).to_pandas()
    frame = study_dataset(small_study).frame
    assert list(table.columns) == list(frame.columns)
    assert len(table) == len(frame)
    assert table["simulated"].dtype == bool


def test_codebook_lists_every_column(small_study, researcher):
    url = reverse("reports:export-codebook", kwargs={"study_pk": small_study.pk})
    text = _client(researcher).get(url).content.decode("utf-8")
    listed = {line.split(",", 1)[0] for line in text.splitlines()[1:]}
    assert listed == set(study_dataset(small_study).frame.columns)


def test_power_calculator_returns_the_mdes(small_study, coordinator):
    url = reverse("reports:power", kwargs={"study_pk": small_study.pk})
    query = {
        "n_classes": 24,
        "pupils_per_class": 20,
        "icc": 0.15,
        "treated_share": 0.5,
        "r2_individual": 0.3,
        "alpha": 0.05,
        "power": 0.8,
    }
    content = _client(coordinator).get(url, query).content.decode()
    expected = minimum_detectable_effect(24, 20, 0.15, r2_individual=0.3)
    assert f'id="mdes">{fmt(expected.mdes, 3)}<' in content


def test_power_calculator_rejects_a_bad_icc(small_study, coordinator):
    url = reverse("reports:power", kwargs={"study_pk": small_study.pk})
    query = {"n_classes": 24, "pupils_per_class": 20, "icc": 1.5}
    content = _client(coordinator).get(url, query).content.decode()
    assert 'id="mdes"' not in content
    assert "errorlist" in content


def test_teacher_sees_class_results_without_pupils(small_study):
    teacher = User.objects.get(email=STUDY_TEACHER[0])
    classroom = teacher.classes.get()
    url = reverse(
        "reports:class-report",
        kwargs={"study_pk": small_study.pk, "class_pk": classroom.pk},
    )
    response = _client(teacher).get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "données simulées" in content
    for last_name, display_name in classroom.pupils.values_list(
        "last_name", "display_name"
    ):
        assert display_name not in content
        assert last_name not in content
    assert content.count("<tr>") == 1 + 4  # the header and one row per wave


def test_teacher_cannot_open_another_class(small_study):
    teacher = User.objects.get(email=STUDY_TEACHER[0])
    other = small_study.campaign.classes.exclude(teachers=teacher).first()
    url = reverse(
        "reports:class-report",
        kwargs={"study_pk": small_study.pk, "class_pk": other.pk},
    )
    assert _client(teacher).get(url).status_code == 404
