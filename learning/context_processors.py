"""Put the signed-in pupil's accommodations on every page as body classes."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from learning.models import PupilProfile

ACCOMMODATION_CLASSES = {
    "read_aloud": "a11y-read-aloud",
    "larger_text": "a11y-larger-text",
    "dyslexia_font": "a11y-dyslexia-font",
}


def accommodation_classes(user_pk: int) -> str:
    """Return the body classes of the accommodations of the pupil account `user_pk`."""
    profile = PupilProfile.objects.filter(pupil__user_id=user_pk).first()
    if profile is None:
        return ""
    return " ".join(
        css for field, css in ACCOMMODATION_CLASSES.items() if getattr(profile, field)
    )


def accommodations(request: HttpRequest) -> dict[str, object]:
    """Add `accommodation_classes` for pupils, read only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_pupil:
        return {}
    return {
        "accommodation_classes": SimpleLazyObject(
            lambda: accommodation_classes(user.pk)
        )
    }
