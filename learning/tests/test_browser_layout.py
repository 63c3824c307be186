"""The pupil pages at a portrait tablet's size and a small laptop's, in Chromium.

Pupils use shared tablets (768 × 1024 in portrait) and old laptops (1280 × 720). On
both, no page scrolls sideways, and the controls a pupil needs next are on the first
screen: the coding player's editor and Run button, and a matching question with a
picture up to its Next button.
"""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_pupil_in_browser
from iota.testing import make_pupil
from learning.tests.helpers import (
    CODING_KEY,
    QUIZ_KEY,
    UNPLUGGED_KEY,
    make_assignment,
    publish_starter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"tablet": (768, 1024), "laptop": (1280, 720)}
PAGE_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


def bottom_of(page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box["y"] + box["height"]


@pytest.fixture
def pupil_page(browser, live_server, classroom, request):
    width, height = SIZES[request.param]
    context = browser.new_context(
        locale="fr-FR", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    pupil = make_pupil(classroom, "Léa")
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    yield page
    context.close()


@pytest.mark.parametrize("pupil_page", list(SIZES), indirect=True)
def test_pages_never_scroll_sideways(pupil_page, live_server, classroom):
    quiz = make_assignment(publish_starter(QUIZ_KEY), classroom)
    coding = make_assignment(publish_starter(CODING_KEY), classroom, position=2)
    sheet = make_assignment(publish_starter(UNPLUGGED_KEY), classroom, position=3)
    page = pupil_page
    widths = {}
    for name, url in {
        "today": reverse("assessment:pupil-today"),
        "quiz": reverse("learning:play", args=[quiz.pk]),
        "coding": reverse("learning:play", args=[coding.pk]),
        "unplugged": reverse("learning:play", args=[sheet.pk]),
        "progress": reverse("learning:progress"),
    }.items():
        page.goto(live_server.url + url)
        if name == "quiz":
            page.click("button.start")
            page.wait_for_selector('[data-question="q1"]')
        if name == "coding":
            page.wait_for_selector('#coding-player[data-state="ready"]')
        widths[name] = page.evaluate(PAGE_WIDTH)
    wide = {name: sizes for name, sizes in widths.items() if sizes[0] > sizes[1]}
    assert wide == {}


@pytest.mark.parametrize("pupil_page", list(SIZES), indirect=True)
def test_coding_controls_on_first_screen(pupil_page, live_server, classroom):
    coding = make_assignment(publish_starter(CODING_KEY), classroom)
    page = pupil_page
    page.goto(live_server.url + reverse("learning:play", args=[coding.pk]))
    page.wait_for_selector('#coding-player[data-state="ready"]')
    height = page.viewport_size["height"]
    assert bottom_of(page, "button.run-program") <= height
    assert bottom_of(page, ".blockly-area") <= height
    # On a portrait tablet the grid sits beside the editor, not under it.
    grid_top = page.locator(".grid-world").bounding_box()["y"]
    editor_top = page.locator(".blockly-area").bounding_box()["y"]
    assert grid_top < editor_top + 100


@pytest.mark.parametrize("pupil_page", list(SIZES), indirect=True)
def test_matching_with_picture_on_first_screen(pupil_page, live_server, classroom):
    quiz = make_assignment(publish_starter(QUIZ_KEY), classroom)
    page = pupil_page
    page.goto(live_server.url + reverse("learning:play", args=[quiz.pk]))
    page.click("button.start")
    page.wait_for_selector('[data-question="q1"] img.question-image')
    assert bottom_of(page, "button.next") <= page.viewport_size["height"]
