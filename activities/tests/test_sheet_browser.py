"""A teacher opens a lesson sheet in Chromium: the page loads with no CSP violation."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_in_browser
from activities.content import load_content_file
from activities.services import publish_content
from activities.tests.content_factories import CONTENT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sheet_and_handout_in_browser(page, live_server, teacher):
    publish_content(load_content_file(CONTENT_DIR / "robot-idiot.yaml"))
    # Chromium's own favicon request gets a 404 and logs an error, so only the
    # Content Security Policy reports are collected.
    csp_reports = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and csp_reports.append(message.text)
        ),
    )
    failed = []
    page.on(
        "response",
        lambda response: response.status >= 400 and failed.append(response.url),
    )
    sign_in_in_browser(page, live_server.url, teacher)

    page.goto(live_server.url + reverse("activities:sheet", args=["robot-idiot"]))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Le robot qui obéit à la lettre"
    )
    assert page.locator(".sheet-steps > li").count() == 4
    assert page.get_by_role("button", name="Imprimer").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Imprimer").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Fiche élève").click()
    page.wait_for_selector(".handout")
    assert page.locator(".handout-tasks > li").count() == 3
    assert failed == []
    assert csp_reports == []
