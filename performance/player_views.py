"""Pupils' pages of the performance tasks: today's tasks, the task player and its API.

The player posts each event as JSON to `events_api` with a key made by the browser.
It uses the questionnaire player's queue, so events made offline are sent when the
network is back, and a resend is stored once. Pair and group players also
poll the API for the state the server keeps. The API returns JSON only, with a
stable `code` on errors, so the queue can tell an event to resend later from one to
drop.
"""

import datetime as dt
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iota.json_body import read_keyed_object
from iota.permissions import pupil_api, pupil_page
from performance.definitions import definition_of
from performance.games import GroupGame
from performance.models import TaskRun, TaskSession
from performance.services import (
    EventRejectedError,
    GroupBusyError,
    PerformanceError,
    game_of,
    group_view,
    open_sessions_for_pupil,
    record_event,
    session_is_open,
    start_run,
    stored_events,
)
from performance.texts import localize, localized
from schools.models import Pupil

logger = logging.getLogger(__name__)

# The browser module that plays each type of task.
PLAYER_SCRIPTS = {
    "effort-choice": "iota/js/task-effort.js",
    "public-goods": "iota/js/task-pot.js",
    "referential": "iota/js/task-pictures.js",
    "split-clues": "iota/js/task-code.js",
}
# How often a pair or group player asks for the shared state, in milliseconds.
POLL_INTERVAL_MS = 1500


def _pupil_of(request: HttpRequest) -> Pupil | None:
    return Pupil.objects.filter(user=request.user).select_related("classroom").first()


def _today_page(
    request: HttpRequest, pupil: Pupil | None, error: str = "", status: int = 200
) -> HttpResponse:
    sessions = open_sessions_for_pupil(pupil) if pupil is not None else []
    runs = {
        run.session_id: run
        for run in TaskRun.objects.filter(pupil=pupil, session__in=sessions)
    }
    tasks = []
    for session in sessions:
        run = runs.get(session.pk)
        grouped = run is not None and run.group_id is not None
        tasks.append(
            {
                "session": session,
                "title": localized(definition_of(session.task).title),
                "run": run,
                "waits_for_group": isinstance(game_of(session.task), GroupGame)
                and not grouped,
            }
        )
    return render(
        request,
        "performance/pupil_tasks.html",
        {"tasks": tasks, "error": error},
        status=status,
    )


@require_GET
@pupil_page
def pupil_tasks(request: HttpRequest) -> HttpResponse:
    return _today_page(request, _pupil_of(request))


@require_POST
@pupil_page
def run_start(request: HttpRequest, session_pk: int) -> HttpResponse:
    pupil = _pupil_of(request)
    if pupil is None:
        return redirect("performance:pupil-tasks")
    session = get_object_or_404(
        TaskSession.objects.select_related(
            "task", "wave", "classroom__school__academie"
        ),
        pk=session_pk,
        classroom_id=pupil.classroom_id,
    )
    try:
        run = start_run(session, pupil)
    except PerformanceError as error:
        return _today_page(request, pupil, error.message, status=409)
    return redirect("performance:play", run_pk=run.pk)


def _own_run(request: HttpRequest, run_pk: int) -> TaskRun | None:
    return (
        TaskRun.objects.filter(pk=run_pk, pupil__user=request.user)
        .select_related(
            "session__task",
            "session__wave",
            "session__classroom__school__academie",
            "group",
            "pupil",
        )
        .first()
    )


def _player_strings() -> dict[str, str]:
    return {
        "start": _("C’est parti !"),
        "listen": _("Écouter"),
        "next": _("Suivant"),
        "send": _("Envoyer"),
        "roundOf": _("Tour {number} sur {total}"),
        "trialOf": _("Manche {number} sur {total}"),
        "puzzleOf": _("Code {number} sur {total}"),
        "secondsLeft": _("Il reste {seconds} secondes"),
        "stars": _("Étoiles gagnées : {count}"),
        "starsIfSolved": _("{count} étoile(s) si tu réussis"),
        "pairsFound": _("Paires trouvées : {found} sur {total}"),
        "notAPair": _("Ces deux nombres ne vont pas ensemble."),
        "give": _("Je mets {count} jetons dans le pot"),
        "played": _("Ont déjà joué ce tour : {count} sur {total}."),
        "youGave": _("Tu as mis {own} jetons. Le pot avait {pot} jetons."),
        "youGot": _("Il est devenu {returned} jetons. Tu reçois {share} jetons."),
        "total": _("Tu as gagné {total} jetons en tout."),
        "message": _("Message de ton partenaire :"),
        "yourMessage": _("Ton message :"),
        "noWords": _("Touche au moins un mot."),
        "tryCode": _("Essayer le code"),
        "attempts": _("Essais : {used} sur {max}"),
        "clueCard": _("Indices de {name}"),
        "whoPlays": _("Qui joue maintenant ?"),
        "handTo": _("Passe l’appareil à {name}."),
        "handToHide": _("Passe l’appareil à {name}. {other}, ne regarde pas l’écran."),
        "ready": _("C’est moi, {name} !"),
        "sending": _("Envoi… Laisse cette page ouverte."),
        "offline": _(
            "Pas de réseau. Tes réponses sont gardées et partiront quand il reviendra."
        ),
        "signedOut": _(
            "Tu n’es plus connecté. Demande de l’aide à ton enseignant ou ton "
            "enseignante."
        ),
        "closed": _("Cette tâche est fermée."),
        "home": _("Retour à mes tâches"),
    }


