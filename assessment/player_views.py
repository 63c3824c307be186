"""Pupils' pages of the assessment: today's questionnaires, the player and its API.

The player posts each answer as JSON to `answers_api` with a key made by the browser.
The API returns JSON only, with a stable `code` on errors, so the player's queue can
tell an answer to resend later (network, 5xx, signed out) from one to drop.
"""

import datetime as dt
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.instruments import InstrumentDefinition, Text, definition_of
from assessment.models import Answer, Response, Wave
from assessment.services import (
    AssessmentError,
    InvalidAnswerError,
    active_sessions_for_pupil,
    answered_items,
    pupil_may_answer,
    record_answer,
    start_response,
)
from iota.json_body import read_keyed_object
from iota.permissions import pupil_api, pupil_page
from learning.services import today_activities
from schools.models import Pupil

logger = logging.getLogger(__name__)


def _pupil_of(request: HttpRequest) -> Pupil | None:
    return Pupil.objects.filter(user=request.user).select_related("classroom").first()


@require_GET
@pupil_page
def pupil_today(request: HttpRequest) -> HttpResponse:
    pupil = _pupil_of(request)
    sessions = active_sessions_for_pupil(pupil) if pupil is not None else []
    responses = {
        response.wave_id: response
        for response in Response.objects.filter(
            pupil=pupil, wave__in=[session.wave for session in sessions]
        )
    }
    questionnaires = [
        {
            "wave": session.wave,
            "title": _localized(definition_of(session.wave.campaign.instrument).title),
            "response": responses.get(session.wave_id),
        }
        for session in sessions
    ]
    context = {
        "questionnaires": questionnaires,
        "activities": today_activities(pupil),
    }
    return render(request, "assessment/pupil_today.html", context)


@require_POST
@pupil_page
def response_start(request: HttpRequest, wave_pk: int) -> HttpResponse:
    pupil = _pupil_of(request)
    wave = get_object_or_404(
        Wave.objects.select_related("campaign__instrument"), pk=wave_pk
    )
    if pupil is None:
        return redirect("assessment:pupil-today")
    try:
        response = start_response(wave, pupil)
    except AssessmentError as error:
        return render(
            request,
            "assessment/pupil_today.html",
            {"questionnaires": [], "error": error.message},
            status=409,
        )
    return redirect("assessment:player", response_pk=response.pk)


def _own_response(request: HttpRequest, response_pk: int) -> Response:
    return get_object_or_404(
        Response.objects.select_related(
            "wave__campaign__instrument", "pupil__classroom__school__academie"
        ),
        pk=response_pk,
        pupil__user=request.user,
    )


def _localized(text: Text) -> str:
    if get_language() == "en" and text.en:
        return text.en
    return text.fr


def _text_payload(text: Text) -> dict[str, str]:
    language = "en" if get_language() == "en" and text.en else "fr"
    return {"text": text.en if language == "en" else text.fr, "lang": language}


def _player_strings() -> dict[str, str]:
    return {
        "start": _("C’est parti !"),
        "listen": _("Écouter"),
        "skip": _("Je préfère ne pas répondre"),
        "back": _("Retour"),
        "next": _("Suivant"),
        "progress": _("Avancement"),
        "questionOf": _("Question {number} sur {total}"),
        "endTitle": _("Bravo, tu as fini !"),
        "endText": _("Merci pour tes réponses."),
        "allSent": _("Toutes tes réponses sont bien arrivées."),
        "sending": _("Tes réponses partent… Laisse cette page ouverte."),
        "offline": _(
            "Pas de réseau. Tes réponses sont gardées et partiront quand il reviendra."
        ),
        "signedOut": _(
            "Tu n’es plus connecté. Demande de l’aide à ton enseignant ou ton "
            "enseignante."
        ),
        "closed": _("Ce questionnaire est fermé."),
        "home": _("Retour à l’accueil"),
    }


