"""The programme's impact on each skill, as an evaluation reports it.

Input contract
--------------
`analyse_impact` takes one long pandas DataFrame with one row per pupil and wave:

- ``pupil``, ``class``, ``school``: identifiers (pseudonymised, any hashable
  type). Each pupil belongs to one class and each class to one school over the
  whole campaign (the class of assignment: intention to treat).
- ``arm``: ``"programme"`` or ``"comparison"``, the same for every row of a class
  (classes are the unit of assignment).
- ``wave``: the wave label, among `waves` (``"T1"`` to ``"T4"`` by default).
- one numeric column per skill holding the pupil's scale score at that wave, NaN
  when the pupil has no score (absent, or too few items answered). Item columns
  may be present too; this module does not read them.

Only pupils with research consent may be in the frame: the filtering happens
before. Every pupil in the frame counts as randomised (in the attrition), so a
pupil of an assigned class who took no test at all should still have a row with
NaN scores.

What is computed, per skill
---------------------------
- A three-level mixed model of the score over all waves with arm × wave fixed
  effects and random intercepts for schools, classes and pupils (REML,
  Satterthwaite df), on every score present: `assessment.multilevel`.
- The difference in differences from the baseline to the endline wave, on the
  pupils scored at both (the analytic sample): OLS of the score on arm, period and
  their product, with CR1 standard errors clustered by class and t on G - 1
  df, computed exactly from class-by-wave sums (`assessment.clustered`). With
  fewer classes than `bootstrap_below` (42 by default), the restricted wild
  cluster bootstrap gives the p-value and interval that `SkillImpact.inference`
  names as primary, because CR1 t tests over-reject with few clusters.
- Hedges' g as the What Works Clearinghouse computes it for a cluster design: the
  difference in differences over the pooled within-arm SD at the endline, with
  the small-sample correction ω and Hedges' (2007) clustering correction γ using
  the endline ICC within arms and the mean class size (`assessment.effects`).
- The baseline ICC (classes and schools, from a null three-level model of the
  baseline scores), baseline equivalence on the analytic sample in SD units with
  the WWC bands, overall and differential attrition of pupils and classes with
  the WWC boundary, and the minimum detectable effect of the design.

Nothing is rounded here: round only when displaying.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from assessment.clustered import (
    BootstrapTest,
    ClusteredCells,
    CoefficientTest,
    WeightType,
)
from assessment.effects import (
    DetectableEffect,
    EffectsError,
    EffectSize,
    hedges_g_from_summary,
    minimum_detectable_effect,
)
from assessment.mixed import MixedResult, ModelInputError
from assessment.multilevel import fit_nested_matrices, single_blas_thread

logger = logging.getLogger(__name__)

ARMS = ("programme", "comparison")
DEFAULT_WAVES = ("T1", "T2", "T3", "T4")
ID_COLUMNS = ("pupil", "class", "school", "arm", "wave")
# Below this many classes the wild cluster bootstrap is the primary inference: a
# rule of thumb, as CR1 t tests over-reject with few clusters and the threshold
# at which they stop doing so depends on how unequal the clusters are.
BOOTSTRAP_BELOW = 42
Boundary = Literal["cautious", "optimistic"]

# WWC Standards Handbook 4.1, Table II.1: for an overall attrition of 0 to 65 %,
# the highest differential attrition (percentage points) that is still "low
# attrition". Under the cautious boundary an overall attrition above 57 % is high
# whatever the differential.
# NOTE: transcribed from the R package baselinr (attrition_boundary.R), which
# cites that table; not checked against the handbook itself. The R package WWCr,
# citing Handbook 4.0, agrees on the cautious column but has one more 10.9 in the
# optimistic one, so from 13 % overall its optimistic values are one row later
# (at most 0.3 points higher). Check against the handbook before relying on the
# optimistic boundary near its limit.
_CAUTIOUS = (
    5.7, 5.8, 5.9, 5.9, 6.0, 6.1, 6.2, 6.3, 6.3, 6.3, 6.3, 6.2, 6.2, 6.1, 6.0,
    5.9, 5.9, 5.8, 5.7, 5.5, 5.4, 5.3, 5.2, 5.1, 4.9, 4.8, 4.7, 4.5, 4.4, 4.3,
    4.1, 4.0, 3.8, 3.6, 3.5, 3.3, 3.2, 3.1, 2.9, 2.8, 2.6, 2.5, 2.3, 2.1, 2.0,
    1.8, 1.6, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.0,
)  # fmt: skip
_OPTIMISTIC = (
    10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.7, 10.8, 10.9, 10.9, 10.9, 10.9,
    10.9, 10.8, 10.8, 10.7, 10.6, 10.5, 10.3, 10.2, 10.0, 9.9, 9.7, 9.5, 9.4,
    9.2, 9.0, 8.8, 8.6, 8.4, 8.2, 8.0, 7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.5, 6.3,
    6.0, 5.8, 5.6, 5.3, 5.1, 4.9, 4.6, 4.4, 4.2, 3.9, 3.7, 3.5, 3.2, 3.0, 2.8,
    2.6, 2.3, 2.1, 1.9, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.3,
)  # fmt: skip
ATTRITION_BOUNDARIES: dict[str, tuple[float, ...]] = {
    "cautious": _CAUTIOUS,
    "optimistic": _OPTIMISTIC,
}
# WWC baseline equivalence: a baseline difference up to 0.05 SD satisfies it, up to
# 0.25 SD satisfies it if the analysis adjusts for the baseline (the difference in
# differences does), and a larger one does not.
EQUIVALENCE_BANDS = ((0.05, "satisfied"), (0.25, "adjustment_required"))


class ImpactError(ModelInputError):
    """A frame that the impact analysis cannot use; ``code`` says why."""


@dataclass(frozen=True)
class DifferenceInDifferences:
    """The change from baseline to endline in the programme minus that in comparison.

    ``cr1`` tests the estimate with class-clustered CR1 errors; ``bootstrap`` is
    the wild cluster bootstrap, or None when there were enough classes not to run
    it. ``means`` has one row per arm and wave: ``arm``, ``wave``, ``n``,
    ``mean`` and ``sd`` of the analytic sample.
    """

    estimate: float
    cr1: CoefficientTest
    bootstrap: BootstrapTest | None
    n_pupils: int
    n_classes: int
    means: pd.DataFrame


@dataclass(frozen=True)
class BaselineIcc:
    """Shares of the baseline score variance: pupils of one class, of one school."""

    icc_class: float  # (school + class variance) / total
    icc_school: float  # school variance / total
    school_variance: float
    class_variance: float
    pupil_variance: float
    n_obs: int


@dataclass(frozen=True)
class BaselineEquivalence:
    """The baseline difference of the analytic sample in pooled SD units.

    ``g`` is Hedges' g with the small-sample correction and no clustering
    correction; ``band`` is ``satisfied``, ``adjustment_required`` or
    ``not_satisfied`` by the WWC rule on |g|.
    """

    difference: float
    pooled_sd: float
    g: float
    band: str


@dataclass(frozen=True)
class Attrition:
    """Loss from the randomised sample to the analytic sample, per arm.

    ``table`` has one row per arm and level (``pupils`` or ``classes``) with
    ``randomised``, ``analysed`` and ``attrition`` (a share). ``overall`` and
    ``differential`` are the pupils' shares; ``max_differential`` the WWC
    boundary at that overall attrition (NaN beyond the table), and ``low`` whether
    the differential is within it.
    """

    table: pd.DataFrame
    overall: float
    differential: float
    boundary: str
    max_differential: float
    low: bool


@dataclass(frozen=True)
class SkillImpact:
    """Everything `analyse_impact` reports for one skill.

    ``inference`` names the primary test of the difference in differences:
    ``"wild cluster bootstrap"`` with few classes, else ``"CR1 t"``.
    """

    skill: str
    baseline: str
    endline: str
    mixed_model: MixedResult
    did: DifferenceInDifferences
    effect_size: EffectSize
    baseline_icc: BaselineIcc
    baseline_equivalence: BaselineEquivalence
    attrition: Attrition
    mdes: DetectableEffect
    inference: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def mixed_did_term(self) -> pd.Series:
        """The arm × endline coefficient of the mixed model: its DiD estimate."""
        table = self.mixed_model.fixed_effects.set_index("term")
        return table.loc[f"programme:wave[{self.endline}]"]


def _check_frame(
    df: pd.DataFrame, skills: Sequence[str], waves: Sequence[str]
) -> pd.DataFrame:
    """Validate the input contract; return the frame with arm and wave codes."""
    absent = [name for name in (*ID_COLUMNS, *skills) if name not in df.columns]
    if absent:
        raise ImpactError(
            "missing_column",
            f"column(s) not found: {', '.join(absent)}; the impact analysis needs "
            f"{', '.join(ID_COLUMNS)} and one score column per skill",
            columns=absent,
        )
    for skill in skills:
        if not pd.api.types.is_numeric_dtype(df[skill]):
            raise ImpactError(
                "non_numeric",
                f"score column {skill} is not numeric (dtype {df[skill].dtype}); "
                "convert it with pandas.to_numeric",
                column=skill,
            )
    frame = pd.DataFrame(
        {
            "pupil": pd.factorize(df["pupil"])[0],
            "class": pd.factorize(df["class"])[0],
            "school": pd.factorize(df["school"])[0],
            "programme": _codes(df["arm"], ARMS, "arm") == 0,
            "wave": _codes(df["wave"], waves, "wave"),
        }
    )
    for skill in skills:
        frame[skill] = df[skill].to_numpy(dtype=float)
    # A pupil moved to another class would also put that class in two arms or two
    # schools: check pupils first so that the error names the cause.
    _check_constant(frame, "pupil", "class", "class", df["pupil"])
    _check_constant(frame, "class", "school", "school", df["class"])
    _check_constant(frame, "class", "programme", "arm", df["class"])
    key = frame["pupil"].to_numpy(np.int64) * len(waves) + frame["wave"].to_numpy()
    duplicated = pd.Series(key).duplicated()
    if duplicated.any():
        first = df.loc[duplicated.to_numpy()].iloc[0]
        raise ImpactError(
            "duplicate",
            f"pupil {first['pupil']} has more than one row for wave {first['wave']}",
            pupil=str(first["pupil"]),
        )
    return frame


def _codes(column: pd.Series, labels: Sequence[str], name: str) -> np.ndarray:
    """Return each row's position in `labels`; raise naming any other value.

    Only the distinct values are turned to text, so a categorical or integer
    column of millions of rows is not converted row by row.
    """
    codes, uniques = pd.factorize(column)
    text = [str(value) for value in uniques]
    unknown = sorted(set(text) - set(labels))
    if unknown or (codes < 0).any():
        raise ImpactError(
            name,
            f"unknown {name} value(s) {', '.join(unknown) or '(missing)'}; "
            f"expected {', '.join(labels)}",
            values=unknown,
        )
    return np.array([list(labels).index(value) for value in text])[codes]


def _check_constant(
    frame: pd.DataFrame, key: str, value: str, label: str, original: pd.Series
) -> None:
    spread = frame.groupby(key)[value].agg(["min", "max"])
    varying = spread.index[(spread["min"] != spread["max"]).to_numpy()]
    if len(varying):
        code = int(varying[0])
        name = original.iloc[int(np.flatnonzero(frame[key].to_numpy() == code)[0])]
        raise ImpactError(
            f"{key}_{label}",
            f"{key} {name} has more than one {label}; each {key} must keep one "
            f"{label} for the whole campaign (use its {label} of assignment)",
            value=str(name),
        )


def _check_waves(
    waves: Sequence[str], baseline: str | None, endline: str | None
) -> tuple[list[str], int, int]:
    """Return the waves and the positions of the baseline and endline."""
    waves = list(waves)
    baseline = baseline or waves[0]
    endline = endline or waves[-1]
    for label in (baseline, endline):
        if label not in waves:
            raise ImpactError(
                "wave",
                f"wave {label} is not among {', '.join(waves)}",
                values=[label],
            )
    first, last = waves.index(baseline), waves.index(endline)
    if first >= last:
        raise ImpactError(
            "wave",
            f"the baseline ({baseline}) must come before the endline ({endline})",
            values=[baseline, endline],
        )
    return waves, first, last


def _check_arms(sample: pd.DataFrame, skill: str, baseline: str, endline: str) -> None:
    arms_present = set(sample["programme"].unique())
    if arms_present != {True, False}:
        missing = "comparison" if True in arms_present else "programme"
        raise ImpactError(
            "too_few_rows",
            f"{skill}: no pupil of the {missing} arm has a score at both "
            f"{baseline} and {endline}",
            skill=skill,
        )


def _wave_design(programme: np.ndarray, wave: np.ndarray, waves: Sequence[str]):
    """Intercept, programme, wave dummies and their products (first wave omitted)."""
    columns = [np.ones(len(wave)), programme.astype(float)]
    names = ["Intercept", "programme"]
    for index, label in enumerate(waves[1:], start=1):
        columns.append((wave == index).astype(float))
        names.append(f"wave[{label}]")
    for index, label in enumerate(waves[1:], start=1):
        columns.append(programme * (wave == index))
        names.append(f"programme:wave[{label}]")
    return np.column_stack(columns), names


def _mixed_model(
    frame: pd.DataFrame, skill: str, waves: Sequence[str], df_method: str
) -> MixedResult:
    scored = frame[frame[skill].notna()]
    x, names = _wave_design(
        scored["programme"].to_numpy(), scored["wave"].to_numpy(), waves
    )
    return fit_nested_matrices(
        scored[skill].to_numpy(),
        x,
        names,
        [scored[level].to_numpy() for level in ("school", "class", "pupil")],
        ("school", "class", "pupil"),
        df_method=df_method,
        formula=f"{skill} ~ arm * wave + (1 | school/class/pupil)",
    )


def _analytic_sample(
    frame: pd.DataFrame, skill: str, baseline: int, endline: int
) -> pd.DataFrame:
    """Rows of the baseline and endline waves of pupils scored at both."""
    rows = frame[frame["wave"].isin([baseline, endline]) & frame[skill].notna()]
    pupils = rows["pupil"].to_numpy()
    waves_scored = np.bincount(pupils)[pupils]
    return rows[waves_scored == 2]


def _did(
    sample: pd.DataFrame,
    skill: str,
    endline: int,
    bootstrap_below: int,
    replications: int,
    weights: WeightType,
    seed: int,
    labels: Sequence[str],
) -> DifferenceInDifferences:
    post = sample["wave"].to_numpy() == endline
    # One cell per class and period: the arm is the class's, so it needs no key.
    classes, class_index = np.unique(sample["class"].to_numpy(), return_inverse=True)
    cell = class_index * 2 + post
    y = sample[skill].to_numpy()
    counts = np.bincount(cell, minlength=2 * len(classes))
    present = counts > 0
    sums = np.bincount(cell, weights=y, minlength=2 * len(classes))[present]
    cell_programme = np.zeros(2 * len(classes))
    cell_programme[cell] = sample["programme"].to_numpy()
    programme = cell_programme[present]
    after = np.tile([0.0, 1.0], len(classes))[present]
    design = np.column_stack([np.ones(len(sums)), programme, after, programme * after])
    regression = ClusteredCells(
        design,
        counts[present],
        sums,
        np.repeat(np.arange(len(classes)), 2)[present],
    )
    cr1 = regression.test(3)
    bootstrap = None
    if regression.n_clusters < bootstrap_below:
        bootstrap = regression.bootstrap(
            3, replications=replications, weights=weights, seed=seed
        )
    arm_index = sample["programme"].to_numpy().astype(np.int64)
    means = (
        pd.DataFrame({"arm": arm_index, "wave": post.astype(np.int64), "y": y})
        .groupby(["arm", "wave"], sort=True)["y"]
        .agg(n="size", mean="mean", sd="std")
        .reset_index()
    )
    means["arm"] = np.array(["comparison", "programme"])[means["arm"].to_numpy()]
    means["wave"] = np.array(list(labels))[means["wave"].to_numpy()]
    means = means.sort_values(["arm", "wave"], ignore_index=True)
    return DifferenceInDifferences(
        estimate=cr1.estimate,
        cr1=cr1,
        bootstrap=bootstrap,
        n_pupils=len(sample) // 2,
        n_classes=regression.n_clusters,
        means=means,
    )


def _null_model(
    rows: pd.DataFrame, skill: str, levels: Sequence[str], covariate: bool
) -> MixedResult:
    x = np.ones((len(rows), 1))
    names = ["Intercept"]
    if covariate:
        x = np.column_stack([x, rows["programme"].to_numpy(dtype=float)])
        names.append("programme")
    return fit_nested_matrices(
        rows[skill].to_numpy(),
        x,
        names,
        [rows[level].to_numpy() for level in levels],
        levels,
        df_method="none",
    )


def _baseline_icc(frame: pd.DataFrame, skill: str, baseline: int) -> BaselineIcc:
    rows = frame[(frame["wave"] == baseline) & frame[skill].notna()]
    fit = _null_model(rows, skill, ("school", "class"), covariate=False)
    vcov = fit.variance_components.set_index("grp")["vcov"]
    school, classes, pupils = (
        float(vcov["school"]),
        float(vcov["class"]),
        float(vcov["Residual"]),
    )
    total = school + classes + pupils
    return BaselineIcc(
        icc_class=(school + classes) / total,
        icc_school=school / total,
        school_variance=school,
        class_variance=classes,
        pupil_variance=pupils,
        n_obs=fit.n_obs,
    )


def _effect_size(
    sample: pd.DataFrame, skill: str, endline: int, did: float
) -> EffectSize:
    """WWC Hedges' g of the DiD, with the endline ICC of classes within arms."""
    rows = sample[sample["wave"] == endline]
    fit = _null_model(rows, skill, ("class",), covariate=True)
    vcov = fit.variance_components.set_index("grp")["vcov"]
    icc = float(vcov["class"] / (vcov["class"] + vcov["Residual"]))
    groups = rows.groupby("programme")[skill]
    sd = groups.std(ddof=1)
    n = groups.size()
    effect = hedges_g_from_summary(
        did,
        0.0,
        float(sd[True]),
        float(sd[False]),
        int(n[True]),
        int(n[False]),
        icc=icc,
        cluster_size=len(rows) / rows["class"].nunique(),
    )
    return EffectSize(**{**vars(effect), "n_clusters": int(rows["class"].nunique())})


