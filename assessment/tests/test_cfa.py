"""Single-group CFA against lavaan on the Holzinger-Swineford data.

Reference values come from R 4.2.2 with lavaan 0.6-14 (Debian's r-cran-lavaan):

    d <- read.csv("holzinger_swineford_1939.csv")
    m <- 'visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          speed =~ x7 + x8 + x9'
    f <- cfa(m, data = d)
    fitMeasures(f); parameterEstimates(f); standardizedSolution(f)

The values lavaan 0.6-11 prints in its tutorial are the same to 3 decimals.
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from assessment.cfa import (
    CfaError,
    CfaResult,
    ModelSyntaxError,
    fit_cfa,
    numeric_columns,
    parse_model,
    read_csv_table,
)

HS_MODEL = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
"""


@functools.cache
def _holzinger(path: Path) -> pd.DataFrame:
    return pd.read_csv(path / "holzinger_swineford_1939.csv")


@functools.cache
def _three_factor_fit(path: Path) -> CfaResult:
    return fit_cfa(_holzinger(path), HS_MODEL)


@pytest.fixture
def holzinger(reference_data) -> pd.DataFrame:
    return _holzinger(reference_data).copy()


@pytest.fixture
def hs_fit(reference_data) -> CfaResult:
    return _three_factor_fit(reference_data)


def estimate(result: CfaResult, lhs: str, op: str, rhs: str, column: str = "est"):
    table = result.estimates
    rows = table[(table["lhs"] == lhs) & (table["op"] == op) & (table["rhs"] == rhs)]
    assert len(rows) == 1, f"{lhs} {op} {rhs} not found once"
    return rows.iloc[0][column]


def test_cfa_counts_rows_and_parameters(hs_fit):
    assert hs_fit.fit.n == 301
    assert hs_fit.fit.free_parameters == 21
    assert hs_fit.fit.df == 24
    assert hs_fit.n_dropped == 0


def test_cfa_converges_from_sample_moments(hs_fit):
    assert hs_fit.converged
    assert hs_fit.start == "sample moments"
    assert hs_fit.warnings == ()


def test_cfa_chi_square_equals_lavaan(hs_fit):
    # chisq 85.30552177, pvalue 8.5e-09, baseline.chisq 918.85158929 on 36 df
    assert round(hs_fit.fit.chi_square, 3) == 85.306
    assert math.isclose(hs_fit.fit.chi_square, 85.30552177, abs_tol=1e-6)
    assert math.isclose(hs_fit.fit.p_value, 8.50e-09, rel_tol=1e-2)
    assert round(hs_fit.fit.baseline_chi_square, 3) == 918.852
    assert hs_fit.fit.baseline_df == 36


def test_cfa_incremental_fit_equals_lavaan(hs_fit):
    # cfi 0.93055965, tli 0.89583948
    assert math.isclose(hs_fit.fit.cfi, 0.93055965, abs_tol=1e-7)
    assert math.isclose(hs_fit.fit.tli, 0.89583948, abs_tol=1e-7)


def test_cfa_rmsea_and_interval_equal_lavaan(hs_fit):
    # rmsea 0.09212148 [0.07141849, 0.11367802], rmsea.pvalue 0.00066124. semopy's
    # 0.0923 divides by N - 1 where lavaan divides by N.
    assert math.isclose(hs_fit.fit.rmsea, 0.09212148, abs_tol=1e-7)
    assert math.isclose(hs_fit.fit.rmsea_ci_low, 0.07141849, abs_tol=1e-7)
    assert math.isclose(hs_fit.fit.rmsea_ci_high, 0.11367802, abs_tol=1e-7)
    assert math.isclose(hs_fit.fit.rmsea_p_close, 0.00066124, abs_tol=1e-7)


def test_cfa_srmr_equals_lavaan(hs_fit):
    # srmr 0.06520506 (Bentler's, no mean structure in a single-group CFA)
    assert math.isclose(hs_fit.fit.srmr, 0.06520506, abs_tol=1e-7)


