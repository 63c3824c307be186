"""Pages of the research reports: dashboard, PDF, export, power and class results.

Coordinators, researchers and administrators see a study's dashboard, PDF report,
power calculator and export; researchers see no name anywhere, since every table is
built from the pseudonymised data set. A teacher sees the participation and
class-level results of their own classes only, never a row per pupil. A study or
class outside the user's scope answers 404.
"""

import logging
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role, User
from assessment.effects import EffectsError, minimum_detectable_effect
from assessment.reports import build_wave_report
from iota.permissions import ADULT_ROLES, get_visible_classroom, role_required
from reports.dataset import study_dataset
from reports.export import codebook, export_study, write_csv
from reports.forms import ExportForm, PowerForm
from reports.models import AnalysisStatus, ExportFormat, ExportLog, StudyAnalysis
from reports.pdf import cached_report_pdf
from reports.presentation import DashboardContext, dashboard_context
from reports.services import data_fingerprint, latest_analysis, request_analysis
from studies.models import Study
from studies.services import studies_visible_to

logger = logging.getLogger(__name__)

REPORT_ROLES = (Role.COORDINATOR, Role.RESEARCHER, Role.ADMINISTRATOR)
# A class mean over fewer completed questionnaires than this is not shown to
# teachers: with two or three pupils a mean reveals too much about each of them.
MIN_PUPILS_FOR_MEAN = 5
# Seconds between reloads of a dashboard waiting for its analysis.
REFRESH_SECONDS = 15


def _user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


def _study(user: User, pk: int) -> Study:
    return get_object_or_404(
        studies_visible_to(user).select_related("campaign__instrument"), pk=pk
    )


