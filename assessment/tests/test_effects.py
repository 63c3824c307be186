"""Effects: robust OLS on Tennessee STAR, Hedges' g, the ICC and the MDES.

OLS reference values: Stock and Watson, Introduction to Econometrics, Table 13.1,
and R 4.2.2 with sandwich 3.0-2 and lmtest 0.9-40 (Debian's packages):

    d <- read.csv("star.csv")
    k <- d[!is.na(d$stark) & !is.na(d$readk) & !is.na(d$mathk), ]
    k$stark <- relevel(factor(k$stark), ref = "regular")
    f <- lm(I(readk + mathk) ~ stark, data = k)
    coeftest(f, vcov = vcovHC(f, type = "HC1"))
    coeftest(f, vcov = vcovCL(f, cluster = ~schoolidk, type = "HC1"),
             df = length(unique(k$schoolidk)) - 1)
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from assessment.effects import (
    EffectsError,
    OlsResult,
    fit_ols,
    hedges_g,
    hedges_g_from_summary,
    intraclass_correlation,
    minimum_detectable_effect,
)

STAR_FORMULA = "I(readk + mathk) ~ C(stark, Treatment('regular'))"
SMALL = "C(stark, Treatment('regular'))[T.small]"
AIDE = "C(stark, Treatment('regular'))[T.regular+aide]"


@functools.cache
def _star(path: Path) -> pd.DataFrame:
    return pd.read_csv(path / "star.csv")


@functools.cache
def _star_ols(path: Path, cov_type: str) -> OlsResult:
    cluster = "schoolidk" if cov_type == "cluster" else None
    return fit_ols(_star(path), STAR_FORMULA, cov_type=cov_type, cluster=cluster)


@pytest.fixture
def star(reference_data) -> pd.DataFrame:
    return _star(reference_data).copy()


@pytest.fixture
def hc1(reference_data) -> OlsResult:
    return _star_ols(reference_data, "HC1")


@pytest.fixture
def clustered(reference_data) -> OlsResult:
    return _star_ols(reference_data, "cluster")


def term(result: OlsResult, name: str) -> pd.Series:
    return result.coefficients.set_index("term").loc[name]


def test_ols_keeps_pupils_with_all_three_values(hc1):
    assert hc1.n_obs == 5786
    assert hc1.n_dropped == 11598 - 5786


def test_ols_hc1_equals_stock_and_watson(hc1):
    # Table 13.1: 918.04 (1.63), small 13.90 (2.45), aide 0.31 (2.27)
    assert round(term(hc1, "Intercept")["estimate"], 2) == 918.04
    assert round(term(hc1, "Intercept")["se"], 2) == 1.63
    assert round(term(hc1, SMALL)["estimate"], 2) == 13.90
    assert round(term(hc1, SMALL)["se"], 2) == 2.45
    assert round(term(hc1, AIDE)["estimate"], 2) == 0.31
    assert round(term(hc1, AIDE)["se"], 2) == 2.27


def test_ols_hc1_equals_sandwich(hc1):
    # vcovHC(type = "HC1"): 1.6333908964, 2.4540933146, 2.2709758749
    assert math.isclose(term(hc1, "Intercept")["se"], 1.6333908964, rel_tol=1e-9)
    assert math.isclose(term(hc1, SMALL)["se"], 2.4540933146, rel_tol=1e-9)
    assert math.isclose(term(hc1, AIDE)["se"], 2.2709758749, rel_tol=1e-9)
    assert math.isclose(term(hc1, SMALL)["p_value"], 1.5537e-08, rel_tol=1e-3)
    assert term(hc1, SMALL)["df"] == 5783


def test_ols_cluster_equals_sandwich(clustered):
    # vcovCL(cluster = ~schoolidk, type = "HC1"): 4.8225006911, 4.2309171421,
    # 3.7695887541; small Pr(>|t|) 0.0015286 on 78 df
    assert clustered.n_clusters == 79
    assert math.isclose(term(clustered, "Intercept")["se"], 4.8225006911, rel_tol=1e-9)
    assert math.isclose(term(clustered, SMALL)["se"], 4.2309171421, rel_tol=1e-9)
    assert math.isclose(term(clustered, AIDE)["se"], 3.7695887541, rel_tol=1e-9)
    assert math.isclose(term(clustered, SMALL)["p_value"], 0.0015286, rel_tol=1e-4)
    assert term(clustered, SMALL)["df"] == 78


def test_ols_cluster_interval_uses_g_minus_one_df(clustered):
    small = term(clustered, SMALL)
    # qt(0.975, 78) = 1.990847
    assert math.isclose(
        (small["ci_high"] - small["estimate"]) / small["se"], 1.990847, abs_tol=1e-6
    )


def test_ols_rejects_cluster_without_column(star):
    with pytest.raises(EffectsError) as raised:
        fit_ols(star, STAR_FORMULA, cov_type="cluster")
    assert raised.value.code == "cov_type"


def test_ols_rejects_unknown_cov_type(star):
    with pytest.raises(EffectsError) as raised:
        fit_ols(star, STAR_FORMULA, cov_type="HC9")
    assert raised.value.code == "cov_type"


def test_ols_rejects_missing_column(star):
    with pytest.raises(EffectsError) as raised:
        fit_ols(star, "readk ~ classtype")
    assert raised.value.code == "missing_column"
    assert raised.value.details["columns"] == ["classtype"]


# Worked example of the WWC formulas, by hand (R used as a calculator):
#   n_T = 100, n_C = 120, N = 220, means 52 and 48, SDs 9 and 11
#   S = sqrt((99 * 9^2 + 119 * 11^2) / 218) = 10.14075256
#   d = 4 / S = 0.39444804
#   omega = 1 - 3 / (4 * 220 - 9) = 0.99655568
#   no clustering: g = omega * d = 0.39308944,
#     SE = sqrt(220 / (100 * 120) + g^2 / (2 * 220)) = 0.13669131
#   clusters of n = 20 with ICC 0.15:
#     gamma = sqrt(1 - 2 * 19 * 0.15 / 218) = 0.98684001
#     g = omega * gamma * d = 0.38791639
#     numerator = 218 * 0.85^2 + 20 * 180 * 0.15^2 + 2 * 180 * 0.15 * 0.85 = 284.405
#     V = 220 / 12000 * (1 + 19 * 0.15)
#         + (gamma * d)^2 * 284.405 / (2 * 218 * (218 - 2 * 19 * 0.15))
#       = 0.07104889
#     SE = omega * sqrt(V) = 0.26563190
def test_hedges_g_without_clustering_equals_hand_value():
    effect = hedges_g_from_summary(52, 48, 9, 11, 100, 120)
    assert math.isclose(effect.d, 0.39444804, abs_tol=1e-8)
    assert math.isclose(effect.omega, 0.99655568, abs_tol=1e-8)
    assert math.isclose(effect.g, 0.39308944, abs_tol=1e-8)
    assert math.isclose(effect.se, 0.13669131, abs_tol=1e-8)
    assert effect.gamma == 1.0


def test_hedges_g_with_clustering_equals_hand_value():
    effect = hedges_g_from_summary(52, 48, 9, 11, 100, 120, icc=0.15, cluster_size=20)
    assert math.isclose(effect.gamma, 0.98684001, abs_tol=1e-8)
    assert math.isclose(effect.g, 0.38791639, abs_tol=1e-8)
    assert math.isclose(effect.se, 0.26563190, abs_tol=1e-8)
    assert math.isclose(effect.ci_low, 0.38791639 - 1.959964 * 0.26563190, abs_tol=1e-6)


def test_hedges_g_clustering_widens_interval():
    plain = hedges_g_from_summary(52, 48, 9, 11, 100, 120)
    clustered = hedges_g_from_summary(
        52, 48, 9, 11, 100, 120, icc=0.15, cluster_size=20
    )
    assert clustered.g < plain.g
    assert clustered.se > plain.se


def test_hedges_g_from_data_equals_summary(star):
    star["score"] = star["readk"] + star["mathk"]
    effect = hedges_g(star, "score", "stark", "small", "regular")
    complete = star.dropna(subset=["score", "stark"])
    small = complete.loc[complete["stark"] == "small", "score"]
    regular = complete.loc[complete["stark"] == "regular", "score"]
    expected = hedges_g_from_summary(
        small.mean(),
        regular.mean(),
        small.std(),
        regular.std(),
        len(small),
        len(regular),
    )
    assert effect.n_treated == 1738
    assert effect.n_control == 2005
    assert math.isclose(effect.g, expected.g, rel_tol=1e-12)
    assert math.isclose(effect.se, expected.se, rel_tol=1e-12)


def test_hedges_g_from_data_uses_given_icc(star):
    star["score"] = star["readk"] + star["mathk"]
    effect = hedges_g(
        star, "score", "stark", "small", "regular", cluster="schoolidk", icc=0.2
    )
    assert effect.icc == 0.2
    assert effect.n_clusters == 79
    assert math.isclose(effect.cluster_size, (1738 + 2005) / 79, rel_tol=1e-12)


def test_hedges_g_from_data_estimates_icc_within_arms(star):
    star["score"] = star["readk"] + star["mathk"]
    effect = hedges_g(star, "score", "stark", "small", "regular", cluster="schoolidk")
    assert 0.1 < effect.icc < 0.4
    assert effect.se > hedges_g(star, "score", "stark", "small", "regular").se


def test_hedges_g_rejects_icc_without_cluster(star):
    with pytest.raises(EffectsError) as raised:
        hedges_g(star, "readk", "stark", "small", "regular", icc=0.2)
    assert raised.value.code == "icc"


def test_hedges_g_rejects_empty_arm(star):
    with pytest.raises(EffectsError) as raised:
        hedges_g(star, "readk", "stark", "small", "tiny")
    assert raised.value.code == "too_few_rows"


def test_hedges_g_rejects_invalid_icc():
    with pytest.raises(EffectsError) as raised:
        hedges_g_from_summary(52, 48, 9, 11, 100, 120, icc=1.2, cluster_size=20)
    assert raised.value.code == "icc"


# lme4 1.1-31: k$score <- k$readk + k$mathk
#   vc <- as.data.frame(VarCorr(lmer(score ~ 1 + (1 | schoolidk), data = k)))
#   vc$vcov: 1179.129406 and 4289.503158, ICC 0.21561686
def test_icc_equals_lme4(star):
    star["score"] = star["readk"] + star["mathk"]
    kindergarten = star.dropna(subset=["stark"])
    result = intraclass_correlation(kindergarten, "score", "schoolidk")
    assert result.n_obs == 5786
    assert result.n_clusters == 79
    assert math.isclose(result.icc, 0.21561686, abs_tol=1e-8)
    assert math.isclose(result.between_variance, 1179.129406, rel_tol=1e-7)
    assert math.isclose(result.within_variance, 4289.503158, rel_tol=1e-8)


# Worked example of Bloom's formula, by hand (R used as a calculator):
#   J = 40 clusters of n = 20, ICC 0.2, P = 0.5, no covariates, df = 38
#   M = qt(0.975, 38) + qt(0.8, 38) = 2.02439416 + 0.85118276 = 2.87557692
#   MDES = M * sqrt(0.2 / (0.25 * 40) + 0.8 / (0.25 * 40 * 20)) = 0.44548246
def test_mdes_equals_hand_value():
    result = minimum_detectable_effect(40, 20, 0.2)
    assert result.df == 38
    assert math.isclose(result.multiplier, 2.87557692, abs_tol=1e-8)
    assert math.isclose(result.mdes, 0.44548246, abs_tol=1e-8)


# With one cluster-level covariate (R² 0.5) and R² 0.3 at pupil level, df = 37:
#   M = qt(0.975, 37) + qt(0.8, 37)
#   MDES = M * sqrt(0.2 * 0.5 / (0.25 * 40) + 0.8 * 0.7 / (0.25 * 40 * 20))
#        = 0.32556740
def test_mdes_with_covariates_equals_hand_value():
    result = minimum_detectable_effect(
        40, 20, 0.2, r2_cluster=0.5, r2_individual=0.3, cluster_covariates=1
    )
    assert result.df == 37
    assert math.isclose(result.mdes, 0.32556740, abs_tol=1e-8)


# One-sided at 5 %, power 0.9, J = 60 of 25, ICC 0.1, P = 0.3, df = 58:
#   M = qt(0.95, 58) + qt(0.9, 58)
#   MDES = M * sqrt(0.1 / (0.21 * 60) + 0.9 / (0.21 * 60 * 25)) = 0.30833959
def test_mdes_one_sided_equals_hand_value():
    result = minimum_detectable_effect(
        60, 25, 0.1, treated_share=0.3, power=0.9, two_sided=False
    )
    assert math.isclose(result.mdes, 0.30833959, abs_tol=1e-8)


def test_mdes_shrinks_with_more_clusters():
    few = minimum_detectable_effect(20, 20, 0.2).mdes
    many = minimum_detectable_effect(80, 20, 0.2).mdes
    assert many < few


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"n_clusters": 2, "cluster_size": 20, "icc": 0.2}, "n_clusters"),
        ({"n_clusters": 40, "cluster_size": 0.5, "icc": 0.2}, "cluster_size"),
        ({"n_clusters": 40, "cluster_size": 20, "icc": -0.1}, "icc"),
        (
            {"n_clusters": 40, "cluster_size": 20, "icc": 0.2, "treated_share": 1.0},
            "treated_share",
        ),
        ({"n_clusters": 40, "cluster_size": 20, "icc": 0.2, "power": 1.0}, "power"),
    ],
)
def test_mdes_rejects_invalid_design(arguments, parameter):
    with pytest.raises(EffectsError) as raised:
        minimum_detectable_effect(**arguments)
    assert raised.value.code == "invalid_design"
    assert raised.value.details["parameters"] == [parameter]
