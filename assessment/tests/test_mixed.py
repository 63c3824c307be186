"""Linear mixed models against lme4 and lmerTest on the sleepstudy data.

Reference values come from R 4.2.2 with lme4 1.1-31 and lmerTest 3.1-3 (Debian's
r-cran-lme4 and r-cran-lmertest):

    library(lmerTest)
    d <- read.csv("sleepstudy.csv"); d$Subject <- factor(d$Subject)
    f <- lmer(Reaction ~ Days + (Days | Subject), data = d)
    REMLcrit(f); AIC(f); BIC(f)
    coef(summary(f))           # Satterthwaite df and p-values
    as.data.frame(VarCorr(f))  # variances, SDs and the correlation
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from assessment.mixed import MixedModelError, MixedResult, fit_mixed


@functools.cache
def _sleepstudy(path: Path) -> pd.DataFrame:
    return pd.read_csv(path / "sleepstudy.csv")


@functools.cache
def _slopes(path: Path, reml: bool) -> MixedResult:
    return fit_mixed(
        _sleepstudy(path), "Reaction ~ Days", "Subject", re_formula="~Days", reml=reml
    )


@pytest.fixture
def sleepstudy(reference_data) -> pd.DataFrame:
    return _sleepstudy(reference_data).copy()


@pytest.fixture
def reml_fit(reference_data) -> MixedResult:
    return _slopes(reference_data, True)


@pytest.fixture
def ml_fit(reference_data) -> MixedResult:
    return _slopes(reference_data, False)


def fixed(result: MixedResult, term: str) -> pd.Series:
    return result.fixed_effects.set_index("term").loc[term]


def component(result: MixedResult, var1, var2=None) -> pd.Series:
    table = result.variance_components
    if var1 == "Residual":
        return table[table["grp"] == "Residual"].iloc[0]
    match = table["var1"] == var1
    match &= table["var2"].isna() if var2 is None else table["var2"] == var2
    return table[match].iloc[0]


def test_mixed_counts_observations_and_groups(reml_fit):
    assert reml_fit.n_obs == 180
    assert reml_fit.n_groups == 18
    assert reml_fit.n_dropped == 0
    assert reml_fit.converged


def test_mixed_reml_criterion_equals_lme4(reml_fit):
    # REMLcrit(f) 1743.628272, AIC 1755.628272, BIC 1774.786013
    assert math.isclose(reml_fit.reml_criterion, 1743.628272, abs_tol=1e-5)
    assert math.isclose(reml_fit.loglik, -871.814136, abs_tol=1e-5)
    assert math.isclose(reml_fit.aic, 1755.628272, abs_tol=1e-5)
    assert math.isclose(reml_fit.bic, 1774.786013, abs_tol=1e-5)
    assert math.isnan(reml_fit.deviance)


def test_mixed_fixed_effects_equal_lme4(reml_fit):
    # (Intercept) 251.40510485 (6.824596695), Days 10.46728596 (1.545789644)
    assert math.isclose(
        fixed(reml_fit, "Intercept")["estimate"], 251.405105, abs_tol=1e-5
    )
    assert math.isclose(fixed(reml_fit, "Days")["estimate"], 10.467286, abs_tol=1e-5)
    assert math.isclose(fixed(reml_fit, "Intercept")["se"], 6.824597, abs_tol=5e-5)
    assert math.isclose(fixed(reml_fit, "Days")["se"], 1.545790, abs_tol=5e-5)


def test_mixed_satterthwaite_df_equal_lmertest(reml_fit):
    # df 16.99972629 and 16.99998373
    assert math.isclose(fixed(reml_fit, "Intercept")["df"], 16.999726, abs_tol=2e-3)
    assert math.isclose(fixed(reml_fit, "Days")["df"], 16.999984, abs_tol=2e-3)


def test_mixed_t_p_values_equal_lmertest(reml_fit):
    # Pr(>|t|) 1.171558111e-17 and 3.263824470e-06; t 36.838 and 6.771
    assert math.isclose(
        fixed(reml_fit, "Intercept")["p_value"], 1.171558e-17, rel_tol=2e-3
    )
    assert math.isclose(fixed(reml_fit, "Days")["p_value"], 3.263824e-06, rel_tol=2e-3)
    assert round(fixed(reml_fit, "Days")["statistic"], 3) == 6.771


def test_mixed_keeps_z_p_value(reml_fit):
    days = fixed(reml_fit, "Days")
    assert days["p_value_z"] < days["p_value"]
    assert math.isclose(days["p_value_z"], 1.2746e-11, rel_tol=1e-3)


def test_mixed_interval_uses_t_quantile(reml_fit):
    days = fixed(reml_fit, "Days")
    half_width = days["ci_high"] - days["estimate"]
    # qt(0.975, 17) = 2.109816
    assert math.isclose(half_width / days["se"], 2.109816, abs_tol=1e-4)


def test_mixed_variance_components_equal_lme4(reml_fit):
    # sdcor: (Intercept) 24.74065799, Days 5.92213766, corr 0.06555124,
    # Residual 25.59179572
    assert math.isclose(
        component(reml_fit, "Intercept")["sdcor"], 24.740658, abs_tol=2e-4
    )
    assert math.isclose(component(reml_fit, "Days")["sdcor"], 5.922138, abs_tol=2e-4)
    assert math.isclose(
        component(reml_fit, "Intercept", "Days")["sdcor"], 0.065551, abs_tol=2e-5
    )
    assert math.isclose(
        component(reml_fit, "Residual")["sdcor"], 25.591796, abs_tol=2e-4
    )


def test_mixed_variance_components_to_print_precision(reml_fit):
    assert round(component(reml_fit, "Intercept")["sdcor"], 3) == 24.741
    assert round(component(reml_fit, "Days")["sdcor"], 3) == 5.922
    assert round(component(reml_fit, "Intercept", "Days")["sdcor"], 2) == 0.07
    assert round(component(reml_fit, "Residual")["sdcor"], 3) == 25.592


def test_mixed_names_random_intercept_like_fixed_one(reml_fit):
    table = reml_fit.variance_components
    assert list(table["grp"]) == ["Subject", "Subject", "Subject", "Residual"]
    assert list(table["var1"][:2]) == ["Intercept", "Days"]


# lmer(..., REML = FALSE): logLik -875.9696722, deviance 1751.939344, AIC
# 1763.939344, BIC 1783.097086; SE 6.632122742 and 1.502230214; df 18.00113477
# and 18.00017693; sdcor 23.77975959, 5.71679851, 0.08132109, 25.59190704
def test_mixed_ml_fit_equals_lme4(ml_fit):
    assert math.isclose(ml_fit.loglik, -875.969672, abs_tol=1e-5)
    assert math.isclose(ml_fit.deviance, 1751.939344, abs_tol=1e-5)
    assert math.isclose(ml_fit.aic, 1763.939344, abs_tol=1e-5)
    assert math.isclose(ml_fit.bic, 1783.097086, abs_tol=1e-5)
    assert math.isnan(ml_fit.reml_criterion)
    assert math.isclose(fixed(ml_fit, "Intercept")["se"], 6.632123, abs_tol=2e-4)
    assert math.isclose(fixed(ml_fit, "Days")["se"], 1.502230, abs_tol=5e-5)
    assert math.isclose(fixed(ml_fit, "Intercept")["df"], 18.001135, abs_tol=5e-3)
    assert math.isclose(fixed(ml_fit, "Days")["df"], 18.000177, abs_tol=5e-3)
    assert math.isclose(
        component(ml_fit, "Intercept")["sdcor"], 23.779760, abs_tol=1e-3
    )
    assert math.isclose(component(ml_fit, "Residual")["sdcor"], 25.591907, abs_tol=2e-4)


# lmer(Reaction ~ Days + (1 | Subject), data = d): SE 9.7467162692 and
# 0.8042214289, df 22.81019896 and 161.00000005, logLik (REML) -893.2325427,
# sdcor 37.12382677 and 30.99123390
def test_mixed_random_intercept_equals_lme4(sleepstudy):
    result = fit_mixed(sleepstudy, "Reaction ~ Days", "Subject")
    assert math.isclose(result.loglik, -893.2325427, abs_tol=1e-5)
    assert math.isclose(fixed(result, "Intercept")["se"], 9.746716, abs_tol=5e-5)
    assert math.isclose(fixed(result, "Days")["se"], 0.804221, abs_tol=5e-5)
    assert math.isclose(fixed(result, "Intercept")["df"], 22.810199, abs_tol=2e-3)
    assert math.isclose(fixed(result, "Days")["df"], 161.0, abs_tol=2e-3)
    assert math.isclose(
        component(result, "Intercept")["sdcor"], 37.123827, abs_tol=2e-4
    )
    assert math.isclose(component(result, "Residual")["sdcor"], 30.991234, abs_tol=2e-4)


# d$phase <- ifelse(d$Days < 5, "early", "late")
# lmer(Reaction ~ phase + (1 | Subject), data = d): phaselate 53.75542556
# (5.084545402) on 161 df; (Intercept) df 19.77593291; REMLcrit 1813.826638
def test_mixed_text_column_is_a_factor(sleepstudy):
    sleepstudy["phase"] = ["early" if day < 5 else "late" for day in sleepstudy["Days"]]
    result = fit_mixed(sleepstudy.astype(str), "Reaction ~ phase", "Subject")
    late = fixed(result, "phase[T.late]")
    assert math.isclose(late["estimate"], 53.755426, abs_tol=1e-5)
    assert math.isclose(late["se"], 5.084545, abs_tol=5e-5)
    assert math.isclose(late["df"], 161.0, abs_tol=2e-3)
    assert math.isclose(fixed(result, "Intercept")["df"], 19.775933, abs_tol=2e-3)
    assert math.isclose(result.reml_criterion, 1813.826638, abs_tol=1e-5)


def test_mixed_without_df_reports_z_only(sleepstudy):
    result = fit_mixed(sleepstudy, "Reaction ~ Days", "Subject", df_method="none")
    days = fixed(result, "Days")
    assert math.isnan(days["df"])
    assert math.isnan(days["p_value"])
    assert math.isclose(
        (days["ci_high"] - days["estimate"]) / days["se"], 1.959964, abs_tol=1e-6
    )


def test_mixed_drops_incomplete_rows(sleepstudy):
    sleepstudy.loc[[0, 5], "Reaction"] = math.nan
    result = fit_mixed(sleepstudy, "Reaction ~ Days", "Subject")
    assert result.n_dropped == 2
    assert result.n_obs == 178


def test_mixed_json_has_no_nan(reml_fit):
    payload = reml_fit.as_dict()
    assert payload["deviance"] is None
    assert payload["fixed_effects"][1]["term"] == "Days"
    assert payload["variance_components"][3]["grp"] == "Residual"


def test_mixed_rejects_missing_column(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Days", "Patient")
    assert raised.value.code == "missing_column"
    assert raised.value.details["columns"] == ["Patient"]


def test_mixed_rejects_non_numeric_response(sleepstudy):
    sleepstudy["Reaction"] = sleepstudy["Reaction"].astype(object)
    sleepstudy.loc[7, "Reaction"] = "lent"
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Days", "Subject")
    assert raised.value.code == "non_numeric"
    assert raised.value.details["row"] == 7
    assert raised.value.details["column"] == "Reaction"


def test_mixed_rejects_text_in_numeric_predictor(sleepstudy):
    sleepstudy["Days"] = sleepstudy["Days"].astype(object)
    sleepstudy.loc[3, "Days"] = "trois"
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Days", "Subject")
    assert raised.value.code == "non_numeric"
    assert raised.value.details["value"] == "trois"


def test_mixed_rejects_unknown_predictor(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Dayz", "Subject")
    assert raised.value.code == "missing_column"
    assert raised.value.details["columns"] == ["Dayz"]


def test_mixed_rejects_unbuildable_formula(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Days +", "Subject")
    assert raised.value.code == "formula"


def test_mixed_reads_expressions_of_columns(sleepstudy):
    result = fit_mixed(sleepstudy, "I(Reaction / 1000) ~ np.log1p(Days)", "Subject")
    assert result.n_obs == 180
    assert list(result.fixed_effects["term"]) == ["Intercept", "np.log1p(Days)"]


def test_mixed_rejects_formula_without_tilde(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction", "Subject")
    assert raised.value.code == "formula"


def test_mixed_rejects_single_group(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(
            sleepstudy[sleepstudy["Subject"] == 308], "Reaction ~ Days", "Subject"
        )
    assert raised.value.code == "too_few_groups"


def test_mixed_rejects_unknown_df_method(sleepstudy):
    with pytest.raises(MixedModelError) as raised:
        fit_mixed(sleepstudy, "Reaction ~ Days", "Subject", df_method="kenward-roger")
    assert raised.value.code == "df_method"
