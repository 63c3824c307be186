"""Template filters of the learning pages.

Activity texts go through the `in_language` filter of `activities.templatetags`.
"""

from django import template

register = template.Library()


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
