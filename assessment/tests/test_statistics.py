"""Reliability and descriptive statistics against reference software."""

import math

import numpy as np
import pandas as pd
import pytest

from assessment.statistics import (
    InsufficientDataError,
    cronbach_alpha,
    describe_scores,
    fit_one_factor,
    item_statistics,
    mcdonald_omega,
    participation,
    select_items,
)

HS_ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture
def wide_missing(reference_data) -> pd.DataFrame:
    return pd.read_csv(
        reference_data / "cronbach_wide_missing.csv", encoding="utf-8-sig"
    )


@pytest.fixture
def holzinger(reference_data) -> pd.DataFrame:
    return pd.read_csv(reference_data / "holzinger_swineford_1939.csv")


def exact_one_factor_data(
    loadings: list[float], uniquenesses: list[float], n: int = 200
) -> pd.DataFrame:
    """Data whose covariance (divisor n) is exactly λλᵀ + diag(θ)."""
    rng = np.random.default_rng(20260901)
    raw = rng.standard_normal((n, len(loadings)))
    raw -= raw.mean(axis=0)
    # Whiten so the columns have an identity covariance, then colour them.
    whitening = np.linalg.cholesky(raw.T @ raw / n)
    white = raw @ np.linalg.inv(whitening).T
    target = np.outer(loadings, loadings) + np.diag(uniquenesses)
    data = white @ np.linalg.cholesky(target).T + 3.0
    return pd.DataFrame(data, columns=[f"i{j}" for j in range(len(loadings))])


# R 4.2.2, psych 2.2.9:
#   d <- read.csv("cronbach_wide_missing.csv", fileEncoding = "UTF-8-BOM")
#   psych::alpha(d)                        # pairwise: 0.7326608 [0.4353, 0.9094]
#   psych::alpha(d, use = "complete.obs")  # listwise: 0.8016949 [0.5811, 0.9328]
def test_alpha_pairwise_equals_reference(wide_missing):
    result = cronbach_alpha(wide_missing, missing="pairwise")
    assert round(result.at[0, "alpha"], 6) == 0.732661
    assert round(result.at[0, "ci_low"], 3) == 0.435
    assert round(result.at[0, "ci_high"], 3) == 0.909


def test_alpha_listwise_equals_reference(wide_missing):
    result = cronbach_alpha(wide_missing, missing="listwise")
    assert round(result.at[0, "alpha"], 6) == 0.801695
    assert round(result.at[0, "ci_low"], 3) == 0.581
    assert round(result.at[0, "ci_high"], 3) == 0.933


def test_alpha_reports_counts(wide_missing):
    result = cronbach_alpha(wide_missing)
    assert result.at[0, "n"] == 12
    assert result.at[0, "n_complete"] == 9
    assert result.at[0, "k"] == 11
    assert result.at[0, "ci_level"] == 0.95
    assert result.at[0, "missing"] == "pairwise"


def test_alpha_matches_pingouin(wide_missing):
    pingouin = pytest.importorskip("pingouin")
    for rule in ("pairwise", "listwise"):
        expected, expected_ci = pingouin.cronbach_alpha(wide_missing, nan_policy=rule)
        result = cronbach_alpha(wide_missing, missing=rule)
        assert result.at[0, "alpha"] == pytest.approx(expected, abs=1e-12)
        # Pingouin rounds its interval to three decimals.
        assert round(result.at[0, "ci_low"], 3) == expected_ci[0]
        assert round(result.at[0, "ci_high"], 3) == expected_ci[1]


def test_alpha_pingouin_other_level(wide_missing):
    pingouin = pytest.importorskip("pingouin")
    _, expected_ci = pingouin.cronbach_alpha(wide_missing, ci=0.9)
    result = cronbach_alpha(wide_missing, ci=0.9)
    assert round(result.at[0, "ci_low"], 3) == expected_ci[0]
    assert round(result.at[0, "ci_high"], 3) == expected_ci[1]


def test_alpha_identical_items_is_one():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [1, 2, 3, 4]})
    assert cronbach_alpha(items).at[0, "alpha"] == pytest.approx(1.0)


