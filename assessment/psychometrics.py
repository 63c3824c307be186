"""Psychometrics of the battery, per wave and across waves.

Input contract
--------------
`analyse_psychometrics` takes the long frame that `assessment.impact` takes: one
row per pupil and wave, with ``pupil``, ``wave`` and one numeric column per item
(NaN for an item not answered; reverse-keyed items already turned round, as
`assessment.scoring.reverse_key` does). Other columns are ignored. ``scales`` maps
each skill to its items, in the order of the instrument (the first item is the
marker of the skill's factor).

What is computed
----------------
Per wave and scale: item statistics (answers, mean, SD, item-rest correlation,
alpha if deleted, and the shares of answers at the floor and the ceiling of the
response scale), Cronbach's alpha with Feldt's interval, McDonald's omega with a
delta-method interval, and a one-factor CFA. Per wave: the CFA of the battery (one
correlated factor per skill). Per scale: the longitudinal invariance across the
waves (configural, metric, scalar), see `assessment.longitudinal`.

A statistic that the data of a wave cannot support (too few pupils, a constant
item, a model that does not converge) is left out and its reason added to
`Psychometrics.problems`, so one thin wave does not hide the others.

NOTE: the CFAs treat the 4-point answers as continuous and use maximum
likelihood, as lavaan's default does; an ordinal estimator (WLSMV) is not
implemented, so loadings of skewed items are underestimated.
"""

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from assessment.cfa import CfaError, CfaResult, fit_cfa
from assessment.longitudinal import LongitudinalInvariance, fit_longitudinal_invariance
from assessment.statistics import (
    InsufficientDataError,
    cronbach_alpha,
    item_statistics,
    select_items,
)

logger = logging.getLogger(__name__)

DEFAULT_WAVES = ("T1", "T2", "T3", "T4")
# Fit measures of each CFA in the report, as `FitMeasures` names them.
CFA_MEASURES = (
    "n",
    "chi_square",
    "df",
    "p_value",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "srmr",
    "loglik",
    "aic",
    "bic",
)
_Z_95 = float(stats.norm.ppf(0.975))


