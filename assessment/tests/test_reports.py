"""The report data: participation, scale statistics, pupils' scores and plots."""

import math

import pandas as pd
import pytest

from assessment.reports import build_wave_report, insufficient_reason
from assessment.reports_svg import distribution_svg, sanitise_svg
from assessment.scoring import score_scale
from assessment.statistics import (
    InsufficientDataError,
    cronbach_alpha,
    describe_scores,
    mcdonald_omega,
)
from assessment.tests.report_factories import (
    ITEMS,
    REVERSE,
    add_response,
    make_instrument,
    make_pupils,
    make_wave,
)

# Answers of six pupils to P1..P4 (P3 reverse-keyed on 4 points).
ANSWERS = [
    {"P1": 4, "P2": 4, "P3": 1, "P4": 3},
    {"P1": 3, "P2": 3, "P3": 2, "P4": 3},
    {"P1": 2, "P2": 1, "P3": 4, "P4": 2},
    {"P1": 1, "P2": 2, "P3": 3, "P4": 1},
    {"P1": 3, "P2": 4, "P3": 2, "P4": 4},
    {"P1": 2, "P2": None, "P3": 3, "P4": 2},
]


def expected_frame(answers: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(answers, columns=list(ITEMS), dtype=float)


def keyed(answers: list[dict]) -> pd.DataFrame:
    frame = expected_frame(answers)
    frame["P3"] = 5 - frame["P3"]
    return frame


@pytest.fixture
def wave(classroom, other_classroom, school_year):
    return make_wave(make_instrument(), school_year, [classroom, other_classroom])


@pytest.fixture
def filled_class(wave, classroom):
    """Eight enrolled pupils: six completed, one started, one not started."""
    pupils = make_pupils(classroom, ["Léa", "Noé", "Inès", "Tom", "Zoé", "Yanis"])
    pupils += make_pupils(classroom, ["Manon", "Hugo"])
    for pupil, values in zip(pupils, ANSWERS, strict=False):
        add_response(wave, pupil, values)
    add_response(wave, pupils[6], {"P1": 4}, completed=False)
    return pupils


def test_report_participation(wave, classroom, filled_class):
    report = build_wave_report(wave, [classroom])
    assert report.enrolled == 8
    assert report.completed == 6
    assert report.participation == pytest.approx(6 / 8)


def test_report_left_pupil_not_counted(wave, classroom, filled_class):
    leaver = filled_class[0]
    leaver.left_on = wave.opens_on
    leaver.save(update_fields=["left_on"])
    report = build_wave_report(wave, [classroom])
    assert report.enrolled == 7
    assert report.completed == 5


def test_report_scale_matches_statistics(wave, classroom, filled_class):
    scale = build_wave_report(wave, [classroom]).scales[0]
    scores = score_scale(
        expected_frame(ANSWERS), ITEMS, REVERSE, points=4, min_answered=0.75
    )["score"]
    described = describe_scores(scores)
    alpha = cronbach_alpha(keyed(ANSWERS), missing="pairwise")
    omega = mcdonald_omega(keyed(ANSWERS))
    assert scale.n_completed == 6
    assert scale.n_scored == 6
    assert scale.mean == pytest.approx(described.at[0, "mean"])
    assert scale.sd == pytest.approx(described.at[0, "sd"])
    assert scale.alpha.value == pytest.approx(alpha.at[0, "alpha"])
    assert scale.alpha.ci_low == pytest.approx(alpha.at[0, "ci_low"])
    assert scale.alpha.ci_high == pytest.approx(alpha.at[0, "ci_high"])
    assert scale.omega.value == pytest.approx(omega.at[0, "omega"])


def test_report_pupils_listed_with_names(wave, classroom, filled_class):
    report = build_wave_report(wave, [classroom], with_names=True)
    by_name = {row.display_name: row for row in report.pupils}
    assert len(report.pupils) == 8
    assert by_name["Léa"].status == "completed"
    assert by_name["Léa"].scores[0] == pytest.approx((4 + 4 + 4 + 3) / 4)
    assert by_name["Manon"].status == "started"
    assert by_name["Manon"].scores == [None]
    assert by_name["Hugo"].status == "not_started"
    assert by_name["Hugo"].scores == [None]


def test_report_without_names_lists_nobody(wave, classroom, filled_class):
    report = build_wave_report(wave, [classroom], with_names=False)
    assert report.pupils is None


def test_report_skipped_answers_scored(wave, classroom, filled_class):
    report = build_wave_report(wave, [classroom], with_names=True)
    yanis = next(row for row in report.pupils if row.display_name == "Yanis")
    assert yanis.scores[0] == pytest.approx((2 + 2 + 2) / 3)


def test_report_below_min_share_no_score(wave, classroom):
    (pupil,) = make_pupils(classroom, ["Léa"])
    add_response(wave, pupil, {"P1": 4, "P2": None, "P3": None, "P4": 3})
    report = build_wave_report(wave, [classroom], with_names=True)
    assert report.pupils[0].scores == [None]
    assert report.scales[0].n_scored == 0
    assert report.scales[0].mean is None


def test_report_too_few_responses_gives_reasons(wave, classroom):
    pupils = make_pupils(classroom, ["Léa", "Noé"])
    add_response(wave, pupils[0], ANSWERS[0])
    add_response(wave, pupils[1], ANSWERS[1])
    scale = build_wave_report(wave, [classroom]).scales[0]
    assert scale.alpha is None
    assert "au moins 3" in scale.alpha_reason
    assert scale.omega is None
    assert "au moins 5" in scale.omega_reason


def test_report_empty_wave(wave, classroom):
    report = build_wave_report(wave, [classroom], with_names=True)
    assert report.enrolled == 0
    assert report.participation is None
    assert report.scales[0].mean is None
    assert report.pupils == []


def test_report_simulated_counted(wave, classroom):
    pupils = make_pupils(classroom, ["Léa", "Noé"])
    add_response(wave, pupils[0], ANSWERS[0], simulated=True)
    add_response(wave, pupils[1], ANSWERS[1])
    report = build_wave_report(wave, [classroom], with_names=True)
    assert report.simulated == 1
    assert report.has_simulated
    assert [row.simulated for row in report.pupils] == [True, False]
    assert "données simulées" in report.scales[0].plot_svg


def test_report_across_classes(wave, classroom, other_classroom, filled_class):
    others = make_pupils(other_classroom, ["Alice", "Bob"])
    add_response(wave, others[0], ANSWERS[0])
    report = build_wave_report(wave, [classroom, other_classroom])
    rows = {row.classroom.pk: row for row in report.class_rows}
    assert report.enrolled == 10
    assert report.completed == 7
    assert rows[classroom.pk].completed == 6
    assert rows[other_classroom.pk].enrolled == 2
    assert rows[other_classroom.pk].participation == pytest.approx(0.5)
    assert rows[other_classroom.pk].means[0] == pytest.approx(15 / 4)
    assert report.scales[0].n_completed == 7
    assert report.pupils is None


def test_report_other_wave_ignored(wave, classroom, school_year, filled_class):
    other_wave = make_wave(wave.campaign.instrument, school_year, [classroom], "T2")
    report = build_wave_report(other_wave, [classroom])
    assert report.completed == 0


def test_report_query_count(
    wave, classroom, filled_class, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        build_wave_report(wave, [classroom], with_names=True)


def test_insufficient_reason_names_counts():
    error = InsufficientDataError("too_few_rows", "", needed=3, found=1)
    assert insufficient_reason(error) == (
        "Pas assez de réponses complètes : il en faut au moins 3, il y en a 1."
    )


def test_plot_svg_is_safe():
    svg = distribution_svg(
        pd.Series([1.0, 2.5, 4.0, math.nan]),
        lowest=1,
        highest=4,
        title="Persévérance",
        prefix="scale-p",
    )
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<style" not in svg
    assert 'role="img"' in svg
    assert "Persévérance : 3 élèves" in svg
    assert 'id="scale-p-title"' in svg


def test_plot_ids_prefixed():
    svg = distribution_svg(
        pd.Series([2.0]), lowest=1, highest=4, title="A", prefix="first"
    )
    ids = [part.split('"')[0] for part in svg.split(' id="')[1:]]
    assert ids
    assert all(identifier.startswith("first-") for identifier in ids)


def test_sanitise_removes_scripts_and_handlers():
    dirty = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<script>alert(1)</script>"
        '<path d="M 0 0" onclick="alert(2)" style="fill: #fff; behavior: url(x)"/>'
        '<use xlink:href="https://example.org/x.svg#a"/>'
        "<foreignObject><p>hi</p></foreignObject>"
        "</svg>"
    )
    clean = sanitise_svg(dirty, "t", "label")
    assert "script" not in clean
    assert "onclick" not in clean
    assert "foreignObject" not in clean
    assert "example.org" not in clean
    assert 'fill="#fff"' in clean
    assert "behavior" not in clean


def test_sanitise_rejects_bad_prefix():
    with pytest.raises(ValueError, match="prefix"):
        sanitise_svg("<svg xmlns='http://www.w3.org/2000/svg'/>", '"x', "label")