def test_cfa_loglik_and_information_criteria_equal_lavaan(hs_fit):
    # logl -3737.74492663, unrestricted.logl -3695.09216574, aic 7517.48985325,
    # bic 7595.33916881. semopy 2.3.11 gives AIC 41.4 from its fit function.
    assert math.isclose(hs_fit.fit.loglik, -3737.74492663, abs_tol=1e-5)
    assert math.isclose(hs_fit.fit.unrestricted_loglik, -3695.09216574, abs_tol=1e-5)
    assert math.isclose(hs_fit.fit.aic, 7517.48985325, abs_tol=1e-5)
    assert math.isclose(hs_fit.fit.bic, 7595.33916881, abs_tol=1e-5)


# parameterEstimates(f): est and se printed with sprintf("%.7f").
LAVAAN_LOADINGS = {
    ("visual", "x2"): (0.5535003, 0.0996651),
    ("visual", "x3"): (0.7293702, 0.1091097),
    ("textual", "x5"): (1.1130766, 0.0654201),
    ("textual", "x6"): (0.9261462, 0.0554489),
    ("speed", "x8"): (1.1799508, 0.1649866),
    ("speed", "x9"): (1.0815302, 0.1511674),
}


@pytest.mark.parametrize(("factor", "item"), list(LAVAAN_LOADINGS))
def test_cfa_loading_and_se_equal_lavaan(hs_fit, factor, item):
    expected_est, expected_se = LAVAAN_LOADINGS[(factor, item)]
    assert math.isclose(
        estimate(hs_fit, factor, "=~", item), expected_est, abs_tol=2e-6
    )
    assert math.isclose(
        estimate(hs_fit, factor, "=~", item, "se"), expected_se, abs_tol=2e-6
    )


def test_cfa_marker_loadings_are_fixed(hs_fit):
    markers = hs_fit.loadings[~hs_fit.loadings["free"]]
    assert list(markers["rhs"]) == ["x1", "x4", "x7"]
    assert list(markers["est"]) == [1.0, 1.0, 1.0]
    assert markers["se"].isna().all()


def test_cfa_factor_variances_equal_lavaan(hs_fit):
    variances = hs_fit.factor_variances.set_index("lhs")["est"]
    assert math.isclose(variances["visual"], 0.8093160, abs_tol=2e-6)
    assert math.isclose(variances["textual"], 0.9794914, abs_tol=2e-6)
    assert math.isclose(variances["speed"], 0.3837476, abs_tol=2e-6)


def test_cfa_factor_covariances_equal_lavaan(hs_fit):
    assert math.isclose(
        estimate(hs_fit, "visual", "~~", "textual"), 0.4082324, abs_tol=2e-6
    )
    assert math.isclose(
        estimate(hs_fit, "visual", "~~", "speed"), 0.2622246, abs_tol=2e-6
    )
    assert math.isclose(
        estimate(hs_fit, "textual", "~~", "speed"), 0.1734947, abs_tol=2e-6
    )
    assert len(hs_fit.factor_covariances) == 3


def test_cfa_residual_variance_and_se_equal_lavaan(hs_fit):
    # x1 ~~ x1: 0.5490540 (0.1136009)
    assert math.isclose(estimate(hs_fit, "x1", "~~", "x1"), 0.5490540, abs_tol=2e-6)
    assert math.isclose(
        estimate(hs_fit, "x1", "~~", "x1", "se"), 0.1136009, abs_tol=2e-6
    )


def test_cfa_standardised_solution_equals_lavaan(hs_fit):
    # standardizedSolution(f): visual=~x2 0.423601, visual=~x3 0.581132,
    # visual~~textual 0.458509 (a correlation)
    assert math.isclose(
        estimate(hs_fit, "visual", "=~", "x2", "std_all"), 0.423601, abs_tol=1e-6
    )
    assert math.isclose(
        estimate(hs_fit, "visual", "=~", "x3", "std_all"), 0.581132, abs_tol=1e-6
    )
    assert math.isclose(
        estimate(hs_fit, "visual", "~~", "textual", "std_all"), 0.458509, abs_tol=1e-6
    )


def test_cfa_wald_interval_brackets_estimate(hs_fit):
    row = hs_fit.estimates.iloc[1]
    assert math.isclose(row["ci_low"], row["est"] - 1.959964 * row["se"], rel_tol=1e-6)
    assert math.isclose(row["ci_high"], row["est"] + 1.959964 * row["se"], rel_tol=1e-6)


