"""Linear mixed models with lme4's output and Satterthwaite degrees of freedom.

`fit_mixed` fits a two-level model (observations within groups, correlated random
intercepts and slopes) with statsmodels' MixedLM and reports what lme4 and lmerTest
print for ``lmer(y ~ x + (x | g))``: fixed effects with SE, t, df and p-values,
variance components as SDs and correlations, the REML criterion or deviance, AIC
and BIC.

statsmodels 0.15's estimates, SEs and REML log-likelihood equal lme4 1.1-31's to
the digits lme4 prints, but its p-values use the normal distribution: with 18
subjects they are too small. Here each fixed effect gets Satterthwaite's degrees
of freedom, as lmerTest 3.1 computes them (Kuznetsova, Brockhoff and Christensen,
2017, J. Stat. Softw. 82(13)), from the deviance that this module computes itself
from per-group cross-products, so it also runs on many groups. The z p-value is
kept beside the t one.
"""

import logging
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from assessment.cfa import CfaError, jsonable, numeric_columns

logger = logging.getLogger(__name__)

DF_METHODS = ("satterthwaite", "none")
# Relative step of the central differences for the Hessian of the deviance and the
# gradient of Var(β̂). On sleepstudy, steps of 1e-4 to 1e-3 give lmerTest's df to
# within 3e-4 and 1e-2 is off by 2e-3, so the truncation error dominates above 1e-3.
_STEP = 1e-3
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


class ModelInputError(ValueError):
    """Input that a formula-based model cannot use.

    ``code`` is a stable reason and ``details`` holds the values involved.
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


class MixedModelError(ModelInputError):
    """A formula or data set that `fit_mixed` cannot fit."""


@dataclass(frozen=True)
class MixedResult:
    """A fitted linear mixed model, laid out as lme4 and lmerTest print it.

    ``fixed_effects`` columns: ``term``, ``estimate``, ``se``, ``statistic`` (the
    estimate over its SE), ``df`` (Satterthwaite, NaN with ``df_method="none"``),
    ``p_value`` (two-sided, t on ``df``), ``p_value_z`` (two-sided, normal, as
    statsmodels reports), ``ci_low`` and ``ci_high`` (95 %, t on ``df``, else
    normal). ``variance_components`` has lme4's ``as.data.frame(VarCorr())``
    columns: ``grp``, ``var1``, ``var2``, ``vcov`` (variance or covariance) and
    ``sdcor`` (SD or correlation).
    """

    formula: str
    groups: str
    re_formula: str | None
    reml: bool
    n_obs: int
    n_groups: int
    n_dropped: int
    fixed_effects: pd.DataFrame
    variance_components: pd.DataFrame
    loglik: float
    reml_criterion: float  # -2 REML log-likelihood; NaN for an ML fit
    deviance: float  # -2 log-likelihood of an ML fit; NaN for REML, as in lme4
    aic: float
    bic: float
    df_method: str
    converged: bool
    warnings: tuple[str, ...] = field(default=())
    # Units per grouping level, outermost first, for models with nested levels.
    levels: tuple[tuple[str, int], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON types, NaN as None."""
        payload = {
            key: value
            for key, value in vars(self).items()
            if not isinstance(value, pd.DataFrame)
        }
        payload["warnings"] = list(self.warnings)
        payload["levels"] = dict(self.levels)
        payload["fixed_effects"] = self.fixed_effects.to_dict(orient="records")
        payload["variance_components"] = self.variance_components.to_dict(
            orient="records"
        )
        return jsonable(payload)


