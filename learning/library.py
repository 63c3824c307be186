"""The activity library as teachers search it: filters and the summary of one activity.

The library lists activities with a published version and filters them on the fields
the activity row copies from that version (title, levels, duration, CRCN codes,
screen), so no version's JSON is read to build the list.
"""

from django.conf import settings
from django.db.models import Q

from activities.crcn import competencies
from activities.models import Activity


def library_levels() -> list[str]:
    """Return the levels teachers filter by: the programme's levels."""
    return list(settings.IOTA_LEVELS)


def competency_choices() -> list[tuple[str, str]]:
    """Return (code, name) of every CRCN competency, in the framework's order."""
    return [(code, item.name) for code, item in competencies().items()]


def competencies_of(activity: Activity) -> list[tuple[str, str]]:
    """Return (code, name) of the activity's CRCN competencies."""
    known = competencies()
    return [(code, known[code].name if code in known else "") for code in activity.crcn]


def search_library(
    *,
    text: str = "",
    level: str = "",
    max_minutes: int | None = None,
    mode: str = "",
    kind: str = "",
    crcn: str = "",
) -> list[Activity]:
    """Return the published activities that match every filter given, by title.

    `mode` is "unplugged" or "on_screen". Empty filters match everything.
    """
    activities = Activity.objects.filter(current_version__isnull=False)
    if text:
        activities = activities.filter(
            Q(title__icontains=text) | Q(key__icontains=text)
        )
    if max_minutes is not None:
        activities = activities.filter(duration_minutes__lte=max_minutes)
    if mode == "unplugged":
        activities = activities.filter(on_screen=False)
    elif mode == "on_screen":
        activities = activities.filter(on_screen=True)
    if kind:
        activities = activities.filter(kind=kind)
    # SQLite has no `contains` lookup on JSON lists, so levels and CRCN codes are
    # matched here, which assumes a library of a few hundred activities at most.
    return [
        activity
        for activity in activities.order_by("title", "key")
        if (not level or level in activity.levels)
        and (not crcn or crcn in activity.crcn)
    ]
