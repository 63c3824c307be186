"""The `{% signin_panel %}` tag that class pages include."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from accounts.services import open_signin_window

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load signin %}{% signin_panel classroom %}")


def render(user, classroom) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "classroom": classroom}))


def test_panel_shows_closed_status(teacher, classroom):
    assert "Connexion des élèves fermée" in render(teacher, classroom)


def test_panel_shows_open_status_with_time_zone(teacher, classroom):
    open_signin_window(classroom, teacher)
    html = render(teacher, classroom)
    assert "Connexion des élèves ouverte" in html
    assert "Europe/Paris" in html


def test_panel_links_tools_for_teacher(teacher, classroom):
    html = render(teacher, classroom)
    assert f"/comptes/classes/{classroom.pk}/connexion/" in html
    assert f"/comptes/classes/{classroom.pk}/cartes.pdf" in html


def test_panel_hides_tools_from_researcher(researcher, classroom):
    html = render(researcher, classroom)
    assert "/connexion/" not in html
    assert "/cartes" not in html
