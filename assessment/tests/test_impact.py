"""The impact analysis on a simulated programme, against R.

`data/programme_small.csv` is the simulated programme described in
`test_multilevel` (24 classes, 492 pupils, 4 waves). Reference values from R 4.2.2
with lme4 1.1-31 and sandwich 3.0-2 (Debian's packages):

    d <- read.csv("programme_small.csv"); d$programme <- d$arm == "programme"
    k <- d[d$wave %in% c("T1", "T4") & !is.na(d$perseverance), ]
    k <- k[k$pupil %in% names(which(table(k$pupil) == 2)), ]   # analytic sample
    k$post <- k$wave == "T4"
    f <- lm(perseverance ~ programme * post, data = k)
    coef(f); sqrt(diag(vcovCL(f, cluster = ~class, type = "HC1")))
    e <- k[k$wave == "T4", ]
    as.data.frame(VarCorr(lmer(perseverance ~ programme + (1 | class), data = e)))
    b <- d[d$wave == "T1" & !is.na(d$perseverance), ]
    as.data.frame(VarCorr(lmer(perseverance ~ 1 + (1 | school/class), data = b)))

Hedges' g was then computed in R from the WWC formulas (as in test_effects) with
that ICC, the endline SDs and the mean class size of e.
"""

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assessment.impact import (
    ImpactError,
    SkillImpact,
    analyse_impact,
    attrition_boundary,
    difference_in_differences,
    power_table,
)

DATA = Path(__file__).parent / "data" / "programme_small.csv"


@functools.cache
def _programme() -> pd.DataFrame:
    return pd.read_csv(DATA)


@functools.cache
def _impact() -> dict[str, SkillImpact]:
    return analyse_impact(_programme(), ["perseverance", "collaboration"])


@pytest.fixture
def programme() -> pd.DataFrame:
    return _programme().copy()


@pytest.fixture
def perseverance() -> SkillImpact:
    return _impact()["perseverance"]


def test_impact_returns_skills_in_order():
    assert list(_impact()) == ["perseverance", "collaboration"]


def test_did_equals_lm_with_vcovcl(perseverance):
    # coef(f)["programme:post"] 0.22640541926430, vcovCL SE 0.0719664487186
    did = perseverance.did
    assert did.estimate == pytest.approx(0.22640541926430, abs=1e-12)
    assert did.cr1.se == pytest.approx(0.0719664487186, rel=1e-10)
    assert did.cr1.df == 23
    assert did.n_pupils == 386
    assert did.n_classes == 24


def test_did_means_are_the_analytic_sample(perseverance):
    # coef(f): intercept 2.49637681159420, post 0.14975845410628
    means = perseverance.did.means.set_index(["arm", "wave"])
    assert means.loc[("comparison", "T1"), "mean"] == pytest.approx(2.4963768115942)
    assert means.loc[("comparison", "T4"), "mean"] == pytest.approx(
        2.4963768115942 + 0.14975845410628
    )
    assert means["n"].tolist() == [207, 207, 179, 179]


def test_did_uses_bootstrap_with_few_classes(perseverance):
    assert perseverance.inference == "wild cluster bootstrap"
    bootstrap = perseverance.did.bootstrap
    assert bootstrap is not None
    assert bootstrap.replications == 9999
    assert bootstrap.ci_low < perseverance.did.estimate < bootstrap.ci_high


def test_did_skips_bootstrap_with_enough_classes(programme):
    result = difference_in_differences(programme, "perseverance", bootstrap_below=20)
    assert result.bootstrap is None


def test_mixed_model_interaction_equals_lme4(perseverance):
    # test_multilevel: armprogramme:waveT4 0.2066868806258 (0.0731433459841) on
    # 1321.38 Satterthwaite df
    term = perseverance.mixed_did_term
    assert term["estimate"] == pytest.approx(0.2066868806258, abs=1e-7)
    assert term["se"] == pytest.approx(0.0731433459841, rel=1e-5)
    assert term["df"] == pytest.approx(1321.3804105119, rel=1e-4)


