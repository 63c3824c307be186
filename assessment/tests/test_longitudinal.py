"""Longitudinal invariance across waves against lavaan.

The four perseverance items of `data/programme_small.csv` (see `test_multilevel`)
at waves T1 to T4, pivoted to one row per pupil; 279 pupils answered every item at
every wave. Reference values from R 4.2.2 with lavaan 0.6-14 (Debian's
r-cran-lavaan), fitting the text that `longitudinal_syntax` writes:

    w <- read.csv("wide.csv")   # wide_items(...).dropna(), written by pandas
    f <- cfa(readLines("scalar.lav"), data = w)
    fitMeasures(f, c("npar", "chisq", "df", "cfi", "tli", "rmsea",
                     "rmsea.ci.upper", "srmr", "logl", "aic", "bic"))
    lavTestLRT(configural, metric, scalar); parameterEstimates(f)
"""

import functools
from pathlib import Path

import pandas as pd
import pytest

from assessment.cfa import CfaError
from assessment.longitudinal import (
    LongitudinalInvariance,
    fit_longitudinal_invariance,
    longitudinal_syntax,
    wide_items,
)

DATA = Path(__file__).parent / "data" / "programme_small.csv"
ITEMS = [f"perseverance_{index}" for index in range(1, 5)]
WAVES = ["T1", "T2", "T3", "T4"]
LEVELS = ["configural", "metric", "scalar", "strict"]

# fitMeasures: npar, chisq, df, cfi, tli, rmsea.ci.upper, srmr, aic, bic
LAVAAN = {
    "configural": (78, 59.7650122345, 74, 1.0, 1.0220765154, 0.0171478388,
                   0.0280971939, 11127.5564427558, 11410.7909617379),
    "metric": (69, 69.6881420564, 83, 1.0, 1.0184062674, 0.0193784721,
               0.0386591390, 11119.4795725777, 11370.0331855233),
    "scalar": (60, 74.9605160626, 92, 1.0, 1.0212556189, 0.0143134735,
               0.0395016160, 11106.7519465839, 11324.6246534932),
    "strict": (48, 81.1971648987, 104, 1.0, 1.0251628978, 0.0,
               0.0406709448, 11088.9885954200, 11263.2867609474),
}  # fmt: skip


@functools.cache
def _programme() -> pd.DataFrame:
    return pd.read_csv(DATA)


@functools.cache
def _invariance() -> LongitudinalInvariance:
    return fit_longitudinal_invariance(_programme(), ITEMS, WAVES, levels=LEVELS)


@pytest.fixture
def invariance() -> LongitudinalInvariance:
    return _invariance()


def test_longitudinal_keeps_complete_pupils(invariance):
    assert invariance.n == 279
    assert all(fit.converged for fit in invariance.fits.values())


@pytest.mark.parametrize("level", LEVELS)
def test_longitudinal_level_equals_lavaan(invariance, level):
    row = invariance.table.set_index("model").loc[level]
    npar, chisq, df, cfi, tli, rmsea_high, srmr, aic, bic = LAVAAN[level]
    assert row["free_parameters"] == npar
    assert row["df"] == df
    assert row["chi_square"] == pytest.approx(chisq, abs=1e-6)
    assert row["cfi"] == pytest.approx(cfi, abs=1e-9)
    assert row["tli"] == pytest.approx(tli, abs=1e-9)
    assert row["rmsea_ci_high"] == pytest.approx(rmsea_high, abs=1e-6)
    assert row["srmr"] == pytest.approx(srmr, abs=1e-7)
    assert row["aic"] == pytest.approx(aic, abs=1e-5)
    assert row["bic"] == pytest.approx(bic, abs=1e-5)


def test_longitudinal_difference_tests_equal_lavtestlrt(invariance):
    # lavTestLRT: Chisq diff 9.923129822 (9 df, p 0.35674) and 5.272374006
    # (9 df, p 0.80995)
    table = invariance.table.set_index("model")
    assert table.loc["metric", "delta_chi_square"] == pytest.approx(
        9.923129822, abs=1e-6
    )
    assert table.loc["metric", "delta_df"] == 9
    assert table.loc["metric", "delta_p_value"] == pytest.approx(0.35674, abs=1e-5)
    assert table.loc["scalar", "delta_chi_square"] == pytest.approx(
        5.272374006, abs=1e-6
    )
    assert table.loc["scalar", "delta_p_value"] == pytest.approx(0.80995, abs=1e-5)