def test_alpha_hand_computed():
    # Covariances (n - 1 divisor): var a = 1, var b = 1, cov = 0.5, so the total
    # variance is 3 and alpha = 2 * (1 - 2/3) = 2/3.
    items = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0, 2.0]})
    assert cronbach_alpha(items).at[0, "alpha"] == pytest.approx(2 / 3)


def test_alpha_drops_empty_rows():
    items = pd.DataFrame(
        {"a": [1, 2, 3, None, 4], "b": [2, 2, 3, None, 4], "c": [1, 3, 3, None, 4]}
    )
    assert cronbach_alpha(items).at[0, "n"] == 4


def test_alpha_one_item_is_insufficient():
    with pytest.raises(InsufficientDataError) as raised:
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3, 4]}))
    assert raised.value.code == "too_few_items"
    assert raised.value.needed == 2


def test_alpha_two_complete_rows_is_insufficient():
    items = pd.DataFrame({"a": [1, 2, None], "b": [2, 3, 4]})
    with pytest.raises(InsufficientDataError) as raised:
        cronbach_alpha(items)
    assert raised.value.code == "too_few_rows"
    assert raised.value.found == 2


def test_alpha_constant_answers_is_insufficient():
    items = pd.DataFrame({"a": [2, 2, 2], "b": [2, 2, 2]})
    with pytest.raises(InsufficientDataError) as raised:
        cronbach_alpha(items)
    assert raised.value.code == "no_variance"


def test_alpha_unknown_missing_rule_raises():
    with pytest.raises(ValueError, match="pairwise"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]}), missing="mean")


def test_alpha_text_column_raises():
    with pytest.raises(TypeError, match="b"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))


# R 4.2.2, lavaan 0.6.14, semTools 0.5.6:
#   hs <- read.csv("holzinger_swineford_1939.csv")
#   fit <- lavaan::cfa("f =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9", hs,
#                      std.lv = TRUE)
#   coef(fit)                                  # loadings and residual variances
#   semTools::compRelSEM(fit, obs.var = FALSE) # 0.7380691717
def test_omega_equals_lavaan_nine_items(holzinger):
    result = mcdonald_omega(holzinger[HS_ITEMS])
    assert result.at[0, "omega"] == pytest.approx(0.7380691717, abs=1e-6)
    assert result.at[0, "n"] == 301
    assert result.at[0, "k"] == 9
    assert not result.at[0, "heywood"]


# Same call with "f =~ x4 + x5 + x6": 0.8858809239; "f =~ x1 + x2 + x3": 0.6325531563.
def test_omega_equals_lavaan_three_items(holzinger):
    textual = mcdonald_omega(holzinger[["x4", "x5", "x6"]])
    visual = mcdonald_omega(holzinger[["x1", "x2", "x3"]])
    assert textual.at[0, "omega"] == pytest.approx(0.8858809239, abs=1e-6)
    assert visual.at[0, "omega"] == pytest.approx(0.6325531563, abs=1e-6)


def test_one_factor_loadings_equal_lavaan(holzinger):
    fitted = fit_one_factor(holzinger[HS_ITEMS])
    lavaan_loadings = [0.5104174209, 0.2590854676, 0.2515417922, 0.9851590110]
    lavaan_loadings += [1.0836241539, 0.9166760677, 0.1963045758, 0.2033817310]
    lavaan_loadings += [0.3090947606]
    lavaan_uniquenesses = [1.0978434289, 1.3146568688, 1.2115930698, 0.3801266959]
    lavaan_uniquenesses += [0.4855445666, 0.3560639455, 1.1446049121, 0.9806189424]
    lavaan_uniquenesses += [0.9194642429]
    assert list(fitted["item"]) == HS_ITEMS
    np.testing.assert_allclose(fitted["loading"], lavaan_loadings, atol=1e-5)
    np.testing.assert_allclose(fitted["uniqueness"], lavaan_uniquenesses, atol=1e-5)


def test_omega_exact_population_case():
    loadings = [0.8, 0.7, 0.6, 0.5, 0.4]
    uniquenesses = [0.36, 0.51, 0.64, 0.75, 0.84]
    data = exact_one_factor_data(loadings, uniquenesses)
    expected = sum(loadings) ** 2 / (sum(loadings) ** 2 + sum(uniquenesses))
    assert mcdonald_omega(data).at[0, "omega"] == pytest.approx(expected, abs=1e-8)