class _Deviance:
    """lme4's deviance as a function of the variance parameters θ = (vech Ψ, σ²).

    For group j, V_j = Z_j Ψ Z_j' + σ² I. With the cross-products Z_j'Z_j,
    Z_j'X_j and Z_j'y_j, the Woodbury identity gives every term without forming
    V_j: V_j⁻¹ = σ⁻² (I - Z_j M_j Z_j') with M_j = (σ² I + Ψ Z_j'Z_j)⁻¹ Ψ, and
    log|V_j| = (n_j - q) log σ² + log|σ² I + Ψ Z_j'Z_j|. Then

    - ML:   -2ℓ   = N log 2π + Σ log|V_j| + r'V⁻¹r
    - REML: -2ℓ_R = (N - p) log 2π + Σ log|V_j| + log|X'V⁻¹X| + r'V⁻¹r

    with β̂ the GLS estimate and r = y - Xβ̂, lme4's REML criterion and deviance.
    """

    def __init__(self, model: Any, reml: bool, beta: np.ndarray) -> None:
        self.reml = reml
        self.q = model.k_re
        self.p = model.k_fe
        xs, zs = model.exog_li, model.exog_re_li
        # Subtracting Xβ for any β leaves every residual, and so the deviance, the
        # same, but the cross-products of y then hold residuals instead of raw
        # values and cancellation in r'V⁻¹r drops from ~1e-9 to ~1e-12.
        ys = [y - x @ beta for x, y in zip(xs, model.endog_li, strict=True)]
        self.sizes = np.array([len(y) for y in ys], dtype=float)
        self.n = float(self.sizes.sum())
        self.ztz = np.stack([z.T @ z for z in zs])
        self.ztx = np.stack([z.T @ x for z, x in zip(zs, xs, strict=True)])
        self.zty = np.stack([z.T @ y for z, y in zip(zs, ys, strict=True)])
        self.xtx = sum(x.T @ x for x in xs)
        self.xty = sum(x.T @ y for x, y in zip(xs, ys, strict=True))
        self.yty = float(sum(y @ y for y in ys))
        self.lower = np.tril_indices(self.q)

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, float]:
        psi = np.zeros((self.q, self.q))
        psi[self.lower] = theta[:-1]
        psi = psi + np.tril(psi, -1).T
        return psi, float(theta[-1])

    def pack(self, psi: np.ndarray, scale: float) -> np.ndarray:
        return np.append(psi[self.lower], scale)

    def _pieces(self, theta: np.ndarray):
        psi, scale = self.unpack(theta)
        a = scale * np.eye(self.q) + psi @ self.ztz
        m = np.linalg.solve(a, np.broadcast_to(psi, a.shape))
        _, logdet_a = np.linalg.slogdet(a)
        logdet_v = float(np.sum((self.sizes - self.q) * math.log(scale) + logdet_a))
        xvx = (self.xtx - np.einsum("gqp,gqr,grs->ps", self.ztx, m, self.ztx)) / scale
        xvy = (self.xty - np.einsum("gqp,gqr,gr->p", self.ztx, m, self.zty)) / scale
        yvy = (self.yty - np.einsum("gq,gqr,gr->", self.zty, m, self.zty)) / scale
        return xvx, xvy, yvy, logdet_v

    def __call__(self, theta: np.ndarray) -> float:
        _, scale = self.unpack(theta)
        if scale <= 0:
            return math.inf
        xvx, xvy, yvy, logdet_v = self._pieces(theta)
        beta = np.linalg.solve(xvx, xvy)
        quadratic = yvy - float(beta @ xvy)
        if self.reml:
            _, logdet_xvx = np.linalg.slogdet(xvx)
            constant = (self.n - self.p) * math.log(2 * math.pi)
            return constant + logdet_v + logdet_xvx + quadratic
        return self.n * math.log(2 * math.pi) + logdet_v + quadratic

    def fixed_covariance(self, theta: np.ndarray) -> np.ndarray:
        """Var(β̂) = (X'V⁻¹X)⁻¹ at θ, lme4's ``vcov()``."""
        xvx, _, _, _ = self._pieces(theta)
        return np.linalg.inv(xvx)


def _steps(theta: np.ndarray) -> np.ndarray:
    # Covariances can sit near 0, so steps never fall below a share of σ².
    return _STEP * np.maximum(np.abs(theta), 1e-3 * abs(theta[-1]))


def _hessian(function, theta: np.ndarray) -> np.ndarray:
    steps = _steps(theta)
    k = len(theta)
    hessian = np.zeros((k, k))
    centre = function(theta)
    for i in range(k):
        e_i = np.zeros(k)
        e_i[i] = steps[i]
        hessian[i, i] = (function(theta + e_i) - 2 * centre + function(theta - e_i)) / (
            steps[i] ** 2
        )
        for j in range(i):
            e_j = np.zeros(k)
            e_j[j] = steps[j]
            value = (
                function(theta + e_i + e_j)
                - function(theta + e_i - e_j)
                - function(theta - e_i + e_j)
                + function(theta - e_i - e_j)
            ) / (4 * steps[i] * steps[j])
            hessian[i, j] = hessian[j, i] = value
    return hessian


