"""Adults' pages of the assessment: campaigns, their schedule and status grid, waves,
wave progress and reopening in a class."""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from assessment.forms import CampaignForm, ReopenForm, ScheduleForm, new_wave_formset
from assessment.models import Campaign, Wave
from assessment.schedule import (
    ScheduleProposal,
    academies_of,
    check_windows,
    propose_schedule,
)
from assessment.services import (
    AssessmentError,
    WaveSpec,
    campaigns_visible_to,
    close_wave,
    create_campaign,
    pupils_without_completed_response,
    reopen_wave,
    start_wave,
    wave_progress,
)
from assessment.status import ClassWaveState, WaveStatus, local_today, wave_states
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)
from schools.display_names import sorted_by_display_name
from schools.models import Classroom

logger = logging.getLogger(__name__)

# Roles that may start and close a wave in a class they can see.
WAVE_RUNNERS = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)
# Rows of the campaign grid per page: a national campaign has thousands of classes.
CLASSES_PER_PAGE = 50


@require_GET
@role_required(*ADULT_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible_to(request.user).prefetch_related("waves")
    return render(
        request,
        "assessment/campaign_list.html",
        {
            "campaigns": campaigns,
            "may_create": request.user.is_coordinator or request.user.is_superuser,
        },
    )


@role_required(Role.COORDINATOR, Role.ADMINISTRATOR)
def campaign_create(request: HttpRequest) -> HttpResponse:
    """Create a campaign, or with `action=propose` fill its waves from a proposal.

    Windows that cross a zone's holidays, or académies whose holidays are unknown,
    are shown as warnings, and the campaign is created only once the coordinator
    confirms with `action=create-anyway`.
    """
    data = request.POST if request.method == "POST" else None
    proposing = data is not None and request.POST.get("action") == "propose"
    form = CampaignForm(data)
    # Only a proposal reads the schedule fields and only a creation reads the wave
    # rows, so the other form stays unbound and shows no errors.
    schedule = ScheduleForm(data if proposing else None, prefix="schedule")
    waves = new_wave_formset(None if proposing else data)
    context: dict[str, object] = {"form": form, "schedule": schedule}
    if proposing:
        proposal = _propose(form, schedule)
        if proposal is not None:
            context["proposal"] = proposal
            waves = new_wave_formset(proposal=proposal)
    elif data is not None and form.is_valid() and waves.is_valid():
        specs = _wave_specs(waves)
        warnings = check_windows(
            [(spec.label, spec.opens_on, spec.closes_on) for spec in specs],
            academies_of(form.cleaned_data["classes"]),
            school_year_end=form.cleaned_data["school_year"].ends_on,
        )
        if warnings and request.POST.get("action") != "create-anyway":
            context["warnings"] = warnings
        else:
            campaign = _create_from_form(request, form, specs)
            if campaign is not None:
                messages.success(request, _("La campagne est créée."))
                return redirect("assessment:campaign-detail", pk=campaign.pk)
    context["waves"] = waves
    return render(request, "assessment/campaign_form.html", context)


def _propose(form: CampaignForm, schedule: ScheduleForm) -> ScheduleProposal | None:
    """Return the schedule proposal the forms ask for, or None if they have errors."""
    if not (form.is_valid() and schedule.is_valid()):
        return None
    year = form.cleaned_data["school_year"]
    if not schedule.check_school_year(year):
        return None
    return propose_schedule(
        start_on=schedule.cleaned_data["start_on"],
        academies=academies_of(form.cleaned_data["classes"]),
        last_day=year.ends_on,
        spacing_weeks=schedule.cleaned_data["spacing_weeks"],
        school_days=schedule.cleaned_data["school_days"],
    )


def _wave_specs(waves: BaseFormSet) -> list[WaveSpec]:
    return [
        WaveSpec(row["label"], row["opens_on"], row["closes_on"])
        for row in waves.cleaned_data
        if row
    ]


def _create_from_form(
    request: HttpRequest, form: CampaignForm, specs: list[WaveSpec]
) -> Campaign | None:
    try:
        return create_campaign(
            name=form.cleaned_data["name"],
            instrument=form.cleaned_data["instrument"],
            school_year=form.cleaned_data["school_year"],
            classes=form.cleaned_data["classes"],
            waves=specs,
            created_by=request.user,
            completion_target=form.cleaned_data["completion_target"],
        )
    except AssessmentError as error:
        form.add_error(None, error.message)
        return None


@require_GET
@role_required(*ADULT_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the campaign grid: one row per visible class, one column per wave."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    visible = list(
        classes_visible_to(request.user)
        .filter(campaigns=campaign)
        .select_related("school__academie")
        .order_by("school__academie__name", "school__name", "label", "pk")
    )
    academies = sorted(
        {(c.school.academie.code, c.school.academie.name) for c in visible},
        key=lambda academie: academie[1],
    )
    academie = request.GET.get("academie", "")
    if academie not in {code for code, _name in academies}:
        academie = ""
    classes = [c for c in visible if not academie or c.school.academie.code == academie]
    waves = list(campaign.waves.all())
    # The counts cover every class of the selection; the rows, one page of it.
    states = wave_states(waves, classes)
    page = Paginator(classes, CLASSES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "classroom": classroom,
            "cells": [states[(wave.pk, classroom.pk)] for wave in waves],
        }
        for classroom in page
    ]
    columns = [
        {"wave": wave, "counts": _status_counts(states.values(), wave)}
        for wave in waves
    ]
    return render(
        request,
        "assessment/campaign_detail.html",
        {
            "campaign": campaign,
            "columns": columns,
            "rows": rows,
            "page": page,
            "academies": academies,
            "academie": academie,
            "may_run": _may_run(request),
        },
    )


