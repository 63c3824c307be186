"""A pupil signs in in a real browser: class code, name, then pictures."""

import pytest
from django.urls import reverse

from accounts.services import open_signin_window
from accounts.tests.helpers import sign_in_pupil_in_browser
from iota.testing import make_pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium has no voices, so the page records each utterance instead.
RECORD_SPEECH = """
window.spoken = [];
window.speechSynthesis.speak = function (utterance) {
  window.spoken.push([utterance.text, utterance.lang]);
};
"""


def keypad_url(live_server, pupil) -> str:
    return live_server.url + reverse(
        "accounts:pupil-pictures", args=[pupil.classroom.code, pupil.pk]
    )


def test_pupil_signs_in_with_code_name_and_pictures(page, live_server, classroom):
    make_pupil(classroom, "Tom")
    pupil = make_pupil(classroom, "Léa")

    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)

    pupil.refresh_from_db()
    assert pupil.user is not None
    assert pupil.user.last_login is not None
    assert "/comptes/eleve/" not in page.url


def test_wrong_pictures_show_kind_message(page, live_server, classroom, teacher):
    open_signin_window(classroom, teacher)
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    page.goto(keypad_url(live_server, pupil))
    for key in ("moon", "star", "tree"):
        page.locator(f'[data-picture="{key}"]').click()
    page.wait_for_selector(".pupil-error")
    message = page.locator(".pupil-error").inner_text()
    assert "Ce ne sont pas les bonnes images." in message
    assert page.locator("[data-dot].filled").count() == 0


def test_dots_and_erase_follow_taps(page, live_server, classroom, teacher):
    open_signin_window(classroom, teacher)
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    page.goto(keypad_url(live_server, pupil))
    page.locator('[data-picture="sun"]').click()
    page.locator('[data-picture="moon"]').click()
    assert page.locator("[data-dot].filled").count() == 2
    page.locator("[data-erase]").click()
    assert page.locator("[data-dot].filled").count() == 1
    assert page.locator("[data-picked]").input_value() == "sun"


def test_read_aloud_button_speaks_french(page, live_server, classroom):
    page.add_init_script(RECORD_SPEECH)
    page.goto(live_server.url + reverse("accounts:pupil-start"))
    page.locator("h1 .read-aloud-button").click()
    spoken = page.evaluate("window.spoken")
    assert spoken == [["Bonjour !", "fr-FR"]]


def test_sign_in_works_without_javascript(browser, live_server, classroom, teacher):
    open_signin_window(classroom, teacher)
    pupil = make_pupil(classroom, "Léa", picture_password="sun,cat,boat")
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("accounts:pupil-start"))
        page.locator("input[name=code]").fill("roux 24")
        page.locator("form.class-code-form button[type=submit]").click()
        page.locator(f'[data-pupil="{pupil.pk}"]').click()
        page.locator('[data-picture="sun"]').click()
        page.locator('[data-picture="moon"]').click()
        page.locator("[data-erase]").click()
        assert page.locator("[data-dot].filled").count() == 1
        page.locator('[data-picture="cat"]').click()
        page.locator('[data-picture="boat"]').click()
        page.wait_for_url(lambda url: "/comptes/eleve/" not in url)
    finally:
        context.close()
    pupil.refresh_from_db()
    assert pupil.user is not None
