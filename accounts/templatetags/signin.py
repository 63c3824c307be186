"""`{% signin_status classroom %}`: whether a class's pupils may sign in now.

Class pages include it next to their links to the sign-in tools. It shows until
when the window is open, in the school's time zone, which may differ from the
server's (Réunion is UTC+4 while Paris is UTC+1 in winter).
"""

from typing import Any

from django import template

from accounts.services import current_signin_window
from schools.models import Classroom

register = template.Library()


@register.inclusion_tag("accounts/includes/signin_status.html")
def signin_status(classroom: Classroom) -> dict[str, Any]:
    """Render the sign-in window's state of a class the caller may already see."""
    return {
        "window": current_signin_window(classroom),
        "time_zone": classroom.school.time_zone,
    }
