"""The full analysis of a study, as the dashboard and the Ministry report show it.

`analyse_study` reads the study's research data set (`reports.dataset`) and returns
plain JSON tables, so a background task can store them (`StudyAnalysis.results`)
and any page or PDF can show them without refitting a model:

- ``settings``: the estimators' settings actually used (replications, weights,
  seed, boundaries, invariance rule), which the report's methods section quotes;
- ``design``: the instrument, waves, arms, assignment runs, quality thresholds and
  the numbers of schools, classes and pupils;
- ``flow``: pupils and classes per arm from randomised to consented, tested and
  analysed at each wave;
- ``growth``: each skill's mean per arm and wave with a class-clustered 95 % CI;
- ``impact`` and ``impact_errors``: `assessment.impact.analyse_impact` per skill;
- ``reliability``, ``cfa``, ``invariance``, ``psychometric_problems``:
  `assessment.psychometrics.analyse_psychometrics`, with a verdict on each
  invariance level;
- ``exclusions``, ``tasks`` and ``simulated``: quality exclusions per rule,
  performance-task means per arm and wave, and how much of the data is simulated.

Numbers are stored unrounded (NaN and infinities as null); templates round them.
"""

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count, Min
from django.utils import timezone
from statsmodels.stats.multitest import multipletests

from assessment.clustered import ClusteredCells, WeightType
from assessment.impact import BOOTSTRAP_BELOW, ImpactError, SkillImpact, analyse_impact
from assessment.psychometrics import Psychometrics, analyse_psychometrics
from reports.dataset import COMPLETED, StudyDataset, analysis_frame, study_dataset
from studies.models import AssignmentRun, ClassArm, ConsentStatus, Study
from studies.services import study_pupils

logger = logging.getLogger(__name__)

# Version of the stored tables; a change of layout makes older analyses stale.
RESULTS_VERSION = 1
ARMS = ("programme", "comparison")
# Invariance verdicts: the configural model must fit acceptably (CFI of at least
# 0.90, Bentler and Bonett, 1980; RMSEA of at most 0.08, Browne and Cudeck, 1993),
# and each stricter level may lose at most 0.010 of CFI (Cheung and Rensvold,
# 2002) and gain at most 0.015 of RMSEA (Chen, 2007) against the level before.
CONFIGURAL_MIN_CFI = 0.90
CONFIGURAL_MAX_RMSEA = 0.08
MAX_CFI_DROP = 0.010
MAX_RMSEA_RISE = 0.015
# With fewer analysed classes than this, Webb's six-point weights replace the
# Rademacher signs, which give too few distinct bootstrap draws.
WEBB_BELOW = 10


@dataclass(frozen=True)
class AnalysisSettings:
    """The estimators' settings of one study analysis."""

    replications: int = 9999
    bootstrap_below: int = BOOTSTRAP_BELOW
    bootstrap_seed: int = 20260901
    boundary: str = "cautious"
    df_method: str = "satterthwaite"
    invariance_levels: tuple[str, ...] = ("configural", "metric", "scalar")
    psychometrics: bool = True


