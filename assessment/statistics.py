"""Reliability and descriptive statistics for questionnaire scales.

Every function takes a tidy data frame with one row per respondent and one numeric
column per item (missing answers as NaN) and returns a tidy data frame with stable
column names. Nothing is rounded here: round only when displaying.

This module does not import Django, so the `iota score` command, the report pages and
a researcher's notebook compute the same numbers. A statistic that the data cannot
support raises `InsufficientDataError`, whose `code` says why, so that callers can
show a sentence instead of a number.
"""

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

MissingRule = Literal["pairwise", "listwise"]
MISSING_RULES: tuple[MissingRule, ...] = ("pairwise", "listwise")

# Cronbach's alpha needs a covariance between at least two items, estimated from more
# than two respondents.
ALPHA_MIN_ITEMS = 2
ALPHA_MIN_COMPLETE_ROWS = 3
# A one-factor model is identified from three indicators on, and its maximum
# likelihood fit needs more complete rows than items for a non-singular covariance.
OMEGA_MIN_ITEMS = 3

# Lower bound of a uniqueness in the correlation metric during the fit. A solution
# that reaches it is a Heywood case (an item explained entirely by the factor).
_MIN_UNIQUENESS = 1e-6


class InsufficientDataError(ValueError):
    """A statistic that the data given cannot support.

    Attributes
    ----------
    code : str
        Stable reason: ``too_few_items``, ``too_few_rows``, ``too_few_pairs``,
        ``no_variance`` or ``not_converged``.
    needed, found : int or None
        The minimum the statistic needs and what the data has, where it is a count.
    """

    def __init__(
        self,
        code: str,
        message: str,
        needed: int | None = None,
        found: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.needed = needed
        self.found = found


def _numeric_items(df: pd.DataFrame) -> pd.DataFrame:
    non_numeric = [
        str(column)
        for column in df.columns
        if not pd.api.types.is_numeric_dtype(df[column])
    ]
    if non_numeric:
        raise TypeError(
            "item columns must be numeric; convert or drop: " + ", ".join(non_numeric)
        )
    # A row without a single answer is not a respondent: it would only inflate n.
    return df.astype(float).dropna(axis=0, how="all")


def _check_missing_rule(missing: str) -> None:
    if missing not in MISSING_RULES:
        raise ValueError(
            f"missing must be 'pairwise' or 'listwise', not {missing!r}",
        )


def _check_level(ci: float) -> None:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be strictly between 0 and 1, not {ci!r}")


def cronbach_alpha(
    df: pd.DataFrame, missing: MissingRule = "pairwise", ci: float = 0.95
) -> pd.DataFrame:
    r"""Compute Cronbach's alpha with its Feldt confidence interval.

    .. math::

        \alpha = \frac{k}{k - 1}
                 \left(1 - \frac{\sum_i s_{ii}}{\sum_i \sum_j s_{ij}}\right)

    where :math:`s_{ij}` is the sample covariance (divisor :math:`n - 1`) of items
    :math:`i` and :math:`j` and :math:`k` the number of items. Under the ``pairwise``
    rule each covariance uses every row where both items are answered; under
    ``listwise`` only the rows where every item is answered.

    The interval is Feldt's, from the F distribution with
    :math:`d_1 = n - 1` and :math:`d_2 = (n - 1)(k - 1)` degrees of freedom:

    .. math::

        \left[1 - (1 - \alpha) F^{-1}_{1 - \gamma/2}(d_1, d_2),\;
              1 - (1 - \alpha) F^{-1}_{\gamma/2}(d_1, d_2)\right],
        \quad \gamma = 1 - \text{ci}.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one numeric column per item, NaN for a missing
        answer. Rows without any answer are dropped.
    missing : {"pairwise", "listwise"}
        How covariances treat missing answers.
    ci : float
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``alpha``, ``ci_low``, ``ci_high``, ``ci_level``,
        ``n`` (rows with at least one answer, used for the interval), ``n_complete``
        (rows with every item answered), ``k`` and ``missing``.

    Raises
    ------
    InsufficientDataError
        With fewer than 2 items, fewer than 3 complete rows, a pair of items answered
        together by fewer than 2 respondents, or no variance in the total.

    Notes
    -----
    The interval uses ``n``, the number of respondents, under both rules, as
    R's ``psych::alpha`` (2.2.9) and Pingouin 0.7.0 do: their published values on
    Pingouin's ``cronbach_wide_missing`` data set are reproduced only that way.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

    The same values: ``psych::alpha(x, use = "pairwise")`` and
    ``psych::alpha(x, use = "complete.obs")``, reading ``$total$raw_alpha`` and
    ``$feldt``.
    """
    _check_missing_rule(missing)
    _check_level(ci)
    items = _numeric_items(df)
    n, k = items.shape
    n_complete = int(items.notna().all(axis=1).sum())
    if k < ALPHA_MIN_ITEMS:
        raise InsufficientDataError(
            "too_few_items",
            f"alpha needs at least {ALPHA_MIN_ITEMS} items, got {k}",
            needed=ALPHA_MIN_ITEMS,
            found=k,
        )
    if n_complete < ALPHA_MIN_COMPLETE_ROWS:
        raise InsufficientDataError(
            "too_few_rows",
            f"alpha needs at least {ALPHA_MIN_COMPLETE_ROWS} rows with every item "
            f"answered, got {n_complete}",
            needed=ALPHA_MIN_COMPLETE_ROWS,
            found=n_complete,
        )

    used = items.dropna(axis=0, how="any") if missing == "listwise" else items
    covariance = used.cov(min_periods=2).to_numpy()
    if np.isnan(covariance).any():
        raise InsufficientDataError(
            "too_few_pairs",
            "a pair of items was answered together by fewer than 2 respondents",
        )
    total_variance = float(covariance.sum())
    if total_variance <= 0:
        raise InsufficientDataError(
            "no_variance", "the total of the items has no variance"
        )
    alpha = k / (k - 1) * (1 - float(np.trace(covariance)) / total_variance)

    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1 - ci) / 2
    ci_low = 1 - (1 - alpha) * float(stats.f.isf(tail, df1, df2))
    ci_high = 1 - (1 - alpha) * float(stats.f.isf(1 - tail, df1, df2))
    return pd.DataFrame(
        {
            "alpha": [alpha],
            "ci_low": [ci_low],
            "ci_high": [ci_high],
            "ci_level": [ci],
            "n": [n],
            "n_complete": [n_complete],
            "k": [k],
            "missing": [missing],
        }
    )


