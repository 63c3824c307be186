"""Who may open sign-in windows, reset pictures and print cards."""

import pytest
from django.urls import reverse

from iota.testing import make_pupil, make_pupil_user

pytestmark = pytest.mark.django_db

GET_VIEWS = [
    "accounts:signin-class",
    "accounts:signin-cards",
    "accounts:signin-cards-pdf",
]
POST_VIEWS = ["accounts:signin-window-open", "accounts:signin-window-close"]


@pytest.fixture
def pupil(classroom):
    return make_pupil(classroom, "Léa", picture_password="sun,cat,boat")


def urls(classroom, pupil) -> list[tuple[str, str]]:
    routes = [("get", reverse(name, args=[classroom.pk])) for name in GET_VIEWS]
    routes += [("post", reverse(name, args=[classroom.pk])) for name in POST_VIEWS]
    routes.append(
        (
            "post",
            reverse("accounts:picture-password-reset", args=[classroom.pk, pupil.pk]),
        )
    )
    return routes


def statuses(client, classroom, pupil) -> dict[str, int]:
    return {
        url: getattr(client, method)(url).status_code
        for method, url in urls(classroom, pupil)
    }


def test_teacher_of_class_allowed(client, teacher, classroom, pupil):
    client.force_login(teacher)
    for url, status in statuses(client, classroom, pupil).items():
        assert status in {200, 302}, url


def test_coordinator_allowed(client, coordinator, classroom, pupil):
    client.force_login(coordinator)
    for url, status in statuses(client, classroom, pupil).items():
        assert status in {200, 302}, url


def test_administrator_allowed(client, administrator, classroom, pupil):
    client.force_login(administrator)
    for url, status in statuses(client, classroom, pupil).items():
        assert status in {200, 302}, url


def test_colleague_teacher_gets_404(
    client, colleague, classroom, other_classroom, pupil
):
    client.force_login(colleague)
    for url, status in statuses(client, classroom, pupil).items():
        assert status == 404, url


def test_pupil_gets_403(client, classroom, pupil):
    client.force_login(make_pupil_user(pupil))
    for url, status in statuses(client, classroom, pupil).items():
        assert status == 403, url


def test_researcher_gets_403(client, researcher, classroom, pupil):
    client.force_login(researcher)
    for url, status in statuses(client, classroom, pupil).items():
        assert status == 403, url


def test_anonymous_sent_to_adult_login(client, classroom, pupil):
    login = reverse("accounts:login")
    for method, url in urls(classroom, pupil):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url


def test_colleague_cannot_open_window(client, colleague, classroom, other_classroom):
    client.force_login(colleague)
    client.post(reverse("accounts:signin-window-open", args=[classroom.pk]))
    assert not classroom.signin_windows.exists()


@pytest.mark.parametrize("name", ["accounts:pupil-start", "accounts:login"])
def test_sign_in_pages_open_to_anonymous(client, name):
    assert client.get(reverse(name)).status_code == 200