def test_cfa_json_has_no_nan(hs_fit):
    payload = hs_fit.as_dict()
    assert payload["fit"]["df"] == 24
    assert payload["estimates"][0]["se"] is None
    assert payload["groups"][0]["n"] == 301


# lavaan 0.6-14, factor variances fixed, first loadings freed, a residual covariance:
#   m2 <- 'visual =~ NA*x1 + x2 + x3; textual =~ NA*x4 + x5 + x6
#          speed =~ NA*x7 + x8 + x9; visual ~~ 1*visual; textual ~~ 1*textual
#          speed ~~ 1*speed; x7 ~~ x8'
#   f2 <- cfa(m2, data = d)
#   chisq 53.27223635 on 23 df, cfi 0.96571084, rmsea 0.06612643, srmr 0.04711224,
#   logl -3721.72828392, bic 7569.01299366; visual=~x1 0.884605 (0.076128),
#   x7~~x8 0.352708 (0.067330), textual~~speed 0.269691 (0.065131)
def test_cfa_modifiers_equal_lavaan(holzinger):
    model = """
    visual =~ NA*x1 + x2 + x3
    textual =~ NA*x4 + x5 + x6
    speed =~ NA*x7 + x8 + x9
    visual ~~ 1*visual; textual ~~ 1*textual; speed ~~ 1*speed
    x7 ~~ x8  # a residual covariance
    """
    result = fit_cfa(holzinger, model)
    assert math.isclose(result.fit.chi_square, 53.27223635, abs_tol=1e-5)
    assert result.fit.df == 23
    assert math.isclose(result.fit.cfi, 0.96571084, abs_tol=1e-7)
    assert math.isclose(result.fit.rmsea, 0.06612643, abs_tol=1e-7)
    assert math.isclose(result.fit.srmr, 0.04711224, abs_tol=1e-7)
    assert math.isclose(result.fit.loglik, -3721.72828392, abs_tol=1e-5)
    assert math.isclose(result.fit.bic, 7569.01299366, abs_tol=1e-5)
    assert math.isclose(estimate(result, "visual", "=~", "x1"), 0.884605, abs_tol=2e-6)
    assert math.isclose(
        estimate(result, "visual", "=~", "x1", "se"), 0.076128, abs_tol=2e-6
    )
    assert math.isclose(estimate(result, "x7", "~~", "x8"), 0.352708, abs_tol=2e-6)
    assert math.isclose(
        estimate(result, "textual", "~~", "speed", "se"), 0.065131, abs_tol=2e-6
    )


# lavaan 0.6-14: cfa('f =~ x1 + a*x2 + a*x3', data = d): x2 and x3 both 0.910
# (0.142) on 1 df.
def test_cfa_shared_label_makes_loadings_equal(holzinger):
    result = fit_cfa(holzinger, "f =~ x1 + a*x2 + a*x3")
    loadings = result.loadings.set_index("rhs")
    assert result.fit.df == 1
    assert loadings.at["x2", "est"] == loadings.at["x3", "est"]
    assert round(loadings.at["x2", "est"], 2) == 0.91
    assert round(loadings.at["x2", "se"], 3) == 0.142


# lavaan 0.6-14: cfa('f =~ x1 + x2 + x3; x1 ~ 1', data = d): df 0, npar 9,
# logl -1356.977317 (an intercept turns the mean structure on).
def test_cfa_intercept_adds_mean_structure(holzinger):
    result = fit_cfa(holzinger, "f =~ x1 + x2 + x3\nx1 ~ 1")
    assert result.fit.df == 0
    assert result.fit.free_parameters == 9
    assert math.isclose(result.fit.loglik, -1356.977317, abs_tol=1e-5)
    assert result.fit.chi_square == pytest.approx(0.0, abs=1e-8)
    assert result.fit.cfi == 1.0


def test_cfa_drops_incomplete_rows(holzinger):
    holzinger.loc[[0, 1], "x3"] = math.nan
    result = fit_cfa(holzinger, HS_MODEL)
    assert result.n_dropped == 2
    assert result.fit.n == 299


def test_cfa_reads_numeric_text(holzinger):
    text = holzinger.astype(str)
    result = fit_cfa(text, HS_MODEL)
    assert round(result.fit.chi_square, 3) == 85.306


