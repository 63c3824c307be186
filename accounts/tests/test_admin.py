"""The Django admin pages of sign-in windows and attempts."""

import pytest
from django.urls import reverse

from accounts.models import SignInAttempt
from accounts.services import open_signin_window
from iota.testing import make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(classroom):
    pupil = make_pupil(classroom, "Léa", last_name="Moreau")
    return SignInAttempt.objects.create(pupil=pupil, device="d-abc", succeeded=False)


def test_attempt_list_shows_no_pupil_name(client, administrator, attempt):
    client.force_login(administrator)
    response = client.get(reverse("admin:accounts_signinattempt_changelist"))
    assert response.status_code == 200
    assert "d-abc" in response.text
    assert "Moreau" not in response.text


def test_attempt_page_is_read_only(client, administrator, attempt):
    client.force_login(administrator)
    url = reverse("admin:accounts_signinattempt_change", args=[attempt.pk])
    response = client.post(url, {"device": "d-forged", "succeeded": "on"})
    attempt.refresh_from_db()
    assert response.status_code == 403
    assert attempt.device == "d-abc"


def test_attempts_cannot_be_added(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:accounts_signinattempt_add"))
    assert response.status_code == 403


def test_window_list_renders(client, administrator, classroom, teacher):
    open_signin_window(classroom, teacher)
    client.force_login(administrator)
    response = client.get(reverse("admin:accounts_signinwindow_changelist"))
    assert response.status_code == 200
