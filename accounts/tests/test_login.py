"""The adults' sign-in page: e-mail and password."""

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_signs_in(client, teacher):
    response = client.post(
        reverse("accounts:login"),
        {"username": "Enseignante@Example.org ", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(teacher.pk)


def test_login_wrong_password_rejected(client, teacher):
    response = client.post(
        reverse("accounts:login"),
        {"username": teacher.email, "password": "not-the-password"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_page_renders_email_field(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'type="email"' in response.text


def test_login_error_shown_above_fields(client, teacher):
    response = client.post(
        reverse("accounts:login"),
        {"username": teacher.email, "password": "not-the-password"},
    )
    text = response.text
    assert 'class="errorlist" role="alert"' in text
    assert "Adresse e-mail ou mot de passe incorrect." in text
    assert text.index('role="alert"') < text.index('type="email"')


def test_login_page_in_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    assert "Sign-in for adults" in response.text
    assert "E-mail address" in response.text


def test_researcher_lands_on_research_reports(client, researcher):
    client.force_login(researcher)
    response = client.get(reverse("home"))
    assert response.url == reverse("reports:index")
