"""Builders for the learning tests: published starter activities and assignments."""

import datetime as dt
import uuid

from django.utils import timezone

from activities.content import load_content_file
from activities.models import Activity
from activities.schemas import QuizContent
from activities.services import content_of, publish_content
from activities.tests.content_factories import CONTENT_DIR
from learning.models import Assignment, Attempt, Outcome
from learning.quiz_layout import QuizLayout
from schools.models import Classroom, Pupil

# Starter activities the tests play: a straight corridor, a quiz of every question
# type but ordering, and a lesson sheet.
CODING_KEY = "defi-01-avancer"
QUIZ_KEY = "quiz-mon-ordinateur"
UNPLUGGED_KEY = "pixels-en-nombres"


def publish_starter(key: str) -> Activity:
    """Publish the starter file `key`.yaml and return its activity."""
    content = load_content_file(CONTENT_DIR / f"{key}.yaml")
    return publish_content(content).activity


def make_assignment(
    activity: Activity,
    classroom: Classroom,
    *,
    starts_on: dt.date | None = None,
    due_on: dt.date | None = None,
    position: int = 1,
) -> Assignment:
    return Assignment.objects.create(
        activity=activity,
        classroom=classroom,
        starts_on=starts_on or timezone.localdate() - dt.timedelta(days=1),
        due_on=due_on,
        position=position,
    )


def make_attempt(
    assignment: Assignment, pupil: Pupil, *, score: float = 1, max_score: int = 1
) -> Attempt:
    """Store a finished attempt directly, as if the server had scored it."""
    version = assignment.activity.current_version
    assert version is not None
    now = timezone.now()
    return Attempt.objects.create(
        assignment=assignment,
        pupil=pupil,
        version=version,
        client_key=uuid.uuid4(),
        started_at=now - dt.timedelta(minutes=3),
        finished_at=now,
        score=score,
        max_score=max_score,
        time_spent_seconds=180,
        hints_used=0,
        outcome=Outcome.SUCCESS if score == max_score else Outcome.NOT_YET,
        submission={},
    )


def answers_in_ids(
    assignment: Assignment, pupil: Pupil, answers: dict, seed: int = 0
) -> dict:
    """Write quiz `answers` given in the content's keys in the ids a page shows.

    The seed 0 is the layout of a pupil's first attempt.
    """
    version = assignment.activity.current_version
    assert version is not None
    content = content_of(version)
    assert isinstance(content, QuizContent)
    layout = QuizLayout(assignment.pk, pupil.pk, seed)
    sides = {
        "single_choice": "choice",
        "multiple_choice": "choice",
        "ordering": "item",
    }
    encoded: dict = {}
    for question in content.questions:
        if question.key not in answers:
            continue
        answer = answers[question.key]
        if question.type == "matching":
            encoded[question.key] = {
                layout.item_id(question.key, "left", left): layout.item_id(
                    question.key, "right", right
                )
                for left, right in answer.items()
            }
        elif question.type in sides:
            side = sides[question.type]
            if isinstance(answer, list):
                encoded[question.key] = [
                    layout.item_id(question.key, side, key) for key in answer
                ]
            else:
                encoded[question.key] = layout.item_id(question.key, side, answer)
        else:
            encoded[question.key] = answer
    return encoded