def satterthwaite_df(deviance: _Deviance, theta: np.ndarray) -> np.ndarray:
    r"""Satterthwaite's degrees of freedom of each fixed effect, as in lmerTest.

    For the contrast picking coefficient k, with C(θ) = Var(β̂) and A = 2 H⁻¹ the
    asymptotic covariance of θ̂ (H the Hessian of the deviance at θ̂),

    .. math:: \nu_k = \frac{2\,C_{kk}(\hat\theta)^2}{g_k' A\, g_k},
              \quad g_k = \partial C_{kk} / \partial\theta.

    The result does not depend on how θ is parametrised, so lmerTest's relative
    Cholesky factors and the variances used here give the same ν at the optimum.
    Returns NaN for every coefficient when H is not positive definite (a variance
    on the boundary).
    """
    hessian = _hessian(deviance, theta)
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return np.full(deviance.p, math.nan)
    covariance_theta = 2 * np.linalg.inv(hessian)
    steps = _steps(theta)
    gradients = np.zeros((len(theta), deviance.p))
    for i, step in enumerate(steps):
        e_i = np.zeros(len(theta))
        e_i[i] = step
        upper = np.diag(deviance.fixed_covariance(theta + e_i))
        lower = np.diag(deviance.fixed_covariance(theta - e_i))
        gradients[i] = (upper - lower) / (2 * step)
    variances = np.diag(deviance.fixed_covariance(theta))
    spread = np.einsum("ik,ij,jk->k", gradients, covariance_theta, gradients)
    return 2 * variances**2 / spread