def _equivalence(
    sample: pd.DataFrame, skill: str, baseline: int
) -> BaselineEquivalence:
    rows = sample[sample["wave"] == baseline]
    groups = rows.groupby("programme")[skill]
    mean, sd, n = groups.mean(), groups.std(ddof=1), groups.size()
    effect = hedges_g_from_summary(
        float(mean[True]),
        float(mean[False]),
        float(sd[True]),
        float(sd[False]),
        int(n[True]),
        int(n[False]),
    )
    band = "not_satisfied"
    for limit, name in EQUIVALENCE_BANDS:
        if abs(effect.g) <= limit:
            band = name
            break
    difference = float(mean[True] - mean[False])
    return BaselineEquivalence(
        difference=difference,
        pooled_sd=difference / effect.d if effect.d else math.nan,
        g=effect.g,
        band=band,
    )


def attrition_boundary(overall: float, boundary: Boundary = "cautious") -> float:
    """Return the WWC maximum differential attrition (a share) at `overall`.

    `overall` is rounded to the whole percentage, as the table lists them; NaN
    beyond the table (every differential is then high attrition).

    Raises
    ------
    ValueError
        For an unknown boundary or a share outside [0, 1].
    """
    if boundary not in ATTRITION_BOUNDARIES:
        raise ValueError(
            f"boundary must be 'cautious' or 'optimistic', not {boundary!r}"
        )
    if not 0 <= overall <= 1:
        raise ValueError(f"overall attrition must be a share in [0, 1], not {overall}")
    table = ATTRITION_BOUNDARIES[boundary]
    percent = round(overall * 100)
    return table[percent] / 100 if percent < len(table) else math.nan