# parameterEstimates(scalar): est (se). lavaan's nlminb stops with a chi-square
# 1.6e-9 above the minimum found here, which moves estimates by up to 7e-7.
@pytest.mark.parametrize(
    ("lhs", "op", "rhs", "est", "se"),
    [
        ("F_T1", "=~", "perseverance_2_T1", 0.94687474, 0.05424501),
        ("F_T4", "=~", "perseverance_4_T4", 0.74883145, 0.05015208),
        ("perseverance_2_T1", "~1", "", 2.47215809, 0.04672403),
        ("F_T2", "~1", "", 0.12552334, 0.04891953),
        ("F_T4", "~1", "", 0.29194998, 0.05177363),
        ("F_T1", "~~", "F_T4", 0.22745894, 0.04040059),
        ("perseverance_1_T1", "~~", "perseverance_1_T4", -0.00372789, 0.03233750),
    ],
)
def test_longitudinal_scalar_estimates_equal_lavaan(invariance, lhs, op, rhs, est, se):
    table = invariance.fits["scalar"].estimates
    row = table[(table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs)]
    assert len(row) == 1
    assert row["est"].iloc[0] == pytest.approx(est, abs=2e-6)
    assert row["se"].iloc[0] == pytest.approx(se, abs=2e-7)


def test_longitudinal_metric_holds_loadings_equal(invariance):
    loadings = invariance.fits["metric"].loadings
    item = loadings[loadings["rhs"].str.startswith("perseverance_3_")]
    assert len(item) == 4
    assert item["est"].nunique() == 1
    assert item["parameter"].nunique() == 1


# The same pupils with 0.5 added to item 2 at T4: its intercept drifts, so
# scalar invariance fails. lavaan: chisq 59.76501223, 69.68814206 and
# 120.47146712; scalar CFI 0.97277087, RMSEA 0.03330496.
def test_longitudinal_detects_intercept_drift():
    drifted = _programme().copy()
    drifted.loc[drifted["wave"] == "T4", "perseverance_2"] += 0.5
    result = fit_longitudinal_invariance(drifted, ITEMS, WAVES)
    table = result.table.set_index("model")
    assert table.loc["metric", "chi_square"] == pytest.approx(69.68814206, abs=1e-6)
    assert table.loc["scalar", "chi_square"] == pytest.approx(120.47146712, abs=1e-6)
    assert table.loc["scalar", "cfi"] == pytest.approx(0.97277087, abs=1e-8)
    assert table.loc["scalar", "rmsea"] == pytest.approx(0.03330496, abs=1e-8)
    assert table.loc["scalar", "delta_p_value"] < 0.001
    assert table.loc["scalar", "delta_cfi"] < -0.01


def test_longitudinal_syntax_labels_each_level():
    configural = longitudinal_syntax(["a", "b", "c"], ["T1", "T2"], "configural")
    scalar = longitudinal_syntax(["a", "b", "c"], ["T1", "T2"], "scalar")
    assert "F_T1 =~ a_T1 + b_T1 + c_T1" in configural
    assert "a_T1 ~~ a_T2" in configural
    assert "lambda_" not in configural
    assert "F_T2 =~ a_T2 + lambda_1*b_T2 + lambda_2*c_T2" in scalar
    assert "b_T2 ~ nu_1*1" in scalar
    assert "F_T2 ~ 1" in scalar
    assert "F_T1 ~ 1" not in scalar


def test_longitudinal_syntax_rejects_invalid_name():
    with pytest.raises(CfaError) as raised:
        longitudinal_syntax(["item 1", "b", "c"], ["T1", "T2"], "metric")
    assert raised.value.code == "invalid_name"


def test_longitudinal_rejects_levels_out_of_order():
    with pytest.raises(CfaError) as raised:
        fit_longitudinal_invariance(
            _programme(), ITEMS, WAVES, levels=["scalar", "metric"]
        )
    assert raised.value.code == "invariance_order"


def test_wide_items_rejects_duplicate_wave():
    doubled = pd.concat([_programme(), _programme().iloc[[0]]])
    with pytest.raises(CfaError) as raised:
        wide_items(doubled, ITEMS, WAVES)
    assert raised.value.code == "duplicate"


def test_wide_items_names_columns_by_wave():
    wide = wide_items(_programme(), ITEMS[:2], ["T1", "T4"])
    assert list(wide.columns) == [
        "perseverance_1_T1",
        "perseverance_2_T1",
        "perseverance_1_T4",
        "perseverance_2_T4",
    ]
    assert len(wide) == 492
