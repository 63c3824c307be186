"""Template filters of the learning pages."""

from django import template
from django.utils.translation import get_language

from activities.schemas import Text

register = template.Library()


@register.filter
def localized(text: Text | None) -> str:
    """Return an activity text in the page's language, falling back on French."""
    if text is None:
        return ""
    return text.get(get_language() or "fr")


@register.filter
def minutes(seconds: int | None) -> str:
    """Return a duration in seconds as whole minutes and seconds, like 3 min 05 s."""
    if seconds is None:
        return ""
    whole, rest = divmod(int(seconds), 60)
    return f"{whole} min {rest:02d} s"


@register.filter
def percent(attempt: object) -> str:
    """Return an attempt's score as a whole percentage of its maximum."""
    score = getattr(attempt, "score", None)
    max_score = getattr(attempt, "max_score", None)
    if score is None or not max_score:
        return ""
    return f"{round(100 * score / max_score)} %"
