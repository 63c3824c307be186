"""Cluster-robust OLS and the wild cluster bootstrap, from cell sums.

When every regressor is constant within cells (here: a class at a wave, whose
arm and wave fix the design row), OLS and its cluster-robust covariance need only
each cell's design row, its number of observations n_c and the sum of its
outcomes: X'X = Σ n_c x_c x_c', X'y = Σ x_c Σy_c, and the score of cluster g is
X_g'û_g = Σ_{c in g} x_c (Σy_c - n_c x_c'β̂). This is the same arithmetic as
the regression on individual rows, so the estimate, CR1 standard error and
bootstrap below equal those of ``lm(y ~ ...)`` with ``sandwich::vcovCL`` to
rounding, at the cost of one row per cell instead of one per pupil.

`ClusteredCells.bootstrap` is the restricted wild cluster bootstrap-t (WCR) of
Cameron, Gelbach and Miller (2008), as R's fwildclusterboot runs it by default:
the null is imposed, the residuals of each cluster are multiplied by one weight
(Rademacher ±1, or Webb's six-point weights), the p-value is the share of
bootstrap |t| at least the observed |t|, and the interval is the set of null
values the test does not reject, found by bisection with the same weights. With
Rademacher weights and 2^G no more than the replications asked for, every sign
vector is enumerated, so the result is exact and needs no seed.
"""

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

WeightType = Literal["rademacher", "webb"]
WEIGHT_TYPES: tuple[WeightType, ...] = ("rademacher", "webb")
_WEBB = np.sqrt(np.array([0.5, 1.0, 1.5]))
# Bisection of the interval bounds stops when the bracket is this share of the
# CR1 standard error: far below any digit a report prints.
_BOUND_TOLERANCE = 1e-6


@dataclass(frozen=True)
class CoefficientTest:
    """A coefficient with its CR1 standard error, t test on G - 1 df and 95 % CI."""

    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class BootstrapTest:
    """The wild cluster bootstrap-t of one coefficient.

    ``replications`` is the number of weight vectors used (2^G when
    ``enumerated``), ``seed`` None when enumeration made the draw deterministic.
    """

    p_value: float
    ci_low: float
    ci_high: float
    weights: str
    replications: int
    enumerated: bool
    seed: int | None
    level: float