def _variable_names(formula: str) -> list[str]:
    """Names a patsy formula reads from the data: not quoted, not called."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", " ", formula)
    return [
        match.group(0)
        for match in _IDENTIFIER.finditer(unquoted)
        if not re.match(r"\s*\(", unquoted[match.end() :])
    ]


def model_frame(
    df: pd.DataFrame,
    formula: str,
    other_formulas: Iterable[str | None] = (),
    label_columns: Iterable[str] = (),
    error: type[ModelInputError] = ModelInputError,
) -> tuple[pd.DataFrame, int]:
    """Keep the columns the formulas name, numbers as floats, complete rows only.

    A column whose every cell is a number (or missing) becomes float; one with no
    number at all stays text, so patsy treats it as a factor. A column that mixes
    both is a typing error in the file, rejected at its first text cell, and so is
    text in a column of the response. `label_columns` (groups, clusters) are kept
    as they are. Returns the frame and the number of incomplete rows dropped.

    `error` is the exception class raised, called as ``error(code, message,
    **details)`` with the codes ``formula``, ``missing_column`` and ``non_numeric``.
    """
    if "~" not in formula:
        raise error("formula", f"formula {formula!r} has no '~'", formula=formula)
    response = _variable_names(formula.split("~", 1)[0])
    names = list(
        dict.fromkeys(
            name
            for text in (formula, *other_formulas)
            if text
            for name in _variable_names(text)
        )
    )
    labels = list(label_columns)
    absent = [name for name in [*names, *labels] if name not in df.columns]
    if absent:
        raise error(
            "missing_column",
            f"column(s) not found: {', '.join(absent)}; "
            f"columns present: {', '.join(map(str, df.columns))}",
            columns=absent,
            present=[str(column) for column in df.columns],
        )
    data = pd.DataFrame(index=df.index)
    for column in names:
        try:
            data[column] = numeric_columns(df, [column])[column]
        except CfaError as problem:
            has_numbers = pd.to_numeric(df[column], errors="coerce").notna().any()
            if column in response or has_numbers:
                raise error(problem.code, str(problem), **problem.details) from None
            data[column] = _blank_as_missing(df[column])
    for column in labels:
        data[f"_{column}"] = _blank_as_missing(df[column])
    complete = data.dropna()
    return complete, len(data) - len(complete)


def _blank_as_missing(column: pd.Series) -> pd.Series:
    text = column.astype(str).str.strip()
    return column.where(text != "", None)


def _variance_table(
    cov_re: pd.DataFrame, scale: float, groups: str, names: list[str]
) -> pd.DataFrame:
    values = cov_re.to_numpy()
    sds = np.sqrt(np.diag(values))
    records = [
        {
            "grp": groups,
            "var1": name,
            "var2": None,
            "vcov": values[i, i],
            "sdcor": sds[i],
        }
        for i, name in enumerate(names)
    ]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            records.append(
                {
                    "grp": groups,
                    "var1": names[i],
                    "var2": names[j],
                    "vcov": values[i, j],
                    "sdcor": values[i, j] / (sds[i] * sds[j]),
                }
            )
    records.append(
        {
            "grp": "Residual",
            "var1": None,
            "var2": None,
            "vcov": scale,
            "sdcor": math.sqrt(scale),
        }
    )
    return pd.DataFrame.from_records(records)


def fixed_effects_table(
    names: list[str], estimate: np.ndarray, se: np.ndarray, df: np.ndarray
) -> pd.DataFrame:
    """Lay out fixed effects as `MixedResult.fixed_effects`: t on `df`, else normal."""
    statistic = estimate / se
    with np.errstate(invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(statistic), df)
        quantile = np.where(
            np.isfinite(df), stats.t.ppf(0.975, df), stats.norm.ppf(0.975)
        )
    return pd.DataFrame(
        {
            "term": names,
            "estimate": estimate,
            "se": se,
            "statistic": statistic,
            "df": df,
            "p_value": p_value,
            "p_value_z": 2 * stats.norm.sf(np.abs(statistic)),
            "ci_low": estimate - quantile * se,
            "ci_high": estimate + quantile * se,
        }
    )


def fit_mixed(
    df: pd.DataFrame,
    formula: str,
    groups: str,
    re_formula: str | None = None,
    reml: bool = True,
    df_method: str = "satterthwaite",
) -> MixedResult:
    """Fit a linear mixed model, as lme4's ``lmer(formula + (re | groups))``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per observation. Numeric text is read as numbers; rows with a
        missing value in a column the formulas name are dropped.
    formula : str
        Fixed part, patsy syntax: ``"Reaction ~ Days"``.
    groups : str
        Column of the grouping factor.
    re_formula : str, optional
        Random part within each group: ``"~Days"`` for a random intercept and a
        correlated random slope; by default a random intercept only.
    reml : bool
        REML (lme4's default) or maximum likelihood.
    df_method : {"satterthwaite", "none"}
        Degrees of freedom of the t tests; "none" leaves them NaN and the
        intervals normal, for very large data where only z matters.

    Returns
    -------
    MixedResult

    Raises
    ------
    MixedModelError
        ``missing_column``, ``non_numeric`` (with ``row`` and ``column``),
        ``formula`` (patsy could not build the design), ``too_few_groups`` or
        ``df_method``.
    """
    if df_method not in DF_METHODS:
        raise MixedModelError(
            "df_method",
            f"df_method must be one of {', '.join(DF_METHODS)}, not {df_method!r}",
            value=df_method,
        )
    data, dropped = model_frame(
        df, formula, [re_formula], [groups], error=MixedModelError
    )
    n_groups = data[f"_{groups}"].nunique()
    if n_groups < 2:
        raise MixedModelError(
            "too_few_groups",
            f"column {groups} has {n_groups} group(s) among complete rows; "
            "a mixed model needs at least 2",
            found=n_groups,
        )
    try:
        model = smf.mixedlm(formula, data, groups=f"_{groups}", re_formula=re_formula)
    except Exception as error:  # noqa: BLE001
        # patsy raises its own PatsyError, and NameError or SyntaxError from
        # evaluating the formula: all mean a formula the data cannot build.
        raise MixedModelError("formula", str(error), formula=formula) from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(reml=reml)
    messages = list(dict.fromkeys(str(warning.message) for warning in caught))
    for message in messages:
        logger.warning("MixedLM warning for %s: %s", formula, message)
    names = [
        "Intercept" if name == f"_{groups}" else name
        for name in model.data.exog_re_names
    ]
    deviance = _Deviance(model, reml, np.asarray(fit.fe_params, dtype=float))
    theta = deviance.pack(np.asarray(fit.cov_re), float(fit.scale))
    criterion = deviance(theta)
    if df_method == "satterthwaite":
        dfs = satterthwaite_df(deviance, theta)
        if np.isnan(dfs).any():
            messages.append(
                "Satterthwaite df unavailable: the deviance Hessian is not positive "
                "definite (a variance on the boundary)"
            )
    else:
        dfs = np.full(deviance.p, math.nan)
    n_parameters = deviance.p + len(theta)
    return MixedResult(
        formula=formula,
        groups=groups,
        re_formula=re_formula,
        reml=reml,
        n_obs=int(deviance.n),
        n_groups=int(n_groups),
        n_dropped=dropped,
        fixed_effects=fixed_effects_table(
            list(fit.model.exog_names),
            np.asarray(fit.fe_params, dtype=float),
            np.asarray(fit.bse_fe, dtype=float),
            dfs,
        ),
        variance_components=_variance_table(
            fit.cov_re, float(fit.scale), groups, names
        ),
        loglik=-criterion / 2,
        reml_criterion=criterion if reml else math.nan,
        deviance=math.nan if reml else criterion,
        aic=criterion + 2 * n_parameters,
        bic=criterion + n_parameters * math.log(deviance.n),
        df_method=df_method,
        converged=bool(fit.converged),
        warnings=tuple(messages),
    )
