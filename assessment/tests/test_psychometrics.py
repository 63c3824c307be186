"""Psychometrics per wave and across waves, against lavaan.

Data: `data/programme_small.csv` (see `test_multilevel`). Reference values from R
4.2.2 with lavaan 0.6-14 on the T1 rows (t1 <- d[d$wave == "T1", ]):

    m <- 'f =~ l1*perseverance_1 + l2*perseverance_2 + l3*perseverance_3
                + l4*perseverance_4
          perseverance_1 ~~ e1*perseverance_1; ...; perseverance_4 ~~ e4*perseverance_4
          omega := (l1 + l2 + l3 + l4)^2 / ((l1 + l2 + l3 + l4)^2 + e1 + e2 + e3 + e4)'
    parameterEstimates(cfa(m, data = t1, std.lv = TRUE))   # the omega row
    g <- cfa('P =~ perseverance_1 + perseverance_2 + perseverance_3
                   + perseverance_4', data = t1)
    b <- cfa('P =~ perseverance_1 + ... + perseverance_4
              C =~ collaboration_1 + ... + collaboration_4', data = t1)
    fitMeasures(g); parameterEstimates(g, standardized = TRUE); fitMeasures(b)

lavaan rejects a factor named like an observed column (``perseverance``, the
score), so R names them P and C; the models are the same.
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from assessment.psychometrics import (
    Psychometrics,
    analyse_psychometrics,
    battery_syntax,
    item_table,
    omega_interval,
)
from assessment.statistics import InsufficientDataError, mcdonald_omega

DATA = Path(__file__).parent / "data" / "programme_small.csv"
SCALES = {
    skill: [f"{skill}_{index}" for index in range(1, 5)]
    for skill in ("perseverance", "collaboration")
}


@functools.cache
def _programme() -> pd.DataFrame:
    return pd.read_csv(DATA)


@functools.cache
def _psychometrics() -> Psychometrics:
    return analyse_psychometrics(_programme(), SCALES, response_range=(1, 4))


@pytest.fixture
def report() -> Psychometrics:
    return _psychometrics()


@pytest.fixture
def first_wave() -> pd.DataFrame:
    data = _programme()
    return data[data["wave"] == "T1"].copy()


def test_omega_interval_equals_lavaan_defined_parameter(first_wave):
    # omega row: est 0.7101748910, se 0.0221286682, ci 0.6668034982 to
    # 0.7535462837, 449 complete rows. Both optimisers stop within 1e-8 of the
    # minimum, which leaves omega equal to 8e-9.
    omega = omega_interval(first_wave, SCALES["perseverance"]).iloc[0]
    assert omega["omega"] == pytest.approx(0.7101748910, abs=1e-7)
    assert omega["se"] == pytest.approx(0.0221286682, abs=1e-7)
    assert omega["ci_low"] == pytest.approx(0.6668034982, abs=1e-7)
    assert omega["ci_high"] == pytest.approx(0.7535462837, abs=1e-7)
    assert omega["n"] == 449


def test_omega_interval_equals_statistics_omega(first_wave):
    items = SCALES["collaboration"]
    omega = omega_interval(first_wave, items).iloc[0]["omega"]
    assert omega == pytest.approx(mcdonald_omega(first_wave[items]).iloc[0]["omega"])


def test_omega_interval_needs_three_items(first_wave):
    with pytest.raises(InsufficientDataError) as raised:
        omega_interval(first_wave, SCALES["perseverance"][:2])
    assert raised.value.code == "too_few_items"


def test_scale_cfa_equals_lavaan(report):
    # fitMeasures(g): chisq 0.8512752871 on 2 df, cfi 1, tli 1.0110223360,
    # rmsea.ci.upper 0.0727512119, srmr 0.0088543274, logl -2289.2606229820,
    # aic 4594.5212459639, bic 4627.3774290659
    row = report.cfa.set_index(["wave", "model"]).loc[("T1", "perseverance")]
    assert row["n"] == 449
    assert row["chi_square"] == pytest.approx(0.8512752871, abs=1e-8)
    assert row["df"] == 2
    assert row["tli"] == pytest.approx(1.0110223360, abs=1e-8)
    assert row["rmsea_ci_high"] == pytest.approx(0.0727512119, abs=1e-6)
    assert row["srmr"] == pytest.approx(0.0088543274, abs=1e-8)
    assert row["loglik"] == pytest.approx(-2289.2606229820, abs=1e-6)
    assert row["aic"] == pytest.approx(4594.5212459639, abs=1e-6)
    assert row["bic"] == pytest.approx(4627.3774290659, abs=1e-6)
    assert row["converged"]


# parameterEstimates(g, standardized = TRUE): est, se, std.all
@pytest.mark.parametrize(
    ("item", "est", "se", "std_all"),
    [
        ("perseverance_2", 0.88036950, 0.08943033, 0.66330505),
        ("perseverance_3", 0.83077923, 0.08727040, 0.60723068),
        ("perseverance_4", 0.60799492, 0.08023716, 0.44659095),
    ],
)
def test_scale_loadings_equal_lavaan(report, item, est, se, std_all):
    loadings = report.loadings.set_index(["wave", "model", "item"])
    row = loadings.loc[("T1", "perseverance", item)]
    assert row["est"] == pytest.approx(est, abs=1e-7)
    assert row["se"] == pytest.approx(se, abs=1e-7)
    assert row["std_all"] == pytest.approx(std_all, abs=1e-7)


def test_marker_loading_has_no_se(report):
    loadings = report.loadings.set_index(["wave", "model", "item"])
    marker = loadings.loc[("T1", "perseverance", "perseverance_1")]
    assert marker["est"] == 1
    assert math.isnan(marker["se"])


def test_battery_cfa_equals_lavaan(report):
    # fitMeasures(b): chisq 11.2054705363 on 19 df, tli 1.0202622578, srmr
    # 0.0181748176, logl -4270.0990934795, bic 8642.8419925977, 419 rows
    row = report.cfa.set_index(["wave", "model"]).loc[("T1", "battery")]
    assert row["n"] == 419
    assert row["chi_square"] == pytest.approx(11.2054705363, abs=1e-7)
    assert row["df"] == 19
    assert row["tli"] == pytest.approx(1.0202622578, abs=1e-8)
    assert row["srmr"] == pytest.approx(0.0181748176, abs=1e-8)
    assert row["loglik"] == pytest.approx(-4270.0990934795, abs=1e-6)
    assert row["bic"] == pytest.approx(8642.8419925977, abs=1e-6)


def test_battery_syntax_has_one_factor_per_skill():
    assert battery_syntax({"a": ["x1", "x2", "x3"], "b": ["y1", "y2", "y3"]}) == (
        "a =~ x1 + x2 + x3\nb =~ y1 + y2 + y3"
    )


def test_report_covers_every_wave_and_scale(report):
    assert report.reliability[["wave", "scale"]].value_counts().size == 8
    assert set(report.cfa["model"]) == {"perseverance", "collaboration", "battery"}
    assert len(report.items) == 4 * 2 * 4
    assert report.problems.empty


def test_reliability_alpha_uses_every_answering_pupil(report):
    row = report.reliability.set_index(["wave", "scale"]).loc[("T1", "perseverance")]
    assert row["n"] == 492
    assert row["omega_n"] == 449
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    assert row["omega_ci_low"] < row["omega"] < row["omega_ci_high"]


def test_invariance_table_per_skill(report):
    assert set(report.invariance) == {"perseverance", "collaboration"}
    table = report.invariance["perseverance"].table
    assert table["model"].tolist() == ["configural", "metric", "scalar"]
    # test_longitudinal: metric against configural, 9.923129822 on 9 df
    assert table["delta_chi_square"].iloc[1] == pytest.approx(9.923129822, abs=1e-6)


def test_item_table_floor_and_ceiling(first_wave):
    table = item_table(first_wave, SCALES["perseverance"], response_range=(1, 4))
    answers = first_wave["perseverance_1"].dropna()
    first = table.set_index("item").loc["perseverance_1"]
    assert first["floor"] == pytest.approx((answers == 1).mean())
    assert first["ceiling"] == pytest.approx((answers == 4).mean())
    assert first["n"] == len(answers)


def test_item_table_range_defaults_to_answers_given(first_wave):
    shifted = first_wave.assign(
        **{item: first_wave[item].clip(lower=2) for item in SCALES["perseverance"]}
    )
    table = item_table(shifted, SCALES["perseverance"])
    answers = shifted["perseverance_1"].dropna()
    assert table.set_index("item").loc["perseverance_1", "floor"] == pytest.approx(
        (answers == 2).mean()
    )


def test_thin_wave_reports_problem_not_error():
    data = _programme()
    thin = pd.concat([data[data["wave"] == "T1"], data[data["wave"] == "T2"].head(3)])
    report = analyse_psychometrics(thin, SCALES)
    problems = report.problems.set_index(["wave", "scale", "statistic"])
    assert ("T2", "perseverance", "cfa") in problems.index
    assert problems.loc[("T2", "perseverance", "cfa"), "code"] == "too_few_rows"
    assert ("T1", "perseverance") in set(report.cfa.set_index(["wave", "model"]).index)


def test_psychometrics_rejects_missing_item():
    with pytest.raises(KeyError, match="perseverance_9"):
        analyse_psychometrics(_programme(), {"perseverance": ["perseverance_9"]})
