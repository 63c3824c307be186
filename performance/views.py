"""Adults' pages of the performance tasks: open tasks, form groups, follow, observe.

A teacher sees only their classes; a researcher sees the same pages without pupils'
names and may change nothing. No page ranks pupils or shows a pupil's scores: the
scores go to the statistics and reports through `performance.scores`.
"""

import logging
import random
from collections import defaultdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from assessment.instruments import skill_label
from assessment.models import Wave
from assessment.services import campaigns_visible_to, wave_is_open_for
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)
from performance.definitions import definition_of
from performance.forms import GroupsForm, ObservationForm
from performance.games import GroupGame
from performance.models import Group, Task, TaskSession
from performance.services import (
    PerformanceError,
    close_group_round,
    close_task,
    current_tasks,
    draw_groups,
    form_groups,
    game_of,
    groups_with_members,
    open_task,
    save_observation,
    session_is_open,
    task_progress,
)
from performance.texts import localized
from schools.display_names import sorted_by_display_name
from schools.models import Classroom

logger = logging.getLogger(__name__)

# Roles that may open tasks, form groups and observe them in a class they can see.
TASK_RUNNERS = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)


def _may_run(request: HttpRequest) -> bool:
    return request.user.role in TASK_RUNNERS or request.user.is_superuser


def _wave_and_class(
    request: HttpRequest, wave_pk: int, class_pk: int
) -> tuple[Wave, Classroom]:
    classroom = get_visible_classroom(request.user, class_pk)
    wave = get_object_or_404(
        Wave.objects.select_related("campaign").filter(
            campaign__in=campaigns_visible_to(request.user)
        ),
        pk=wave_pk,
    )
    if not wave.campaign.classes.filter(pk=classroom.pk).exists():
        raise Http404("This class is not in the wave's campaign.")
    return wave, classroom


def _visible_session(request: HttpRequest, session_pk: int) -> TaskSession:
    return get_object_or_404(
        TaskSession.objects.select_related(
            "task", "wave__campaign", "classroom__school__academie"
        ).filter(classroom__in=classes_visible_to(request.user)),
        pk=session_pk,
    )


def _visible_group(request: HttpRequest, group_pk: int) -> Group:
    return get_object_or_404(
        Group.objects.select_related(
            "session__task", "session__wave", "session__classroom__school__academie"
        ).filter(session__classroom__in=classes_visible_to(request.user)),
        pk=group_pk,
    )


@require_GET
@role_required(*ADULT_ROLES)
def task_index(request: HttpRequest) -> HttpResponse:
    """List the waves of the user's campaigns, each with its classes' task pages."""
    classes = classes_visible_to(request.user)
    waves = (
        Wave.objects.filter(campaign__in=campaigns_visible_to(request.user))
        .select_related("campaign")
        .prefetch_related("campaign__classes")
        .order_by("campaign__name", "opens_on")
    )
    visible = set(classes.values_list("pk", flat=True))
    # NOTE: one line per wave and class, without pagination: fine for a pilot, too
    # long for a national campaign's coordinators.
    rows = [
        {
            "wave": wave,
            "classes": [c for c in wave.campaign.classes.all() if c.pk in visible],
        }
        for wave in waves
    ]
    return render(request, "performance/task_index.html", {"rows": rows})


@require_GET
@role_required(*ADULT_ROLES)
def wave_tasks(request: HttpRequest, wave_pk: int, class_pk: int) -> HttpResponse:
    """Show every task for the wave in the class, opened or not."""
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    sessions = {
        session.task.key: session
        for session in TaskSession.objects.filter(
            wave=wave, classroom=classroom
        ).select_related("task")
    }
    for session in sessions.values():
        session.wave, session.classroom = wave, classroom
    rows = []
    for task in current_tasks():
        session = sessions.get(task.key)
        rows.append(
            {
                "task": task,
                "skill": skill_label(task.skill),
                "mode": game_of(task).mode,
                "session": session,
                "open": session is not None and session_is_open(session),
            }
        )
    return render(
        request,
        "performance/wave_tasks.html",
        {
            "wave": wave,
            "classroom": classroom,
            "rows": rows,
            "window_open": wave_is_open_for(wave, classroom),
            "may_run": _may_run(request),
        },
    )


