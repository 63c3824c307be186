"""Nested random intercepts against lme4 and lmerTest.

`data/programme_small.csv` is a simulated programme (24 classes in 12 schools, 492
pupils, 4 waves), drawn by

    simulate_programme(ProgrammeDesign(n_classes=24, classes_per_school=2,
        pupils_per_class=20, skills={"perseverance": 4, "collaboration": 4},
        effect=0.3, dropout=0.05, dropout_programme=0.08, item_missing=0.02),
        seed=20260901, item_dtype="Int8")

and stored, so that these values do not depend on numpy's random streams. Reference
values from R 4.2.2, lme4 1.1-31 and lmerTest 3.1-3 (Debian's packages):

    library(lmerTest)
    d <- read.csv("programme_small.csv")
    d$school <- factor(d$school); d$class <- factor(d$class)
    d$pupil <- factor(d$pupil)
    f <- lmer(perseverance ~ arm * wave + (1 | school/class/pupil), data = d)
    REMLcrit(f); AIC(f); BIC(f); coef(summary(f)); as.data.frame(VarCorr(f))
    g <- update(f, REML = FALSE); deviance(g); coef(summary(g))
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from assessment.mixed import MixedModelError, MixedResult
from assessment.multilevel import fit_nested_mixed

DATA = Path(__file__).parent / "data" / "programme_small.csv"
FORMULA = "perseverance ~ C(arm) * C(wave)"
LEVELS = ("school", "class", "pupil")
TERMS = [
    "Intercept",
    "C(arm)[T.programme]",
    "C(wave)[T.T2]",
    "C(wave)[T.T3]",
    "C(wave)[T.T4]",
    "C(arm)[T.programme]:C(wave)[T.T2]",
    "C(arm)[T.programme]:C(wave)[T.T3]",
    "C(arm)[T.programme]:C(wave)[T.T4]",
]
# coef(summary(f)): Estimate, Std. Error, df (Satterthwaite), in TERMS order.
LME4_REML = [
    (2.4943955126838, 0.0709122456487, 22.9485058636),
    (0.0112934293863, 0.0722605802066, 27.1174227133),
    (0.0699244415736, 0.0487572940481, 1288.8595813112),
    (0.1613584711201, 0.0500077720242, 1305.2074340088),
    (0.1661060083805, 0.0504683450481, 1308.5219184333),
    (0.1135531502573, 0.0690238701481, 1292.4220506467),
    (0.0902024420779, 0.0712135545323, 1312.0142533436),
    (0.2066868806258, 0.0731433459841, 1321.3804105119),
]


@functools.cache
def _programme() -> pd.DataFrame:
    return pd.read_csv(DATA)


@functools.cache
def _fit(reml: bool) -> MixedResult:
    return fit_nested_mixed(_programme(), FORMULA, LEVELS, reml=reml)


@pytest.fixture
def programme() -> pd.DataFrame:
    return _programme().copy()


@pytest.fixture
def reml_fit() -> MixedResult:
    return _fit(True)


def test_nested_counts_units_per_level(reml_fit):
    assert reml_fit.levels == (("school", 12), ("class", 24), ("pupil", 492))
    assert reml_fit.n_obs == 1753
    assert reml_fit.n_dropped == 2


def test_nested_reml_criterion_equals_lme4(reml_fit):
    # REMLcrit(f) 3341.75786272, AIC 3365.75786272, BIC 3431.38686934
    assert reml_fit.reml_criterion == pytest.approx(3341.75786272, abs=1e-6)
    assert reml_fit.aic == pytest.approx(3365.75786272, abs=1e-6)
    assert reml_fit.bic == pytest.approx(3431.38686934, abs=1e-6)
    assert math.isnan(reml_fit.deviance)


@pytest.mark.parametrize("index", range(len(TERMS)))
def test_nested_fixed_effects_equal_lme4(reml_fit, index):
    row = reml_fit.fixed_effects.iloc[index]
    estimate, se, df = LME4_REML[index]
    assert row["term"] == TERMS[index]
    assert row["estimate"] == pytest.approx(estimate, abs=1e-7)
    assert row["se"] == pytest.approx(se, rel=1e-5)
    # Satterthwaite df from finite differences, as in assessment.mixed.
    assert row["df"] == pytest.approx(df, rel=1e-4)


def test_nested_variance_components_equal_lme4(reml_fit):
    # as.data.frame(VarCorr(f))$vcov: pupil 0.16775177311763, class
    # 0.00647983609018, school 0.03023598046726, residual 0.27867128170186
    vcov = reml_fit.variance_components.set_index("grp")["vcov"]
    assert vcov["school"] == pytest.approx(0.03023598046726, rel=1e-4)
    assert vcov["class"] == pytest.approx(0.00647983609018, rel=1e-4)
    assert vcov["pupil"] == pytest.approx(0.16775177311763, rel=1e-5)
    assert vcov["Residual"] == pytest.approx(0.27867128170186, rel=1e-6)


def test_nested_ml_fit_reaches_lme4_minimum():
    # deviance(g) 3307.96144247; lme4's optimiser stops 6e-7 above the minimum
    # found here, so its class variance (0.00508740453449) differs in the fourth
    # digit while the fixed effects agree to 1e-6.
    fit = _fit(False)
    assert fit.deviance <= 3307.96144247 + 1e-8
    assert fit.deviance == pytest.approx(3307.96144247, abs=1e-5)
    interaction = fit.fixed_effects.set_index("term").loc[TERMS[-1]]
    assert interaction["estimate"] == pytest.approx(0.2065137602885, abs=1e-5)
    assert interaction["se"] == pytest.approx(0.0729771578878, rel=1e-4)


def test_nested_single_level_equals_two_level_fit(reference_data):
    # lmer(Reaction ~ Days + (1 | Subject)), the values test_mixed checks: SE
    # 9.7467162692 and 0.8042214289, df 22.81019896 and 161.00000005, logLik
    # (REML) -893.2325427, SDs 37.12382677 and 30.99123390.
    sleep = pd.read_csv(reference_data / "sleepstudy.csv")
    fit = fit_nested_mixed(sleep, "Reaction ~ Days", ["Subject"])
    assert fit.fixed_effects["se"].tolist() == pytest.approx(
        [9.7467162692, 0.8042214289], rel=1e-7
    )
    assert fit.fixed_effects["df"].tolist() == pytest.approx(
        [22.81019896, 161.00000005], rel=1e-5
    )
    assert fit.loglik == pytest.approx(-893.2325427, abs=1e-6)
    assert fit.variance_components["sdcor"].tolist() == pytest.approx(
        [37.12382677, 30.99123390], rel=1e-6
    )


def test_nested_units_are_nested_by_construction(programme):
    # Class numbers restarting in each school still make distinct classes.
    renumbered = programme.assign(
        **{"class": programme["class"] - 2 * programme["school"]}
    )
    fit = fit_nested_mixed(renumbered, FORMULA, LEVELS)
    assert dict(fit.levels)["class"] == 24
    assert fit.reml_criterion == pytest.approx(3341.75786272, abs=1e-6)


def test_nested_boundary_variance_reported(programme):
    # Odd and even schools as an outer level: on these data its variance is 0.
    single = programme.assign(site=programme["school"] % 2)
    fit = fit_nested_mixed(single, FORMULA, ["site", "school", "class", "pupil"])
    assert fit.converged
    assert fit.variance_components.set_index("grp").loc["site", "vcov"] == 0
    assert any("boundary" in message for message in fit.warnings)
    assert fit.fixed_effects["df"].notna().all()


def test_nested_rejects_single_unit(programme):
    with pytest.raises(MixedModelError) as raised:
        fit_nested_mixed(programme.assign(region=1), FORMULA, ["region", "class"])
    assert raised.value.code == "too_few_groups"


def test_nested_rejects_rank_deficient_design(programme):
    with pytest.raises(MixedModelError) as raised:
        fit_nested_mixed(
            programme.assign(copy=programme["pupil"]),
            "perseverance ~ pupil + copy",
            LEVELS,
        )
    assert raised.value.code == "rank"


def test_nested_rejects_missing_column(programme):
    with pytest.raises(MixedModelError) as raised:
        fit_nested_mixed(programme, FORMULA, ["school", "room"])
    assert raised.value.code == "missing_column"
