"""Who may see what. Every view goes through one of these checks.

Rules: a teacher sees only their own classes; a pupil sees only their own work; a
researcher sees classes and statistics but never a pupil's name; coordinators and
administrators see everything. An object outside the user's scope answers 404, so a
URL does not reveal whether a class or pupil exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Role, User
from schools.models import Classroom

ADULT_ROLES = (Role.TEACHER, Role.COORDINATOR, Role.RESEARCHER, Role.ADMINISTRATOR)
STAFF_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Let only signed-in users with one of `roles` through; others get 403.

    Anonymous visitors are sent to the adults' sign-in page, or to the pupils' one
    when only pupils may see the page.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                if tuple(roles) == (Role.PUPIL,):
                    return redirect_to_login(
                        request.get_full_path(), "accounts:pupil-start"
                    )
                return redirect_to_login(request.get_full_path())
            if user.role not in roles and not user.is_superuser:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def pupil_page(view: View) -> View:
    """Let only pupils through, with a 403 for every other signed-in user.

    Unlike role_required, superusers are rejected too, because these pages show a
    pupil's own work and an adult has none.
    """

    @role_required(Role.PUPIL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # role_required has sent anonymous visitors to the pupils' sign-in page.
        user = request.user
        if not user.is_authenticated or user.role != Role.PUPIL:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def pupil_api(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Return JSON errors to callers who are signed out or not pupils.

    role_required redirects to the sign-in page, which a script's fetch would follow
    and read as a success. The errors carry a stable `code` for the players' queue.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"code": "signed_out", "message": _("Reconnecte-toi pour continuer.")},
                status=401,
            )
        if request.user.role != Role.PUPIL:
            return JsonResponse(
                {
                    "code": "not_a_pupil",
                    "message": _("Cette page est réservée aux élèves."),
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


def sees_every_class(user: User) -> bool:
    """Return whether `user` works across the programme rather than in some classes."""
    return user.is_superuser or user.role in (*STAFF_ROLES, Role.RESEARCHER)


def classes_visible_to(user: User) -> QuerySet[Classroom]:
    """Return the classes whose pages `user` may open."""
    classes = Classroom.objects.select_related("school", "school_year")
    if sees_every_class(user):
        return classes.all()
    if user.role == Role.TEACHER:
        return classes.filter(teachers=user)
    return classes.none()


def get_visible_classroom(user: User, pk: int) -> Classroom:
    """Return the class `pk` if `user` may see it, else raise Http404."""
    return get_object_or_404(classes_visible_to(user), pk=pk)


def may_see_names(user: User) -> bool:
    """Researchers work on pseudonymised data only; everyone else with access may."""
    return user.is_authenticated and user.role != Role.RESEARCHER


def require_names(user: User) -> None:
    """Raise 403 for users who must not see pupils' names."""
    if not may_see_names(user):
        raise PermissionDenied
