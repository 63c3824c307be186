"""Signing in through a real browser, for the browser tests of every app."""

from django.urls import reverse

from accounts.models import User
from accounts.services import (
    current_signin_window,
    ensure_picture_passwords,
    open_signin_window,
)
from conftest import PASSWORD
from schools.models import Classroom, Pupil


def sign_in_pupil_in_browser(
    page, live_server_url: str, classroom: Classroom, pupil: Pupil
) -> None:
    """Sign `pupil` in on a Playwright `page` the way a child does.

    Opens the class's sign-in window and gives the class picture passwords when
    missing, then types the class code on the start page, taps the pupil's name and
    their 3 pictures, and waits until the browser has left the sign-in pages.
    """
    if current_signin_window(classroom) is None:
        open_signin_window(classroom, None)
    ensure_picture_passwords(classroom)
    pupil.refresh_from_db()

    page.goto(live_server_url + reverse("accounts:pupil-start"))
    page.locator("input[name=code]").fill(classroom.code.lower())
    page.locator("form.class-code-form button[type=submit]").click()
    page.locator(f'[data-pupil="{pupil.pk}"]').click()
    page.wait_for_selector("[data-picture-keypad]")
    for key in pupil.picture_password.split(","):
        page.locator(f'[data-picture="{key}"]').click()
    sign_in_pages = live_server_url + reverse("accounts:pupil-start")
    page.wait_for_url(lambda url: not url.startswith(sign_in_pages))


def sign_in_in_browser(page, live_server_url: str, user: User) -> None:
    """Sign an adult in on a Playwright `page` with their e-mail and password.

    Waits until the browser has left the sign-in page.
    """
    sign_in_page = live_server_url + reverse("accounts:login")
    page.goto(sign_in_page)
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: not url.startswith(sign_in_page))
