"""The opaque ids and the shuffles a quiz page shows, and their decoding."""

import pytest
from django.test import override_settings

from activities.schemas import Matching, Ordering, QuizContent
from activities.services import content_of
from learning.quiz_layout import QuizLayout
from learning.tests.helpers import QUIZ_KEY, publish_starter

pytestmark = pytest.mark.django_db


@pytest.fixture
def content() -> QuizContent:
    version = publish_starter(QUIZ_KEY).current_version
    assert version is not None
    quiz = content_of(version)
    assert isinstance(quiz, QuizContent)
    return quiz


def question_of(content: QuizContent, kind: type):
    return next(item for item in content.questions if isinstance(item, kind))


def test_item_id_opaque_and_per_side():
    layout = QuizLayout(assignment_id=3, pupil_id=7, seed=0)
    left = layout.item_id("q1", "left", "screen")
    right = layout.item_id("q1", "right", "screen")
    assert left != right
    assert "screen" not in left
    assert len(left) == 12
    assert left == QuizLayout(3, 7, 0).item_id("q1", "left", "screen")


@pytest.mark.parametrize(
    "other",
    [QuizLayout(3, 7, 1), QuizLayout(3, 8, 0), QuizLayout(4, 7, 0)],
    ids=["next attempt", "classmate", "other assignment"],
)
def test_item_id_changes_with_layout(other):
    layout = QuizLayout(3, 7, 0)
    assert layout.item_id("q1", "left", "screen") != other.item_id(
        "q1", "left", "screen"
    )


def test_item_id_depends_on_secret_key():
    layout = QuizLayout(3, 7, 0)
    before = layout.item_id("q1", "left", "screen")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123"):
        assert layout.item_id("q1", "left", "screen") != before


def test_ordering_never_in_right_order(content):
    question = question_of(content, Ordering)
    for seed in range(200):
        shown = QuizLayout(3, 7, seed).shuffled(question.key, "item", question.items)
        assert shown != question.items
        assert sorted(item.key for item in shown) == sorted(
            item.key for item in question.items
        )


def test_matching_columns_never_aligned(content):
    question = question_of(content, Matching)
    for seed in range(200):
        left, right = QuizLayout(3, 7, seed).matching_columns(question)
        assert [pair.key for pair in left] != [pair.key for pair in right]


def test_shuffle_varies_between_attempts(content):
    question = question_of(content, Ordering)
    orders = {
        tuple(
            item.key
            for item in QuizLayout(3, 7, seed).shuffled(
                question.key, "item", question.items
            )
        )
        for seed in range(50)
    }
    # Three items have five orders other than the right one.
    assert len(orders) == 5


def test_decode_maps_ids_to_keys(content):
    layout = QuizLayout(3, 7, 2)
    answers = {
        "q1": {
            layout.item_id("q1", "left", "screen"): layout.item_id(
                "q1", "right", "mouse"
            )
        },
        "q2": layout.item_id("q2", "choice", "keyboard"),
        "q3": [layout.item_id("q3", "item", key) for key in ("adult", "wait")],
        "q4": "8",
    }
    assert layout.decode_answers(content.questions, answers) == {
        "q1": {"screen": "mouse"},
        "q2": "keyboard",
        "q3": ["adult", "wait"],
        "q4": "8",
    }


def test_decode_marks_unknown_ids(content):
    layout = QuizLayout(3, 7, 2)
    answers = {"q2": "keyboard", "q3": ["wait", 5], "q1": "not a mapping"}
    assert layout.decode_answers(content.questions, answers) == {
        "q2": "?keyboard",
        "q3": ["?wait", 5],
        "q1": "not a mapping",
    }


def test_decode_keeps_unknown_question(content):
    layout = QuizLayout(3, 7, 2)
    assert layout.decode_answers(content.questions, {"q99": "x"}) == {"q99": "x"}


def test_decode_ids_of_rotated_key(content):
    old_key = "first-secret-key-for-this-test-only-0123456789"
    with override_settings(SECRET_KEY=old_key):
        shown = QuizLayout(3, 7, 0).item_id("q2", "choice", "keyboard")
    with override_settings(
        SECRET_KEY="second-secret-key-for-this-test-only-0123456789",
        SECRET_KEY_FALLBACKS=[old_key],
    ):
        decoded = QuizLayout(3, 7, 0).decode_answers(content.questions, {"q2": shown})
    assert decoded == {"q2": "keyboard"}
