import datetime as dt
import uuid

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from assessment.models import WaveSession
from assessment.services import record_answer
from reports import services
from reports.analysis import (
    AnalysisSettings,
    analyse_study,
    clustered_mean,
    invariance_verdicts,
)
from reports.models import AnalysisStatus, StudyAnalysis
from reports.services import data_fingerprint, latest_analysis, request_analysis
from studies.models import ConsentStatus
from studies.services import record_consents, research_pupils

pytestmark = pytest.mark.django_db
# Few bootstrap draws and no CFA keep these tests to seconds; the estimators
# themselves are tested in the assessment app.
FAST = AnalysisSettings(replications=199, psychometrics=False)


def test_clustered_mean_matches_statsmodels_cluster_ols():
    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(8), [5, 7, 6, 9, 4, 8, 6, 5])
    values = rng.normal(2.5, 0.6, len(clusters)) + 0.3 * rng.normal(size=8)[clusters]
    frame = pd.DataFrame({"y": values, "g": clusters})
    # statsmodels: OLS on an intercept with CR1 errors, t on G - 1 df.
    fit = smf.ols("y ~ 1", frame).fit(
        cov_type="cluster", cov_kwds={"groups": frame["g"]}, use_t=True
    )
    low, high = fit.conf_int().iloc[0]
    summary = clustered_mean(values, clusters)
    assert summary["mean"] == pytest.approx(fit.params.iloc[0])
    assert summary["ci_low"] == pytest.approx(low)
    assert summary["ci_high"] == pytest.approx(high)
    assert summary["n"] == len(values)
    assert summary["classes"] == 8


def test_clustered_mean_without_two_classes_has_no_interval():
    summary = clustered_mean(np.array([1.0, 2.0, np.nan, 3.0]), np.zeros(4))
    assert summary["mean"] == pytest.approx(2.0)
    assert summary["n"] == 3
    assert summary["ci_low"] is None


def _invariance_table(configural_cfi, metric_delta_cfi, scalar_delta_cfi):
    return pd.DataFrame(
        {
            "model": ["configural", "metric", "scalar"],
            "cfi": [configural_cfi, 0.0, 0.0],
            "rmsea": [0.05, 0.05, 0.05],
            "delta_cfi": [np.nan, metric_delta_cfi, scalar_delta_cfi],
            "delta_rmsea": [np.nan, 0.001, 0.001],
        }
    )


def test_invariance_supported_within_thresholds():
    rows = invariance_verdicts(_invariance_table(0.96, -0.005, -0.009))
    assert [row["supported"] for row in rows] == [True, True, True]


def test_invariance_fails_after_a_large_cfi_drop():
    rows = invariance_verdicts(_invariance_table(0.96, -0.02, 0.0))
    assert [row["supported"] for row in rows] == [True, False, False]


def test_invariance_fails_with_a_poor_configural_fit():
    rows = invariance_verdicts(_invariance_table(0.85, 0.0, 0.0))
    assert [row["supported"] for row in rows] == [False, False, False]


def test_analysis_counts_the_flow(small_study):
    results = analyse_study(small_study, FAST)
    flow = {(row["arm"], row["stage"], row["wave"]): row for row in results["flow"]}
    consented = sum(
        flow[(arm, "consented", "")]["pupils"] for arm in ("programme", "comparison")
    )
    randomised = sum(
        flow[(arm, "randomised", "")]["pupils"] for arm in ("programme", "comparison")
    )
    assert consented == research_pupils(small_study).count()
    assert randomised > consented
    for arm in ("programme", "comparison"):
        tested = flow[(arm, "tested", "T1")]["pupils"]
        assert flow[(arm, "analysed", "T1")]["pupils"] <= tested
        assert tested <= flow[(arm, "consented", "")]["pupils"]
        assert flow[(arm, "randomised", "")]["classes"] == 2


def test_analysis_records_design_and_settings(small_study):
    results = analyse_study(small_study, FAST)
    design = results["design"]
    assert design["classes"] == {"programme": 2, "comparison": 2}
    assert design["schools"] == 2
    assert design["assignment_runs"][0]["seed"] == 7
    assert design["assignment_runs"][0]["stratify_by"] == "school"
    assert [wave["label"] for wave in design["waves"]] == ["T1", "T2", "T3", "T4"]
    assert results["settings"]["replications"] == 199
    # Four classes: Webb's weights, as Rademacher signs give only 16 draws.
    assert results["settings"]["bootstrap_weights"] == "webb"
    assert results["simulated"]["responses"] > 0


def test_analysis_estimates_or_explains_every_skill(small_study):
    results = analyse_study(small_study, FAST)
    skills = [scale["key"] for scale in results["design"]["scales"]]
    estimated = {row["skill"] for row in results["impact"]}
    failed = {row["skill"] for row in results["impact_errors"]}
    assert estimated | failed == set(skills)
    for row in results["impact"]:
        assert row["holm_p"] >= row["primary_p"]
        assert row["bootstrap_ci_low"] <= row["did"] <= row["bootstrap_ci_high"]
        assert row["n_classes"] == 4
    growth = [row for row in results["growth"] if row["skill"] == skills[0]]
    assert len(growth) == 8


def test_analysis_runs_psychometrics(small_study):
    results = analyse_study(small_study, AnalysisSettings(replications=199))
    waves = {row["wave"] for row in results["reliability"]}
    assert waves == {"T1", "T2", "T3", "T4"}
    assert all(row["alpha"] is not None for row in results["reliability"])


def test_requested_analysis_runs_as_a_task(
    small_study, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        services, "analyse_study", lambda study, _settings: analyse_study(study, FAST)
    )
    with django_capture_on_commit_callbacks(execute=True):
        analysis = request_analysis(small_study, coordinator)
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.DONE
    assert analysis.fingerprint == data_fingerprint(small_study)
    assert latest_analysis(small_study) == analysis
    assert request_analysis(small_study, coordinator) == analysis
    assert StudyAnalysis.objects.count() == 1


def test_completed_response_changes_the_fingerprint(small_study):
    before = data_fingerprint(small_study)
    response = small_study.campaign.waves.first().responses.first()
    response.completed_at = None
    response.save(update_fields=["completed_at"])
    assert data_fingerprint(small_study) != before


def test_replaced_answer_changes_the_fingerprint(small_study):
    response = small_study.campaign.waves.first().responses.first()
    answer = response.answers.order_by("-answered_at").first()
    # The class's session is still open, and the pupil changes their last answer
    # a second later.
    WaveSession.objects.filter(
        wave=response.wave, classroom=response.pupil.classroom
    ).update(closed_at=None)
    before = data_fingerprint(small_study)
    outcome = record_answer(
        response,
        key=uuid.uuid4(),
        item=answer.item,
        value=1 if answer.value != 1 else 2,
        now=answer.answered_at + dt.timedelta(seconds=1),
    )
    assert outcome.status == "replaced"
    assert data_fingerprint(small_study) != before


def test_consent_change_changes_the_fingerprint(small_study, coordinator):
    before = data_fingerprint(small_study)
    pupil = research_pupils(small_study).first()
    record_consents(small_study, {pupil.pk: ConsentStatus.REFUSED}, user=coordinator)
    assert data_fingerprint(small_study) != before