def _attrition(
    frame: pd.DataFrame, sample: pd.DataFrame, boundary: Boundary
) -> Attrition:
    records = []
    shares = {}
    for level, label in (("pupil", "pupils"), ("class", "classes")):
        # Each pupil and class has one arm (checked), so distinct units per arm
        # are the arm counts of the first row of each unit.
        randomised = frame.drop_duplicates(level)["programme"].value_counts()
        analysed = sample.drop_duplicates(level)["programme"].value_counts()
        for programme, arm in ((True, "programme"), (False, "comparison")):
            total = int(randomised.get(programme, 0))
            kept = int(analysed.get(programme, 0))
            share = 1 - kept / total if total else math.nan
            records.append(
                {
                    "level": label,
                    "arm": arm,
                    "randomised": total,
                    "analysed": kept,
                    "attrition": share,
                }
            )
            if level == "pupil":
                shares[arm] = (total, kept, share)
    randomised_total = shares["programme"][0] + shares["comparison"][0]
    analysed_total = shares["programme"][1] + shares["comparison"][1]
    overall = 1 - analysed_total / randomised_total
    differential = abs(shares["programme"][2] - shares["comparison"][2])
    limit = attrition_boundary(overall, boundary)
    return Attrition(
        table=pd.DataFrame.from_records(records),
        overall=overall,
        differential=differential,
        boundary=boundary,
        max_differential=limit,
        low=bool(differential <= limit + 1e-12) if math.isfinite(limit) else False,
    )


