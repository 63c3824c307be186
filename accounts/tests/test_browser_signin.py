"""A pupil signs in in a real browser: class code, name, then pictures."""

import pytest

from accounts.tests.helpers import make_pupil, sign_in_pupil_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pupil_signs_in_with_code_name_and_pictures(page, live_server, classroom):
    make_pupil(classroom, "Tom")
    pupil = make_pupil(classroom, "Léa")

    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)

    pupil.refresh_from_db()
    assert pupil.user is not None
    assert pupil.user.last_login is not None
    assert "/comptes/eleve/" not in page.url


def test_wrong_pictures_show_kind_message(page, live_server, classroom, teacher):
    from django.urls import reverse

    from accounts.services import open_signin_window

    open_signin_window(classroom, teacher)
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    page.goto(
        live_server.url + reverse("accounts:pupil-pictures", args=["ROUX24", pupil.pk])
    )
    for key in ("moon", "star", "tree"):
        page.locator(f'[data-picture="{key}"]').click()
    page.wait_for_selector(".pupil-error")
    assert (
        "Ce ne sont pas les bonnes images." in page.locator(".pupil-error").inner_text()
    )
    assert page.locator("[data-dot].filled").count() == 0