def _number(value: Any) -> float | None:
    """Return `value` as a float for JSON, None when it is missing or infinite."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _plain(value: Any) -> Any:
    """Convert numpy and pandas scalars to JSON types; non-finite floats to None."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(value)
    if value is None or value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame's rows as JSON-ready dicts."""
    return [
        {str(key): _plain(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


# Design and flow.


def _design(study: Study, dataset: StudyDataset) -> dict[str, Any]:
    campaign = study.campaign
    instrument = campaign.instrument
    arms = ClassArm.objects.filter(study=study)
    class_counts = dict(
        arms.values("arm").annotate(n=Count("pk")).values_list("arm", "n")
    )
    methods = sorted(set(arms.values_list("method", flat=True)))
    runs = [
        {
            "seed": run.seed,
            "stratify_by": run.stratify_by,
            "strata": len(run.strata),
            "classes": sum(len(ids) for ids in run.strata.values()),
            "forced": run.forced,
            "performed_at": run.performed_at.isoformat(),
        }
        for run in AssignmentRun.objects.filter(study=study).order_by("performed_at")
    ]
    randomised = study_pupils(study).filter(classroom__study_arms__study=study)
    consent_counts = dict(
        randomised.filter(consents__study=study)
        .values("consents__status")
        .annotate(n=Count("pk", distinct=True))
        .values_list("consents__status", "n")
    )
    waves = list(
        campaign.waves.order_by("opens_on").values("label", "opens_on", "closes_on")
    )
    first_open = campaign.waves.aggregate(first=Min("opens_on"))["first"]
    frame = dataset.frame
    return {
        "study": study.name,
        "campaign": campaign.name,
        "instrument": {
            "key": instrument.key,
            "version": instrument.version,
            "title": instrument.title,
            "validated": instrument.validated,
            "points": dataset.points,
            "items": len(dataset.items),
        },
        "scales": [
            {
                "key": key,
                "title": dataset.scale_titles[key],
                "items": len(items),
                "min_answered": _min_answered(campaign.instrument.definition, key),
            }
            for key, items in dataset.scales.items()
        ],
        "waves": [
            {
                "label": wave["label"],
                "opens_on": wave["opens_on"].isoformat(),
                "closes_on": wave["closes_on"].isoformat(),
            }
            for wave in waves
        ],
        "first_wave_opens_on": first_open.isoformat() if first_open else None,
        "schools": arms.values("classroom__school").distinct().count(),
        "classes": {arm: int(class_counts.get(arm, 0)) for arm in ARMS},
        "assignment_methods": methods,
        "assignment_runs": runs,
        "randomised_pupils": randomised.distinct().count(),
        "consent": {
            status.value: int(consent_counts.get(status.value, 0))
            for status in (ConsentStatus.GIVEN, ConsentStatus.REFUSED)
        },
        "research_pupils": int(frame["pupil"].nunique()),
        "quality_rules": {
            "long_string_share": study.long_string_share,
            "min_seconds_per_item": study.min_seconds_per_item,
        },
    }


def _min_answered(definition: Mapping[str, Any], scale_key: str) -> float:
    for scale in definition["scales"]:
        if scale["key"] == scale_key:
            return float(scale["scoring"]["min_answered"])
    raise KeyError(f"scale {scale_key!r} not in the instrument")


def _flow(study: Study, dataset: StudyDataset) -> list[dict[str, Any]]:
    """Count pupils and classes per arm at each stage of the attrition flow."""
    randomised = (
        study_pupils(study)
        .filter(classroom__study_arms__study=study)
        .values_list("pk", "classroom_id", "classroom__study_arms__arm")
        .distinct()
    )
    by_arm: dict[str, tuple[set[int], set[int]]] = {arm: (set(), set()) for arm in ARMS}
    for pupil_id, class_id, arm in randomised:
        by_arm[arm][0].add(pupil_id)
        by_arm[arm][1].add(class_id)
    frame = dataset.frame
    rows = []
    for arm in ARMS:
        pupils, classes = by_arm[arm]
        rows.append(_stage(arm, "randomised", "", len(pupils), len(classes)))
        in_arm = frame[frame["arm"] == arm]
        rows.append(
            _stage(
                arm,
                "consented",
                "",
                in_arm["pupil"].nunique(),
                in_arm["class"].nunique(),
            )
        )
        for wave in dataset.waves:
            at_wave = in_arm[in_arm["wave"] == wave]
            tested = at_wave[at_wave["status"] == COMPLETED]
            analysed = tested[~tested["excluded"]]
            for stage, rows_at in (("tested", tested), ("analysed", analysed)):
                rows.append(
                    _stage(
                        arm,
                        stage,
                        wave,
                        rows_at["pupil"].nunique(),
                        rows_at["class"].nunique(),
                    )
                )
    return rows


def _stage(arm: str, stage: str, wave: str, pupils: int, classes: int) -> dict:
    return {
        "arm": arm,
        "stage": stage,
        "wave": wave,
        "pupils": int(pupils),
        "classes": int(classes),
    }


# Growth curves.


def clustered_mean(
    values: np.ndarray, clusters: np.ndarray, level: float = 0.95
) -> dict[str, float | int | None]:
    """Return the mean of `values` with a cluster-robust (CR1) confidence interval.

    The mean is OLS on an intercept, so its CR1 variance and t interval on G - 1
    degrees of freedom come from `assessment.clustered.ClusteredCells` fed with
    one cell per cluster. With fewer than two clusters the interval is None.
    """
    present = ~np.isnan(values)
    values, clusters = values[present], clusters[present]
    classes = int(len(np.unique(clusters)))
    result: dict[str, float | int | None] = {
        "n": int(len(values)),
        "classes": classes,
        "mean": _number(values.mean()) if len(values) else None,
        "ci_low": None,
        "ci_high": None,
    }
    if classes < 2 or len(values) < 3:
        return result
    codes, _uniques = pd.factorize(clusters)
    counts = np.bincount(codes).astype(float)
    sums = np.bincount(codes, weights=values)
    cells = ClusteredCells(
        np.ones((len(counts), 1)), counts, sums, np.arange(len(counts))
    )
    test = cells.test(0, level=level)
    result["ci_low"] = _number(test.ci_low)
    result["ci_high"] = _number(test.ci_high)
    return result


def growth_table(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Mean of each column per arm and wave, with class-clustered 95 % intervals."""
    rows = []
    for column in columns:
        for (arm, wave), group in frame.groupby(["arm", "wave"], sort=False):
            summary = clustered_mean(
                group[column].to_numpy(dtype=float), group["class"].to_numpy()
            )
            rows.append({"skill": column, "arm": arm, "wave": wave, **summary})
    order = {arm: index for index, arm in enumerate(ARMS)}
    waves = list(dict.fromkeys(frame["wave"]))
    rows.sort(
        key=lambda row: (
            list(columns).index(row["skill"]),
            order.get(row["arm"], 9),
            waves.index(row["wave"]),
        )
    )
    return rows


# Impact.


def _impact_row(impact: SkillImpact) -> dict[str, Any]:
    mixed = impact.mixed_did_term
    bootstrap = impact.did.bootstrap
    effect = impact.effect_size
    attrition = impact.attrition
    return {
        "skill": impact.skill,
        "baseline": impact.baseline,
        "endline": impact.endline,
        "inference": impact.inference,
        "mixed_estimate": _number(mixed["estimate"]),
        "mixed_se": _number(mixed["se"]),
        "mixed_df": _number(mixed["df"]),
        "mixed_p": _number(mixed["p_value"]),
        "mixed_ci_low": _number(mixed["ci_low"]),
        "mixed_ci_high": _number(mixed["ci_high"]),
        "mixed_n_obs": impact.mixed_model.n_obs,
        "mixed_converged": impact.mixed_model.converged,
        "did": _number(impact.did.estimate),
        "did_se": _number(impact.did.cr1.se),
        "did_df": impact.did.cr1.df,
        "did_p": _number(impact.did.cr1.p_value),
        "did_ci_low": _number(impact.did.cr1.ci_low),
        "did_ci_high": _number(impact.did.cr1.ci_high),
        "bootstrap_p": _number(bootstrap.p_value) if bootstrap else None,
        "bootstrap_ci_low": _number(bootstrap.ci_low) if bootstrap else None,
        "bootstrap_ci_high": _number(bootstrap.ci_high) if bootstrap else None,
        "bootstrap_weights": bootstrap.weights if bootstrap else None,
        "bootstrap_replications": bootstrap.replications if bootstrap else None,
        "bootstrap_enumerated": bootstrap.enumerated if bootstrap else None,
        "n_pupils": impact.did.n_pupils,
        "n_classes": impact.did.n_classes,
        "g": _number(effect.g),
        "g_se": _number(effect.se),
        "g_ci_low": _number(effect.ci_low),
        "g_ci_high": _number(effect.ci_high),
        "g_omega": _number(effect.omega),
        "g_gamma": _number(effect.gamma),
        "g_icc": _number(effect.icc),
        "icc_class": _number(impact.baseline_icc.icc_class),
        "icc_school": _number(impact.baseline_icc.icc_school),
        "equivalence_g": _number(impact.baseline_equivalence.g),
        "equivalence_band": impact.baseline_equivalence.band,
        "attrition_overall": _number(attrition.overall),
        "attrition_differential": _number(attrition.differential),
        "attrition_max_differential": _number(attrition.max_differential),
        "attrition_low": attrition.low,
        "attrition_boundary": attrition.boundary,
        "mdes": _number(impact.mdes.mdes),
        "means": records(impact.did.means),
        "warnings": list(impact.warnings),
    }


def _impact(
    frame: pd.DataFrame, dataset: StudyDataset, settings: AnalysisSettings
) -> tuple[list[dict], list[dict], str]:
    """Analyse each skill on its own, so one skill's failure does not hide others."""
    classes = frame.loc[frame[dataset.skills].notna().any(axis=1), "class"].nunique()
    weights: WeightType = "webb" if classes < WEBB_BELOW else "rademacher"
    rows, errors = [], []
    for skill in dataset.skills:
        try:
            result = analyse_impact(
                frame,
                [skill],
                waves=dataset.waves,
                bootstrap_below=settings.bootstrap_below,
                replications=settings.replications,
                weights=weights,
                seed=settings.bootstrap_seed,
                boundary=settings.boundary,  # type: ignore[arg-type]
                df_method=settings.df_method,
            )
        except (ImpactError, np.linalg.LinAlgError) as error:
            logger.info("Impact on %s not estimated: %s", skill, error)
            errors.append({"skill": skill, "message": str(error)})
            continue
        rows.append(_impact_row(result[skill]))
    _adjust_for_skills(rows)
    return rows, errors, weights


def _adjust_for_skills(rows: list[dict[str, Any]]) -> None:
    """Add each skill's primary p-value and its Holm adjustment across skills.

    The primary test is the wild cluster bootstrap when it ran, else the CR1 t
    test. Holm's step-down method keeps the family-wise error rate of the
    skills' tests at the nominal level (Holm, 1979).
    """
    primary = [
        row["bootstrap_p"] if row["bootstrap_p"] is not None else row["did_p"]
        for row in rows
    ]
    for row, p_value in zip(rows, primary, strict=True):
        row["primary_p"] = p_value
        row["holm_p"] = None
    tested = [(row, p) for row, p in zip(rows, primary, strict=True) if p is not None]
    if not tested:
        return
    _reject, adjusted, _sidak, _bonferroni = multipletests(
        [p for _row, p in tested], method="holm"
    )
    for (row, _p), value in zip(tested, adjusted, strict=True):
        row["holm_p"] = _number(value)


# Psychometrics.


def invariance_verdicts(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Mark each invariance level as supported or not, by the rule at the top.

    A level is supported only when every less strict level before it is too.
    """
    rows = []
    supported_so_far = True
    for record in records(table):
        cfi, rmsea = record.get("cfi"), record.get("rmsea")
        if record["model"] == "configural":
            supported = (
                cfi is not None
                and rmsea is not None
                and cfi >= CONFIGURAL_MIN_CFI
                and rmsea <= CONFIGURAL_MAX_RMSEA
            )
        else:
            delta_cfi, delta_rmsea = record.get("delta_cfi"), record.get("delta_rmsea")
            supported = (
                delta_cfi is not None
                and delta_rmsea is not None
                and delta_cfi >= -MAX_CFI_DROP
                and delta_rmsea <= MAX_RMSEA_RISE
            )
        supported_so_far = supported_so_far and supported
        rows.append({**record, "supported": supported_so_far})
    return rows


def _psychometrics(
    frame: pd.DataFrame, dataset: StudyDataset, settings: AnalysisSettings
) -> dict[str, Any]:
    result: Psychometrics = analyse_psychometrics(
        frame,
        dataset.scales,
        waves=dataset.waves,
        response_range=(1, dataset.points),
        invariance_levels=settings.invariance_levels,
    )
    invariance = []
    for skill, fitted in result.invariance.items():
        for row in invariance_verdicts(fitted.table):
            invariance.append({"skill": skill, "n": fitted.n, **row})
    return {
        "reliability": records(result.reliability),
        "cfa": records(result.cfa),
        "invariance": invariance,
        "psychometric_problems": records(result.problems),
    }


def _task_means(frame: pd.DataFrame, dataset: StudyDataset) -> list[dict]:
    if not dataset.task_columns:
        return []
    return growth_table(frame, dataset.task_columns)


def _exclusions(dataset: StudyDataset) -> dict[str, Any]:
    frame = dataset.frame
    return {
        "counts": [
            {"rule": count.rule, "flags": count.flags, "pupils": count.pupils}
            for count in dataset.exclusion_counts
        ],
        "excluded_responses": int(frame["excluded"].sum()),
        "completed_responses": int((frame["status"] == COMPLETED).sum()),
    }


def analyse_study(
    study: Study, settings: AnalysisSettings | None = None
) -> dict[str, Any]:
    """Run the study's full analysis and return its JSON tables; see the docstring.

    A skill the impact models cannot estimate (too few pupils in an arm, no
    endline) gets a row in ``impact_errors`` instead of failing the analysis.
    """
    settings = settings or AnalysisSettings()
    started = timezone.now()
    dataset = study_dataset(study)
    frame = analysis_frame(dataset)
    impact, impact_errors, weights = _impact(frame, dataset, settings)
    results: dict[str, Any] = {
        "version": RESULTS_VERSION,
        "settings": {**asdict(settings), "bootstrap_weights": weights},
        "design": _design(study, dataset),
        "flow": _flow(study, dataset),
        "growth": growth_table(frame, dataset.skills),
        "impact": impact,
        "impact_errors": impact_errors,
        "exclusions": _exclusions(dataset),
        "tasks": _task_means(frame, dataset),
        "simulated": {
            "responses": int(dataset.frame["simulated"].sum()),
            "all_responses": int((dataset.frame["status"] != "absent").sum()),
        },
        "reliability": [],
        "cfa": [],
        "invariance": [],
        "psychometric_problems": [],
    }
    if settings.psychometrics:
        results.update(_psychometrics(frame, dataset, settings))
    elapsed = (timezone.now() - started) / dt.timedelta(seconds=1)
    results["seconds"] = elapsed
    logger.info(
        "Analysis of study %s: %d skills estimated, %d failed, in %.1f s.",
        study.pk,
        len(impact),
        len(impact_errors),
        elapsed,
    )
    return results
