"""Pages of the schools app: the classes a user may see and the ONDE import.

The import runs in two steps. The upload computes a dry run and shows its report.
The file then waits in the user's session under a random token until they confirm
or cancel, so the confirmation imports the uploaded bytes without a second upload.
It imports only if the report's fingerprint is unchanged since the preview.
"""

import base64
import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from iota.permissions import (
    ADULT_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)
from schools.display_names import fold_name, sorted_by_display_name
from schools.forms import OndeUploadForm, schools_importable_by
from schools.import_report import ImportReport
from schools.services import ImportChangedError, OndeImportError, import_onde_file

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)
PENDING_UPLOAD_KEY = "schools.onde_upload"
# A preview left unconfirmed for longer is dropped with the pupils' names it holds.
PENDING_UPLOAD_LIFETIME = dt.timedelta(hours=1)
FIELD_LABELS = {
    "last_name": gettext_lazy("nom"),
    "first_name": gettext_lazy("prénom"),
    "level": gettext_lazy("niveau"),
    "birth_month": gettext_lazy("mois de naissance"),
}


def _user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


@role_required(*ADULT_ROLES)
def class_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    classes = (
        classes_visible_to(user)
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__left_on__isnull=True)))
        .prefetch_related("teachers")
        .order_by("-school_year__starts_on", "school__name", "label")
    )
    context = {
        "classes": classes,
        "show_codes": may_see_names(user),
        "may_import": user.is_superuser or user.role in IMPORT_ROLES,
    }
    return render(request, "schools/class_list.html", context)


@role_required(*ADULT_ROLES)
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    classroom = get_visible_classroom(user, pk)
    context: dict[str, object] = {
        "classroom": classroom,
        "may_see_names": may_see_names(user),
    }
    current = classroom.pupils.filter(left_on__isnull=True)
    if may_see_names(user):
        context["pupils"] = sorted_by_display_name(current)
        context["left_pupils"] = sorted_by_display_name(
            classroom.pupils.filter(left_on__isnull=False)
        )
    else:
        levels = Counter(current.values_list("level", flat=True))
        context["level_counts"] = sorted(levels.items())
        context["pupil_count"] = sum(levels.values())
    return render(request, "schools/class_detail.html", context)


@dataclass(frozen=True)
class PendingUpload:
    token: str
    data: bytes
    uai: str
    school_name: str
    fingerprint: str


def _keep_upload(
    request: HttpRequest, data: bytes, uai: str, school_name: str, fingerprint: str
) -> str:
    token = secrets.token_urlsafe(16)
    request.session[PENDING_UPLOAD_KEY] = {
        "token": token,
        "data": base64.b64encode(data).decode("ascii"),
        "uai": uai,
        "school_name": school_name,
        "fingerprint": fingerprint,
        "stored_at": timezone.now().isoformat(),
    }
    return token


def _pending_upload(request: HttpRequest, token: str) -> PendingUpload | None:
    stored = request.session.get(PENDING_UPLOAD_KEY)
    if not stored or not secrets.compare_digest(stored["token"], token):
        return None
    stored_at = dt.datetime.fromisoformat(stored["stored_at"])
    if timezone.now() - stored_at > PENDING_UPLOAD_LIFETIME:
        _drop_upload(request)
        return None
    return PendingUpload(
        token=stored["token"],
        data=base64.b64decode(stored["data"]),
        uai=stored["uai"],
        school_name=stored["school_name"],
        fingerprint=stored["fingerprint"],
    )


def _drop_upload(request: HttpRequest) -> None:
    request.session.pop(PENDING_UPLOAD_KEY, None)


def _render_preview(
    request: HttpRequest, report: ImportReport, token: str
) -> HttpResponse:
    updated = [
        (change, ", ".join(str(FIELD_LABELS[name]) for name in change.fields))
        for change in report.updated_pupils
    ]
    # By class, then by name whatever the accents, as a teacher checks them.
    left = sorted(
        report.left_pupils,
        key=lambda change: (
            change.class_before,
            fold_name(change.first_name),
            fold_name(change.last_name),
        ),
    )
    context = {"report": report, "token": token, "updated": updated, "left": left}
    return render(request, "schools/import_onde_preview.html", context)


@role_required(*IMPORT_ROLES)
def import_onde(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        form = OndeUploadForm(user=user)
        return render(request, "schools/import_onde_form.html", {"form": form})
    form = OndeUploadForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return render(request, "schools/import_onde_form.html", {"form": form})
    data = form.cleaned_data["file"]
    uai = form.cleaned_data["uai"]
    school_name = form.cleaned_data["school_name"]
    try:
        report = import_onde_file(data, uai=uai, school_name=school_name, dry_run=True)
    except OndeImportError as error:
        logger.info("ONDE preview for UAI %s rejected the file.", uai)
        form.add_error("file", error.message)
        return render(request, "schools/import_onde_form.html", {"form": form})
    token = _keep_upload(request, data, uai, school_name, report.fingerprint)
    return _render_preview(request, report, token)


@role_required(*IMPORT_ROLES)
@require_POST
def import_onde_confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pending = _pending_upload(request, request.POST.get("token", ""))
    if pending is None:
        messages.error(
            request,
            _(
                "Aucun fichier n'attend de confirmation : l'aperçu a expiré après une "
                "heure ou l'import est déjà fait. Déposez le fichier à nouveau."
            ),
        )
        return redirect("schools:import-onde")
    if request.POST.get("action") == "cancel":
        _drop_upload(request)
        messages.info(request, _("Import annulé : rien n'a été enregistré."))
        return redirect("schools:import-onde")
    allowed = schools_importable_by(user)
    if allowed is not None and not allowed.filter(uai=pending.uai).exists():
        raise PermissionDenied
    try:
        report = import_onde_file(
            pending.data,
            uai=pending.uai,
            school_name=pending.school_name,
            expected_fingerprint=pending.fingerprint,
        )
    except ImportChangedError as error:
        logger.info("ONDE import for UAI %s changed since its preview.", pending.uai)
        messages.warning(request, error.message)
        report = import_onde_file(
            pending.data,
            uai=pending.uai,
            school_name=pending.school_name,
            dry_run=True,
        )
        token = _keep_upload(
            request, pending.data, pending.uai, pending.school_name, report.fingerprint
        )
        return _render_preview(request, report, token)
    except OndeImportError as error:
        logger.info("ONDE import for UAI %s failed at confirmation.", pending.uai)
        _drop_upload(request)
        messages.error(request, error.message)
        return redirect("schools:import-onde")
    _drop_upload(request)
    messages.success(
        request,
        _(
            "Import terminé pour %(school)s : %(created)d élèves créés, %(updated)d "
            "mis à jour, %(moved)d changés de classe, %(returned)d revenus, "
            "%(left)d partis."
        )
        % {"school": report.school_name, **report.counts},
    )
    return redirect("schools:class-list")
