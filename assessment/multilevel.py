"""Linear mixed models with nested random intercepts, fitted from unit sums.

`fit_nested_mixed` fits lme4's ``lmer(y ~ x + (1 | school/class/pupil))``: any
number of nested grouping levels, each with a random intercept, by REML or ML,
with Satterthwaite degrees of freedom as lmerTest computes them. It returns the
`assessment.mixed.MixedResult` that `fit_mixed` returns for two-level models.

statsmodels' MixedLM fits nested intercepts only as variance components inside
one top-level group, with dense per-group matrices: a school of 3 classes and 70
pupils measured 4 times is a 280 x 73 design per evaluation, and a national
programme (1.6 million pupils) does not fit in memory. Nested intercepts need
none of that. For a unit u whose children have the block-diagonal covariance B,
V_u = B + τ² 11', and the Sherman-Morrison formula gives, with r = 1'B⁻¹1 and
t = 1'B⁻¹W for W = [X, y],

    1'V_u⁻¹1 = r / (1 + τ² r),   1'V_u⁻¹W = t / (1 + τ² r),
    W'V_u⁻¹W = W'B⁻¹W - τ² / (1 + τ² r) t't,   log|V_u| = log|B| + log(1 + τ² r).

Starting from the observations (B = σ² I, so r and t are counts and column sums
over σ²) and going up one level at a time, X'V⁻¹X, X'V⁻¹y, y'V⁻¹y and log|V|
come from sums over units: the column sums cost O(N p) once, then each
evaluation of the deviance costs O(U p²) for U units. A pass back down the
levels gives the exact gradient (`NestedDeviance.profiled_gradient`). This is
exact, not an approximation: a national programme's impact analysis of one
skill, with this three-level model of 6.2 million scores and its Satterthwaite
df, takes about 17 s of CPU (see docs/benchmarks.md).

Only random intercepts are supported: a random slope breaks the rank-one update.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from patsy import PatsyError, dmatrices
from scipy import optimize, sparse
from threadpoolctl import threadpool_limits

from assessment.mixed import (
    DF_METHODS,
    MixedModelError,
    MixedResult,
    fixed_effects_table,
    model_frame,
    satterthwaite_df,
)

logger = logging.getLogger(__name__)

# A variance ratio τ²/σ² below this counts as an estimate on the boundary (a
# variance of 0), as lme4 reports when its optimiser stops at θ = 0.
_BOUNDARY = 1e-10
# Outer units of the subsample that gives the starting values of a large fit.
_SUBSAMPLE_UNITS = 200


@dataclass(frozen=True)
class _Units:
    """The nesting of sorted observations: unit boundaries at every level."""

    order: np.ndarray  # sorts the observations by level, outermost first
    starts: list[
        np.ndarray
    ]  # per level (outermost first), first observation of each unit
    offsets: list[
        np.ndarray
    ]  # per level but the innermost, first child unit of each unit


def _nesting(codes: Sequence[np.ndarray]) -> _Units:
    """Sort observations by their level codes and find each level's units.

    A unit of level l is a run of observations that share the codes of levels 0
    to l, so a class number reused in two schools makes two classes, as lme4's
    ``(1 | school/class)`` does.
    """
    order = np.lexsort(tuple(reversed([np.asarray(c) for c in codes])))
    n = len(order)
    new = np.zeros(n, dtype=bool)
    new[0] = True
    starts = []
    for level_codes in codes:
        ordered = np.asarray(level_codes)[order]
        new[1:] |= ordered[1:] != ordered[:-1]
        starts.append(np.flatnonzero(new))
    offsets = [
        np.searchsorted(starts[level + 1], starts[level])
        for level in range(len(codes) - 1)
    ]
    return _Units(order, starts, offsets)


# The fits multiply matrices of a few to a few dozen rows and columns, where
# OpenBLAS threads only add synchronisation: on the 2-core machine shared with
# other jobs, a threaded BLAS made a 9 x 9 Gram product 40 times slower and a
# small impact analysis 0.9 s of wall time against 0.2 s with one thread (numpy
# 2.5 with its bundled OpenBLAS). Functions decorated with this use one thread.
single_blas_thread = threadpool_limits.wrap(limits=1, user_api="blas")


def _gram(rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return Σ_u w_u t_u t_u' for the rows t_u of an n x k array."""
    return (rows * weights[:, None]).T @ rows