def test_cfa_rejects_other_estimator(holzinger):
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger, HS_MODEL, estimator="WLSMV")
    assert raised.value.code == "estimator"


def test_cfa_rejects_missing_column(holzinger):
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger, "f =~ x1 + x2 + x10")
    assert raised.value.code == "missing_column"
    assert raised.value.details["columns"] == ["x10"]


def test_cfa_rejects_non_numeric_cell(holzinger):
    holzinger["x2"] = holzinger["x2"].astype(object)
    holzinger.loc[4, "x2"] = "sept"
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger, HS_MODEL)
    assert raised.value.code == "non_numeric"
    assert raised.value.details["row"] == 4
    assert raised.value.details["column"] == "x2"
    assert raised.value.details["value"] == "sept"


def test_cfa_rejects_constant_item(holzinger):
    holzinger["x2"] = 3.0
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger, HS_MODEL)
    assert raised.value.code == "singular_covariance"
    assert raised.value.details["constant"] == ["x2"]


def test_cfa_rejects_too_few_rows(holzinger):
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger.head(5), HS_MODEL)
    assert raised.value.code == "too_few_rows"
    assert raised.value.details["needed"] == 10


def test_cfa_rejects_unidentified_model(holzinger):
    with pytest.raises(CfaError) as raised:
        fit_cfa(holzinger, "f =~ x1 + x2")
    assert raised.value.code == "not_identified"


@pytest.mark.parametrize(
    ("syntax", "code", "line"),
    [
        ("", "empty_model", 0),
        ("# only a comment", "empty_model", 0),
        ("x1 ~~ x2", "no_factor", 0),
        ("f =~ x1 + x2 + x3\nf x4", "no_operator", 2),
        ("f =~ x1 + x2 + x3\ny ~ f", "unsupported_operator", 2),
        ("f =~ x1 + x2 + x3\nd := a*b", "unsupported_operator", 2),
        ("f =~ c(1, 2)*x1 + x2 + x3", "unsupported_modifier", 1),
        ("f =~ x1 + 2x + x3", "invalid_term", 1),
        ("f =~", "invalid_term", 1),
        ("f =~ 1*NA*x1 + x2", "invalid_term", 1),
        ("f =~ x1 + x2 + x3\nf =~ x2", "duplicate", 2),
        ("f =~ x1 + x2 + x3\ng =~ f + x4 + x5", "higher_order", 2),
        ("f =~ x1 + x2 + x3\n\nx1 ~~ x9", "unknown_variable", 3),
        ("f =~ x1 + x2 + x3\nf ~~ x1", "unsupported_operator", 2),
    ],
)
def test_parse_model_rejects_invalid_syntax(syntax, code, line):
    with pytest.raises(ModelSyntaxError) as raised:
        parse_model(syntax)
    assert raised.value.code == code
    assert raised.value.details["line"] == line


def test_parse_model_joins_wrapped_lines():
    model = parse_model("f =~ x1 + x2 +\n  x3\ng =~ x4\n  + x5 + x6; x1 ~~ x4")
    assert model.factors == ("f", "g")
    assert model.indicators == ("x1", "x2", "x3", "x4", "x5", "x6")
    assert model.terms[-1].line == 4


def test_parse_model_reads_modifiers():
    terms = parse_model("f =~ NA*x1 + start(0.5)*x2 + b*x3 + 0.8*x4").terms
    assert terms[0].freed
    assert terms[1].start == 0.5
    assert terms[2].label == "b"
    assert terms[3].fixed == 0.8


def test_read_csv_table_numbers_lines(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("a;b\n1;2\n\n3;x\n", encoding="cp1252")
    table = read_csv_table(path)
    assert list(table.index) == [2, 4]
    with pytest.raises(CfaError) as raised:
        numeric_columns(table, ["a", "b"])
    assert raised.value.details["row"] == 4
    assert raised.value.details["column"] == "b"


def test_read_csv_table_reads_missing_markers(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("\ufeffa,b\n1,NA\n2,\n3,.\n", encoding="utf-8")
    values = numeric_columns(read_csv_table(path), ["a", "b"])
    assert list(values.columns) == ["a", "b"]
    assert values["b"].isna().all()


def test_read_csv_table_rejects_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CfaError) as raised:
        read_csv_table(path)
    assert raised.value.code == "empty_file"
