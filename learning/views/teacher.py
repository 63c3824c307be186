"""Adults' pages of the learning app: library, class plan, results, accommodations.

Every adult may browse the library. Teachers assign activities to their own classes,
and coordinators and administrators to any class. The class plan, the results, the
record of who did an unplugged activity and the accommodations name pupils, so
researchers get 403 there, and a teacher asking for a class that is not theirs gets
404.
"""

import logging
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role, User
from activities.models import Activity, Kind
from activities.services import content_of
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    require_names,
    role_required,
)
from learning import library as library_service
from learning import services
from learning.forms import AssignForm, CompletionForm, LibraryFilterForm
from learning.models import Assignment, PupilProfile
from learning.services import (
    ACCOMMODATION_FIELDS,
    LearningError,
    PlanRow,
    assign_activity,
    class_plan,
    completion_rows,
    move_assignment,
    plan_progress,
    record_completions,
    remove_assignment,
    school_today,
    set_accommodations,
)
from learning.terms import Term, class_terms, term_of
from schools.display_names import sorted_by_display_name
from schools.models import Classroom

logger = logging.getLogger(__name__)

ASSIGN_ROLES = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)


def _user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


def _may_assign(user: User) -> bool:
    return user.is_superuser or user.role in ASSIGN_ROLES


def _class_with_names(user: User, pk: int) -> Classroom:
    """Return a class of the user's scope, or 404, then 403 for researchers."""
    classroom = get_visible_classroom(user, pk)
    require_names(user)
    return classroom


def _assignment_with_names(user: User, assignment_pk: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("activity", "classroom__school__academie"),
        pk=assignment_pk,
        classroom__in=classes_visible_to(user),
    )
    require_names(user)
    return assignment