class ClusteredCells:
    """OLS on cells that carry a count and an outcome sum, clustered by `clusters`.

    Parameters
    ----------
    design : numpy.ndarray
        One row per cell, one column per coefficient.
    counts, sums : numpy.ndarray
        Observations and outcome sum of each cell.
    clusters : numpy.ndarray
        Cluster code of each cell, 0 to G - 1.
    """

    def __init__(
        self,
        design: np.ndarray,
        counts: np.ndarray,
        sums: np.ndarray,
        clusters: np.ndarray,
    ) -> None:
        self.design = np.asarray(design, dtype=float)
        self.counts = np.asarray(counts, dtype=float)
        self.sums = np.asarray(sums, dtype=float)
        self.clusters = np.asarray(clusters, dtype=np.int64)
        self.n_clusters = int(self.clusters.max()) + 1
        self.n_obs = int(self.counts.sum())
        self.k = self.design.shape[1]
        weighted = self.design * self.counts[:, None]
        self.gram = self.design.T @ weighted
        self.xty = self.design.T @ self.sums
        self.inverse = np.linalg.inv(self.gram)
        self.beta = self.inverse @ self.xty
        # X_g'X_g of each cluster, G x k x k.
        self.cluster_grams = np.zeros((self.n_clusters, self.k, self.k))
        np.add.at(
            self.cluster_grams,
            self.clusters,
            self.design[:, :, None] * weighted[:, None, :],
        )
        self.cluster_xty = np.zeros((self.n_clusters, self.k))
        np.add.at(self.cluster_xty, self.clusters, self.design * self.sums[:, None])
        g, n = self.n_clusters, self.n_obs
        self.cr1 = g / (g - 1) * (n - 1) / (n - self.k)

    def _scores(self, beta: np.ndarray) -> np.ndarray:
        """X_g'(y_g - X_g β) of every cluster, G x k."""
        return self.cluster_xty - self.cluster_grams @ beta

    def covariance(self) -> np.ndarray:
        """CR1 covariance: G/(G-1) (N-1)/(N-K) (X'X)⁻¹ Σ s_g s_g' (X'X)⁻¹."""
        scores = self._scores(self.beta)
        meat = scores.T @ scores
        return self.cr1 * self.inverse @ meat @ self.inverse

    def test(self, index: int, level: float = 0.95) -> CoefficientTest:
        """Test coefficient `index` against 0 with t on G - 1 degrees of freedom."""
        estimate = float(self.beta[index])
        se = math.sqrt(float(self.covariance()[index, index]))
        df = self.n_clusters - 1
        statistic = estimate / se
        quantile = float(stats.t.ppf((1 + level) / 2, df))
        return CoefficientTest(
            estimate=estimate,
            se=se,
            statistic=statistic,
            df=df,
            p_value=2 * float(stats.t.sf(abs(statistic), df)),
            ci_low=estimate - quantile * se,
            ci_high=estimate + quantile * se,
        )

    def _restricted(self, index: int, null: float) -> np.ndarray:
        """OLS with coefficient `index` fixed at `null`."""
        others = [j for j in range(self.k) if j != index]
        gram = self.gram[np.ix_(others, others)]
        rhs = self.xty[others] - self.gram[others, index] * null
        beta = np.empty(self.k)
        beta[others] = np.linalg.solve(gram, rhs)
        beta[index] = null
        return beta

    def _p_value(
        self, index: int, null: float, weights: np.ndarray, se: float
    ) -> float:
        """Share of bootstrap |t| at least the observed one, the null imposed."""
        observed = abs((self.beta[index] - null) / se)
        scores = self._scores(self._restricted(index, null))  # G x k
        a = self.inverse[:, index]
        # β*_k - null = a'Σ_g v_g s_g, and the bootstrap score of cluster g along
        # a is v_g a's_g - (X_g'X_g a)'(X'X)⁻¹ Σ_h v_h s_h.
        along = scores @ a
        mixing = (self.cluster_grams @ a) @ self.inverse @ scores.T  # G x G
        numerator = along @ weights
        projected = along[:, None] * weights - mixing @ weights
        variance = self.cr1 * np.einsum("gb,gb->b", projected, projected)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_boot = np.abs(numerator / np.sqrt(variance))
        return float(np.mean(t_boot >= observed - 1e-12 * max(observed, 1.0)))

    def _bound(self, index, weights, se, inside, outside, alpha) -> float:
        """Bisect between a null not rejected (`inside`) and one rejected."""
        while abs(outside - inside) > _BOUND_TOLERANCE * se:
            middle = (inside + outside) / 2
            if self._p_value(index, middle, weights, se) > alpha:
                inside = middle
            else:
                outside = middle
        return (inside + outside) / 2

    def bootstrap(
        self,
        index: int,
        replications: int = 9999,
        weights: WeightType = "rademacher",
        seed: int = 0,
        level: float = 0.95,
    ) -> BootstrapTest:
        """Run the WCR bootstrap-t of coefficient `index`: p-value against 0, CI.

        Raises
        ------
        ValueError
            For an unknown weight type, fewer than 2 clusters or fewer than 99
            replications.
        """
        if weights not in WEIGHT_TYPES:
            raise ValueError(
                f"weights must be one of {', '.join(WEIGHT_TYPES)}, not {weights!r}"
            )
        if replications < 99:
            raise ValueError(f"replications must be at least 99, not {replications}")
        draws, enumerated = _weights(self.n_clusters, replications, weights, seed)
        se = math.sqrt(float(self.covariance()[index, index]))
        alpha = 1 - level
        estimate = float(self.beta[index])
        p_value = self._p_value(index, 0.0, draws, se)
        bounds = []
        for direction in (-1.0, 1.0):
            step = 2.0 * se
            outside = estimate + direction * step
            while self._p_value(index, outside, draws, se) > alpha:
                step *= 2.0
                outside = estimate + direction * step
                if step > 1e6 * se:
                    # Too few clusters for any null to be rejected at this level.
                    outside = math.copysign(math.inf, direction)
                    break
            if math.isinf(outside):
                bounds.append(outside)
            else:
                bounds.append(self._bound(index, draws, se, estimate, outside, alpha))
        return BootstrapTest(
            p_value=p_value,
            ci_low=bounds[0],
            ci_high=bounds[1],
            weights=weights,
            replications=draws.shape[1],
            enumerated=enumerated,
            seed=None if enumerated else seed,
            level=level,
        )


def _weights(
    n_clusters: int, replications: int, kind: WeightType, seed: int
) -> tuple[np.ndarray, bool]:
    """Weights, clusters by replications; all 2^G sign vectors when few enough."""
    if kind == "rademacher" and 2**n_clusters <= replications:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n_clusters)))
        return signs.T, True
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.choice((-1.0, 1.0), size=(n_clusters, replications)), False
    values = np.concatenate([-_WEBB, _WEBB])
    return rng.choice(values, size=(n_clusters, replications)), False