def test_one_factor_recovers_exact_loadings():
    loadings = [1.2, 0.9, 0.6, 0.3]
    uniquenesses = [0.5, 0.8, 1.0, 1.5]
    fitted = fit_one_factor(exact_one_factor_data(loadings, uniquenesses))
    np.testing.assert_allclose(fitted["loading"], loadings, atol=1e-6)
    np.testing.assert_allclose(fitted["uniqueness"], uniquenesses, atol=1e-6)


def test_one_factor_loadings_sum_positive():
    loadings = [-0.8, -0.7, -0.6]
    data = exact_one_factor_data(loadings, [0.36, 0.51, 0.64])
    assert fit_one_factor(data)["loading"].sum() > 0


def test_omega_uses_complete_rows(holzinger):
    items = holzinger[HS_ITEMS].copy()
    items.loc[:9, "x1"] = math.nan
    assert mcdonald_omega(items).at[0, "n"] == 291


def test_omega_two_items_is_insufficient(holzinger):
    with pytest.raises(InsufficientDataError) as raised:
        mcdonald_omega(holzinger[["x1", "x2"]])
    assert raised.value.code == "too_few_items"


def test_omega_rows_not_above_items_is_insufficient(wide_missing):
    # 9 complete rows for 11 items: the covariance matrix is singular.
    with pytest.raises(InsufficientDataError) as raised:
        mcdonald_omega(wide_missing)
    assert raised.value.code == "too_few_rows"
    assert raised.value.needed == 12


def test_omega_constant_item_is_insufficient():
    data = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5], "b": [2, 2, 2, 2, 2], "c": [1, 3, 2, 5, 4]}
    )
    with pytest.raises(InsufficientDataError) as raised:
        mcdonald_omega(data)
    assert raised.value.code == "no_variance"


def test_describe_scores_values():
    summary = describe_scores(pd.Series([1.0, 2.0, 3.0, math.nan]))
    assert summary.at[0, "n"] == 3
    assert summary.at[0, "mean"] == pytest.approx(2.0)
    assert summary.at[0, "sd"] == pytest.approx(1.0)
    assert summary.at[0, "min"] == 1.0
    assert summary.at[0, "max"] == 3.0


def test_describe_scores_one_value_has_no_sd():
    summary = describe_scores(pd.Series([2.5]))
    assert summary.at[0, "mean"] == 2.5
    assert math.isnan(summary.at[0, "sd"])


def test_describe_scores_empty():
    summary = describe_scores(pd.Series([], dtype=float))
    assert summary.at[0, "n"] == 0
    assert math.isnan(summary.at[0, "mean"])


def test_participation_share():
    assert participation(18, 24) == pytest.approx(0.75)


def test_participation_nobody_enrolled():
    assert math.isnan(participation(0, 0))


def test_participation_negative_raises():
    with pytest.raises(ValueError, match="negative"):
        participation(-1, 3)


def test_item_statistics_columns(wide_missing):
    table = item_statistics(wide_missing)
    assert list(table.columns) == [
        "item",
        "n",
        "mean",
        "sd",
        "item_rest_r",
        "alpha_if_deleted",
    ]
    assert list(table["item"]) == list(wide_missing.columns)


def test_item_statistics_values(wide_missing):
    table = item_statistics(wide_missing).set_index("item")
    q1 = wide_missing["Q1"].dropna()
    assert table.at["Q1", "n"] == 11
    assert table.at["Q1", "mean"] == pytest.approx(q1.mean())
    assert table.at["Q1", "sd"] == pytest.approx(q1.std())
    expected = cronbach_alpha(wide_missing.drop(columns=["Q1"])).at[0, "alpha"]
    assert table.at["Q1", "alpha_if_deleted"] == pytest.approx(expected)


def test_item_statistics_item_rest(wide_missing):
    table = item_statistics(wide_missing).set_index("item")
    complete = wide_missing.dropna()
    rest = complete.drop(columns=["Q6"]).sum(axis=1)
    assert table.at["Q6", "item_rest_r"] == pytest.approx(complete["Q6"].corr(rest))


def test_select_items_names_absent_column():
    with pytest.raises(KeyError, match="Q9.*columns present: Q1, Q2"):
        select_items(pd.DataFrame({"Q1": [1], "Q2": [2]}), ["Q1", "Q9"])