@require_GET
@role_required(*ADULT_ROLES)
def report_index(request: HttpRequest) -> HttpResponse:
    """List the studies the user may report on; teachers get their classes."""
    user = _user(request)
    studies = list(studies_visible_to(user).order_by("-created_at"))
    teacher_classes: dict[int, list] = {}
    if user.role == Role.TEACHER and not user.is_superuser:
        for study in studies:
            teacher_classes[study.pk] = list(
                study.campaign.classes.filter(teachers=user).order_by("label")
            )
    return render(
        request,
        "reports/index.html",
        {
            "studies": [
                (study, teacher_classes.get(study.pk, [])) for study in studies
            ],
            "is_teacher": user.role == Role.TEACHER and not user.is_superuser,
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def dashboard(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Show the latest analysis of the study, and queue a new one if data changed."""
    user = _user(request)
    study = _study(user, study_pk)
    fingerprint = data_fingerprint(study)
    analysis = latest_analysis(study)
    pending: StudyAnalysis | None = None
    if analysis is None or analysis.fingerprint != fingerprint:
        requested = request_analysis(study, user, fingerprint=fingerprint)
        if requested.status in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING):
            pending = requested
        else:
            analysis = requested
    context: DashboardContext | None = None
    if analysis is not None and analysis.status == AnalysisStatus.DONE:
        context = dashboard_context(analysis.results, language=get_language())
    return render(
        request,
        "reports/dashboard.html",
        {
            "study": study,
            "analysis": analysis,
            "stale": analysis is not None and analysis.fingerprint != fingerprint,
            "pending": pending,
            "report": context,
            "refresh_seconds": REFRESH_SECONDS if pending else None,
        },
    )


@require_POST
@role_required(*REPORT_ROLES)
def analyse(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Queue a new analysis of the study's current data, even one already done."""
    user = _user(request)
    study = _study(user, study_pk)
    request_analysis(study, user, force=True)
    messages.info(request, _("L’analyse est relancée ; cette page se met à jour."))
    return redirect("reports:dashboard", study_pk=study.pk)


@require_GET
@role_required(*REPORT_ROLES)
def report_pdf(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Return the Ministry report of the latest finished analysis as a PDF."""
    user = _user(request)
    study = _study(user, study_pk)
    analysis = latest_analysis(study)
    if analysis is None or analysis.status != AnalysisStatus.DONE:
        messages.warning(
            request,
            _(
                "Le rapport PDF sera prêt quand l’analyse sera terminée : revenez "
                "sur cette page dans quelques minutes."
            ),
        )
        return redirect("reports:dashboard", study_pk=study.pk)
    content = cached_report_pdf(
        study, analysis, stale=analysis.fingerprint != data_fingerprint(study)
    )
    logger.info("PDF report of study %s sent to user %s.", study.pk, user.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="iota-rapport-etude-{study.pk}.pdf"'
    )
    return response


def _power_initial(study: Study) -> dict[str, Any]:
    """Prefill the calculator with the design and baseline ICC of the study."""
    analysis = latest_analysis(study)
    initial: dict[str, Any] = {
        "treated_share": 0.5,
        "r2_individual": 0.0,
        "alpha": 0.05,
        "power": 0.8,
        "icc": 0.15,
    }
    if analysis is None or analysis.status != AnalysisStatus.DONE:
        return initial
    results = analysis.results
    classes = sum(results["design"]["classes"].values())
    consented = [row for row in results["flow"] if row["stage"] == "consented"]
    pupils = sum(row["pupils"] for row in consented)
    iccs = [row["icc_class"] for row in results["impact"] if row["icc_class"]]
    if classes:
        initial["n_classes"] = classes
        initial["pupils_per_class"] = round(pupils / classes, 1)
    if iccs:
        initial["icc"] = round(max(iccs), 3)
    return initial


@require_GET
@role_required(*REPORT_ROLES)
def power(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Compute the minimum detectable effect size of a cluster-randomised design."""
    study = _study(_user(request), study_pk)
    form = PowerForm(request.GET or None, initial=_power_initial(study))
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = minimum_detectable_effect(
                n_clusters=data["n_classes"],
                cluster_size=data["pupils_per_class"],
                icc=data["icc"],
                treated_share=data["treated_share"],
                r2_individual=data["r2_individual"],
                alpha=data["alpha"],
                power=data["power"],
            )
        except EffectsError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "reports/power.html",
        {"study": study, "form": form, "result": result},
    )


def _export_logs(study: Study) -> list[ExportLog]:
    return list(
        ExportLog.objects.filter(study=study)
        .select_related("user")
        .order_by("-exported_at")[:20]
    )


@role_required(*REPORT_ROLES)
def export(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Show the export formats (GET) or download the study's data set (POST)."""
    user = _user(request)
    study = _study(user, study_pk)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exported = export_study(study, user, form.cleaned_data["format"])
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response
    return render(
        request,
        "reports/export.html",
        {
            "study": study,
            "form": form,
            "logs": _export_logs(study),
            "show_users": user.role != Role.RESEARCHER or user.is_superuser,
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def export_codebook(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Download the codebook of the export, as CSV (``?format=excel_csv`` too)."""
    study = _study(_user(request), study_pk)
    excel = request.GET.get("format") == ExportFormat.EXCEL_CSV
    dataset = study_dataset(study, with_tasks=True)
    table = codebook(dataset, study.campaign.instrument.definition)
    response = HttpResponse(
        write_csv(table, excel=excel), content_type="text/csv; charset=utf-8"
    )
    suffix = "-excel" if excel else ""
    response["Content-Disposition"] = (
        f'attachment; filename="iota-etude-{study.pk}-codebook{suffix}.csv"'
    )
    return response


@require_GET
@role_required(*ADULT_ROLES)
def class_report(request: HttpRequest, study_pk: int, class_pk: int) -> HttpResponse:
    """Show one class's participation and class means per wave, without pupil rows."""
    user = _user(request)
    study = _study(user, study_pk)
    classroom = get_visible_classroom(user, class_pk)
    if not study.campaign.classes.filter(pk=classroom.pk).exists():
        raise Http404
    waves = list(study.campaign.waves.select_related("campaign__instrument"))
    reports = [build_wave_report(wave, [classroom]) for wave in waves]
    rows = [
        {
            "wave": wave,
            "report": report,
            "means_shown": report.completed >= MIN_PUPILS_FOR_MEAN,
        }
        for wave, report in zip(waves, reports, strict=True)
    ]
    arm = study.arms.filter(classroom=classroom).values_list("arm", flat=True).first()
    return render(
        request,
        "reports/class_report.html",
        {
            "study": study,
            "classroom": classroom,
            "rows": rows,
            "arm": arm,
            "scales": reports[0].scales if reports else [],
            "min_pupils": MIN_PUPILS_FOR_MEAN,
            "simulated": any(report.has_simulated for report in reports),
        },
    )
