"""The `{% signin_status %}` tag that class pages include."""

from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.services import close_signin_window, open_signin_window
from schools.models import Academie

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load signin %}{% signin_status classroom %}")


def render(classroom) -> str:
    return TEMPLATE.render(Context({"classroom": classroom}))


def test_status_shows_closed_window(classroom):
    assert "Connexion des élèves fermée" in render(classroom)


def test_status_shows_open_window_and_time_zone(teacher, classroom):
    open_signin_window(classroom, teacher)
    html = render(classroom)
    assert "Connexion des élèves ouverte" in html
    assert "Europe/Paris" in html


def test_status_shows_end_in_school_time_zone(teacher, classroom):
    guyane = Academie.objects.create(
        code="guyane",
        name="Guyane",
        time_zone="America/Cayenne",
        holiday_zone="overseas",
    )
    classroom.school.academie = guyane
    classroom.school.save()
    window = open_signin_window(classroom, teacher, minutes=30)
    local = timezone.localtime(window.closes_at, ZoneInfo("America/Cayenne"))
    assert f"jusqu'à {local:%H:%M}" in render(classroom)


def test_status_closed_after_early_close(teacher, classroom):
    open_signin_window(classroom, teacher)
    close_signin_window(classroom, teacher)
    assert "Connexion des élèves fermée" in render(classroom)
