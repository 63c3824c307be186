"""Automatic scoring of a quiz: points per question and in total.

`score_quiz(content, answers)` is a pure function. `answers` maps each question key to
the pupil's answer, in the shape the question type expects:

- single_choice: the chosen choice key. All points for the right choice, else none.
- multiple_choice: a list of choice keys. Partial credit: (right picks − wrong picks)
  divided by the number of right choices, and never below 0.
- ordering: every item key, in the pupil's order. Partial credit: the share of items
  in their right place.
- matching: {pair key on the left: pair key chosen on the right}. Partial credit: the
  share of pairs matched.
- numeric: a number, or a string such as "3,5". All points within the tolerance.

Partial credit rewards what a 9-year-old got right on a long question, and the wrong
picks of a multiple choice cancel right ones so that ticking every box earns nothing.
A question with no answer scores 0 as `unanswered`, and an answer of the wrong shape
(unknown key, an ordering that is not a permutation) scores 0 as `invalid`.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from django.utils.translation import gettext as _

from activities.schemas import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    QuizContent,
    SingleChoice,
    Text,
)

Status = Literal["correct", "partial", "wrong", "unanswered", "invalid"]
# Absorbs binary floating-point error, so 0.1 + 0.2 matches an expected 0.3.
NUMERIC_EPSILON = 1e-9


class QuizAnswerError(ValueError):
    """Answers that name questions the quiz does not have."""


@dataclass(frozen=True)
class QuestionScore:
    key: str
    status: Status
    points: float
    max_points: int
    feedback: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class QuizScore:
    questions: list[QuestionScore]
    points: float
    max_points: int


def score_quiz(content: QuizContent, answers: Mapping[str, Any]) -> QuizScore:
    """Score a pupil's `answers` to the quiz `content`.

    Raises QuizAnswerError when an answer names a question that is not in the quiz.
    """
    keys = {question.key for question in content.questions}
    unknown = sorted(set(answers) - keys)
    if unknown:
        raise QuizAnswerError(
            _("Questions inconnues dans ce quiz : %(keys)s.")
            % {"keys": ", ".join(unknown)}
        )
    scores = [
        _score_question(question, answers.get(question.key))
        for question in content.questions
    ]
    return QuizScore(
        questions=scores,
        points=sum(score.points for score in scores),
        max_points=content.max_points(),
    )


def _score_question(question: Any, answer: Any) -> QuestionScore:
    if answer is None or answer in ("", [], {}):
        return QuestionScore(question.key, "unanswered", 0, question.points)
    scorers: dict[str, Callable[[Any, Any], Fraction | None]] = {
        "single_choice": _single_choice,
        "multiple_choice": _multiple_choice,
        "ordering": _ordering,
        "matching": _matching,
        "numeric": _numeric,
    }
    share = scorers[question.type](question, answer)
    if share is None:
        return QuestionScore(question.key, "invalid", 0, question.points)
    status: Status = "partial"
    if share == 1:
        status = "correct"
    elif share == 0:
        status = "wrong"
    return QuestionScore(
        question.key,
        status,
        float(share * question.points),
        question.points,
        _feedback(question, answer, status),
    )


def _single_choice(question: SingleChoice, answer: Any) -> Fraction | None:
    choices = {choice.key: choice for choice in question.choices}
    if not isinstance(answer, str) or answer not in choices:
        return None
    return Fraction(1 if choices[answer].correct else 0)


def _multiple_choice(question: MultipleChoice, answer: Any) -> Fraction | None:
    choices = {choice.key: choice for choice in question.choices}
    if not _is_key_list(answer) or not set(answer) <= choices.keys():
        return None
    picked = set(answer)
    right = sum(1 for key in picked if choices[key].correct)
    wrong = len(picked) - right
    total_right = sum(1 for choice in question.choices if choice.correct)
    return max(Fraction(0), Fraction(right - wrong, total_right))


def _ordering(question: Ordering, answer: Any) -> Fraction | None:
    expected = [item.key for item in question.items]
    if not _is_key_list(answer) or sorted(answer) != sorted(expected):
        return None
    placed = sum(
        1 for given, right in zip(answer, expected, strict=True) if given == right
    )
    return Fraction(placed, len(expected))


def _matching(question: Matching, answer: Any) -> Fraction | None:
    keys = {pair.key for pair in question.pairs}
    if not isinstance(answer, Mapping):
        return None
    if not set(answer) <= keys or not all(value in keys for value in answer.values()):
        return None
    matched = sum(1 for left, right in answer.items() if left == right)
    return Fraction(matched, len(keys))


def _numeric(question: Numeric, answer: Any) -> Fraction | None:
    value = _read_number(answer)
    if value is None:
        return None
    close = abs(value - question.answer) <= question.tolerance + NUMERIC_EPSILON
    return Fraction(1 if close else 0)


def _read_number(answer: Any) -> float | None:
    """Read a pupil's number; French writes the decimal separator as a comma."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        value = float(answer)
    elif isinstance(answer, str):
        try:
            value = float(answer.strip().replace(" ", "").replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _is_key_list(answer: Any) -> bool:
    return (
        isinstance(answer, list)
        and all(isinstance(key, str) for key in answer)
        and len(set(answer)) == len(answer)
    )


def _feedback(question: Any, answer: Any, status: Status) -> list[Text]:
    """Return the feedback of the chosen answers, then the question's own."""
    texts: list[Text] = []
    if isinstance(question, SingleChoice | MultipleChoice):
        picked = {answer} if isinstance(answer, str) else set(answer)
        texts.extend(
            choice.feedback
            for choice in question.choices
            if choice.key in picked and choice.feedback is not None
        )
    if question.feedback is not None:
        general = (
            question.feedback.correct
            if status == "correct"
            else question.feedback.wrong
        )
        if general is not None:
            texts.append(general)
    return texts
