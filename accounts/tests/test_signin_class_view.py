"""The teachers' page for a class's sign-in window and picture resets."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInWindow
from accounts.services import current_signin_window, open_signin_window
from iota.testing import make_pupil
from schools.models import Academie

pytestmark = pytest.mark.django_db


def url(classroom) -> str:
    return reverse("accounts:signin-class", args=[classroom.pk])


def test_page_shows_closed_window(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert response.status_code == 200
    assert "Connexion des élèves fermée" in response.text


def test_page_shows_open_window_in_school_time_zone(client, teacher, classroom):
    reunion = Academie.objects.create(
        code="reunion",
        name="La Réunion",
        time_zone="Indian/Reunion",
        holiday_zone="overseas",
    )
    classroom.school.academie = reunion
    classroom.school.save()
    now = timezone.now()
    window = open_signin_window(classroom, teacher, minutes=30, now=now)
    local = timezone.localtime(window.closes_at, ZoneInfo("Indian/Reunion"))
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert "Connexion des élèves ouverte" in response.text
    assert f"jusqu'à {local:%H:%M}" in response.text
    assert "Indian/Reunion" in response.text


def test_page_shows_class_code_and_pupil_url(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert "ROUX24" in response.text
    assert "http://testserver/comptes/eleve/ROUX24/" in response.text


def test_open_creates_window(client, teacher, classroom):
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:signin-window-open", args=[classroom.pk]), {"minutes": "20"}
    )
    assert response.status_code == 302
    window = current_signin_window(classroom)
    assert window is not None
    assert window.opened_by == teacher
    remaining = window.closes_at - timezone.now()
    assert dt.timedelta(minutes=19) < remaining <= dt.timedelta(minutes=20)


def test_open_rejects_invalid_length(client, teacher, classroom):
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:signin-window-open", args=[classroom.pk]),
        {"minutes": "0"},
        follow=True,
    )
    assert not SignInWindow.objects.exists()
    assert "La durée « 0 » n&#x27;est pas valide" in response.text


def test_open_needs_post(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(reverse("accounts:signin-window-open", args=[classroom.pk]))
    assert response.status_code == 405


def test_close_ends_window(client, teacher, classroom):
    open_signin_window(classroom, teacher)
    client.force_login(teacher)
    response = client.post(reverse("accounts:signin-window-close", args=[classroom.pk]))
    assert response.status_code == 302
    assert current_signin_window(classroom) is None


def test_coordinator_opens_window(client, coordinator, classroom):
    client.force_login(coordinator)
    client.post(reverse("accounts:signin-window-open", args=[classroom.pk]))
    assert current_signin_window(classroom) is not None


def test_reset_gives_new_pictures(client, teacher, classroom):
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:picture-password-reset", args=[classroom.pk, pupil.pk])
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.picture_password != "sun,cat,boat"


def test_reset_of_pupil_in_other_class_not_found(
    client, teacher, classroom, other_classroom
):
    stranger = make_pupil(other_classroom, "Noé", picture_password="sun,cat,boat")
    client.force_login(teacher)
    response = client.post(
        reverse("accounts:picture-password-reset", args=[classroom.pk, stranger.pk])
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.picture_password == "sun,cat,boat"


def test_page_lists_enrolled_pupils(client, teacher, classroom):
    make_pupil(classroom, "Léa")
    make_pupil(classroom, "Gaspard", left_on=dt.date(2026, 10, 1))
    client.force_login(teacher)
    response = client.get(url(classroom))
    assert "Léa" in response.text
    assert "Gaspard" not in response.text
