"""Programme effects as education evaluations report them.

- `fit_ols`: OLS with heteroskedasticity-robust (HC1) or cluster-robust standard
  errors, as Stata's ``regress, robust`` and ``vce(cluster)`` or R's
  ``sandwich::vcovHC(type = "HC1")`` and ``vcovCL(type = "HC1")``.
- `hedges_g` and `hedges_g_from_summary`: Hedges' g with the small-sample
  correction and, for cluster-assigned designs, Hedges' (2007) clustering
  correction of the effect size and its standard error, as the What Works
  Clearinghouse applies them.
- `intraclass_correlation`: the ICC of a null two-level model fitted by REML.
- `minimum_detectable_effect`: Bloom's minimum detectable effect size of a
  two-level cluster-randomised design.

Nothing is rounded here: round only when displaying.
"""

import logging
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from assessment.mixed import ModelInputError, model_frame
from assessment.multilevel import fit_nested_mixed

logger = logging.getLogger(__name__)

COVARIANCE_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
_Z_95 = float(stats.norm.ppf(0.975))


class EffectsError(ModelInputError):
    """Input that an effect computation cannot use."""


@dataclass(frozen=True)
class OlsResult:
    """An OLS fit: ``coefficients`` has ``term``, ``estimate``, ``se``,
    ``statistic``, ``df``, ``p_value``, ``ci_low`` and ``ci_high`` (95 %)."""

    formula: str
    cov_type: str
    cluster: str | None
    n_obs: int
    n_clusters: int | None
    n_dropped: int
    r_squared: float
    coefficients: pd.DataFrame


def fit_ols(
    df: pd.DataFrame,
    formula: str,
    cov_type: str = "HC1",
    cluster: str | None = None,
) -> OlsResult:
    """Fit OLS by patsy formula with robust standard errors.

    ``HC1`` scales White's HC0 by N / (N - K). ``cluster`` is CR1, Stata's
    default: the sandwich with cluster scores, scaled by G / (G - 1) ·
    (N - 1) / (N - K), with t tests on G - 1 degrees of freedom. The other types
    use t on N - K. Rows with a missing value in a named column are dropped.

    Raises
    ------
    EffectsError
        ``cov_type`` (unknown, or ``cluster`` without a cluster column),
        ``missing_column``, ``non_numeric`` or ``formula``.
    """
    if cov_type not in COVARIANCE_TYPES:
        raise EffectsError(
            "cov_type",
            f"cov_type must be one of {', '.join(COVARIANCE_TYPES)}, not {cov_type!r}",
            value=cov_type,
        )
    if (cov_type == "cluster") != (cluster is not None):
        raise EffectsError(
            "cov_type",
            "give a cluster column exactly when cov_type is 'cluster'",
            value=cov_type,
        )
    labels = [cluster] if cluster else []
    data, dropped = model_frame(df, formula, label_columns=labels, error=EffectsError)
    try:
        model = smf.ols(formula, data)
    except Exception as error:  # noqa: BLE001
        # patsy raises PatsyError, NameError or SyntaxError for a formula the data
        # cannot build.
        raise EffectsError("formula", str(error), formula=formula) from None
    n_clusters = None
    if cluster:
        codes = pd.factorize(data[f"_{cluster}"])[0]
        n_clusters = int(codes.max()) + 1
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        df_inference = n_clusters - 1
    else:
        fit = model.fit(cov_type=cov_type, use_t=True)
        df_inference = int(fit.df_resid)
    interval = fit.conf_int(alpha=0.05)
    coefficients = pd.DataFrame(
        {
            "term": list(fit.params.index),
            "estimate": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "statistic": fit.tvalues.to_numpy(),
            "df": float(df_inference),
            "p_value": fit.pvalues.to_numpy(),
            "ci_low": interval.iloc[:, 0].to_numpy(),
            "ci_high": interval.iloc[:, 1].to_numpy(),
        }
    )
    return OlsResult(
        formula=formula,
        cov_type=cov_type,
        cluster=cluster,
        n_obs=int(fit.nobs),
        n_clusters=n_clusters,
        n_dropped=dropped,
        r_squared=float(fit.rsquared),
        coefficients=coefficients,
    )


@dataclass(frozen=True)
class EffectSize:
    """Hedges' g and the quantities that produced it.

    ``d`` is the standardised mean difference before any correction, ``omega``
    the small-sample correction, ``gamma`` the clustering correction of the
    effect size (1 without clustering), ``g = omega * gamma * d`` and ``se`` its
    standard error; ``ci_low`` and ``ci_high`` are ``g ± 1.96 se``.
    """

    g: float
    se: float
    ci_low: float
    ci_high: float
    d: float
    omega: float
    gamma: float
    n_treated: int
    n_control: int
    icc: float
    cluster_size: float
    n_clusters: int | None = None


