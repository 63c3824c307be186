"""Pupils' pages of the learning app: the players, their attempts API, the progress.

A pupil reaches only the assignments meant for them (their class, or a group they
belong to), and any other assignment returns 404. The attempts API returns JSON only,
with a stable `code` on errors, so the players' queue can tell an attempt to resend
later (network, 5xx, signed out) from one to drop.
"""

import datetime as dt
import logging
from typing import Any, TypeGuard, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from activities.schemas import CodingContent, QuizContent
from activities.services import content_of
from iota.json_body import read_keyed_object
from iota.permissions import pupil_api, pupil_page
from learning import players
from learning.models import Attempt
from learning.services import (
    AttemptSubmission,
    LearningError,
    accommodations_of,
    get_pupil_assignment,
    has_succeeded,
    last_attempt,
    pupil_progress,
    quiz_feedback,
    quiz_layout,
    record_attempt,
    version_to_play,
)
from schools.models import Pupil

logger = logging.getLogger(__name__)

# A longer time is a tab left open overnight, not time spent on the activity.
MAX_TIME_SPENT_SECONDS = 6 * 3600
MAX_HINTS = 100
# A seed counts a pupil's attempts at one quiz, so a larger one is not from the page.
MAX_SEED = 2**31 - 1


def _pupil_of(request: HttpRequest) -> Pupil | None:
    # pupil_page and pupil_api let only signed-in pupils reach the views.
    return (
        Pupil.objects.filter(user=cast(User, request.user))
        .select_related("classroom__school__academie")
        .first()
    )


@require_GET
@ensure_csrf_cookie
@pupil_page
def play(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    pupil = _pupil_of(request)
    assignment = get_pupil_assignment(pupil, assignment_pk) if pupil else None
    version = version_to_play(assignment) if assignment else None
    if pupil is None or assignment is None or version is None:
        raise Http404("no such activity for this pupil")
    content = content_of(version)
    profile = accommodations_of(pupil)
    context: dict[str, Any] = {"assignment": assignment, "title": content.title.fr}
    if isinstance(content, QuizContent):
        context["player_data"] = players.quiz_data(
            assignment,
            version,
            content,
            profile,
            last_attempt(assignment, pupil),
            quiz_layout(assignment, pupil),
        )
        return render(request, "learning/quiz_player.html", context)
    if isinstance(content, CodingContent):
        context["player_data"] = players.coding_data(
            assignment,
            version,
            content,
            profile,
            solved=has_succeeded(assignment, pupil),
        )
        return render(request, "learning/coding_player.html", context)
    context["content"] = content
    return render(request, "learning/unplugged.html", context)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@require_http_methods(["GET", "POST"])
@pupil_api
def attempts_api(request: HttpRequest, assignment_pk: int) -> JsonResponse:
    """GET: the pupil's attempts at the assignment. POST: store one attempt.

    POST body: {"key": UUID, "started_at", "finished_at": ISO 8601 with a time zone,
    "time_spent_seconds": int, "hints_used": int, and either "answers" and "seed" (a
    quiz: the answers by question key in the page's item ids, and the page's seed)
    or "program" (a coding challenge, the Blockly workspace JSON)}. Status 201
    for a new attempt, 200 when the key was already stored; the body carries the
    score the server computed.
    """
    pupil = _pupil_of(request)
    assignment = get_pupil_assignment(pupil, assignment_pk) if pupil else None
    if pupil is None or assignment is None:
        return _error(
            404, "assignment_not_found", _("Cette activité n’existe pas pour toi.")
        )
    if request.method == "GET":
        attempts = Attempt.objects.filter(assignment=assignment, pupil=pupil)
        return JsonResponse(
            {"attempts": [_attempt_json(attempt) for attempt in attempts]}
        )
    try:
        submission = parse_submission(request.body)
    except ValueError as error:
        return _error(400, "invalid_request", str(error))
    try:
        outcome = record_attempt(assignment, pupil, submission)
    except LearningError as error:
        status = 400 if error.code == "invalid_request" else 409
        logger.info("Attempt rejected on assignment %s: %s.", assignment.pk, error.code)
        return _error(status, error.code, error.message)
    return JsonResponse(
        {"status": outcome.status, **_attempt_json(outcome.attempt)},
        status=201 if outcome.status == "created" else 200,
    )


def _attempt_json(attempt: Attempt) -> dict[str, Any]:
    return {
        "key": str(attempt.client_key),
        "outcome": attempt.outcome,
        "detail": attempt.detail,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "blocks_used": attempt.blocks_used,
        "finished_at": attempt.finished_at.isoformat(),
        "questions": players.question_results(quiz_feedback(attempt)),
    }


def parse_submission(body: bytes) -> AttemptSubmission:
    """Read an attempt's JSON body; raise ValueError with a message naming the field."""
    data, key = read_keyed_object(body)
    answers = data.get("answers")
    program = data.get("program")
    if answers is not None and not isinstance(answers, dict):
        raise ValueError("answers must be an object of answers by question key")
    if program is not None and not isinstance(program, dict):
        raise ValueError("program must be the Blockly workspace JSON object")
    if answers is None and program is None:
        raise ValueError("answers or program is missing: send one of them")
    seed = data.get("seed")
    if seed is not None and not _is_count(seed, MAX_SEED):
        raise ValueError(f"seed {seed!r} is not the whole number the quiz page gave")
    finished_at = _parse_moment(data.get("finished_at"), "finished_at")
    return AttemptSubmission(
        key=key,
        started_at=_parse_moment(data.get("started_at"), "started_at"),
        finished_at=finished_at,
        time_spent_seconds=_parse_count(
            data.get("time_spent_seconds"), "time_spent_seconds", MAX_TIME_SPENT_SECONDS
        ),
        hints_used=_parse_count(data.get("hints_used", 0), "hints_used", MAX_HINTS),
        answers=answers,
        seed=seed,
        program=program,
    )


def _parse_moment(value: object, field: str) -> dt.datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise ValueError(
            f"{field} {value!r} is not an ISO 8601 date and time with a time zone"
        )
    return moment


def _is_count(value: object, maximum: int | None = None) -> TypeGuard[int]:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return False
    return maximum is None or value <= maximum


def _parse_count(value: object, field: str, maximum: int) -> int:
    if not _is_count(value):
        raise ValueError(f"{field} {value!r} is not a whole number of 0 or more")
    # A device clock that jumped gives absurd durations: keep the attempt, capped.
    return min(value, maximum)


@require_GET
@pupil_page
def progress(request: HttpRequest) -> HttpResponse:
    pupil = _pupil_of(request)
    rows = pupil_progress(pupil) if pupil is not None else []
    return render(request, "learning/progress.html", {"rows": rows})