@require_POST
@role_required(*TASK_RUNNERS)
def task_open(
    request: HttpRequest, wave_pk: int, class_pk: int, task_pk: int
) -> HttpResponse:
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    task = get_object_or_404(Task, pk=task_pk)
    try:
        open_task(task, wave, classroom, request.user)
    except PerformanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("« %(title)s » est ouverte aux élèves.") % {"title": task.title}
        )
    return redirect("performance:wave-tasks", wave_pk=wave.pk, class_pk=classroom.pk)


@require_POST
@role_required(*TASK_RUNNERS)
def session_close(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _visible_session(request, session_pk)
    close_task(session, request.user)
    messages.success(
        request, _("« %(title)s » est fermée.") % {"title": session.task.title}
    )
    return redirect(
        "performance:wave-tasks",
        wave_pk=session.wave_id,
        class_pk=session.classroom_id,
    )


@require_GET
@role_required(*ADULT_ROLES)
def session_detail(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Show who started and finished the task and, for group tasks, the groups."""
    session = _visible_session(request, session_pk)
    game = game_of(session.task)
    definition = definition_of(session.task)
    progress = task_progress(session)
    groups = groups_with_members(session) if isinstance(game, GroupGame) else []
    counts: defaultdict[str, int] = defaultdict(int)
    for row in progress:
        counts[row.status] += 1
    context = {
        "session": session,
        "mode": game.mode,
        "open": session_is_open(session),
        "progress": progress,
        "counts": counts,
        "groups": groups,
        "has_grid": definition.observation_grid is not None,
        "may_close_round": game.type == "public-goods",
        "show_names": may_see_names(request.user),
        "may_run": _may_run(request),
    }
    if request.headers.get("HX-Request"):
        return render(request, "performance/session_detail.html#progress", context)
    return render(request, "performance/session_detail.html", context)


@role_required(*TASK_RUNNERS)
def session_groups(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Let the teacher form the pairs or groups of a task, by hand or at random."""
    session = _visible_session(request, session_pk)
    game = game_of(session.task)
    if not isinstance(game, GroupGame):
        raise Http404("This task is played alone.")
    pupils = sorted_by_display_name(session.classroom.pupils.filter(left_on=None))
    groups = groups_with_members(session)
    form = GroupsForm(request.POST or None, pupils=pupils, groups=groups, game=game)
    if request.method == "POST" and form.is_valid():
        try:
            if "draw" in request.POST:
                draw_groups(
                    session,
                    pupils,
                    form.cleaned_data["device_mode"],
                    request.user,
                    random.Random(),
                )
            else:
                form_groups(
                    session,
                    form.drafts(),
                    form.cleaned_data["device_mode"],
                    request.user,
                )
        except PerformanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Les équipes sont enregistrées."))
            return redirect("performance:session-detail", session_pk=session.pk)
    return render(
        request,
        "performance/session_groups.html",
        {"session": session, "form": form, "game": game},
    )


@role_required(*TASK_RUNNERS)
def observation(request: HttpRequest, group_pk: int) -> HttpResponse:
    """Let the teacher fill in the observation grid of one group."""
    group = _visible_group(request, group_pk)
    grid = definition_of(group.session.task).observation_grid
    if grid is None:
        raise Http404("This task has no observation grid.")
    stored = getattr(group, "observation", None)
    form = ObservationForm(
        request.POST or None,
        grid=grid,
        initial=stored.ratings if stored is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_observation(group, form.ratings(), request.user)
        except PerformanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("La grille est enregistrée."))
            return redirect("performance:session-detail", session_pk=group.session_id)
    members = [run.pupil for run in group.runs.select_related("pupil").order_by("seat")]
    return render(
        request,
        "performance/observation.html",
        {
            "group": group,
            "form": form,
            "instructions": localized(grid.instructions),
            "members": members,
        },
    )


@require_POST
@role_required(*TASK_RUNNERS)
def group_close_round(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = _visible_group(request, group_pk)
    if game_of(group.session.task).type != "public-goods":
        raise Http404("Only a class game has rounds to close.")
    try:
        close_group_round(group, request.user)
    except PerformanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le tour est clos."))
    return redirect("performance:session-detail", session_pk=group.session_id)
