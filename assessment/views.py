"""Adults' pages of the assessment: campaigns, waves, and wave progress in a class."""

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from assessment.forms import CampaignForm, new_wave_formset
from assessment.models import Wave, WaveSession
from assessment.services import (
    AssessmentError,
    WaveSpec,
    campaigns_visible_to,
    close_wave,
    create_campaign,
    session_is_active,
    start_wave,
    wave_is_open_for,
    wave_progress,
)
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)
from schools.models import Classroom

logger = logging.getLogger(__name__)

# Roles that may start and close a wave in a class they can see.
WAVE_RUNNERS = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)


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
    form = CampaignForm(request.POST or None)
    waves = new_wave_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and waves.is_valid():
        specs = [
            WaveSpec(row["label"], row["opens_on"], row["closes_on"])
            for row in waves.cleaned_data
            if row
        ]
        try:
            campaign = create_campaign(
                name=form.cleaned_data["name"],
                instrument=form.cleaned_data["instrument"],
                school_year=form.cleaned_data["school_year"],
                classes=form.cleaned_data["classes"],
                waves=specs,
                created_by=request.user,
            )
        except AssessmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("La campagne est créée."))
            return redirect("assessment:campaign-detail", pk=campaign.pk)
    return render(
        request, "assessment/campaign_form.html", {"form": form, "waves": waves}
    )


@require_GET
@role_required(*ADULT_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    classes = list(
        classes_visible_to(request.user)
        .filter(campaigns=campaign)
        .select_related("school__academie")
    )
    waves = list(campaign.waves.all())
    sessions = {
        (session.wave_id, session.classroom_id): session
        for session in WaveSession.objects.filter(wave__in=waves, classroom__in=classes)
    }
    now = timezone.now()
    # NOTE: one row per wave and class, without pagination: fine for a pilot's 60
    # classes, too long for a national campaign's coordinators.
    rows = []
    for wave in waves:
        wave_rows = []
        for classroom in classes:
            session = sessions.get((wave.pk, classroom.pk))
            if session is not None:
                session.wave, session.classroom = wave, classroom
            wave_rows.append(
                {
                    "classroom": classroom,
                    "session": session,
                    "window_open": wave_is_open_for(wave, classroom, now),
                    "active": session is not None and session_is_active(session, now),
                }
            )
        rows.append({"wave": wave, "classes": wave_rows})
    return render(
        request,
        "assessment/campaign_detail.html",
        {
            "campaign": campaign,
            "waves": rows,
            "may_run": request.user.role in WAVE_RUNNERS or request.user.is_superuser,
        },
    )


def _wave_and_class(request: HttpRequest, wave_pk: int, class_pk: int):
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
    if request.POST.get("next") == "progress":
        return redirect(
            "assessment:wave-progress", wave_pk=wave.pk, class_pk=classroom.pk
        )
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


@require_GET
@role_required(*ADULT_ROLES)
def wave_progress_page(
    request: HttpRequest, wave_pk: int, class_pk: int
) -> HttpResponse:
    wave, classroom = _wave_and_class(request, wave_pk, class_pk)
    session = WaveSession.objects.filter(wave=wave, classroom=classroom).first()
    if session is not None:
        session.wave, session.classroom = wave, classroom
    context = {
        "wave": wave,
        "classroom": classroom,
        "session": session,
        "active": session is not None and session_is_active(session),
        "window_open": wave_is_open_for(wave, classroom),
        "progress": wave_progress(wave, classroom),
        "show_names": may_see_names(request.user),
        "may_run": request.user.role in WAVE_RUNNERS or request.user.is_superuser,
    }
    template = "assessment/wave_progress.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progress"
    return render(request, template, context)