def _one_factor_objective(
    params: np.ndarray, correlation: np.ndarray
) -> tuple[float, np.ndarray]:
    """ML discrepancy log|Σ| + tr(RΣ⁻¹) of Σ = λλᵀ + diag(ψ), and its gradient."""
    k = correlation.shape[0]
    loadings, uniquenesses = params[:k], params[k:]
    implied = np.outer(loadings, loadings) + np.diag(uniquenesses)
    sign, log_det = np.linalg.slogdet(implied)
    if sign <= 0:
        return math.inf, np.zeros_like(params)
    inverse = np.linalg.inv(implied)
    value = log_det + float(np.trace(correlation @ inverse))
    # dF/dΣ = Σ⁻¹ − Σ⁻¹ R Σ⁻¹, so dF/dλ = 2 (dF/dΣ) λ and dF/dψᵢ = (dF/dΣ)ᵢᵢ.
    gradient_sigma = inverse - inverse @ correlation @ inverse
    gradient = np.concatenate([2 * gradient_sigma @ loadings, np.diag(gradient_sigma)])
    return value, gradient


def fit_one_factor(df: pd.DataFrame) -> pd.DataFrame:
    r"""Fit a one-factor model by maximum likelihood on the complete rows.

    The model is :math:`\Sigma = \lambda \lambda^\top + \operatorname{diag}(\theta)`
    with the factor variance fixed to 1. The fit minimises the ML discrepancy
    :math:`\log|\Sigma| + \operatorname{tr}(S \Sigma^{-1})` for the sample
    covariance :math:`S` with divisor :math:`n`, as lavaan's default estimator does.
    It runs on the correlation matrix and rescales the estimates, which gives the same
    solution because the ML fit is scale invariant and the optimiser behaves better.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one numeric column per item. Rows with a missing
        answer are dropped (listwise).

    Returns
    -------
    pandas.DataFrame
        One row per item with columns ``item``, ``loading`` and ``uniqueness`` (the
        residual variance :math:`\theta`), in the items' units. Loadings are
        oriented so that their sum is positive. ``df.attrs`` contains ``n``,
        ``converged`` and ``heywood`` (some uniqueness at its lower bound).

    Raises
    ------
    InsufficientDataError
        With fewer than 3 items, no more complete rows than items, an item without
        variance, or an optimiser that does not converge.

    References
    ----------
    Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
    Psychometrika, 32(4), 443-482.

    The same estimates: ``lavaan::cfa("f =~ x1 + x2 + x3", data, std.lv = TRUE)``.
    """
    items = _numeric_items(df).dropna(axis=0, how="any")
    n, k = items.shape
    if k < OMEGA_MIN_ITEMS:
        raise InsufficientDataError(
            "too_few_items",
            f"a one-factor model needs at least {OMEGA_MIN_ITEMS} items, got {k}",
            needed=OMEGA_MIN_ITEMS,
            found=k,
        )
    if n <= k:
        raise InsufficientDataError(
            "too_few_rows",
            f"a one-factor model of {k} items needs at least {k + 1} rows with every "
            f"item answered, got {n}",
            needed=k + 1,
            found=n,
        )
    covariance = items.cov(ddof=0).to_numpy()
    scale = np.sqrt(np.diag(covariance))
    if (scale <= 0).any():
        raise InsufficientDataError(
            "no_variance", "an item has the same answer in every complete row"
        )
    correlation = covariance / np.outer(scale, scale)

    # Start from the first principal component, the usual starting point.
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    start_loadings = eigenvectors[:, -1] * math.sqrt(max(eigenvalues[-1], 0.0))
    start_uniquenesses = np.clip(1 - start_loadings**2, 0.1, 1.0)
    bounds = [(None, None)] * k + [(_MIN_UNIQUENESS, None)] * k
    result = optimize.minimize(
        _one_factor_objective,
        np.concatenate([start_loadings, start_uniquenesses]),
        args=(correlation,),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-10},
    )
    if not result.success:
        raise InsufficientDataError(
            "not_converged",
            f"the one-factor fit did not converge: {result.message}",
        )
    loadings = result.x[:k] * scale
    uniquenesses = result.x[k:] * scale**2
    if loadings.sum() < 0:
        loadings = -loadings
    fitted = pd.DataFrame(
        {
            "item": [str(column) for column in items.columns],
            "loading": loadings,
            "uniqueness": uniquenesses,
        }
    )
    fitted.attrs.update(
        n=n,
        converged=bool(result.success),
        heywood=bool((result.x[k:] <= _MIN_UNIQUENESS * 1.0001).any()),
    )
    return fitted