@role_required(*ADULT_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(
        request.GET or None,
        levels=library_service.library_levels(),
        competencies=library_service.competency_choices(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    activities = library_service.search_library(
        text=filters.get("q", ""),
        level=filters.get("level", ""),
        max_minutes=int(filters["duration"]) if filters.get("duration") else None,
        mode=filters.get("mode", ""),
        kind=filters.get("kind", ""),
        crcn=filters.get("crcn", ""),
    )
    context = {
        "form": form,
        "items": [
            (activity, library_service.competencies_of(activity))
            for activity in activities
        ],
    }
    return render(request, "learning/library.html", context)


@role_required(*ADULT_ROLES)
def activity_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    activity = get_object_or_404(
        Activity.objects.filter(current_version__isnull=False), key=key
    )
    version = activity.current_version
    if version is None:
        raise Http404("activity without a published version")
    may_assign = _may_assign(user)
    if request.method == "POST" and not may_assign:
        raise PermissionDenied
    classes = classes_visible_to(user).order_by("-school_year__starts_on", "label")
    selected = _selected_class(request, classes)
    form = None
    if may_assign:
        form = AssignForm(
            request.POST if request.method == "POST" else None,
            classes=classes,
            selected=selected,
            today=timezone.localdate(),
        )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = assign_activity(
                activity,
                data["classroom"],
                starts_on=data["starts_on"],
                due_on=data["due_on"],
                pupils=data["pupils"],
                assigned_by=user,
            )
        except LearningError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "L’activité « %(activity)s » est ajoutée à la progression de la "
                    "classe %(class)s."
                )
                % {"activity": activity, "class": data["classroom"]},
            )
            return redirect("learning:class-plan", pk=assignment.classroom_id)
    context = {
        "activity": activity,
        "content": content_of(version),
        "form": form,
        "selected": selected,
        "competencies": library_service.competencies_of(activity),
    }
    if request.method == "GET" and request.headers.get("HX-Request"):
        # Choosing a class reloads only its pupils.
        return render(request, "learning/_group_pupils.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/activity_detail.html", context, status=status)


def _selected_class(request: HttpRequest, classes) -> Classroom | None:
    """Return the class chosen in the form, or the user's only class."""
    raw = request.POST.get("classroom") or request.GET.get("classroom")
    if raw and raw.isdigit():
        return classes.filter(pk=int(raw)).first()
    if classes.count() == 1:
        return classes.first()
    return None


@role_required(*ADULT_ROLES)
def class_plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _class_with_names(_user(request), pk)
    plan = list(class_plan(classroom))
    terms = class_terms(classroom)
    current = term_of(terms, school_today(classroom))
    by_term: dict[Term, list[PlanRow]] = {}
    for row in plan_progress(classroom, plan):
        by_term.setdefault(term_of(terms, row.assignment.starts_on), []).append(row)
    context = {
        "classroom": classroom,
        "terms": [(term, term == current, by_term[term]) for term in by_term],
        "rows": plan,
        "may_edit": _may_assign(_user(request)),
    }
    return render(request, "learning/class_plan.html", context)


@require_POST
@role_required(*ADULT_ROLES)
def assignment_move(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    user = _user(request)
    assignment = _assignment_with_names(user, assignment_pk)
    if not _may_assign(user):
        raise PermissionDenied
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        move_assignment(assignment, -1 if direction == "up" else 1)
    return redirect("learning:class-plan", pk=assignment.classroom_id)


@require_POST
@role_required(*ADULT_ROLES)
def assignment_remove(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    user = _user(request)
    assignment = _assignment_with_names(user, assignment_pk)
    if not _may_assign(user):
        raise PermissionDenied
    try:
        remove_assignment(assignment)
    except LearningError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("« %(activity)s » est retirée du plan.")
            % {"activity": assignment.activity},
        )
    return redirect("learning:class-plan", pk=assignment.classroom_id)


@role_required(*ADULT_ROLES)
def assignment_results(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    assignment = _assignment_with_names(_user(request), assignment_pk)
    context = {
        "assignment": assignment,
        "classroom": assignment.classroom,
        "results": services.assignment_results(assignment),
    }
    return render(request, "learning/assignment_results.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*ADULT_ROLES)
def assignment_done(request: HttpRequest, assignment_pk: int) -> HttpResponse:
    """Record which pupils did an unplugged activity: all ticked at first."""
    user = _user(request)
    assignment = _assignment_with_names(user, assignment_pk)
    if assignment.activity.kind != Kind.UNPLUGGED:
        raise Http404("on-screen activities are done by their attempts")
    if request.method == "POST" and not _may_assign(user):
        raise PermissionDenied
    rows = completion_rows(assignment)
    form = CompletionForm(
        request.POST if request.method == "POST" else None,
        pupils=[row.pupil for row in rows],
        today=school_today(assignment.classroom),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = record_completions(
                assignment,
                data["pupils"],
                done_on=data["done_on"],
                recorded_by=user,
            )
        except LearningError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "« %(activity)s » : %(count)s élève l’a faite.",
                    "« %(activity)s » : %(count)s élèves l’ont faite.",
                    count,
                )
                % {"activity": assignment.activity, "count": count},
            )
            return redirect("learning:class-plan", pk=assignment.classroom_id)
    if form.is_bound:
        ticked = {int(pk) for pk in request.POST.getlist("pupils") if pk.isdigit()}
    else:
        # Until a first record, every pupil is ticked: the teacher unticks the absent.
        ticked = {row.pupil.pk for row in rows if row.done_on is not None} or {
            row.pupil.pk for row in rows
        }
    context = {
        "assignment": assignment,
        "classroom": assignment.classroom,
        "form": form,
        "rows": [(row, row.pupil.pk in ticked) for row in rows],
    }
    status = 400 if form.is_bound else 200
    return render(request, "learning/assignment_done.html", context, status=status)


@role_required(*ADULT_ROLES)
def accommodations(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    classroom = _class_with_names(user, pk)
    if request.method == "POST":
        if not _may_assign(user):
            raise PermissionDenied
        chosen = {
            field: {
                int(value) for value in request.POST.getlist(field) if value.isdigit()
            }
            for field in ACCOMMODATION_FIELDS
        }
        set_accommodations(classroom, chosen, user)
        messages.success(request, _("Les aménagements sont enregistrés."))
        return redirect("learning:accommodations", pk=classroom.pk)
    pupils = sorted_by_display_name(
        classroom.pupils.filter(left_on__isnull=True).select_related("learning_profile")
    )
    labels = {field.name: field.verbose_name for field in PupilProfile._meta.fields}
    rows = []
    for pupil in pupils:
        profile = getattr(pupil, "learning_profile", None)
        checked = [
            (
                field,
                labels[field],
                bool(profile and getattr(profile, field)),
            )
            for field in ACCOMMODATION_FIELDS
        ]
        rows.append({"pupil": pupil, "fields": checked})
    context = {"classroom": classroom, "rows": rows, "may_edit": _may_assign(user)}
    return render(request, "learning/accommodations.html", context)