def _mdes(sample: pd.DataFrame, icc: float) -> DetectableEffect:
    classes = sample.drop_duplicates("class")["programme"]
    pupils = sample.drop_duplicates("pupil")
    return minimum_detectable_effect(
        n_clusters=len(classes),
        cluster_size=len(pupils) / len(classes),
        icc=min(max(icc, 0.0), 1.0),
        treated_share=float(classes.mean()),
    )


def _analyse_skill(
    frame: pd.DataFrame,
    skill: str,
    waves: Sequence[str],
    first: int,
    last: int,
    bootstrap_below: int = BOOTSTRAP_BELOW,
    replications: int = 9999,
    weights: WeightType = "rademacher",
    seed: int = 0,
    boundary: Boundary = "cautious",
    df_method: str = "satterthwaite",
) -> SkillImpact:
    """Analyse one skill of a frame that `_check_frame` validated."""
    baseline, endline = waves[first], waves[last]
    sample = _analytic_sample(frame, skill, first, last)
    _check_arms(sample, skill, baseline, endline)
    messages: list[str] = []
    mixed = _mixed_model(frame, skill, waves, df_method)
    messages.extend(f"mixed model: {message}" for message in mixed.warnings)
    did = _did(
        sample,
        skill,
        last,
        bootstrap_below,
        replications,
        weights,
        seed,
        (baseline, endline),
    )
    try:
        effect = _effect_size(sample, skill, last, did.estimate)
    except EffectsError as error:
        raise ImpactError(error.code, f"{skill}: {error}", skill=skill) from None
    icc = _baseline_icc(frame, skill, first)
    inference = "wild cluster bootstrap" if did.bootstrap is not None else "CR1 t"
    logger.info(
        "Impact on %s: DiD %.4f (SE %.4f) over %d classes, %s.",
        skill,
        did.estimate,
        did.cr1.se,
        did.n_classes,
        inference,
    )
    return SkillImpact(
        skill=skill,
        baseline=baseline,
        endline=endline,
        mixed_model=mixed,
        did=did,
        effect_size=effect,
        baseline_icc=icc,
        baseline_equivalence=_equivalence(sample, skill, first),
        attrition=_attrition(frame, sample, boundary),
        mdes=_mdes(sample, icc.icc_class),
        inference=inference,
        warnings=tuple(messages),
    )