def _sum_matrix(parent: np.ndarray, n_parents: int) -> sparse.csr_matrix:
    """Return the sparse 0/1 matrix that sums rows of children into parents."""
    return sparse.csr_matrix(
        (np.ones(len(parent)), (parent, np.arange(len(parent)))),
        shape=(n_parents, len(parent)),
    )


class NestedDeviance:
    """REML or ML deviance of a nested random-intercept model, from unit sums.

    ``variances`` are the random-intercept variances τ², outermost level first;
    the full parameter vector of `__call__` is ``(τ²..., σ²)``, the shape that
    `assessment.mixed.satterthwaite_df` takes. ``y`` enters as residuals from
    the OLS fit ``beta_ols``, which changes no deviance but keeps y'V⁻¹y from
    cancelling to rounding error; `beta` adds it back. Sums of units are rows
    of n x k arrays (k = p + 1, the columns of W = [X, y]).
    """

    def __init__(self, y: np.ndarray, x: np.ndarray, units: _Units, reml: bool):
        self.reml = reml
        self.n, self.p = x.shape
        # W' = [X, r]' with one row per column, so each row is contiguous for the
        # sums below. Any β centres y as well: the normal equations are enough.
        rows = np.empty((self.p + 1, self.n))
        rows[: self.p] = x[units.order].T
        ordered_y = y[units.order]
        design = rows[: self.p]
        self.beta_ols = np.linalg.solve(design @ design.T, design @ ordered_y)
        rows[self.p] = ordered_y - self.beta_ols @ design
        self.gram = rows @ rows.T
        innermost = units.starts[-1]
        lengths = np.diff(np.append(innermost, self.n)).astype(float)
        sums = np.add.reduceat(rows, innermost, axis=1).T
        del rows
        self.n_levels = len(units.starts)
        counts = [len(starts) for starts in units.starts]
        # parents[l][u]: the unit of level l - 1 that contains unit u of level l.
        self.parents = [np.zeros(0, dtype=np.int64)] + [
            np.repeat(
                np.arange(counts[level - 1]),
                np.diff(np.append(units.offsets[level - 1], counts[level])),
            )
            for level in range(1, self.n_levels)
        ]
        # to_parent[l] sums the units of level l into those of level l - 1.
        self.to_parent = [None] + [
            _sum_matrix(self.parents[level], counts[level - 1])
            for level in range(1, self.n_levels - 1)
        ]
        self._group_innermost(lengths, sums, counts)

    def _group_innermost(
        self, lengths: np.ndarray, sums: np.ndarray, counts: list[int]
    ) -> None:
        """Pool innermost units that share a parent and their design rows.

        Pupils of one class observed at the same waves have the same X_j'X_j and
        the same 1'X_j, so their terms of the deviance differ only through the
        sums of their residuals and of their squares: one group stands for all
        of them. With four waves a class has a handful of such groups instead of
        some twenty pupils, which makes each evaluation several times cheaper.
        The pooling is exact; a design with a continuous covariate pools nothing.
        """
        if self.n_levels > 1:
            parent = self.parents[-1]
        else:
            parent = np.zeros(len(lengths), dtype=np.int64)
        key = pd.DataFrame(sums[:, : self.p])
        key.insert(0, "length", lengths)
        key.insert(0, "parent", parent)
        group = key.groupby(list(key.columns), sort=True).ngroup().to_numpy()
        order = np.argsort(group, kind="stable")
        first = np.flatnonzero(np.diff(np.append(-1, group[order])))
        representative = order[first]
        residuals = sums[:, self.p]
        self.size = np.bincount(group).astype(float)
        self.length = lengths[representative]
        self.residual_sum = np.bincount(group, weights=residuals)
        self.residual_square = np.bincount(group, weights=residuals**2)
        self.group_parent = parent[representative]
        # The distinct rows of 1'X_j (a few with an indicator design) and each
        # group's row among them.
        self.patterns, index = np.unique(
            sums[representative, : self.p], axis=0, return_inverse=True
        )
        self.pattern_index = index.reshape(-1)
        self.group_patterns = self.patterns[self.pattern_index]
        n_parents = counts[-2] if self.n_levels > 1 else 1
        self.group_to_parent = _sum_matrix(self.group_parent, n_parents)

    def quadratic(
        self, variances: np.ndarray, scale: float
    ) -> tuple[np.ndarray, float]:
        """Return W'V⁻¹W and log|V| for V = σ² I + Σ τ²_l Z_l Z_l'."""
        q, logdet, _ = self._upward(variances, scale)
        return q, logdet

    def _upward(
        self, variances: np.ndarray, scale: float
    ) -> tuple[np.ndarray, float, list]:
        """Apply the module's rank-one updates from the innermost level up.

        Also returns, for each level but the innermost, the sums r and t of its
        units before their own update and the factors 1 + τ² r, which the
        gradient reuses.
        """
        k = self.p + 1
        correction = np.zeros((k, k))
        logdet = self.n * math.log(scale)
        record: list = [None] * self.n_levels
        # Innermost level, per group of identical units (see _group_innermost).
        tau = float(variances[-1])
        factor = 1 + tau * self.length / scale
        if factor.min() <= 0:
            return correction, math.inf, record
        n_patterns = len(self.patterns)
        if tau != 0:
            weight = tau / factor / scale**2
            by_pattern = np.bincount(
                self.pattern_index, weights=weight * self.size, minlength=n_patterns
            )
            correction[: self.p, : self.p] = self.patterns.T @ (
                self.patterns * by_pattern[:, None]
            )
            cross = self.patterns.T @ np.bincount(
                self.pattern_index,
                weights=weight * self.residual_sum,
                minlength=n_patterns,
            )
            correction[: self.p, self.p] = cross
            correction[self.p, : self.p] = cross
            correction[self.p, self.p] = float(weight @ self.residual_square)
            logdet += float(self.size @ np.log(factor))
        if self.n_levels == 1:
            return self.gram / scale - correction, logdet, record
        shrink = self.size / (scale * factor)
        r = self.group_to_parent @ (shrink * self.length)
        t = np.empty((len(r), k))
        t[:, : self.p] = self.group_to_parent @ (self.group_patterns * shrink[:, None])
        t[:, self.p] = self.group_to_parent @ (self.residual_sum / (scale * factor))
        for level in range(self.n_levels - 2, -1, -1):
            if level < self.n_levels - 2:
                r = self.to_parent[level + 1] @ r
                t = self.to_parent[level + 1] @ t
            tau = float(variances[level])
            factor = 1 + tau * r
            record[level] = (r, t, factor)
            if tau == 0:
                continue
            if factor.min() <= 0:
                return correction, math.inf, record
            correction += _gram(t, tau / factor)
            logdet += float(np.log(factor).sum())
            r = r / factor
            t = t / factor[:, None]
        return self.gram / scale - correction, logdet, record

    def _descend(
        self,
        level: int,
        ratios: np.ndarray,
        record: list,
        own: tuple[np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Carry 1'H⁻¹1 and 1'H⁻¹W of the units of `level` up to all of H.

        `own` holds both within each unit's own block. At each ancestor P with
        sums r_P, t_P before its update, H_P⁻¹ = B⁻¹ - κ B⁻¹11'B⁻¹ with
        κ = γ_P / (1 + γ_P r_P), so with s = 1_u'B⁻¹1 (the unit's row sum within
        the block below P), a -= κ s², v -= κ s t_P and s /= 1 + γ_P r_P.
        """
        a, v = own
        a, v, s = a.copy(), v.copy(), a.copy()
        ancestors = np.arange(len(a))
        for ancestor in range(level - 1, -1, -1):
            parents = (
                self.group_parent
                if level == self.n_levels - 1 and ancestor == level - 1
                else self.parents[ancestor + 1]
            )
            ancestors = parents[ancestors]
            _, t_pre, factor = record[ancestor]
            kappa = ratios[ancestor] / factor[ancestors]
            a -= kappa * s**2
            v -= (kappa * s)[:, None] * t_pre[ancestors]
            s /= factor[ancestors]
        return a, v

    def profiled_gradient(self, ratios: np.ndarray) -> tuple[float, np.ndarray]:
        """Return `profiled` and its gradient in γ, from one pass up and down.

        With A = X'H⁻¹X, β̂ its GLS solution and, for each unit u of level l,
        a_u = 1_u'H⁻¹1_u, b_u = X'H⁻¹1_u and c_u = 1_u'H⁻¹(y - Xβ̂),

            ∂D/∂γ_l = Σ_u a_u - Σ_u b_u'A⁻¹b_u - (N - p) / rss Σ_u c_u²

        for REML (tr(H⁻¹ZZ'), the change of log|A| and of the profiled rss),
        without the middle term and with N for ML.
        """
        q, logdet, record = self._upward(ratios, 1.0)
        gradient = np.zeros(self.n_levels)
        if not math.isfinite(logdet):
            return math.inf, gradient
        p = self.p
        xvx, xvy, yvy = q[:p, :p], q[:p, p], q[p, p]
        try:
            chol = np.linalg.cholesky(xvx)
        except np.linalg.LinAlgError:
            return math.inf, gradient
        inverse = np.linalg.inv(xvx)
        beta = inverse @ xvy
        rss = float(yvy - beta @ xvy)
        if rss <= 0:
            return math.inf, gradient
        dof = self.n - p if self.reml else self.n
        value = logdet + dof * (1 + math.log(2 * math.pi * rss / dof))
        if self.reml:
            value += 2.0 * float(np.log(np.diag(chol)).sum())
        for level in range(self.n_levels - 1):
            r_pre, t_pre, factor = record[level]
            own = (r_pre / factor, t_pre / factor[:, None])
            a, v = self._descend(level, ratios, record, own)
            b, c = v[:, :p], v[:, p] - v[:, :p] @ beta
            gradient[level] = a.sum() - dof / rss * float(c @ c)
            if self.reml:
                gradient[level] -= float(((b @ inverse) * b).sum())
        # Innermost level: every unit of a group has the same a and b, and its c
        # is its own residual sum over its factor plus the group's shift.
        factor = 1 + ratios[-1] * self.length
        own_v = np.zeros((len(factor), p + 1))
        own_v[:, :p] = self.group_patterns / factor[:, None]
        a, v = self._descend(
            self.n_levels - 1, ratios, record, (self.length / factor, own_v)
        )
        b = v[:, :p]
        shift = v[:, p] - b @ beta
        squares = (
            self.residual_square / factor**2
            + 2 * shift * self.residual_sum / factor
            + self.size * shift**2
        )
        gradient[-1] = float(self.size @ a) - dof / rss * float(squares.sum())
        if self.reml:
            spread = ((b @ inverse) * b).sum(axis=1)
            gradient[-1] -= float(self.size @ spread)
        return value, gradient

    def _solve(self, variances: np.ndarray, scale: float):
        q, logdet = self.quadratic(variances, scale)
        xvx, xvy, yvy = q[: self.p, : self.p], q[: self.p, self.p], q[self.p, self.p]
        chol = np.linalg.cholesky(xvx)
        beta = np.linalg.solve(xvx, xvy)
        logdet_xvx = 2.0 * float(np.log(np.diag(chol)).sum())
        return beta, float(yvy - beta @ xvy), logdet, logdet_xvx, xvx

    def profiled(self, ratios: np.ndarray) -> float:
        """Deviance profiled over σ², in the variance ratios γ = τ²/σ².

        lme4 optimises θ = τ/σ, where every θ = 0 is a stationary point (the
        deviance depends on θ²), so a gradient-based optimiser stepping onto
        θ = 0 would stop there. In γ the slope at 0 shows whether the minimum
        is inside. A small negative γ stays defined while V is positive
        definite, so finite differences at γ = 0 need no special case.
        """
        try:
            _, rss, logdet, logdet_xvx, _ = self._solve(ratios, 1.0)
        except np.linalg.LinAlgError:
            return math.inf
        if rss <= 0 or not math.isfinite(logdet):
            return math.inf
        if self.reml:
            dof = self.n - self.p
            return logdet + logdet_xvx + dof * (1 + math.log(2 * math.pi * rss / dof))
        return logdet + self.n * (1 + math.log(2 * math.pi * rss / self.n))

    def scale(self, ratios: np.ndarray) -> float:
        """σ² at variance ratios γ: the profiled estimate."""
        _, rss, _, _, _ = self._solve(ratios, 1.0)
        return rss / (self.n - self.p if self.reml else self.n)

    def __call__(self, parameters: np.ndarray) -> float:
        variances, scale = parameters[:-1], float(parameters[-1])
        if scale <= 0 or (variances < 0).any():
            return math.inf
        _, quadratic, logdet, logdet_xvx, _ = self._solve(variances, scale)
        if self.reml:
            constant = (self.n - self.p) * math.log(2 * math.pi)
            return constant + logdet + logdet_xvx + quadratic
        return self.n * math.log(2 * math.pi) + logdet + quadratic

    def beta(self, parameters: np.ndarray) -> np.ndarray:
        """GLS fixed effects at ``(τ²..., σ²)``."""
        beta, _, _, _, _ = self._solve(parameters[:-1], float(parameters[-1]))
        return self.beta_ols + beta

    def fixed_covariance(self, parameters: np.ndarray) -> np.ndarray:
        """Var(β̂) = (X'V⁻¹X)⁻¹ at ``(τ²..., σ²)``."""
        _, _, _, _, xvx = self._solve(parameters[:-1], float(parameters[-1]))
        return np.linalg.inv(xvx)


class _Interior:
    """The deviance as a function of the parameters off the boundary only.

    A variance estimated at 0 sits where the deviance is not differentiable in
    τ². lmerTest differentiates in θ = τ/σ, where the derivative of Var(β̂) in a
    θ at 0 is 0, so such a variance adds nothing to Satterthwaite's
    denominator: leaving it out at 0 gives lmerTest's df.
    """

    def __init__(self, deviance: NestedDeviance, parameters: np.ndarray, keep):
        self.deviance = deviance
        self.parameters = parameters
        self.keep = keep
        self.p = deviance.p

    def _full(self, subset: np.ndarray) -> np.ndarray:
        full = self.parameters.copy()
        full[self.keep] = subset
        return full

    def __call__(self, subset: np.ndarray) -> float:
        return self.deviance(self._full(subset))

    def fixed_covariance(self, subset: np.ndarray) -> np.ndarray:
        return self.deviance.fixed_covariance(self._full(subset))


def _optimise(
    deviance: NestedDeviance, start: np.ndarray
) -> tuple[np.ndarray, bool, str]:
    """Minimise the profiled deviance over γ ≥ 0 by L-BFGS-B from `start`.

    The gradient is exact, but its rounding error grows with the sums it adds
    (of the order of N), so the gradient tolerance does too.
    """
    result = optimize.minimize(
        deviance.profiled_gradient,
        start,
        method="L-BFGS-B",
        jac=True,
        bounds=[(0.0, None)] * len(start),
        options={
            "ftol": 1e-15,
            "gtol": max(1e-8, 1e-11 * deviance.n),
            "maxiter": 1000,
        },
    )
    ratios = np.where(result.x < _BOUNDARY, 0.0, result.x)
    # L-BFGS-B stops with ABNORMAL when its line search cannot improve on the
    # rounding error of the deviance, which at the optimum is success.
    converged = bool(result.success) or "ABNORMAL" in str(result.message)
    return ratios, converged, str(result.message)


def _start(
    y: np.ndarray, x: np.ndarray, codes: Sequence[np.ndarray], reml: bool
) -> np.ndarray:
    """Start from γ = 1, as lme4 does, or from a fit to a subsample of outer units.

    With many outer units (schools), a fit to every k-th of them, some
    `_SUBSAMPLE_UNITS` in all, lands near the full optimum at a fraction of the
    cost, so the full fit needs a few iterations instead of dozens.
    """
    outer = pd.factorize(codes[0])[0]
    n_outer = int(outer.max()) + 1
    if n_outer < 2 * _SUBSAMPLE_UNITS:
        return np.ones(len(codes))
    keep = outer % (n_outer // _SUBSAMPLE_UNITS) == 0
    subset = NestedDeviance(
        y[keep], x[keep], _nesting([code[keep] for code in codes]), reml
    )
    ratios, _, _ = _optimise(subset, np.ones(len(codes)))
    # A variance at 0 in the subsample may not be 0 in the full data.
    return np.maximum(ratios, 1e-3)


def _variance_table(
    levels: Sequence[str], variances: np.ndarray, scale: float
) -> pd.DataFrame:
    records = [
        {
            "grp": level,
            "var1": "Intercept",
            "var2": None,
            "vcov": float(variance),
            "sdcor": math.sqrt(variance),
        }
        for level, variance in zip(levels, variances, strict=True)
    ]
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


@single_blas_thread
def fit_nested_matrices(
    y: np.ndarray,
    x: np.ndarray,
    names: Sequence[str],
    codes: Sequence[np.ndarray],
    levels: Sequence[str],
    reml: bool = True,
    df_method: str = "satterthwaite",
    formula: str = "",
    n_dropped: int = 0,
) -> MixedResult:
    """Fit nested random intercepts to a response and a design matrix.

    `fit_nested_mixed` builds the design from a formula and calls this; a caller
    with millions of rows builds its own design and skips patsy.

    Parameters
    ----------
    y : numpy.ndarray
        Response, one value per observation, no NaN.
    x : numpy.ndarray
        Fixed-effects design, observations by coefficients, of full column rank.
    names : sequence of str
        Coefficient names, one per column of `x`.
    codes : sequence of numpy.ndarray
        One integer (or sortable) code per observation for each level,
        outermost first, in the order of `levels`.
    levels : sequence of str
        Names of the levels, outermost first: ``("school", "class", "pupil")``.
    reml, df_method
        As in `assessment.mixed.fit_mixed`.

    Raises
    ------
    MixedModelError
        ``df_method``, ``too_few_groups`` (a level with fewer than 2 units) or
        ``rank`` (a design without full column rank).
    """
    if df_method not in DF_METHODS:
        raise MixedModelError(
            "df_method",
            f"df_method must be one of {', '.join(DF_METHODS)}, not {df_method!r}",
            value=df_method,
        )
    if np.linalg.matrix_rank(x.T @ x) < x.shape[1]:
        raise MixedModelError(
            "rank",
            "the fixed-effects design is not of full column rank: drop a redundant "
            "term or a level with no observation",
            terms=list(names),
        )
    units = _nesting(codes)
    counts = [len(starts) for starts in units.starts]
    for level, count in zip(levels, counts, strict=True):
        if count < 2:
            raise MixedModelError(
                "too_few_groups",
                f"level {level} has {count} unit(s); a random intercept needs at "
                "least 2",
                level=level,
                found=count,
            )
    y, x = np.asarray(y, float), np.asarray(x, float)
    deviance = NestedDeviance(y, x, units, reml)
    ratios, converged, message = _optimise(deviance, _start(y, x, codes, reml))
    messages = [] if converged else [f"the optimiser did not converge: {message}"]
    if not converged:
        logger.warning("Nested mixed model %s did not converge: %s", formula, message)
    scale = deviance.scale(ratios)
    parameters = np.append(ratios * scale, scale)
    criterion = deviance(parameters)
    beta = deviance.beta(parameters)
    se = np.sqrt(np.diag(deviance.fixed_covariance(parameters)))
    if df_method == "satterthwaite":
        keep = np.append(ratios > 0, True)
        interior = _Interior(deviance, parameters, keep)
        dfs = satterthwaite_df(interior, parameters[keep])  # type: ignore[arg-type]
        if np.isnan(dfs).any():
            messages.append(
                "Satterthwaite df unavailable: the deviance Hessian is not positive "
                "definite"
            )
    else:
        dfs = np.full(deviance.p, math.nan)
    on_boundary = [
        level for level, value in zip(levels, ratios, strict=True) if value == 0
    ]
    if on_boundary:
        messages.append(
            "random-intercept variance estimated at 0 (boundary fit) for: "
            + ", ".join(on_boundary)
        )
    n_parameters = deviance.p + len(parameters)
    return MixedResult(
        formula=formula,
        groups="/".join(levels),
        re_formula=None,
        reml=reml,
        n_obs=deviance.n,
        n_groups=counts[0],
        n_dropped=n_dropped,
        fixed_effects=fixed_effects_table(list(names), beta, se, dfs),
        variance_components=_variance_table(levels, parameters[:-1], scale),
        loglik=-criterion / 2,
        reml_criterion=criterion if reml else math.nan,
        deviance=math.nan if reml else criterion,
        aic=criterion + 2 * n_parameters,
        bic=criterion + n_parameters * math.log(deviance.n),
        df_method=df_method,
        converged=converged,
        warnings=tuple(messages),
        levels=tuple(zip(levels, counts, strict=True)),
    )


def fit_nested_mixed(
    df: pd.DataFrame,
    formula: str,
    levels: Sequence[str],
    reml: bool = True,
    df_method: str = "satterthwaite",
) -> MixedResult:
    """Fit ``lmer(formula + (1 | level1/level2/...))`` by REML or ML.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per observation. Rows with a missing value in a column the
        formula or the levels name are dropped.
    formula : str
        Fixed part, patsy syntax: ``"score ~ C(arm) * C(wave)"``.
    levels : sequence of str
        Grouping columns, outermost first: ``("school", "class", "pupil")``.
        Units are nested by construction: class 1 of school A and class 1 of
        school B are two classes.
    reml : bool
        REML (lme4's default) or maximum likelihood.
    df_method : {"satterthwaite", "none"}
        Degrees of freedom of the t tests, as in `assessment.mixed.fit_mixed`.

    Returns
    -------
    MixedResult
        ``variance_components`` has one row per level (``grp`` the level,
        ``var1`` ``Intercept``) and the residual; ``levels`` the number of units
        of each level; ``n_groups`` that of the outermost level.

    Raises
    ------
    MixedModelError
        ``missing_column``, ``non_numeric``, ``formula``, ``too_few_groups``,
        ``rank`` or ``df_method``.
    """
    levels = list(levels)
    if not levels:
        raise MixedModelError("levels", "give at least one grouping level")
    data, dropped = model_frame(
        df, formula, label_columns=levels, error=MixedModelError
    )
    try:
        response, design = dmatrices(formula, data, return_type="dataframe")
    except (PatsyError, NameError, SyntaxError) as error:
        raise MixedModelError("formula", str(error), formula=formula) from None
    codes = [pd.factorize(data[f"_{level}"])[0] for level in levels]
    return fit_nested_matrices(
        response.to_numpy()[:, 0],
        design.to_numpy(),
        list(design.columns),
        codes,
        levels,
        reml=reml,
        df_method=df_method,
        formula=formula,
        n_dropped=dropped,
    )
