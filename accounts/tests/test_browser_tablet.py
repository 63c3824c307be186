"""Sign-in pages on a portrait tablet (768 × 1024) in a real browser."""

import pytest
from django.urls import reverse

from accounts.services import ensure_picture_passwords, open_signin_window
from accounts.tests.helpers import sign_in_in_browser
from iota.testing import make_pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
# A large class: 35 pupils, with long and repeated first names.
FIRST_NAMES = ["Jean-Baptiste", "Léa", "Maëlys", "Hugo", "Anaïs", "Noah", "Zoé"]


@pytest.fixture
def large_class(classroom):
    for index in range(35):
        first_name = FIRST_NAMES[index % len(FIRST_NAMES)]
        make_pupil(classroom, first_name, display_name=f"{first_name} {index:02d}.")
    ensure_picture_passwords(classroom)
    return classroom


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_35_names_fit_one_tablet_screen(page, live_server, large_class):
    open_signin_window(large_class, None)
    page.set_viewport_size(TABLET)
    page.goto(
        live_server.url + reverse("accounts:pupil-class", args=[large_class.code])
    )
    names = page.locator(".name-button")
    assert names.count() == 35
    last = names.nth(34).bounding_box()
    assert last is not None
    assert last["y"] + last["height"] <= TABLET["height"]
    smallest = min(names.nth(index).bounding_box()["height"] for index in range(35))
    assert smallest >= 44  # CSS pixels, a common minimum for touch targets
    assert page_width(page) <= TABLET["width"]


@pytest.mark.parametrize("view", ["signin-class", "signin-cards"])
def test_teacher_pages_fit_tablet_width(page, live_server, large_class, teacher, view):
    page.set_viewport_size(TABLET)
    sign_in_in_browser(page, live_server.url, teacher)
    page.goto(live_server.url + reverse(f"accounts:{view}", args=[large_class.pk]))
    assert page_width(page) <= TABLET["width"]