def mcdonald_omega(df: pd.DataFrame) -> pd.DataFrame:
    r"""Compute McDonald's omega total from a one-factor maximum likelihood fit.

    .. math::

        \omega = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i}

    with loadings :math:`\lambda_i` and residual variances :math:`\theta_i` from
    `fit_one_factor` (factor variance fixed to 1, complete rows only). The
    denominator is the model-implied variance of the unweighted sum of the items.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one numeric column per item.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``omega``, ``n`` (complete rows used), ``k`` and
        ``heywood`` (True when an item's residual variance reached its lower bound,
        which makes omega an overestimate).

    Raises
    ------
    InsufficientDataError
        As `fit_one_factor` does.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum, chapter 6.

    The same value: ``semTools::compRelSEM(lavaan::cfa("f =~ x1 + x2 + x3", data,
    std.lv = TRUE), obs.var = FALSE)``.
    """
    fitted = fit_one_factor(df)
    common = float(fitted["loading"].sum()) ** 2
    omega = common / (common + float(fitted["uniqueness"].sum()))
    return pd.DataFrame(
        {
            "omega": [omega],
            "n": [fitted.attrs["n"]],
            "k": [len(fitted)],
            "heywood": [fitted.attrs["heywood"]],
        }
    )


def describe_scores(scores: pd.Series) -> pd.DataFrame:
    """Summarise scale scores: count, mean, standard deviation (divisor n - 1), range.

    Parameters
    ----------
    scores : pandas.Series
        One score per respondent; NaN (no score) is left out.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``n``, ``mean``, ``sd``, ``min`` and ``max``; ``mean``
        is NaN without scores and ``sd`` NaN with fewer than two.
    """
    present = scores.dropna().astype(float)
    n = len(present)
    return pd.DataFrame(
        {
            "n": [n],
            "mean": [float(present.mean()) if n else math.nan],
            "sd": [float(present.std(ddof=1)) if n >= 2 else math.nan],
            "min": [float(present.min()) if n else math.nan],
            "max": [float(present.max()) if n else math.nan],
        }
    )


