"""The class pot in Debian's Chromium: one pupil plays beside two classmates."""

import uuid

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_pupil_in_browser
from performance import player_views
from performance.models import TaskRun
from performance.services import GroupDraft, form_groups, open_task, record_event
from performance.tests.conftest import make_pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def contribute(run: TaskRun, number: int, tokens: int) -> None:
    record_event(
        run,
        key=uuid.uuid4(),
        kind="contribute",
        payload={"round": number, "tokens": tokens},
        seq=0,
    )


def test_pupil_sees_class_total_not_classmates(
    page, live_server, monkeypatch, tasks, wave, classroom, teacher, pupil, classmate
):
    monkeypatch.setattr(player_views, "POLL_INTERVAL_MS", 300)
    session = open_task(tasks["cooperation-sharing"], wave, classroom, teacher)
    third = make_pupil(classroom, "Inès")
    (group,) = form_groups(
        session, [GroupDraft(1, [pupil, classmate, third])], "devices", teacher
    )
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("performance:pupil-tasks"))
    page.click("button.task-start")

    page.wait_for_selector('[data-screen="give"]')
    for _step in range(4):
        page.click("button.more")
    page.click('button.give-tokens[data-tokens="4"]')
    page.wait_for_selector('.played-count:has-text("ce tour : 1 sur 3")')

    contribute(TaskRun.objects.get(group=group, seat=1), 1, 6)
    contribute(TaskRun.objects.get(group=group, seat=2), 1, 2)
    page.wait_for_selector('.pot-result[data-round="1"]')
    result = page.inner_text(".pot-result")
    # 4 + 6 + 2 = 12 tokens, doubled to 24, 8 each.
    assert "Tu as mis 4 jetons. Le pot avait 12 jetons." in result
    assert "Tu reçois 8 jetons." in result
    assert "Noé" not in page.content()
    group.refresh_from_db()
    assert group.state["history"][0]["contributions"] == {"0": 4, "1": 6, "2": 2}