def hedges_g_from_summary(
    mean_treated: float,
    mean_control: float,
    sd_treated: float,
    sd_control: float,
    n_treated: int,
    n_control: int,
    icc: float = 0.0,
    cluster_size: float = 1.0,
) -> EffectSize:
    r"""Hedges' g from group summaries, with the WWC corrections.

    With N = n_T + n_C, the pooled SD
    :math:`S = \sqrt{((n_T - 1) s_T^2 + (n_C - 1) s_C^2) / (N - 2)}` and
    :math:`d = (\bar y_T - \bar y_C) / S`, the small-sample correction is
    :math:`\omega = 1 - 3 / (4N - 9)` and

    - without clustering (``cluster_size = 1`` and ``icc = 0``),
      :math:`g = \omega d` and
      :math:`SE = \sqrt{N / (n_T n_C) + g^2 / (2N)}`;
    - with assignment by clusters of average size n and intraclass correlation
      ρ, Hedges (2007) corrects the effect size standardised by the total SD,
      :math:`\gamma = \sqrt{1 - 2(n - 1)\rho / (N - 2)}`, :math:`g = \omega\gamma d`,
      and its variance

      .. math::

          V = \frac{N}{n_T n_C}\,(1 + (n - 1)\rho) + (\gamma d)^2\,
              \frac{(N - 2)(1 - \rho)^2 + n(N - 2n)\rho^2
                    + 2(N - 2n)\rho(1 - \rho)}
                   {2(N - 2)\,[(N - 2) - 2(n - 1)\rho]},

      with :math:`SE = \omega\sqrt{V}`.

    References
    ----------
    Hedges, L. V. (2007). Effect sizes in cluster-randomized designs. Journal of
    Educational and Behavioral Statistics, 32(4), 341-370.
    What Works Clearinghouse (2020). Supplement to the WWC Procedures Handbook,
    version 4.1 (adds the clustering correction term to the effect size).
    """
    n = n_treated + n_control
    if n_treated < 2 or n_control < 2:
        raise EffectsError(
            "too_few_rows",
            f"each arm needs at least 2 observations, found {n_treated} and "
            f"{n_control}",
            found=min(n_treated, n_control),
            needed=2,
        )
    if not 0 <= icc < 1:
        raise EffectsError("icc", f"icc must be in [0, 1), not {icc!r}", value=icc)
    if cluster_size < 1:
        raise EffectsError(
            "cluster_size", f"cluster_size must be at least 1, not {cluster_size!r}"
        )
    pooled = math.sqrt(
        ((n_treated - 1) * sd_treated**2 + (n_control - 1) * sd_control**2) / (n - 2)
    )
    if pooled == 0:
        raise EffectsError("no_variance", "the outcome has no variance in either arm")
    d = (mean_treated - mean_control) / pooled
    omega = 1 - 3 / (4 * n - 9)
    clustered = cluster_size > 1 or icc > 0
    if not clustered:
        g = omega * d
        se = math.sqrt(n / (n_treated * n_control) + g**2 / (2 * n))
        gamma = 1.0
    else:
        rho, size = icc, cluster_size
        shrink = (n - 2) - 2 * (size - 1) * rho
        if shrink <= 0:
            raise EffectsError(
                "cluster_size",
                f"clusters of {size} with icc {rho} leave no degrees of freedom "
                f"for {n} observations",
            )
        gamma = math.sqrt(shrink / (n - 2))
        corrected = gamma * d
        g = omega * corrected
        numerator = (
            (n - 2) * (1 - rho) ** 2
            + size * (n - 2 * size) * rho**2
            + 2 * (n - 2 * size) * rho * (1 - rho)
        )
        variance = n / (n_treated * n_control) * (1 + (size - 1) * rho)
        variance += corrected**2 * numerator / (2 * (n - 2) * shrink)
        se = omega * math.sqrt(variance)
    return EffectSize(
        g=g,
        se=se,
        ci_low=g - _Z_95 * se,
        ci_high=g + _Z_95 * se,
        d=d,
        omega=omega,
        gamma=gamma,
        n_treated=n_treated,
        n_control=n_control,
        icc=icc,
        cluster_size=cluster_size,
    )


def hedges_g(
    df: pd.DataFrame,
    outcome: str,
    arm: str,
    treated: Any,
    control: Any,
    cluster: str | None = None,
    icc: float | None = None,
) -> EffectSize:
    """Hedges' g of `treated` against `control` in column `arm`.

    With a `cluster` column, the clustering correction uses the average cluster
    size N / M and `icc`, or, when `icc` is None, the ICC of the outcome within
    arms, estimated by `intraclass_correlation` with the arm as a covariate so
    that the effect itself does not count as between-cluster variance. Rows with
    a missing outcome or cluster are dropped.

    Raises
    ------
    EffectsError
        For a missing or non-numeric column, an arm value with fewer than two
        rows, or an invalid ICC.
    """
    labels = [arm] + ([cluster] if cluster else [])
    data, _ = model_frame(
        df, f"{outcome} ~ 1", label_columns=labels, error=EffectsError
    )
    arms = data[f"_{arm}"].astype(str)
    data = data[arms.isin([str(treated), str(control)])]
    arms = arms.loc[data.index]
    treated_values = data.loc[arms == str(treated), outcome]
    control_values = data.loc[arms == str(control), outcome]
    n_clusters, cluster_size, rho = None, 1.0, 0.0
    if cluster:
        n_clusters = int(data[f"_{cluster}"].nunique())
        cluster_size = len(data) / n_clusters
        if icc is None:
            frame = pd.DataFrame(
                {
                    "y": data[outcome],
                    "arm": arms.to_numpy(),
                    "cluster": data[f"_{cluster}"],
                }
            )
            rho = intraclass_correlation(frame, "y", "cluster", "C(arm)").icc
        else:
            rho = icc
    elif icc is not None:
        raise EffectsError("icc", "an icc needs a cluster column", value=icc)
    effect = hedges_g_from_summary(
        float(treated_values.mean()),
        float(control_values.mean()),
        float(treated_values.std(ddof=1)) if len(treated_values) > 1 else math.nan,
        float(control_values.std(ddof=1)) if len(control_values) > 1 else math.nan,
        len(treated_values),
        len(control_values),
        icc=rho,
        cluster_size=cluster_size,
    )
    return EffectSize(**{**vars(effect), "n_clusters": n_clusters})


