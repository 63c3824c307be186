"""Scale scores: reverse keying, minimum share answered, and reading answers."""

import math

import pandas as pd
import pytest

from assessment.models import Response
from assessment.scoring import (
    load_answers,
    reverse_key,
    scales_of,
    score_responses,
    score_scale,
)
from assessment.tests.report_factories import (
    add_response,
    make_definition,
    make_instrument,
    make_pupils,
    make_wave,
)

ITEMS = ["P1", "P2", "P3", "P4"]


def frame(*rows: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ITEMS, dtype=float)


def test_reverse_key_four_points():
    keyed = reverse_key(frame([1, 2, 1, 4]), ITEMS, ["P3"], points=4)
    assert keyed.at[0, "P3"] == 4
    assert keyed.at[0, "P1"] == 1


def test_reverse_key_other_lowest():
    keyed = reverse_key(frame([0, 0, 1, 4]), ITEMS, ["P3"], points=5, lowest=0)
    assert keyed.at[0, "P3"] == 3


def test_reverse_key_keeps_skipped():
    keyed = reverse_key(frame([1, 2, None, 4]), ITEMS, ["P3"], points=4)
    assert math.isnan(keyed.at[0, "P3"])


def test_reverse_key_value_outside_scale():
    with pytest.raises(ValueError, match="value 5 of item P2 in row 0"):
        reverse_key(frame([1, 5, 1, 4]), ITEMS, [], points=4)


def test_reverse_key_absent_item():
    with pytest.raises(KeyError, match="P9"):
        reverse_key(frame([1, 2, 3, 4]), [*ITEMS, "P9"], [], points=4)


def test_reverse_key_stray_reverse_item():
    with pytest.raises(KeyError, match="P7"):
        reverse_key(frame([1, 2, 3, 4]), ITEMS, ["P7"], points=4)


def test_score_mean_after_reverse():
    scored = score_scale(frame([4, 3, 1, 4]), ITEMS, ["P3"], points=4, min_answered=1)
    assert scored.at[0, "score"] == pytest.approx((4 + 3 + 4 + 4) / 4)


def test_score_mean_of_answered_items():
    scored = score_scale(
        frame([4, None, 2, 3]), ITEMS, ["P3"], points=4, min_answered=0.75
    )
    assert scored.at[0, "n_answered"] == 3
    assert scored.at[0, "score"] == pytest.approx((4 + 3 + 3) / 3)


def test_score_below_min_share_is_missing():
    scored = score_scale(
        frame([4, None, None, 3]), ITEMS, [], points=4, min_answered=0.75
    )
    assert scored.at[0, "n_answered"] == 2
    assert math.isnan(scored.at[0, "score"])


def test_score_at_min_share_exactly():
    items = [f"Q{i}" for i in range(8)]
    values = pd.DataFrame([[2, 2, 2, 2, 2, 2, None, None]], columns=items, dtype=float)
    scored = score_scale(values, items, [], points=4, min_answered=0.75)
    assert scored.at[0, "score"] == 2


def test_score_nothing_answered_is_missing():
    scored = score_scale(
        frame([None, None, None, None]), ITEMS, [], points=4, min_answered=0
    )
    assert math.isnan(scored.at[0, "score"])


def test_score_keeps_index():
    values = frame([1, 2, 3, 4], [2, 2, 2, 2])
    values.index = [17, 42]
    scored = score_scale(values, ITEMS, [], points=4, min_answered=0.5)
    assert list(scored.index) == [17, 42]
    assert scored.at[42, "score"] == 2


def test_score_invalid_min_share():
    with pytest.raises(ValueError, match="min_answered"):
        score_scale(frame([1, 2, 3, 4]), ITEMS, [], points=4, min_answered=75)


def test_scales_of_definition():
    spec = scales_of(make_definition(min_answered=0.5))[0]
    assert spec.key == "perseverance"
    assert spec.items == tuple(ITEMS)
    assert spec.reverse == frozenset({"P3"})
    assert spec.points == 4
    assert spec.min_answered == 0.5


@pytest.fixture
def wave(classroom, school_year):
    return make_wave(make_instrument(), school_year, [classroom])


def test_load_answers_pivots(wave, classroom):
    first_pupil, second_pupil, _ = make_pupils(classroom, ["Léa", "Noé", "Inès"])
    one = add_response(wave, first_pupil, {"P1": 4, "P2": None, "P3": 1, "P4": 3})
    two = add_response(wave, second_pupil, {"P1": 2})
    answers = load_answers(Response.objects.filter(wave=wave), ITEMS)
    assert list(answers.index) == [one.pk, two.pk]
    assert list(answers.columns) == ITEMS
    assert answers.at[one.pk, "P1"] == 4
    assert math.isnan(answers.at[one.pk, "P2"])
    assert math.isnan(answers.at[two.pk, "P4"])


def test_load_answers_response_without_answers(wave, classroom):
    (pupil,) = make_pupils(classroom, ["Léa"])
    response = add_response(wave, pupil, {})
    answers = load_answers(Response.objects.filter(wave=wave), ITEMS)
    assert list(answers.index) == [response.pk]
    assert answers.isna().all(axis=None)


def test_load_answers_two_queries(wave, classroom, django_assert_num_queries):
    for pupil in make_pupils(classroom, [f"Élève {i}" for i in range(30)]):
        add_response(wave, pupil, {"P1": 1, "P2": 2, "P3": 3, "P4": 4})
    with django_assert_num_queries(2):
        answers = load_answers(Response.objects.filter(wave=wave), ITEMS)
    assert len(answers) == 30


def test_score_responses_tidy(wave, classroom):
    (pupil,) = make_pupils(classroom, ["Léa"])
    response = add_response(wave, pupil, {"P1": 4, "P2": 3, "P3": 1, "P4": None})
    answers = load_answers(Response.objects.filter(wave=wave), ITEMS)
    scores = score_responses(make_definition(), answers)
    assert list(scores.columns) == [
        "response",
        "scale",
        "n_items",
        "n_answered",
        "score",
    ]
    assert scores.at[0, "response"] == response.pk
    assert scores.at[0, "scale"] == "perseverance"
    assert scores.at[0, "score"] == pytest.approx((4 + 3 + 4) / 3)
