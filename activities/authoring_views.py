"""Authoring pages: coordinators write activities from templates and publish them.

Coordinators and administrators list the activities, start a new one from the
template of its kind, fill the form drawn from the schema, watch the live preview,
then save a draft or publish the next version. Teachers, researchers and pupils get
403 there, since an activity changes every class that uses it. The history page,
which shows what changed between two versions, is open to every adult, like the
published sheets; drafts appear there for coordinators only.
"""

import logging
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from activities import engine
from activities.authoring import (
    STARTERS,
    FormValues,
    Validation,
    content_values,
    editable_version,
    publish_form,
    validate_form,
    values_from_post,
)
from activities.authoring_form import TILE_LEGEND, bind_form
from activities.crcn import competencies
from activities.diff import diff_versions
from activities.history import describe_changes
from activities.models import Activity, ActivityVersion, Kind, Status, UnfinishedDraft
from activities.schemas import CodingContent, QuizContent
from activities.services import (
    ContentConflictError,
    discard_unfinished_draft,
    save_draft,
    save_unfinished_draft,
    unfinished_draft,
)
from iota.permissions import ADULT_ROLES, STAFF_ROLES, role_required
from iota.yaml_schema import Problem
from learning.players import block_labels

logger = logging.getLogger(__name__)

KIND_DESCRIPTIONS = {
    Kind.UNPLUGGED: gettext_lazy(
        "Une fiche de séance sans écran : objectifs, matériel, étapes minutées, "
        "variantes, trace écrite et fiche élève."
    ),
    Kind.QUIZ: gettext_lazy(
        "Des questions corrigées automatiquement : choix unique ou multiple, remettre "
        "dans l’ordre, relier par paires, nombre."
    ),
    Kind.CODING: gettext_lazy(
        "Un défi de programmation par blocs : une grille, les blocs permis et une "
        "solution de référence que le moteur vérifie."
    ),
}
# The hidden input naming the activity that the form edits, for the preview.
EDITING_FIELD = "editing"


def _user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


@dataclass
class ActivityRow:
    activity: Activity
    title: str
    published: ActivityVersion | None
    draft: ActivityVersion | None
    version_count: int
    # Whether the user left the activity's form unfinished.
    unfinished: bool


@role_required(*STAFF_ROLES)
def activity_list(request: HttpRequest) -> HttpResponse:
    unfinished = UnfinishedDraft.objects.filter(author=_user(request)).order_by(
        "-saved_at"
    )
    unfinished_activities = {draft.activity_id for draft in unfinished}
    rows = []
    for activity in Activity.objects.prefetch_related("versions").order_by("key"):
        versions = sorted(activity.versions.all(), key=lambda version: version.number)
        published = [v for v in versions if v.status == Status.PUBLISHED]
        drafts = [v for v in versions if v.status == Status.DRAFT]
        latest = versions[-1] if versions else None
        title = activity.title
        if not title and latest is not None:
            title = str(latest.content.get("title", {}).get("fr", ""))
        rows.append(
            ActivityRow(
                activity=activity,
                title=title or activity.key,
                published=published[-1] if published else None,
                draft=drafts[-1] if drafts else None,
                version_count=len(versions),
                unfinished=activity.pk in unfinished_activities,
            )
        )
    unfinished_new = [draft for draft in unfinished if draft.activity_id is None]
    return render(
        request,
        "activities/authoring/list.html",
        {"rows": rows, "unfinished_new": unfinished_new},
    )


@role_required(*STAFF_ROLES)
def choose_template(request: HttpRequest) -> HttpResponse:
    kinds = [(kind, kind.label, KIND_DESCRIPTIONS[kind]) for kind in Kind]
    return render(request, "activities/authoring/choose.html", {"kinds": kinds})


