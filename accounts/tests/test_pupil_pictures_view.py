"""The picture keypad where a pupil taps their picture password."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, SignInAttempt
from accounts.services import close_signin_window, open_signin_window
from accounts.views.pupil import wait_message
from iota.testing import make_pupil

pytestmark = pytest.mark.django_db

PASSWORD = "sun,cat,boat"


@pytest.fixture
def pupil(classroom, teacher):
    open_signin_window(classroom, teacher)
    return make_pupil(classroom, "Léa", picture_password=PASSWORD)


def url(pupil) -> str:
    return reverse("accounts:pupil-pictures", args=[pupil.classroom.code, pupil.pk])


def test_keypad_shows_every_picture(client, pupil):
    response = client.get(url(pupil))
    assert response.status_code == 200
    assert response.text.count('name="pick"') == 16
    assert 'alt="soleil"' in response.text


def test_keypad_greets_pupil_by_name(client, pupil):
    assert "Bonjour Léa !" in client.get(url(pupil)).text


def test_right_pictures_sign_in(client, pupil):
    response = client.post(url(pupil), {"picked": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    pupil.refresh_from_db()
    assert client.session["_auth_user_id"] == str(pupil.user_id)


def test_first_sign_in_creates_pupil_account(client, pupil):
    client.post(url(pupil), {"picked": PASSWORD})
    pupil.refresh_from_db()
    assert pupil.user.role == Role.PUPIL
    assert pupil.user.email is None
    assert not pupil.user.has_usable_password()


def test_second_sign_in_reuses_account(client, pupil):
    client.post(url(pupil), {"picked": PASSWORD})
    pupil.refresh_from_db()
    first_user = pupil.user_id
    client.logout()
    client.post(url(pupil), {"picked": PASSWORD})
    pupil.refresh_from_db()
    assert pupil.user_id == first_user


def test_right_pictures_record_successful_attempt(client, pupil):
    client.post(url(pupil), {"picked": PASSWORD})
    attempt = SignInAttempt.objects.get(pupil=pupil)
    assert attempt.succeeded


def test_wrong_pictures_do_not_sign_in(client, pupil):
    response = client.post(url(pupil), {"picked": "sun,boat,cat"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Ce ne sont pas les bonnes images." in response.text


def test_wrong_pictures_record_failed_attempt(client, pupil):
    client.post(url(pupil), {"picked": "sun,boat,cat"})
    attempt = SignInAttempt.objects.get(pupil=pupil)
    assert not attempt.succeeded


def test_taps_without_javascript_add_up(client, pupil):
    response = client.post(url(pupil), {"picked": "", "pick": "sun"})
    assert 'name="picked" value="sun"' in response.text
    response = client.post(url(pupil), {"picked": "sun", "pick": "cat"})
    assert 'name="picked" value="sun,cat"' in response.text
    assert SignInAttempt.objects.count() == 0
    response = client.post(url(pupil), {"picked": "sun,cat", "pick": "boat"})
    assert response.status_code == 302


def test_erase_removes_last_tap(client, pupil):
    response = client.post(url(pupil), {"picked": "sun,moon", "erase": "1"})
    assert 'name="picked" value="sun"' in response.text


def test_unknown_picture_key_ignored(client, pupil):
    response = client.post(url(pupil), {"picked": "sun,dragon", "pick": "<b>"})
    assert 'name="picked" value="sun"' in response.text


def test_closed_window_sends_back_to_class_page(client, pupil, teacher):
    close_signin_window(pupil.classroom, teacher)
    response = client.post(url(pupil), {"picked": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:pupil-class", args=["ROUX24"])
    assert "_auth_user_id" not in client.session


def test_pupil_of_another_class_not_found(client, pupil, other_classroom):
    stranger = make_pupil(other_classroom, "Noé", picture_password=PASSWORD)
    response = client.get(
        reverse("accounts:pupil-pictures", args=["ROUX24", stranger.pk])
    )
    assert response.status_code == 404


def test_pupil_who_left_not_found(client, pupil):
    pupil.left_on = dt.date(2026, 10, 1)
    pupil.save()
    assert client.post(url(pupil), {"picked": PASSWORD}).status_code == 404


def test_signed_in_pupil_lands_on_home(client, pupil):
    client.post(url(pupil), {"picked": PASSWORD})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("assessment:pupil-today")


def test_third_wrong_try_asks_kindly_to_wait(client, pupil):
    client.get(url(pupil))
    for _ in range(3):
        response = client.post(url(pupil), {"picked": "sun,boat,cat"})
    assert "Fais une petite pause de 30 secondes" in response.text
    assert response.text.count("disabled") >= 16


def test_throttled_pupil_not_signed_in_with_right_pictures(client, pupil):
    client.get(url(pupil))
    for _ in range(3):
        client.post(url(pupil), {"picked": "sun,boat,cat"})
    response = client.post(url(pupil), {"picked": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Fais une petite pause" in response.text


def test_classmate_on_same_tablet_not_throttled(client, pupil, classroom):
    classmate = make_pupil(classroom, "Tom", picture_password="moon,star,tree")
    client.get(url(pupil))
    for _ in range(3):
        client.post(url(pupil), {"picked": "sun,boat,cat"})
    response = client.post(url(classmate), {"picked": "moon,star,tree"})
    assert response.status_code == 302


def test_other_tablet_not_throttled(client, pupil):
    client.get(url(pupil))
    for _ in range(3):
        throttled = client.post(url(pupil), {"picked": "sun,boat,cat"})
    assert "Fais une petite pause" in throttled.text
    other_tablet = Client()
    other_tablet.get(url(pupil))
    response = other_tablet.post(url(pupil), {"picked": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(1, "1 seconde,"), (30, "30 secondes"), (60, "1 minute,"), (90, "2 minutes")],
)
def test_wait_message_names_duration(seconds, expected):
    with translation.override("fr"):
        assert expected in wait_message(seconds)
