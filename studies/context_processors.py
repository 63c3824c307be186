"""Tell the menu whether the signed-in adult has a study to open."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from iota.permissions import sees_every_class
from studies.services import studies_visible_to


def studies_menu(request: HttpRequest) -> dict[str, object]:
    """Add `has_studies` for adults, read only when a template uses it.

    Coordinators and researchers always have the links, to create or read studies.
    A teacher whose classes are in no study would find only empty pages behind them,
    so the menu leaves them out.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_pupil:
        return {}
    if sees_every_class(user):
        return {"has_studies": True}
    return {"has_studies": SimpleLazyObject(lambda: studies_visible_to(user).exists())}