@single_blas_thread
def analyse_impact(
    df: pd.DataFrame,
    skills: Sequence[str],
    waves: Sequence[str] = DEFAULT_WAVES,
    baseline: str | None = None,
    endline: str | None = None,
    bootstrap_below: int = BOOTSTRAP_BELOW,
    replications: int = 9999,
    weights: WeightType = "rademacher",
    seed: int = 0,
    boundary: Boundary = "cautious",
    df_method: str = "satterthwaite",
) -> dict[str, SkillImpact]:
    """Estimate the programme's impact on each skill; see the module docstring.

    Parameters
    ----------
    df : pandas.DataFrame
        The long frame of the input contract.
    skills : sequence of str
        Score columns to analyse.
    waves : sequence of str
        Wave labels in time order; the first is the mixed model's reference.
    baseline, endline : str, optional
        Waves of the difference in differences: the first and last by default.
    bootstrap_below : int
        Run the wild cluster bootstrap when the analytic sample has fewer
        classes than this, and make it the primary inference.
    replications, weights, seed
        Wild cluster bootstrap settings: the number of weight draws (every sign
        vector instead when 2^classes is no more), ``"rademacher"`` or
        ``"webb"`` (Webb's six-point weights, better with under about 10
        classes), and the generator seed.
    boundary : {"cautious", "optimistic"}
        WWC attrition boundary; the review protocol decides which applies.
    df_method : {"satterthwaite", "none"}
        Degrees of freedom of the mixed model's t tests.

    Returns
    -------
    dict of str to SkillImpact
        In the order of `skills`.

    Raises
    ------
    ImpactError
        For a frame that breaks the input contract (``code`` names the rule) or
        a skill without pupils scored at both waves in each arm.
    """
    waves, first, last = _check_waves(waves, baseline, endline)
    frame = _check_frame(df, skills, waves)
    return {
        skill: _analyse_skill(
            frame,
            skill,
            waves,
            first,
            last,
            bootstrap_below=bootstrap_below,
            replications=replications,
            weights=weights,
            seed=seed,
            boundary=boundary,
            df_method=df_method,
        )
        for skill in skills
    }


