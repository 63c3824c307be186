"""`{% signin_panel classroom %}`: the sign-in status and links for a class page."""

from typing import Any

from django import template

from accounts.services import current_signin_window, may_manage_signin
from schools.models import Classroom

register = template.Library()


@register.inclusion_tag("accounts/includes/signin_panel.html", takes_context=True)
def signin_panel(context: template.Context, classroom: Classroom) -> dict[str, Any]:
    """Show whether the class's pupils may sign in, until when, and the tools.

    The links show only to teachers, coordinators and administrators; the page that
    includes the panel has already checked that the user may see the class.
    """
    user = context["request"].user
    return {
        "classroom": classroom,
        "window": current_signin_window(classroom),
        "time_zone": classroom.school.time_zone,
        "may_manage": may_manage_signin(user),
    }
