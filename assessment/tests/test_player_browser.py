"""The questionnaire player in Debian's Chromium: a pupil signs in and answers."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_pupil_in_browser
from assessment.models import Answer, Response

ITEMS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]
# The value the pupil taps for each item; P4 is skipped ("I'd rather not answer").
CHOICES = {"P1": 4, "P2": 3, "P3": 1, "P4": None, "P5": 2, "P6": 2, "P7": 4, "P8": 1}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_current_item(page, item: str) -> None:
    page.wait_for_selector(f'[data-screen="item"][data-item="{item}"]')
    if CHOICES[item] is None:
        page.click("button.skip")
    else:
        page.click(f'button.choice[data-value="{CHOICES[item]}"]')


def wait_until_sent(page) -> None:
    page.wait_for_selector('#player[data-pending="0"]', state="attached")


def open_questionnaire(page, live_server, classroom, pupil) -> None:
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("assessment:pupil-today"))
    page.click("button.today-start")
    page.click("button.start")


def stored_answers(pupil) -> dict:
    return dict(
        Answer.objects.filter(response__pupil=pupil).values_list("item", "value")
    )


def test_whole_questionnaire_with_reload(page, live_server, session, classroom, pupil):
    open_questionnaire(page, live_server, classroom, pupil)
    for item in ITEMS[:4]:
        answer_current_item(page, item)
    wait_until_sent(page)

    page.reload()
    page.wait_for_selector('[data-screen="item"][data-item="P5"]')
    for item in ITEMS[4:]:
        answer_current_item(page, item)
    page.wait_for_selector('[data-screen="end"]')
    wait_until_sent(page)

    response = Response.objects.get(pupil=pupil)
    assert Answer.objects.filter(response=response).count() == len(ITEMS)
    assert stored_answers(pupil) == CHOICES
    assert response.completed_at is not None


def test_answers_made_offline_arrive(page, live_server, session, classroom, pupil):
    open_questionnaire(page, live_server, classroom, pupil)
    for item in ITEMS[:2]:
        answer_current_item(page, item)
    wait_until_sent(page)

    page.context.set_offline(True)
    for item in ITEMS[2:4]:
        answer_current_item(page, item)
    page.wait_for_selector('#player[data-pending="2"]', state="attached")
    assert len(stored_answers(pupil)) == 2

    page.context.set_offline(False)
    wait_until_sent(page)
    assert len(stored_answers(pupil)) == 4

    for item in ITEMS[4:]:
        answer_current_item(page, item)
    page.wait_for_selector('[data-screen="end"]')
    wait_until_sent(page)
    assert stored_answers(pupil) == CHOICES
    assert Answer.objects.filter(response__pupil=pupil).count() == len(ITEMS)


def test_back_button_changes_answer(page, live_server, session, classroom, pupil):
    open_questionnaire(page, live_server, classroom, pupil)
    answer_current_item(page, "P1")
    page.wait_for_selector('[data-item="P2"]')
    page.click("button.back")
    page.wait_for_selector('[data-item="P1"] button.choice[aria-pressed="true"]')
    page.click('button.choice[data-value="2"]')
    page.wait_for_selector('[data-item="P2"]')
    wait_until_sent(page)
    assert stored_answers(pupil) == {"P1": 2}


def test_queued_answers_sent_after_reload(page, live_server, session, classroom, pupil):
    open_questionnaire(page, live_server, classroom, pupil)
    # The server is unreachable for the answers, but the browser still thinks it is
    # online, so only the page load can resend them.
    page.route("**/api/questionnaire/**", lambda route: route.abort())
    for item in ITEMS[:2]:
        answer_current_item(page, item)
    page.wait_for_selector('#player[data-pending="2"]', state="attached")
    assert stored_answers(pupil) == {}

    page.unroute("**/api/questionnaire/**")
    page.reload()
    page.wait_for_selector('[data-screen="item"][data-item="P3"]')
    wait_until_sent(page)
    assert stored_answers(pupil) == {"P1": 4, "P2": 3}
