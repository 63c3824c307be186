"""Pages of published activities for adults: lesson sheets, handouts and versions.

Any adult may read published activities, which hold no pupil data. Pupils cannot
open these pages: the teacher's sheet gives the answers away, and a pupil's handout
is printed by the teacher. Drafts are never shown here.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activities.crcn import competencies
from activities.diff import diff_versions
from activities.models import Activity, ActivityVersion, Kind, Status
from activities.schemas import UnpluggedContent
from activities.services import content_of
from activities.sheet_pdf import render_handout_pdf, render_sheet_pdf
from iota.permissions import ADULT_ROLES, role_required


def _published(key: str) -> Activity:
    return get_object_or_404(Activity, key=key, current_version__isnull=False)


def _sheet_version(
    request: HttpRequest, key: str
) -> tuple[ActivityVersion, UnpluggedContent]:
    """Return the version of a lesson sheet to print: `?version=N`, else the latest."""
    activity = _published(key)
    if activity.kind != Kind.UNPLUGGED:
        raise Http404(_("Cette activité n’a pas de fiche à imprimer."))
    versions = activity.versions.filter(status=Status.PUBLISHED)
    number = request.GET.get("version")
    if number is None:
        version = versions.order_by("-number").first()
    elif number.isdigit():
        version = versions.filter(number=int(number)).first()
    else:
        version = None
    if version is None:
        raise Http404(_("Cette version n’existe pas."))
    content = content_of(version)
    if not isinstance(content, UnpluggedContent):
        raise Http404(_("Cette activité n’a pas de fiche à imprimer."))
    return version, content


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(name)}.pdf"'
    return response


@role_required(*ADULT_ROLES)
def sheet(request: HttpRequest, key: str) -> HttpResponse:
    version, content = _sheet_version(request, key)
    known = competencies()
    context = {
        "activity": version.activity,
        "version": version,
        "content": content,
        "crcn": [known[code] for code in content.crcn],
    }
    return render(request, "activities/sheet.html", context)


@role_required(*ADULT_ROLES)
def sheet_pdf(request: HttpRequest, key: str) -> HttpResponse:
    version, content = _sheet_version(request, key)
    return _pdf(render_sheet_pdf(content, version.number), f"{key}-v{version.number}")


@role_required(*ADULT_ROLES)
def handout(request: HttpRequest, key: str) -> HttpResponse:
    version, content = _sheet_version(request, key)
    if content.handout is None:
        raise Http404(_("Cette fiche n’a pas de fiche élève."))
    context = {
        "activity": version.activity,
        "version": version,
        "content": content,
        "answer_lines": range(content.handout.answer_lines),
    }
    return render(request, "activities/handout.html", context)


@role_required(*ADULT_ROLES)
def handout_pdf(request: HttpRequest, key: str) -> HttpResponse:
    version, content = _sheet_version(request, key)
    if content.handout is None:
        raise Http404(_("Cette fiche n’a pas de fiche élève."))
    return _pdf(render_handout_pdf(content), f"{key}-fiche-eleve-v{version.number}")


@role_required(*ADULT_ROLES)
def versions(request: HttpRequest, key: str) -> HttpResponse:
    """List the published versions of an activity, each with what it changed."""
    activity = _published(key)
    published = list(
        activity.versions.filter(status=Status.PUBLISHED)
        .select_related("published_by", "activity")
        .order_by("-number")
    )
    rows = []
    for index, version in enumerate(published):
        previous = published[index + 1] if index + 1 < len(published) else None
        changes = diff_versions(previous, version) if previous is not None else []
        rows.append({"version": version, "previous": previous, "changes": changes})
    return render(
        request, "activities/versions.html", {"activity": activity, "rows": rows}
    )