def test_effect_size_equals_wwc_formulas(perseverance):
    # ICC 0.0855527465924 (class 0.0415369528548, residual 0.4439758390681),
    # S 0.6938307023287, d 0.3263121947536, omega 0.9980456026059,
    # n 16.0833333333333, gamma 0.9966338642671, g 0.3245781866435,
    # SE 0.1546534214955
    effect = perseverance.effect_size
    assert effect.icc == pytest.approx(0.0855527465924, rel=1e-6)
    assert effect.d == pytest.approx(0.3263121947536, rel=1e-10)
    assert effect.cluster_size == pytest.approx(16.0833333333333)
    assert effect.gamma == pytest.approx(0.9966338642671, rel=1e-8)
    assert effect.g == pytest.approx(0.3245781866435, rel=1e-8)
    assert effect.se == pytest.approx(0.1546534214955, rel=1e-6)
    assert effect.n_clusters == 24


def test_baseline_icc_equals_lme4(perseverance):
    # vcov: class:school 0.00140780448436, school 0.03278579461143,
    # residual 0.45647733130558
    icc = perseverance.baseline_icc
    assert icc.school_variance == pytest.approx(0.03278579461143, rel=1e-4)
    assert icc.class_variance == pytest.approx(0.00140780448436, rel=1e-3)
    assert icc.pupil_variance == pytest.approx(0.45647733130558, rel=1e-5)
    total = 0.03278579461143 + 0.00140780448436 + 0.45647733130558
    assert icc.icc_class == pytest.approx(
        (0.03278579461143 + 0.00140780448436) / total, rel=1e-4
    )
    assert icc.n_obs == 492


def test_baseline_equivalence_in_sd_units(perseverance):
    # difference -0.00941219334467, pooled SD 0.69062616274024,
    # g = (1 - 3 / (4 * 386 - 9)) * difference / S = -0.01360185681534
    equivalence = perseverance.baseline_equivalence
    assert equivalence.difference == pytest.approx(-0.00941219334467, rel=1e-10)
    assert equivalence.pooled_sd == pytest.approx(0.69062616274024, rel=1e-10)
    assert equivalence.g == pytest.approx(-0.01360185681534, rel=1e-10)
    assert equivalence.band == "satisfied"


def test_baseline_equivalence_band_needs_adjustment():
    # collaboration: baseline g 0.173, between 0.05 and 0.25 SD
    equivalence = _impact()["collaboration"].baseline_equivalence
    assert 0.05 < equivalence.g <= 0.25
    assert equivalence.band == "adjustment_required"


def test_attrition_counts_pupils_and_classes(perseverance):
    table = perseverance.attrition.table.set_index(["level", "arm"])
    assert table.loc[("pupils", "programme"), "randomised"] == 247
    assert table.loc[("pupils", "programme"), "analysed"] == 179
    assert table.loc[("pupils", "comparison"), "randomised"] == 245
    assert table.loc[("pupils", "comparison"), "analysed"] == 207
    assert table.loc[("classes", "programme"), "attrition"] == 0


def test_attrition_applies_wwc_boundary(perseverance):
    attrition = perseverance.attrition
    assert attrition.overall == pytest.approx(1 - 386 / 492)
    assert attrition.differential == pytest.approx(abs(68 / 247 - 38 / 245))
    # 22 % overall: at most 5.2 points of differential attrition (cautious).
    assert attrition.max_differential == pytest.approx(0.052)
    assert not attrition.low


@pytest.mark.parametrize(
    ("overall", "boundary", "expected"),
    [
        (0.0, "cautious", 0.057),
        (0.10, "cautious", 0.063),
        (0.30, "cautious", 0.041),
        (0.30, "optimistic", 0.082),
        (0.57, "cautious", 0.0),
        (0.65, "optimistic", 0.003),
    ],
)
def test_attrition_boundary_reads_wwc_table(overall, boundary, expected):
    assert attrition_boundary(overall, boundary) == pytest.approx(expected)