@dataclass(frozen=True)
class IntraclassCorrelation:
    """ICC = τ² / (τ² + σ²) from a null two-level model fitted by REML."""

    icc: float
    between_variance: float
    within_variance: float
    n_obs: int
    n_clusters: int


def intraclass_correlation(
    df: pd.DataFrame, outcome: str, cluster: str, covariates: str = "1"
) -> IntraclassCorrelation:
    """Fit a random intercept per cluster and return the (conditional) ICC.

    This is lme4's ``lmer(outcome ~ covariates + (1 | cluster))`` by REML, the
    null model by default; a between-cluster variance estimated at 0 gives 0.
    The fit is `assessment.multilevel.fit_nested_mixed`, which reaches lme4's
    optimum more closely than statsmodels' MixedLM and runs on national data.
    """
    fit = fit_nested_mixed(df, f"{outcome} ~ {covariates}", [cluster], df_method="none")
    components = fit.variance_components.set_index("grp")["vcov"]
    between = float(components[cluster])
    within = float(components["Residual"])
    return IntraclassCorrelation(
        icc=between / (between + within),
        between_variance=between,
        within_variance=within,
        n_obs=fit.n_obs,
        n_clusters=fit.n_groups,
    )


@dataclass(frozen=True)
class DetectableEffect:
    """Minimum detectable effect size in SD units, with the multiplier used."""

    mdes: float
    multiplier: float
    df: int
    standard_error: float


def minimum_detectable_effect(
    n_clusters: int,
    cluster_size: float,
    icc: float,
    treated_share: float = 0.5,
    r2_cluster: float = 0.0,
    r2_individual: float = 0.0,
    cluster_covariates: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
    two_sided: bool = True,
) -> DetectableEffect:
    r"""Bloom's MDES of a two-level design randomised by cluster.

    .. math::

        MDES = M_{J - g - 2} \sqrt{\frac{\rho (1 - R_2^2)}{P(1 - P) J}
               + \frac{(1 - \rho)(1 - R_1^2)}{P(1 - P) J n}},

    with J clusters of n individuals, a share P of clusters treated, ICC ρ, R²
    of the cluster-level and individual-level covariates, g cluster-level
    covariates, and the multiplier
    :math:`M = t_{1 - \alpha/2} + t_{power}` on J - g - 2 degrees of freedom
    (:math:`t_{1 - \alpha}` for a one-sided test).

    References
    ----------
    Bloom, H. S. (2007). Sample design for group-randomized trials. In Bloom,
    H. S. (ed.), Learning More from Social Experiments. Russell Sage.
    Dong, N., and Maynard, R. (2013). PowerUp!: A tool for calculating minimum
    detectable effect sizes and minimum required sample sizes. Journal of Research
    on Educational Effectiveness, 6(1), 24-67.
    """
    df = n_clusters - cluster_covariates - 2
    problems = {
        "n_clusters": df < 1,
        "cluster_size": cluster_size < 1,
        "icc": not 0 <= icc <= 1,
        "treated_share": not 0 < treated_share < 1,
        "r2_cluster": not 0 <= r2_cluster < 1,
        "r2_individual": not 0 <= r2_individual < 1,
        "alpha": not 0 < alpha < 1,
        "power": not 0 < power < 1,
    }
    invalid = [name for name, bad in problems.items() if bad]
    if invalid:
        raise EffectsError(
            "invalid_design",
            f"invalid design parameter(s): {', '.join(invalid)} (n_clusters must "
            "exceed cluster_covariates + 2, shares and R² lie in [0, 1))",
            parameters=invalid,
        )
    share = treated_share * (1 - treated_share)
    variance = icc * (1 - r2_cluster) / (share * n_clusters)
    variance += (1 - icc) * (1 - r2_individual) / (share * n_clusters * cluster_size)
    tail = alpha / 2 if two_sided else alpha
    multiplier = float(stats.t.ppf(1 - tail, df) + stats.t.ppf(power, df))
    standard_error = math.sqrt(variance)
    return DetectableEffect(
        mdes=multiplier * standard_error,
        multiplier=multiplier,
        df=df,
        standard_error=standard_error,
    )
