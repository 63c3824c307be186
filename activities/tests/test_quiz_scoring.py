"""Quiz scoring: the rule of each question type, totals and feedback."""

import pytest

from activities.content import load_content_file
from activities.quiz_scoring import QuizAnswerError, score_quiz
from activities.tests.content_factories import CONTENT_DIR

# Questions: q1 single (1 pt), q2 numeric (2 pts, answer 6), q3 multiple (2 pts, a and
# b right, c and d wrong), q4 ordering run-watch-find-fix (1 pt), q5 matching (1 pt).
QUIZ = load_content_file(CONTENT_DIR / "quiz-programmer-un-robot.yaml")
PERFECT = {
    "q1": "a",
    "q2": 6,
    "q3": ["a", "b"],
    "q4": ["run", "watch", "find", "fix"],
    "q5": {"move": "move", "left": "left", "repeat": "repeat"},
}


def score_of(key, answer):
    result = score_quiz(QUIZ, {key: answer})
    return next(score for score in result.questions if score.key == key)


def test_perfect_answers_score_everything():
    result = score_quiz(QUIZ, PERFECT)
    assert result.points == 7
    assert result.max_points == 7
    assert all(score.status == "correct" for score in result.questions)


def test_no_answers_score_nothing():
    result = score_quiz(QUIZ, {})
    assert result.points == 0
    assert {score.status for score in result.questions} == {"unanswered"}


def test_unknown_question_rejected():
    with pytest.raises(QuizAnswerError, match="q9"):
        score_quiz(QUIZ, {"q9": "a"})


def test_single_choice_wrong():
    score = score_of("q1", "b")
    assert score.status == "wrong"
    assert score.points == 0


def test_single_choice_unknown_key_invalid():
    assert score_of("q1", "z").status == "invalid"


def test_single_choice_feedback_of_choice():
    score = score_of("q1", "c")
    assert [text.fr for text in score.feedback] == [
        "Non, il commence par le premier ordre."
    ]


def test_multiple_choice_partial():
    score = score_of("q3", ["a"])
    assert score.status == "partial"
    assert score.points == 1


def test_multiple_choice_wrong_pick_cancels_right_one():
    score = score_of("q3", ["a", "c"])
    assert score.status == "wrong"
    assert score.points == 0


def test_multiple_choice_every_box_scores_nothing():
    assert score_of("q3", ["a", "b", "c", "d"]).points == 0


def test_multiple_choice_repeated_key_invalid():
    assert score_of("q3", ["a", "a"]).status == "invalid"


def test_multiple_choice_feedback_of_wrong_pick():
    score = score_of("q3", ["a", "c"])
    assert [text.fr for text in score.feedback] == ["Tourner ne fait pas avancer."]


def test_ordering_partial_by_position():
    score = score_of("q4", ["run", "watch", "fix", "find"])
    assert score.status == "partial"
    assert score.points == 0.5


def test_ordering_must_be_permutation():
    assert score_of("q4", ["run", "watch", "find"]).status == "invalid"
    assert score_of("q4", ["run", "run", "find", "fix"]).status == "invalid"


def test_ordering_wrong_gives_wrong_feedback():
    score = score_of("q4", ["fix", "find", "watch", "run"])
    assert score.status == "wrong"
    assert score.feedback[0].fr.startswith("Commence par lancer")


def test_matching_partial():
    score = score_of("q5", {"move": "move", "left": "repeat", "repeat": "left"})
    assert score.status == "partial"
    assert score.points == pytest.approx(1 / 3)


def test_matching_missing_pair_counts_as_unmatched():
    assert score_of("q5", {"move": "move"}).points == pytest.approx(1 / 3)


def test_matching_unknown_key_invalid():
    assert score_of("q5", {"move": "jump"}).status == "invalid"


@pytest.mark.parametrize("answer", [6, 6.0, "6", " 6 ", "6,0"])
def test_numeric_accepts_written_forms(answer):
    assert score_of("q2", answer).points == 2


@pytest.mark.parametrize("answer", ["six", "nan", "inf", True, [6]])
def test_numeric_rejects_non_numbers(answer):
    assert score_of("q2", answer).status == "invalid"


def test_numeric_wrong_value():
    score = score_of("q2", 5)
    assert score.status == "wrong"
    assert score.feedback[0].fr.startswith("Compte encore")


def test_numeric_tolerance():
    quiz = QUIZ.model_copy(
        update={
            "questions": [
                QUIZ.questions[1].model_copy(update={"answer": 0.3, "tolerance": 0.05})
            ]
        }
    )
    assert score_quiz(quiz, {"q2": "0,34"}).points == 2
    assert score_quiz(quiz, {"q2": 0.1 + 0.2}).points == 2
    assert score_quiz(quiz, {"q2": 0.36}).points == 0


def test_empty_answer_unanswered():
    assert score_of("q3", []).status == "unanswered"