def play_data(run: TaskRun) -> dict[str, Any]:
    """Return what the task player needs, passed to it with json_script."""
    task = run.session.task
    definition = definition_of(task)
    game = game_of(task)
    data: dict[str, Any] = {
        "type": task.type,
        "title": localized(definition.title),
        "instructions": localized(definition.instructions),
        "content": localize(game.client_content(definition.content)),
        "runId": run.pk,
        "completed": run.completed_at is not None,
        "isOpen": session_is_open(run.session),
        "eventsUrl": reverse("performance:events-api", args=[run.pk]),
        "homeUrl": reverse("performance:pupil-tasks"),
        "strings": _player_strings(),
    }
    if isinstance(game, GroupGame) and run.group is not None:
        data.update(
            {
                "seat": run.seat,
                "view": localize(group_view(run.group, run)),
                "members": _members(run, game),
                "pollMs": POLL_INTERVAL_MS,
            }
        )
    else:
        data.update({"material": run.material, "events": stored_events(run)})
    return data


def _members(run: TaskRun, game: GroupGame) -> list[dict[str, Any]]:
    """Name the partner of a pair; a class game shows no classmate's name."""
    if game.mode != "pair" or run.group is None:
        return []
    return [
        {"seat": member.seat, "name": member.pupil.display_name}
        for member in run.group.runs.select_related("pupil").order_by("seat")
    ]


@require_GET
@ensure_csrf_cookie
@pupil_page
def play(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = _own_run(request, run_pk)
    if run is None:
        return render(
            request,
            "performance/pupil_tasks.html",
            {"tasks": [], "error": _("Cette tâche n’existe pas pour toi.")},
            status=404,
        )
    if isinstance(game_of(run.session.task), GroupGame) and run.group is None:
        return redirect("performance:pupil-tasks")
    data = play_data(run)
    return render(
        request,
        "performance/play.html",
        {
            "title": data["title"],
            "player_data": data,
            "player_script": PLAYER_SCRIPTS[run.session.task.type],
        },
    )


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


@require_http_methods(["GET", "POST"])
@pupil_api
def events_api(request: HttpRequest, run_pk: int) -> JsonResponse:
    """GET: the run's stored events, or the group's state. POST: store one event.

    POST body: {"key": UUID, "kind": "choose", "payload": {...}, "seq": 3,
    "occurred_at": ISO 8601 with a time zone, "seat": 1 (one shared device only)}.
    Status 201 for a new event, 200 when the key was known, 409 when the rules
    reject the event or the task is closed, 503 when the group stayed busy.
    """
    run = _own_run(request, run_pk)
    if run is None:
        return _error(404, "run_not_found", _("Cette tâche n’existe pas pour toi."))
    if request.method == "GET":
        return JsonResponse(_run_state(run))
    try:
        payload = _parse_event(request.body)
    except ValueError as error:
        return _error(400, "invalid_request", str(error))
    try:
        outcome = record_event(run, **payload)
    except GroupBusyError as error:
        return _error(503, error.code, error.message)
    except PerformanceError as error:
        logger.info("Event rejected on task run %s: %s.", run.pk, error.code)
        status = (
            400
            if isinstance(error, EventRejectedError) and error.code == "invalid_event"
            else 409
        )
        return _error(status, error.code, error.message, **_run_state(run))
    body: dict[str, Any] = {"status": outcome.status, "completed": outcome.completed}
    if outcome.view is not None:
        body["view"] = localize(outcome.view)
    return JsonResponse(body, status=201 if outcome.status == "created" else 200)


def _run_state(run: TaskRun) -> dict[str, Any]:
    run.refresh_from_db(fields=["completed_at"])
    if run.group is not None:
        run.group.refresh_from_db(fields=["state", "version"])
        return {
            "view": localize(group_view(run.group, run)),
            "completed": run.completed_at is not None,
        }
    return {"events": stored_events(run), "completed": run.completed_at is not None}


def _parse_event(body: bytes) -> dict[str, Any]:
    """Read an event's JSON body; raise ValueError with a message naming the field."""
    data, key = read_keyed_object(body)
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind or len(kind) > 40:
        raise ValueError("kind is missing: give the event's kind, such as choose")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise ValueError("payload must be a JSON object")
    seq = data.get("seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ValueError(f"seq {seq!r} is not a whole number of 0 or more")
    seat = data.get("seat")
    if seat is not None and (isinstance(seat, bool) or not isinstance(seat, int)):
        raise ValueError(f"seat {seat!r} is not a whole number")
    return {
        "key": key,
        "kind": kind,
        "payload": payload,
        "seq": seq,
        "seat": seat,
        "occurred_at": _parse_moment(data.get("occurred_at")),
    }


def _parse_moment(value: object) -> dt.datetime | None:
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise ValueError(
            f"occurred_at {value!r} is not an ISO 8601 date and time with a time zone"
        )
    return moment