def item_table(
    df: pd.DataFrame,
    items: Sequence[str],
    response_range: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Describe each item, with the shares of answers at the floor and ceiling.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent; the `items` columns are read.
    items : sequence of str
        The scale's items.
    response_range : (float, float), optional
        Lowest and highest possible answers, ``(1, 4)`` on a 4-point scale. By
        default the lowest and highest answers given to any of the items.

    Returns
    -------
    pandas.DataFrame
        The columns of `assessment.statistics.item_statistics` (``item``, ``n``,
        ``mean``, ``sd``, ``item_rest_r``, ``alpha_if_deleted``), then ``floor``
        and ``ceiling``: the shares of the item's answers at each end.
    """
    values = select_items(df, items).astype(float)
    if response_range is None:
        lowest, highest = float(np.nanmin(values)), float(np.nanmax(values))
    else:
        lowest, highest = response_range
    table = item_statistics(values)
    answered = values.notna().sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["floor"] = ((values == lowest).sum() / answered).to_numpy()
        table["ceiling"] = ((values == highest).sum() / answered).to_numpy()
    return table


def one_factor_syntax(factor: str, items: Sequence[str]) -> str:
    """Return ``factor =~ item1 + item2 + ...`` (the first loading fixed to 1)."""
    return f"{factor} =~ " + " + ".join(items)


def battery_syntax(scales: Mapping[str, Sequence[str]]) -> str:
    """Return the battery's model: one correlated factor per skill."""
    return "\n".join(one_factor_syntax(skill, items) for skill, items in scales.items())


def omega_interval(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    r"""Compute McDonald's omega with a delta-method standard error and interval.

    The one-factor model is fitted with the factor variance fixed to 1 (lavaan's
    ``std.lv = TRUE``) by `assessment.cfa.fit_cfa`, on the complete rows, and

    .. math::

        \omega = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i},
        \quad
        \frac{\partial\omega}{\partial\lambda_i} = \frac{2 L \Theta}{(L^2 + \Theta)^2},
        \quad
        \frac{\partial\omega}{\partial\theta_i} = \frac{-L^2}{(L^2 + \Theta)^2},

    with :math:`L = \sum\lambda_i` and :math:`\Theta = \sum\theta_i`; the
    variance of omega is :math:`g' V g` for the gradient g and the covariance V
    of the estimates (expected information). This is what lavaan reports for a
    defined parameter ``omega := (l1 + ... + lk)^2 / ((l1 + ... + lk)^2 + t1 +
    ... + tk)``. The Wald interval ``omega ± 1.96 SE`` can pass 1 for a scale
    near perfect reliability; it is not truncated.

    Returns
    -------
    pandas.DataFrame
        One row: ``omega``, ``se``, ``ci_low``, ``ci_high``, ``n`` and ``k``.

    Raises
    ------
    InsufficientDataError
        With fewer than 3 items.
    CfaError
        As `assessment.cfa.fit_cfa`.
    """
    items = list(items)
    if len(items) < 3:
        raise InsufficientDataError(
            "too_few_items",
            f"omega needs at least 3 items, got {len(items)}",
            needed=3,
            found=len(items),
        )
    syntax = "f =~ " + " + ".join(f"NA*{item}" for item in items) + "\nf ~~ 1*f"
    fit = fit_cfa(select_items(df, items), syntax)
    table = fit.estimates
    loadings = table[table["op"] == "=~"].set_index("rhs").loc[items]
    residuals = table[(table["op"] == "~~") & (table["lhs"] == table["rhs"])]
    residuals = residuals.set_index("lhs").loc[items]
    common = float(loadings["est"].sum())
    unique = float(residuals["est"].sum())
    total = common**2 + unique
    omega = common**2 / total
    se = math.nan
    if fit.parameter_covariance is not None:
        gradient = np.zeros(len(fit.parameter_covariance))
        np.add.at(
            gradient, loadings["parameter"].to_numpy(), 2 * common * unique / total**2
        )
        np.add.at(gradient, residuals["parameter"].to_numpy(), -(common**2) / total**2)
        se = math.sqrt(float(gradient @ fit.parameter_covariance @ gradient))
    return pd.DataFrame(
        {
            "omega": [omega],
            "se": [se],
            "ci_low": [omega - _Z_95 * se],
            "ci_high": [omega + _Z_95 * se],
            "n": [fit.fit.n],
            "k": [len(items)],
        }
    )


def cfa_summary(result: CfaResult) -> dict[str, float | int | bool]:
    """Return the `CFA_MEASURES` of one CFA and whether it converged, by name."""
    measures = result.fit.as_dict()
    summary: dict[str, float | int | bool] = {
        name: measures[name] for name in CFA_MEASURES
    }
    summary["converged"] = result.converged
    return summary


@dataclass(frozen=True)
class Psychometrics:
    """Tables of `analyse_psychometrics`, in long form with stable columns.

    - ``items``: ``wave``, ``scale``, then the columns of `item_table`;
    - ``reliability``: ``wave``, ``scale``, ``n`` (pupils with an answer),
      ``alpha``, ``alpha_ci_low``, ``alpha_ci_high`` (Feldt, pairwise),
      ``omega``, ``omega_se``, ``omega_ci_low``, ``omega_ci_high``,
      ``omega_n`` (complete rows);
    - ``cfa``: ``wave``, ``model`` (a scale, or ``battery``), then
      `CFA_MEASURES` and ``converged``;
    - ``loadings``: ``wave``, ``model``, ``factor``, ``item``, ``est``, ``se``,
      ``std_all``;
    - ``cfa_fits``: each fitted model by (wave, model);
    - ``invariance``: each scale's `LongitudinalInvariance`, whose ``table``
      is the one-table-per-skill summary;
    - ``problems``: ``wave``, ``scale``, ``statistic``, ``code``, ``message``
      for each statistic the data could not support.
    """

    items: pd.DataFrame
    reliability: pd.DataFrame
    cfa: pd.DataFrame
    loadings: pd.DataFrame
    cfa_fits: dict[tuple[str, str], CfaResult] = field(repr=False)
    invariance: dict[str, LongitudinalInvariance] = field(repr=False)
    problems: pd.DataFrame


class _Collector:
    """Rows of each table, and the problems met while computing them."""

    def __init__(self) -> None:
        self.items: list[pd.DataFrame] = []
        self.reliability: list[dict] = []
        self.cfa: list[dict] = []
        self.loadings: list[pd.DataFrame] = []
        self.fits: dict[tuple[str, str], CfaResult] = {}
        self.problems: list[dict] = []

    def problem(self, wave: str, scale: str, statistic: str, error: Exception) -> None:
        code = getattr(error, "code", type(error).__name__)
        logger.info(
            "Psychometrics: %s of %s at %s not computed (%s): %s",
            statistic,
            scale,
            wave,
            code,
            error,
        )
        self.problems.append(
            {
                "wave": wave,
                "scale": scale,
                "statistic": statistic,
                "code": code,
                "message": str(error),
            }
        )

    def add_cfa(self, wave: str, model: str, result: CfaResult) -> None:
        self.fits[(wave, model)] = result
        self.cfa.append({"wave": wave, "model": model, **cfa_summary(result)})
        loadings = result.loadings[["lhs", "rhs", "est", "se", "std_all"]]
        self.loadings.append(
            loadings.rename(columns={"lhs": "factor", "rhs": "item"}).assign(
                wave=wave, model=model
            )
        )


def _reliability(
    rows: pd.DataFrame, wave: str, scale: str, items: Sequence[str], out: _Collector
) -> None:
    record: dict = {"wave": wave, "scale": scale}
    try:
        alpha = cronbach_alpha(select_items(rows, items)).iloc[0]
        record.update(
            n=int(alpha["n"]),
            alpha=float(alpha["alpha"]),
            alpha_ci_low=float(alpha["ci_low"]),
            alpha_ci_high=float(alpha["ci_high"]),
        )
    except InsufficientDataError as error:
        out.problem(wave, scale, "alpha", error)
    try:
        omega = omega_interval(rows, items).iloc[0]
        record.update(
            omega=float(omega["omega"]),
            omega_se=float(omega["se"]),
            omega_ci_low=float(omega["ci_low"]),
            omega_ci_high=float(omega["ci_high"]),
            omega_n=int(omega["n"]),
        )
    except (InsufficientDataError, CfaError) as error:
        out.problem(wave, scale, "omega", error)
    out.reliability.append(record)


def _wave(
    rows: pd.DataFrame,
    wave: str,
    scales: Mapping[str, Sequence[str]],
    response_range: tuple[float, float] | None,
    out: _Collector,
) -> None:
    for scale, items in scales.items():
        table = item_table(rows, items, response_range)
        out.items.append(table.assign(wave=wave, scale=scale))
        _reliability(rows, wave, scale, items, out)
        try:
            out.add_cfa(wave, scale, fit_cfa(rows, one_factor_syntax(scale, items)))
        except CfaError as error:
            out.problem(wave, scale, "cfa", error)
    if len(scales) > 1:
        try:
            out.add_cfa(wave, "battery", fit_cfa(rows, battery_syntax(scales)))
        except CfaError as error:
            out.problem(wave, "battery", "cfa", error)


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns)


def analyse_psychometrics(
    df: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    waves: Sequence[str] = DEFAULT_WAVES,
    response_range: tuple[float, float] | None = None,
    invariance_levels: Sequence[str] = ("configural", "metric", "scalar"),
) -> Psychometrics:
    """Check every scale of the battery at each wave and across the waves.

    Parameters
    ----------
    df : pandas.DataFrame
        The long frame of the module's input contract.
    scales : mapping of str to sequence of str
        Each skill's items, in instrument order.
    waves : sequence of str
        Wave labels in time order; waves without rows are skipped.
    response_range : (float, float), optional
        Lowest and highest possible answers, for the floor and ceiling shares;
        by default the lowest and highest answers given to each scale.
    invariance_levels : sequence of str
        Longitudinal invariance levels to fit, in order.

    Returns
    -------
    Psychometrics

    Raises
    ------
    KeyError
        When an item or the ``wave`` or ``pupil`` column is absent.
    """
    for column in ("pupil", "wave"):
        if column not in df.columns:
            raise KeyError(f"column {column!r} not found; the frame needs it")
    for items in scales.values():
        select_items(df, items)
    out = _Collector()
    labels = df["wave"].astype(str)
    present = [wave for wave in waves if (labels == wave).any()]
    for wave in present:
        logger.info("Psychometrics of wave %s: %d scales.", wave, len(scales))
        _wave(df[labels == wave], wave, scales, response_range, out)
    invariance: dict[str, LongitudinalInvariance] = {}
    if len(present) > 1:
        for scale, items in scales.items():
            try:
                invariance[scale] = fit_longitudinal_invariance(
                    df, items, present, levels=invariance_levels
                )
            except CfaError as error:
                out.problem("all", scale, "invariance", error)
    item_columns = [
        "wave",
        "scale",
        "item",
        "n",
        "mean",
        "sd",
        "item_rest_r",
        "alpha_if_deleted",
        "floor",
        "ceiling",
    ]
    items_table = (
        pd.concat(out.items, ignore_index=True)[item_columns]
        if out.items
        else pd.DataFrame(columns=item_columns)
    )
    loading_columns = ["wave", "model", "factor", "item", "est", "se", "std_all"]
    loadings = (
        pd.concat(out.loadings, ignore_index=True)[loading_columns]
        if out.loadings
        else pd.DataFrame(columns=loading_columns)
    )
    return Psychometrics(
        items=items_table,
        reliability=_frame(
            out.reliability,
            [
                "wave",
                "scale",
                "n",
                "alpha",
                "alpha_ci_low",
                "alpha_ci_high",
                "omega",
                "omega_se",
                "omega_ci_low",
                "omega_ci_high",
                "omega_n",
            ],
        ),
        cfa=_frame(out.cfa, ["wave", "model", *CFA_MEASURES, "converged"]),
        loadings=loadings,
        cfa_fits=out.fits,
        invariance=invariance,
        problems=_frame(
            out.problems, ["wave", "scale", "statistic", "code", "message"]
        ),
    )