def difference_in_differences(
    df: pd.DataFrame,
    skill: str,
    waves: Sequence[str] = DEFAULT_WAVES,
    baseline: str | None = None,
    endline: str | None = None,
    bootstrap_below: int = BOOTSTRAP_BELOW,
    replications: int = 9999,
    weights: WeightType = "rademacher",
    seed: int = 0,
) -> DifferenceInDifferences:
    """Estimate only the difference in differences of one skill.

    The same estimate, CR1 test and wild cluster bootstrap as `analyse_impact`,
    whose parameters these are, without the models around it.
    """
    waves, first, last = _check_waves(waves, baseline, endline)
    frame = _check_frame(df, [skill], waves)
    sample = _analytic_sample(frame, skill, first, last)
    _check_arms(sample, skill, waves[first], waves[last])
    return _did(
        sample,
        skill,
        last,
        bootstrap_below,
        replications,
        weights,
        seed,
        (waves[first], waves[last]),
    )


def power_table(
    n_classes: Sequence[int],
    pupils_per_class: Sequence[float],
    iccs: Sequence[float],
    **design: Any,
) -> pd.DataFrame:
    """Tabulate the minimum detectable effect over a grid of designs.

    Each row is one combination of classes, pupils per class and ICC, with the
    MDES in SD units from `assessment.effects.minimum_detectable_effect`, to
    which `design` passes the remaining settings (``treated_share``, ``alpha``,
    ``power``, covariate R²...).

    Returns
    -------
    pandas.DataFrame
        Columns ``n_classes``, ``pupils_per_class``, ``icc``, ``mdes``,
        ``multiplier`` and ``df``.
    """
    records = []
    for classes in n_classes:
        for pupils in pupils_per_class:
            for icc in iccs:
                result = minimum_detectable_effect(classes, pupils, icc, **design)
                records.append(
                    {
                        "n_classes": classes,
                        "pupils_per_class": pupils,
                        "icc": icc,
                        "mdes": result.mdes,
                        "multiplier": result.multiplier,
                        "df": result.df,
                    }
                )
    return pd.DataFrame.from_records(records)
