"""Teachers' sign-in tools: the sign-in window, picture resets and sign-in cards.

Teachers of the class, coordinators and administrators may use them. A colleague
teacher gets 404 (the class is outside their scope), any other role 403.
"""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.cards import build_cards, class_qr_code, render_cards_pdf
from accounts.forms import SignInWindowForm
from accounts.models import User
from accounts.services import (
    SIGNIN_MANAGER_ROLES,
    close_signin_window,
    current_signin_window,
    enrolled_pupils,
    ensure_picture_passwords,
    get_enrolled_pupil,
    open_signin_window,
    reset_picture_password,
)
from iota.permissions import get_visible_classroom, role_required
from schools.models import Classroom, Pupil

CARDS_PER_PAGE = 8


def _signed_in_user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


def _managed_classroom(request: HttpRequest, pk: int) -> Classroom:
    return get_visible_classroom(_signed_in_user(request), pk)


@role_required(*SIGNIN_MANAGER_ROLES)
def signin_class(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    window = current_signin_window(classroom)
    context = {
        "classroom": classroom,
        "window": window,
        "time_zone": classroom.school.time_zone,
        "form": SignInWindowForm(),
        "pupils": enrolled_pupils(classroom),
        "pupil_url": request.build_absolute_uri(
            reverse("accounts:pupil-class", args=[classroom.code])
        ),
    }
    return render(request, "accounts/signin_class.html", context)


@require_POST
@role_required(*SIGNIN_MANAGER_ROLES)
def signin_window_open(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    form = SignInWindowForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("La durée « %(value)s » n'est pas valide : %(reason)s")
            % {
                "value": request.POST.get("minutes", ""),
                "reason": " ".join(str(error) for error in form.errors["minutes"]),
            },
        )
        return redirect("accounts:signin-class", pk=classroom.pk)
    open_signin_window(
        classroom, _signed_in_user(request), form.cleaned_data["minutes"]
    )
    messages.success(request, _("La connexion des élèves est ouverte."))
    return redirect("accounts:signin-class", pk=classroom.pk)


@require_POST
@role_required(*SIGNIN_MANAGER_ROLES)
def signin_window_close(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    close_signin_window(classroom, _signed_in_user(request))
    messages.success(request, _("La connexion des élèves est fermée."))
    return redirect("accounts:signin-class", pk=classroom.pk)


@require_POST
@role_required(*SIGNIN_MANAGER_ROLES)
def picture_password_reset(
    request: HttpRequest, pk: int, pupil_id: int
) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    pupil = get_object_or_404(
        Pupil, pk=pupil_id, classroom=classroom, left_on__isnull=True
    )
    reset_picture_password(pupil)
    messages.success(
        request,
        _(
            "%(name)s a de nouvelles images. Imprimez sa nouvelle carte et donnez-la "
            "lui : l'ancienne ne marche plus."
        )
        % {"name": pupil.display_name},
    )
    return redirect("accounts:signin-class", pk=classroom.pk)


def _card_pupils(request: HttpRequest, classroom: Classroom) -> list[Pupil]:
    """Return the pupils whose cards to print: all, or the one named by `?eleve=`."""
    ensure_picture_passwords(classroom)
    requested_id = request.GET.get("eleve", "")
    if not requested_id:
        return enrolled_pupils(classroom)
    pupil = None
    if requested_id.isdigit():
        pupil = get_enrolled_pupil(classroom, int(requested_id))
    if pupil is None:
        raise Http404("no such pupil in this class")
    return [pupil]


def _class_url(request: HttpRequest, classroom: Classroom) -> str:
    return request.build_absolute_uri(
        reverse("accounts:pupil-class", args=[classroom.code])
    )


@never_cache
@role_required(*SIGNIN_MANAGER_ROLES)
def signin_cards(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    cards = build_cards(_card_pupils(request, classroom))
    sheets = [
        cards[start : start + CARDS_PER_PAGE]
        for start in range(0, len(cards), CARDS_PER_PAGE)
    ]
    class_url = _class_url(request, classroom)
    context = {
        "classroom": classroom,
        "sheets": sheets,
        "class_url": class_url,
        "qr_data_uri": class_qr_code(class_url).svg_data_uri(scale=4, border=0),
    }
    return render(request, "accounts/signin_cards.html", context)


@never_cache
@role_required(*SIGNIN_MANAGER_ROLES)
def signin_cards_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = _managed_classroom(request, pk)
    cards = build_cards(_card_pupils(request, classroom))
    pdf = render_cards_pdf(classroom, cards, _class_url(request, classroom))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="cartes-connexion-{classroom.code}.pdf"'
    )
    return response
