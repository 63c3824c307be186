"""Score report pages: the waves a user may report on, and each wave's report.

Teachers see their own classes, coordinators and administrators every class, and
researchers every class without pupils' names. Pupils get 403. A wave or class
outside the user's scope answers 404.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assessment.models import Wave
from assessment.reports import build_wave_report
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)


def _waves() -> QuerySet[Wave]:
    return Wave.objects.select_related("campaign__instrument", "campaign__school_year")


@require_GET
@role_required(*ADULT_ROLES)
def report_index(request: HttpRequest) -> HttpResponse:
    visible = classes_visible_to(request.user)
    waves = (
        _waves()
        .filter(campaign__classes__in=visible)
        .distinct()
        .prefetch_related(
            Prefetch("campaign__classes", queryset=visible, to_attr="visible_classes")
        )
        .order_by("-campaign__created_at", "campaign_id", "opens_on", "label")
    )
    return render(request, "assessment/reports/index.html", {"waves": waves})


@require_GET
@role_required(*ADULT_ROLES)
def class_wave_report(
    request: HttpRequest, wave_pk: int, class_pk: int
) -> HttpResponse:
    classroom = get_visible_classroom(request.user, class_pk)
    wave = get_object_or_404(_waves(), pk=wave_pk, campaign__classes=classroom)
    report = build_wave_report(
        wave, [classroom], with_names=may_see_names(request.user)
    )
    return render(
        request,
        "assessment/reports/wave_report.html",
        {
            "report": report,
            "classroom": classroom,
            "names_hidden": report.pupils is None,
        },
    )


@require_GET
@role_required(*ADULT_ROLES)
def campaign_wave_report(request: HttpRequest, wave_pk: int) -> HttpResponse:
    wave = get_object_or_404(_waves(), pk=wave_pk)
    classes = list(
        classes_visible_to(request.user)
        .filter(campaigns=wave.campaign)
        .order_by("school__name", "label")
    )
    if not classes:
        raise Http404
    report = build_wave_report(wave, classes)
    return render(
        request,
        "assessment/reports/wave_report.html",
        {"report": report, "classroom": None, "names_hidden": True},
    )