def _status_counts(
    states: Iterable[ClassWaveState], wave: Wave
) -> list[tuple[str, int]]:
    counts = Counter(state.status for state in states if state.wave.pk == wave.pk)
    return [(status.label, counts[status]) for status in WaveStatus if counts[status]]


def _may_run(request: HttpRequest) -> bool:
    return request.user.role in WAVE_RUNNERS or request.user.is_superuser


@dataclass
class CampaignStates:
    campaign: Campaign
    states: list[ClassWaveState] = field(default_factory=list)


@require_GET
@role_required(*ADULT_ROLES)
def class_waves(request: HttpRequest, class_pk: int) -> HttpResponse:
    """Show every wave of every campaign of one class, with its status."""
    classroom = get_visible_classroom(request.user, class_pk)
    waves = list(
        Wave.objects.filter(campaign__classes=classroom)
        .select_related("campaign__instrument")
        .order_by("campaign__name", "campaign_id", "opens_on")
    )
    states = wave_states(waves, [classroom])
    campaigns: dict[int, CampaignStates] = {}
    for wave in waves:
        entry = campaigns.setdefault(wave.campaign_id, CampaignStates(wave.campaign))
        entry.states.append(states[(wave.pk, classroom.pk)])
    return render(
        request,
        "assessment/class_waves.html",
        {
            "classroom": classroom,
            "campaigns": list(campaigns.values()),
            "may_run": _may_run(request),
        },
    )


def _wave_and_class(
    request: HttpRequest, wave_pk: int, class_pk: int
) -> tuple[Wave, Classroom]:
    classroom = get_visible_classroom(request.user, class_pk)
    wave = get_object_or_404(
        Wave.objects.select_related("campaign__instrument").filter(
            campaign__in=campaigns_visible_to(request.user)
        ),
        pk=wave_pk,
    )
    if not wave.campaign.classes.filter(pk=classroom.pk).exists():
        raise Http404("This class is not in the wave's campaign.")
    return wave, classroom


def _back_to(request: HttpRequest, wave: Wave, classroom: Classroom) -> HttpResponse:
    target = request.POST.get("next")
    if target == "progress":
        return redirect(
            "assessment:wave-progress", wave_pk=wave.pk, class_pk=classroom.pk
        )
    if target == "class":
        return redirect("assessment:class-waves", class_pk=classroom.pk)
    return redirect("assessment:campaign-detail", pk=wave.campaign_id)


@require_POST
@role_required(*WAVE_RUNNERS)
def wave_start(request: HttpRequest, wave_pk: int, class_pk: int) -> HttpResponse:
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    try:
        start_wave(wave, classroom, request.user)
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("La vague %(wave)s est lancée dans la classe « %(label)s ».")
            % {"wave": wave.label, "label": classroom.label},
        )
    return _back_to(request, wave, classroom)


@require_POST
@role_required(*WAVE_RUNNERS)
def wave_close(request: HttpRequest, wave_pk: int, class_pk: int) -> HttpResponse:
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    try:
        close_wave(wave, classroom, request.user)
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("La vague %(wave)s est fermée dans la classe « %(label)s ».")
            % {"wave": wave.label, "label": classroom.label},
        )
    return _back_to(request, wave, classroom)


def _state_of(wave: Wave, classroom: Classroom) -> ClassWaveState:
    return wave_states([wave], [classroom])[(wave.pk, classroom.pk)]


@require_GET
@role_required(*ADULT_ROLES)
def wave_progress_page(
    request: HttpRequest, wave_pk: int, class_pk: int
) -> HttpResponse:
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    state = _state_of(wave, classroom)
    context = {
        "wave": wave,
        "classroom": classroom,
        "state": state,
        "session": state.session,
        "reopenings": (
            state.session.reopenings.select_related("reopened_by")
            if state.session
            else []
        ),
        "progress": wave_progress(wave, classroom),
        "show_names": may_see_names(request.user),
        "may_run": _may_run(request),
    }
    template = "assessment/wave_progress.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progress"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@role_required(*WAVE_RUNNERS)
def wave_reopen(request: HttpRequest, wave_pk: int, class_pk: int) -> HttpResponse:
    """Reopen a closed wave in one class, for a few days, for unfinished pupils."""
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    today = local_today(classroom)
    form = ReopenForm(
        request.POST if request.method == "POST" else None,
        initial={"until": today + dt.timedelta(days=2)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reopen_wave(wave, classroom, request.user, until=form.cleaned_data["until"])
        except AssessmentError as error:
            field = "until" if error.code == "invalid_reopening_end" else None
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _(
                    "La vague %(wave)s est rouverte dans la classe « %(label)s » "
                    "jusqu’au %(until)s inclus."
                )
                % {
                    "wave": wave.label,
                    "label": classroom.label,
                    "until": date_format(form.cleaned_data["until"], "j F Y"),
                },
            )
            return redirect(
                "assessment:wave-progress", wave_pk=wave.pk, class_pk=classroom.pk
            )
    pupils = sorted_by_display_name(pupils_without_completed_response(wave, classroom))
    return render(
        request,
        "assessment/wave_reopen.html",
        {
            "wave": wave,
            "classroom": classroom,
            "state": _state_of(wave, classroom),
            "form": form,
            "pupils": pupils,
            "show_names": may_see_names(request.user),
        },
    )