def test_attrition_boundary_beyond_table_is_nan():
    assert math.isnan(attrition_boundary(0.60, "cautious"))
    assert math.isnan(attrition_boundary(0.70, "optimistic"))


def test_attrition_boundary_rejects_percentages():
    with pytest.raises(ValueError, match="share in"):
        attrition_boundary(22.0)


def test_mdes_uses_analytic_design(perseverance):
    mdes = perseverance.mdes
    assert mdes.df == 22
    assert 0 < mdes.mdes < 1


def test_power_table_covers_grid():
    table = power_table([40, 80], [20, 25], [0.1, 0.2])
    assert len(table) == 8
    assert list(table.columns) == [
        "n_classes",
        "pupils_per_class",
        "icc",
        "mdes",
        "multiplier",
        "df",
    ]
    # test_effects: J = 40, n = 20, ICC 0.2 gives 0.44548246
    row = table.query("n_classes == 40 and pupils_per_class == 20 and icc == 0.2")
    assert row["mdes"].iloc[0] == pytest.approx(0.44548246, abs=1e-8)
    assert (table.groupby("n_classes")["mdes"].max().diff().dropna() < 0).all()


def test_impact_ignores_item_columns_and_order(programme):
    shuffled = programme.sample(frac=1, random_state=1).drop(
        columns=["perseverance_1", "perseverance_2"]
    )
    result = difference_in_differences(shuffled, "perseverance", bootstrap_below=0)
    assert result.estimate == pytest.approx(0.22640541926430, abs=1e-12)


def test_impact_accepts_text_identifiers(programme):
    labelled = programme.assign(
        pupil="p" + programme["pupil"].astype(str),
        **{"class": "c" + programme["class"].astype(str)},
        school="0750" + programme["school"].astype(str),
    )
    result = difference_in_differences(labelled, "perseverance", bootstrap_below=0)
    assert result.cr1.se == pytest.approx(0.0719664487186, rel=1e-10)


def test_impact_rejects_missing_column(programme):
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme.drop(columns="school"), ["perseverance"])
    assert raised.value.code == "missing_column"
    assert raised.value.details["columns"] == ["school"]


def test_impact_rejects_unknown_arm(programme):
    programme.loc[0, "arm"] = "treatment"
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"])
    assert raised.value.code == "arm"
    assert "treatment" in str(raised.value)


def test_impact_rejects_unknown_wave(programme):
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"], waves=["T1", "T2", "T3"])
    assert raised.value.code == "wave"


def test_impact_rejects_class_in_both_arms(programme):
    first_class = programme["class"] == 0
    programme.loc[first_class & (programme["wave"] == "T4"), "arm"] = (
        "programme"
        if programme.loc[first_class, "arm"].iloc[0] == "comparison"
        else "comparison"
    )
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"])
    assert raised.value.code == "class_arm"
    assert raised.value.details["value"] == "0"


def test_impact_rejects_pupil_in_two_classes(programme):
    programme.loc[(programme["pupil"] == 5) & (programme["wave"] == "T2"), "class"] = 1
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"])
    assert raised.value.code == "pupil_class"


def test_impact_rejects_duplicate_rows(programme):
    doubled = pd.concat([programme, programme.iloc[[3]]])
    with pytest.raises(ImpactError) as raised:
        analyse_impact(doubled, ["perseverance"])
    assert raised.value.code == "duplicate"


def test_impact_rejects_text_scores(programme):
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme.astype({"perseverance": str}), ["perseverance"])
    assert raised.value.code == "non_numeric"


def test_impact_rejects_baseline_after_endline(programme):
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"], baseline="T4", endline="T1")
    assert raised.value.code == "wave"


def test_impact_rejects_arm_without_analytic_pupils(programme):
    endline_programme = (programme["arm"] == "programme") & (programme["wave"] == "T4")
    programme.loc[endline_programme, "perseverance"] = np.nan
    with pytest.raises(ImpactError) as raised:
        analyse_impact(programme, ["perseverance"])
    assert raised.value.code == "too_few_rows"
    assert "programme arm" in str(raised.value)
