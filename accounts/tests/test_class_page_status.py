"""The sign-in status shown on the schools app's class page."""

import pytest
from django.urls import reverse

from accounts.services import open_signin_window

pytestmark = pytest.mark.django_db


def url(classroom) -> str:
    return reverse("schools:class-detail", args=[classroom.pk])


def test_class_page_shows_closed_sign_in(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert response.status_code == 200
    assert "Connexion des élèves fermée" in response.text


def test_class_page_shows_open_sign_in(client, teacher, classroom):
    open_signin_window(classroom, teacher)
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert "Connexion des élèves ouverte" in response.text
    assert reverse("accounts:signin-class", args=[classroom.pk]) in response.text


def test_class_page_hides_sign_in_from_researcher(client, researcher, classroom):
    client.force_login(researcher)
    response = client.get(url(classroom))
    assert "Connexion des élèves" not in response.text