def player_data(
    definition: InstrumentDefinition, response: Response, *, is_open: bool
) -> dict[str, Any]:
    """Return what the player script needs, passed to it with json_script."""
    form = definition.response_format
    return {
        "title": _text_payload(definition.title),
        "instructions": _text_payload(definition.instructions),
        "items": [
            {"key": item.key, **_text_payload(item.text)} for item in definition.items
        ],
        "choices": [
            {"value": point, "pictogram": pictogram, **_text_payload(label)}
            for point, (label, pictogram) in enumerate(
                zip(form.labels, form.pictograms, strict=True), start=1
            )
        ],
        "allowSkip": form.allow_skip,
        "answered": answered_items(response),
        "completed": response.completed_at is not None,
        "isOpen": is_open,
        "strings": _player_strings(),
        "responseId": response.pk,
        "answerUrl": reverse("assessment:answers-api", args=[response.pk]),
        "todayUrl": reverse("assessment:pupil-today"),
    }


@require_GET
@ensure_csrf_cookie
@pupil_page
def player(request: HttpRequest, response_pk: int) -> HttpResponse:
    response = _own_response(request, response_pk)
    definition = definition_of(response.wave.campaign.instrument)
    session = response.wave.sessions.filter(
        classroom_id=response.pupil.classroom_id
    ).first()
    if session is not None:
        session.wave, session.classroom = response.wave, response.pupil.classroom
    is_open = session is not None and pupil_may_answer(session, response)
    return render(
        request,
        "assessment/player.html",
        {
            "response": response,
            "title": _localized(definition.title),
            "is_open": is_open,
            "player_data": player_data(definition, response, is_open=is_open),
        },
    )


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@require_http_methods(["GET", "POST"])
@pupil_api
def answers_api(request: HttpRequest, response_pk: int) -> JsonResponse:
    """GET: the answered items of the response. POST: store one answer.

    POST body: {"key": UUID, "item": "P1", "value": 1..points or null,
    "answered_at": ISO 8601 with a time zone}. Status 201 for a new answer, 200 when
    the key was known or the item's answer was replaced or superseded.
    """
    response = (
        Response.objects.filter(pk=response_pk, pupil__user=request.user)
        .select_related("wave__campaign__instrument", "pupil")
        .first()
    )
    if response is None:
        return _error(
            404, "response_not_found", _("Ce questionnaire n’existe pas pour toi.")
        )
    if request.method == "GET":
        return JsonResponse(
            {
                "answered": answered_items(response),
                "completed": response.completed_at is not None,
            }
        )
    try:
        payload = _parse_answer(request.body)
    except ValueError as error:
        return _error(400, "invalid_request", str(error))
    try:
        outcome = record_answer(response, **payload)
    except AssessmentError as error:
        status = 400 if isinstance(error, InvalidAnswerError) else 409
        logger.info("Answer rejected on response %s: %s.", response.pk, error.code)
        return _error(status, error.code, error.message)
    return JsonResponse(
        {
            "status": outcome.status,
            "answer": _answer_json(outcome.answer),
            "completed": outcome.completed,
        },
        status=201 if outcome.status == "created" else 200,
    )


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "key": str(answer.client_key),
        "item": answer.item,
        "value": answer.value,
        "answered_at": answer.answered_at.isoformat(),
    }


def _parse_answer(body: bytes) -> dict[str, Any]:
    """Read an answer's JSON body; raise ValueError with a message naming the field."""
    data, key = read_keyed_object(body)
    item = data.get("item")
    if not isinstance(item, str) or not item:
        raise ValueError("item is missing: give the item key, such as P1")
    if "value" not in data:
        raise ValueError("value is missing: give the point chosen, or null to skip")
    answered_at = _parse_moment(data.get("answered_at"))
    return {
        "key": key,
        "item": item,
        "value": data["value"],
        "answered_at": answered_at,
    }


def _parse_moment(value: object) -> dt.datetime | None:
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise ValueError(
            f"answered_at {value!r} is not an ISO 8601 date and time with a time zone"
        )
    return moment
