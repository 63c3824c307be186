"""Cluster-robust OLS and the wild cluster bootstrap from cell sums.

The CR1 errors must equal those of the regression on individual rows, which
`test_effects` checks against R's sandwich on Tennessee STAR; here the same
regression runs from school-by-class-type sums. The bootstrap is checked against a
brute-force R loop over every Rademacher sign vector (R 4.2.2, sandwich 3.0-2),
on the ten first classes of `data/programme_small.csv`:

    d <- read.csv("programme_small.csv"); d$programme <- d$arm == "programme"
    k <- d[d$wave %in% c("T1", "T4") & !is.na(d$perseverance), ]
    k <- k[k$pupil %in% names(which(table(k$pupil) == 2)), ]
    k$post <- k$wave == "T4"; s <- k[k$class %in% 0:9, ]; g <- factor(s$class)
    full <- lm(perseverance ~ programme * post, data = s)
    t0 <- coef(full)[4] / sqrt(vcovCL(full, cluster = ~class, type = "HC1")[4, 4])
    restricted <- lm(perseverance ~ programme + post, data = s)
    signs <- as.matrix(expand.grid(rep(list(c(1, -1)), 10)))
    tstar <- apply(signs, 1, function(v) {
      s$ystar <- fitted(restricted) + v[as.integer(g)] * resid(restricted)
      b <- lm(ystar ~ programme * post, data = s)
      coef(b)[4] / sqrt(vcovCL(b, cluster = ~class, type = "HC1")[4, 4])
    })
    mean(abs(tstar) >= abs(t0) * (1 - 1e-10))

t0 is 2.85259713509 and the share 0.02734375 (28 of 1024). Without the tolerance
R counts 26: the all-plus and all-minus sign vectors give |t*| = |t0| exactly,
which R's separate fits miss by 5e-15.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assessment.clustered import ClusteredCells, _weights
from assessment.effects import fit_ols

DATA = Path(__file__).parent / "data" / "programme_small.csv"
SMALL = "C(stark, Treatment('regular'))[T.small]"
AIDE = "C(stark, Treatment('regular'))[T.regular+aide]"


def _cells(df: pd.DataFrame, keys: list[str], outcome: str) -> pd.DataFrame:
    return df.groupby(keys, sort=True)[outcome].agg(["size", "sum"]).reset_index()


@pytest.fixture
def star_cells(reference_data) -> tuple[pd.DataFrame, ClusteredCells]:
    star = pd.read_csv(reference_data / "star.csv")
    star["score"] = star["readk"] + star["mathk"]
    rows = star.dropna(subset=["score", "stark", "schoolidk"])
    cells = _cells(rows, ["schoolidk", "stark"], "score")
    design = np.column_stack(
        [
            np.ones(len(cells)),
            (cells["stark"] == "small").to_numpy(float),
            (cells["stark"] == "regular+aide").to_numpy(float),
        ]
    )
    regression = ClusteredCells(
        design,
        cells["size"].to_numpy(),
        cells["sum"].to_numpy(),
        pd.factorize(cells["schoolidk"])[0],
    )
    return star, regression


def _did_cells(classes: int) -> ClusteredCells:
    data = pd.read_csv(DATA)
    rows = data[data["wave"].isin(["T1", "T4"]) & data["perseverance"].notna()]
    rows = rows[rows.groupby("pupil")["wave"].transform("size") == 2]
    rows = rows[rows["class"] < classes].assign(
        programme=lambda frame: frame["arm"] == "programme",
        post=lambda frame: frame["wave"] == "T4",
    )
    cells = _cells(rows, ["class", "programme", "post"], "perseverance")
    programme = cells["programme"].to_numpy(float)
    post = cells["post"].to_numpy(float)
    design = np.column_stack([np.ones(len(cells)), programme, post, programme * post])
    return ClusteredCells(
        design,
        cells["size"].to_numpy(),
        cells["sum"].to_numpy(),
        pd.factorize(cells["class"])[0],
    )


def test_cells_cr1_equals_row_regression(star_cells):
    star, regression = star_cells
    rows = fit_ols(
        star,
        "I(readk + mathk) ~ C(stark, Treatment('regular'))",
        cov_type="cluster",
        cluster="schoolidk",
    )
    # vcovCL(cluster = ~schoolidk, type = "HC1"): 4.8225006911, 4.2309171421,
    # 3.7695887541, as test_effects checks for the row regression.
    se = np.sqrt(np.diag(regression.covariance()))
    assert se.tolist() == pytest.approx([4.8225006911, 4.2309171421, 3.7695887541])
    estimates = rows.coefficients.set_index("term")["estimate"]
    terms = ["Intercept", SMALL, AIDE]
    assert regression.beta.tolist() == pytest.approx(
        estimates[terms].tolist(), rel=1e-12
    )
    assert regression.n_obs == rows.n_obs
    assert regression.n_clusters == 79


def test_cells_test_uses_g_minus_one_df(star_cells):
    _, regression = star_cells
    small = regression.test(1)
    assert small.df == 78
    # coeftest(..., df = 78): Pr(>|t|) 0.0015286 for the small class
    assert small.p_value == pytest.approx(0.0015286, rel=1e-4)
    assert (small.ci_high - small.estimate) / small.se == pytest.approx(
        1.990847, abs=1e-6
    )


def test_bootstrap_enumeration_equals_r_loop():
    regression = _did_cells(10)
    assert regression.test(3).statistic == pytest.approx(2.85259713509, rel=1e-10)
    result = regression.bootstrap(3, replications=1024)
    assert result.enumerated
    assert result.replications == 1024
    assert result.seed is None
    assert result.p_value == 28 / 1024


def test_bootstrap_interval_inverts_the_test():
    regression = _did_cells(10)
    result = regression.bootstrap(3, replications=1024)
    draws, _ = _weights(10, 1024, "rademacher", seed=0)
    se = math.sqrt(regression.covariance()[3, 3])
    step = 1e-4 * se
    for bound in (result.ci_low, result.ci_high):
        inside = bound + step if bound == result.ci_low else bound - step
        outside = bound - step if bound == result.ci_low else bound + step
        assert regression._p_value(3, inside, draws, se) > 0.05
        assert regression._p_value(3, outside, draws, se) <= 0.05
    assert result.ci_low < regression.beta[3] < result.ci_high


def test_bootstrap_interval_wider_than_cr1_with_ten_classes():
    regression = _did_cells(10)
    cr1 = regression.test(3)
    result = regression.bootstrap(3, replications=1024)
    assert result.ci_high - result.ci_low > cr1.ci_high - cr1.ci_low


def test_bootstrap_draws_are_seeded():
    regression = _did_cells(24)
    first = regression.bootstrap(3, replications=999, weights="webb", seed=7)
    again = regression.bootstrap(3, replications=999, weights="webb", seed=7)
    other = regression.bootstrap(3, replications=999, weights="webb", seed=8)
    assert not first.enumerated
    assert first == again
    assert first.seed == 7
    assert abs(first.p_value - other.p_value) < 0.01


def test_bootstrap_rejects_unknown_weights():
    with pytest.raises(ValueError, match="weights must be one of"):
        _did_cells(10).bootstrap(3, weights="mammen")  # type: ignore[arg-type]


def test_bootstrap_rejects_too_few_replications():
    with pytest.raises(ValueError, match="at least 99"):
        _did_cells(10).bootstrap(3, replications=10)
