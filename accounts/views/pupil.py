"""The pupils' sign-in pages: class code, then name, then picture password.

Each page works as a plain form; static/iota/js/signin.js only spares the round trip
for each tapped picture.
"""

from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts.devices import device_id, with_device_cookie
from accounts.forms import ClassCodeForm
from accounts.pictures import PASSWORD_LENGTH, PICTURES, parse_picture_password
from accounts.services import (
    SignInOutcome,
    current_signin_window,
    enrolled_pupils,
    find_classroom_by_code,
    get_enrolled_pupil,
    pupil_wait_seconds,
    sign_in_pupil,
)
from schools.models import Classroom

BACKEND = "django.contrib.auth.backends.ModelBackend"


def wait_message(seconds: int) -> str:
    """Tell a child kindly how long to wait, in seconds under a minute."""
    if seconds < 60:
        count = seconds
        duration = ngettext("%(count)d seconde", "%(count)d secondes", count)
    else:
        count = -(-seconds // 60)
        duration = ngettext("%(count)d minute", "%(count)d minutes", count)
    return _(
        "Tu as fait plusieurs essais. Fais une petite pause de %(duration)s, puis "
        "essaie encore. Tu peux aussi demander de l'aide à ton enseignant·e."
    ) % {"duration": duration % {"count": count}}


def _classroom_or_404(code: str) -> Classroom:
    classroom = find_classroom_by_code(code)
    if classroom is None:
        raise Http404("unknown class code")
    return classroom


@never_cache
@with_device_cookie
def pupil_start(request: HttpRequest) -> HttpResponse:
    form = ClassCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        return redirect("accounts:pupil-class", code=form.cleaned_data["code"].code)
    status = 404 if form.has_error("code", "unknown") else 200
    return render(request, "accounts/pupil_start.html", {"form": form}, status=status)


@never_cache
@with_device_cookie
def pupil_class(request: HttpRequest, code: str) -> HttpResponse:
    classroom = find_classroom_by_code(code)
    if classroom is None:
        form = ClassCodeForm({"code": code})
        form.is_valid()
        return render(request, "accounts/pupil_start.html", {"form": form}, status=404)
    if code != classroom.code:
        return redirect("accounts:pupil-class", code=classroom.code)
    window = current_signin_window(classroom)
    pupils = enrolled_pupils(classroom) if window else []
    return render(
        request,
        "accounts/pupil_class.html",
        {"classroom": classroom, "window": window, "pupils": pupils},
    )


def _tapped_keys(request: HttpRequest) -> list[str]:
    """Return the pictures tapped so far, after the tap or erase of this request."""
    keys = [
        key
        for key in parse_picture_password(request.POST.get("picked", ""))
        if key in PICTURES
    ][:PASSWORD_LENGTH]
    if "erase" in request.POST:
        return keys[:-1]
    pick = request.POST.get("pick", "")
    if pick in PICTURES and len(keys) < PASSWORD_LENGTH:
        keys.append(pick)
    return keys


@never_cache
@with_device_cookie
def pupil_pictures(request: HttpRequest, code: str, pupil_id: int) -> HttpResponse:
    classroom = _classroom_or_404(code)
    pupil = get_enrolled_pupil(classroom, pupil_id)
    if pupil is None:
        raise Http404("no such pupil in this class")
    if current_signin_window(classroom) is None:
        return redirect("accounts:pupil-class", code=classroom.code)

    device = device_id(request)
    keys: list[str] = []
    error = ""
    if request.method == "POST":
        keys = _tapped_keys(request)
        if len(keys) == PASSWORD_LENGTH:
            result = sign_in_pupil(pupil, device, keys)
            if result.outcome == SignInOutcome.SIGNED_IN:
                login(request, result.user, backend=BACKEND)
                return redirect("home")
            if result.outcome == SignInOutcome.WINDOW_CLOSED:
                return redirect("accounts:pupil-class", code=classroom.code)
            keys = []
            if result.outcome == SignInOutcome.WRONG_PICTURES:
                error = _(
                    "Ce ne sont pas les bonnes images. Regarde bien ta carte et "
                    "essaie encore."
                )

    wait = pupil_wait_seconds(pupil, device)
    context = {
        "classroom": classroom,
        "pupil": pupil,
        "pictures": list(PICTURES.values()),
        "tapped": keys,
        "picked": ",".join(keys),
        "dots": [index < len(keys) for index in range(PASSWORD_LENGTH)],
        "error": error,
        "wait_seconds": wait,
        "wait_message": wait_message(wait) if wait else "",
    }
    return render(request, "accounts/pupil_pictures.html", context)