def participation(completed: int, enrolled: int) -> float:
    """Return the share of enrolled pupils who completed; NaN with nobody enrolled."""
    if completed < 0 or enrolled < 0:
        raise ValueError(
            f"counts must not be negative: completed={completed}, enrolled={enrolled}"
        )
    return completed / enrolled if enrolled else math.nan


def _alpha_if_deleted(items: pd.DataFrame, item: str, missing: MissingRule) -> float:
    try:
        rest = cronbach_alpha(items.drop(columns=[item]), missing=missing)
    except InsufficientDataError:
        return math.nan
    return float(rest.at[0, "alpha"])


def item_statistics(
    df: pd.DataFrame, missing: MissingRule = "pairwise"
) -> pd.DataFrame:
    """Describe each item: answers, mean, SD, item-rest correlation, alpha if deleted.

    The item-rest correlation is the Pearson correlation of the item with the sum of
    the other items, over the complete rows (the corrected item-total correlation).
    Alpha if deleted is `cronbach_alpha` without the item, under `missing`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one numeric column per item.
    missing : {"pairwise", "listwise"}
        Missing-data rule for alpha if deleted.

    Returns
    -------
    pandas.DataFrame
        One row per item with columns ``item``, ``n``, ``mean``, ``sd``,
        ``item_rest_r`` and ``alpha_if_deleted``; NaN where the data cannot
        support the value.
    """
    _check_missing_rule(missing)
    items = _numeric_items(df)
    complete = items.dropna(axis=0, how="any")
    rows = []
    for column in items.columns:
        answered = items[column].dropna()
        rest = complete.drop(columns=[column]).sum(axis=1)
        item_rest_r = math.nan
        if (
            len(complete) >= ALPHA_MIN_COMPLETE_ROWS
            and len(items.columns) >= 2
            and complete[column].std() > 0
            and rest.std() > 0
        ):
            item_rest_r = float(complete[column].corr(rest))
        rows.append(
            {
                "item": str(column),
                "n": len(answered),
                "mean": float(answered.mean()) if len(answered) else math.nan,
                "sd": float(answered.std(ddof=1)) if len(answered) >= 2 else math.nan,
                "item_rest_r": item_rest_r,
                "alpha_if_deleted": _alpha_if_deleted(items, column, missing),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["item", "n", "mean", "sd", "item_rest_r", "alpha_if_deleted"],
    )


def select_items(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Return the columns `items` of `df`; raise KeyError naming any absent one."""
    absent = [item for item in items if item not in df.columns]
    if absent:
        raise KeyError(
            "items not in the data: "
            + ", ".join(absent)
            + "; columns present: "
            + ", ".join(str(column) for column in df.columns)
        )
    return df.loc[:, list(items)]
