"""Services of the activities app: read, draft and publish activity versions."""

from activities.models import Activity, ActivityVersion, Status


def published_version(activity: Activity) -> ActivityVersion | None:
    """Return the latest published version of `activity`, or None before the first."""
    return activity.versions.filter(status=Status.PUBLISHED).order_by("-number").first()