def _kind_or_404(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404(_("Ce type d’activité n’existe pas."))
    return kind


@role_required(*STAFF_ROLES)
def create(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    if request.method == "POST":
        return _submit(request, kind, None)
    unfinished = unfinished_draft(_user(request), kind, None)
    if unfinished is not None:
        return _unfinished_page(request, kind, None, unfinished)
    values = content_values(kind, STARTERS[kind])
    return _form_page(request, kind, None, values, [])


@role_required(*STAFF_ROLES)
def edit(request: HttpRequest, key: str) -> HttpResponse:
    activity = get_object_or_404(Activity, key=key)
    if request.method == "POST":
        return _submit(request, activity.kind, activity)
    version = editable_version(activity)
    unfinished = unfinished_draft(_user(request), activity.kind, activity)
    if unfinished is not None:
        return _unfinished_page(
            request, activity.kind, activity, unfinished, version=version
        )
    data = version.content if version is not None else {"key": activity.key}
    values = content_values(activity.kind, data)
    return _form_page(request, activity.kind, activity, values, [], version=version)


def _unfinished_page(
    request: HttpRequest,
    kind: str,
    activity: Activity | None,
    unfinished: UnfinishedDraft,
    *,
    version: ActivityVersion | None = None,
) -> HttpResponse:
    """Show the form the user left unfinished, with its problems listed again."""
    validation = validate_form(
        kind,
        unfinished.values,
        key=activity.key if activity is not None else None,
        new=activity is None,
    )
    return _form_page(
        request,
        kind,
        activity,
        validation.values,
        list(validation.problems),
        version=version,
        unfinished=unfinished,
    )


def _submit(request: HttpRequest, kind: str, activity: Activity | None) -> HttpResponse:
    action = request.POST.get("action", "validate")
    user = _user(request)
    if action == "discard":
        discard_unfinished_draft(user, kind, activity)
        messages.info(request, _("Le brouillon incomplet est supprimé."))
        return redirect(request.path)
    validation = validate_form(
        kind,
        values_from_post(request.POST),
        key=activity.key if activity is not None else None,
        new=activity is None,
    )
    problems = list(validation.problems)
    if validation.content is None and action == "draft":
        save_unfinished_draft(user, kind, activity, validation.values)
        messages.info(
            request,
            _(
                "Brouillon incomplet gardé : il n’est pas encore une version. "
                "Corrigez les problèmes signalés, puis enregistrez-le ou publiez-le."
            ),
        )
    if validation.content is not None and action in ("draft", "publish"):
        try:
            if action == "draft":
                draft = save_draft(validation.content, user)
                discard_unfinished_draft(user, kind, activity)
                messages.success(
                    request,
                    _(
                        "Brouillon enregistré (version %(number)s, pas encore "
                        "publiée) : les classes voient toujours la version publiée."
                    )
                    % {"number": draft.number},
                )
                return redirect("activities:authoring-edit", key=draft.activity.key)
            outcome = publish_form(validation.content, user)
        except ContentConflictError as error:
            logger.warning(
                "Rejected activity %s from the form: %s", validation.content.key, error
            )
            problems.append(Problem("key", str(error)))
        else:
            discard_unfinished_draft(user, kind, activity)
            if outcome.created:
                logger.info(
                    "User %s published version %d of activity %s from the form.",
                    user.pk,
                    outcome.version.number,
                    outcome.activity.key,
                )
                messages.success(
                    request,
                    _("Version %(number)s de « %(title)s » publiée.")
                    % {"number": outcome.version.number, "title": outcome.activity},
                )
            else:
                messages.info(
                    request,
                    _(
                        "Rien n’a changé depuis la version %(number)s : aucune "
                        "nouvelle version n’est publiée."
                    )
                    % {"number": outcome.version.number},
                )
            return redirect("activities:authoring-list")
    checked = action == "validate" and not problems
    return _form_page(
        request,
        kind,
        activity,
        validation.values,
        problems,
        checked=checked,
        status=200 if not problems else 400,
    )


def _form_page(
    request: HttpRequest,
    kind: str,
    activity: Activity | None,
    values: FormValues,
    problems: list[Problem],
    *,
    version: ActivityVersion | None = None,
    unfinished: UnfinishedDraft | None = None,
    checked: bool = False,
    status: int = 200,
) -> HttpResponse:
    form = bind_form(kind, values, problems)
    published = None
    if activity is not None and activity.current_version_id is not None:
        published = activity.current_version
    context = {
        "kind": kind,
        "kind_label": Kind(kind).label,
        "activity": activity,
        "version": version,
        "unfinished": unfinished,
        "published": published,
        "form": form,
        "problems": problems,
        "checked": checked,
        "editing_field": EDITING_FIELD,
        "tile_legend": TILE_LEGEND,
        "program_words": _program_words(),
    }
    return render(request, "activities/authoring/form.html", context, status=status)


def _program_words() -> list[tuple[str, str]]:
    """Return the words of the program notation with what each does."""
    labels = block_labels()
    return [
        ("move", labels["robot_move_forward"]),
        ("left", labels["robot_turn_left"]),
        ("right", labels["robot_turn_right"]),
        ("collect", labels["robot_collect"]),
        ("repeat 3", labels["robot_repeat"].replace("%1", "3")),
        ("until goal", labels["robot_repeat_until_goal"]),
        ("if path_ahead", labels["robot_if_path_ahead"]),
        ("if wall_ahead", labels["robot_if_wall_ahead"]),
        ("if item_here", labels["robot_if_item_here"]),
        ("else", _("sinon")),
    ]


@require_POST
@role_required(*STAFF_ROLES)
def preview(request: HttpRequest, kind: str) -> HttpResponse:
    """Validate the submitted form and render the activity, or its problems."""
    kind = _kind_or_404(kind)
    editing = request.POST.get(EDITING_FIELD, "")
    activity = Activity.objects.filter(key=editing, kind=kind).first()
    validation = validate_form(
        kind,
        values_from_post(request.POST),
        key=activity.key if activity is not None else None,
        new=activity is None,
    )
    form = bind_form(kind, validation.values, validation.problems)
    context: dict[str, Any] = {
        "kind": kind,
        "validation": validation,
        "summary": form.summary,
        "content": validation.content,
    }
    context.update(_preview_extras(validation))
    return render(request, "activities/authoring/_preview.html", context)


def _preview_extras(validation: Validation) -> dict[str, Any]:
    content = validation.content
    if isinstance(content, QuizContent):
        return {"max_points": content.max_points()}
    if isinstance(content, CodingContent):
        result = engine.run_program(
            content.grid, content.solution_workspace(), content.limits()
        )
        visited = {(event["x"], event["y"]) for event in result["trace"]}
        start = content.grid["robot"]
        visited.add((start["x"], start["y"]))
        items = {(item["x"], item["y"]) for item in content.grid.get("items", [])}
        rows = [
            [
                {"tile": tile, "visited": (x, y) in visited, "item": (x, y) in items}
                for x, tile in enumerate(row)
            ]
            for y, row in enumerate(content.grid["tiles"])
        ]
        labels = block_labels()
        return {
            "result": result,
            "grid_rows": rows,
            "toolbox": [labels[block] for block in content.toolbox_blocks()],
        }
    if content is not None:
        known = competencies()
        return {"crcn": [known[code] for code in content.crcn]}
    return {}


# History.


@role_required(*ADULT_ROLES)
def history(request: HttpRequest, key: str) -> HttpResponse:
    """List an activity's versions and word what changed between two of them."""
    activity = get_object_or_404(Activity, key=key)
    user = _user(request)
    versions = activity.versions.select_related("published_by").order_by("number")
    if not user.is_coordinator and not user.is_superuser:
        versions = versions.filter(status=Status.PUBLISHED)
    listed = list(versions)
    if not listed:
        raise Http404(_("Cette activité n’a pas encore de version publiée."))
    by_number = {version.number: version for version in listed}
    newer = _chosen(request, "a", by_number) or listed[-1]
    older_default = next((v for v in reversed(listed) if v.number < newer.number), None)
    older = _chosen(request, "de", by_number) or older_default
    changes = []
    if older is not None and older.pk != newer.pk:
        changes = describe_changes(diff_versions(older, newer))
    context = {
        "activity": activity,
        "versions": list(reversed(listed)),
        "older": older,
        "newer": newer,
        "changes": changes,
        "may_edit": user.is_coordinator or user.is_superuser,
    }
    return render(request, "activities/authoring/history.html", context)


def _chosen(
    request: HttpRequest, parameter: str, by_number: dict[int, ActivityVersion]
) -> ActivityVersion | None:
    raw = request.GET.get(parameter, "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in by_number:
        raise Http404(_("Cette version n’existe pas."))
    return by_number[int(raw)]
