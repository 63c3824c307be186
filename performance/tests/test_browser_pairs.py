"""The pair tasks in Debian's Chromium: two pupils on two devices, or one device."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_pupil_in_browser
from performance import player_views
from performance.models import DeviceMode, Group, TaskRun
from performance.services import GroupDraft, form_groups, open_task, run_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FEATURES = ("shape", "color", "pattern", "size")


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch):
    # The live server runs in this process, so the players poll every 300 ms here.
    monkeypatch.setattr(player_views, "POLL_INTERVAL_MS", 300)


@pytest.fixture
def second_page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def open_player(page, live_server, classroom, pupil) -> None:
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("performance:pupil-tasks"))
    page.click("button.task-start")
    page.wait_for_selector("#task[data-screen]:not([data-screen='loading'])")


def target_features(page) -> dict[str, str]:
    target = page.locator(".picture.is-target")
    return {feature: target.get_attribute(f"data-{feature}") for feature in FEATURES}


def speak(page, words: dict[str, str]) -> None:
    for feature, value in words.items():
        page.click(f'button.word[data-feature="{feature}"][data-value="{value}"]')
    page.click("button.send")


def pick(page, features: dict[str, str], *, right: bool) -> None:
    pictures = page.locator("button.picture")
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        matches = all(
            picture.get_attribute(f"data-{key}") == value
            for key, value in features.items()
        )
        if matches == right:
            picture.click()
            return
    raise AssertionError("no picture to pick")


def test_pair_plays_pictures_on_two_devices(
    page, second_page, live_server, tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["communication-pictures"], wave, classroom, teacher)
    form_groups(
        session, [GroupDraft(1, [pupil, classmate])], DeviceMode.DEVICES, teacher
    )
    open_player(page, live_server, classroom, pupil)
    open_player(second_page, live_server, classroom, classmate)
    seats = {0: page, 1: second_page}

    for trial in range(6):
        speaker, listener = seats[trial % 2], seats[1 - trial % 2]
        speaker.wait_for_selector('[data-screen="speak"]')
        listener.wait_for_selector('section[data-screen="wait"]')
        assert listener.locator(".picture").count() == 0
        features = target_features(speaker)
        # Trial 1's speaker names only the shape, which fits several pictures.
        words = {"shape": features["shape"]} if trial == 1 else features
        speak(speaker, words)
        listener.wait_for_selector('[data-screen="listen"]')
        # The listener picks a wrong picture at trial 4.
        pick(listener, features, right=trial != 4)
        for screen in (speaker, listener):
            screen.wait_for_selector('[data-screen="feedback"]')
        verdict = listener.get_attribute(
            "section[data-screen=feedback]", "data-correct"
        )
        assert verdict == ("false" if trial == 4 else "true")
        listener.click("button.next")

    for screen in seats.values():
        screen.wait_for_selector('[data-screen="end"]')
        screen.wait_for_selector('#task[data-pending="0"]', state="attached")

    group = Group.objects.get(session=session)
    first = run_scores(TaskRun.objects.get(pupil=pupil))
    second = run_scores(TaskRun.objects.get(pupil=classmate))
    assert group.state["finished"] is True
    assert group.version == 6 * 3
    assert TaskRun.objects.filter(group=group, completed_at__isnull=False).count() == 2
    # The pupil speaks at trials 0, 2 and 4, naming every feature, and listens at
    # trials 1, 3 and 5, picking the target each time.
    assert first["listener_accuracy"] == pytest.approx(1.0)
    assert first["unique_message_share"] == pytest.approx(1.0)
    # The classmate listens at trials 0, 2 and 4 and picks wrong at trial 4, and
    # speaks at trial 1 with a message that fits several pictures.
    assert second["listener_accuracy"] == pytest.approx(2 / 3)
    assert second["unique_message_share"] == pytest.approx(2 / 3)


def test_pair_plays_code_on_one_device(
    page, live_server, tasks, wave, classroom, teacher, pupil, classmate
):
    session = open_task(tasks["collaboration-code"], wave, classroom, teacher)
    form_groups(
        session, [GroupDraft(1, [pupil, classmate])], DeviceMode.SHARED, teacher
    )
    open_player(page, live_server, classroom, pupil)
    answers = [
        ["moon", "star", "heart"],
        ["cloud", "sun", "heart", "star"],
        ["heart", "moon", "cloud", "sun"],
    ]
    for number, answer in enumerate(answers):
        page.wait_for_selector(f'[data-screen="code"][data-puzzle="{number}"]')
        assert page.locator(".clue-card").count() == 2
        for position, symbol in enumerate(answer):
            # The partners take turns: even positions by the pupil, odd by the
            # classmate, who taps their name first.
            page.click(f'button.seat-choice[data-seat="{position % 2}"]')
            page.click(f'button.symbol-choice[data-symbol="{symbol}"]')
            page.click(f'button.slot[data-position="{position}"]')
            page.wait_for_selector(
                f'button.slot[data-position="{position}"][data-symbol="{symbol}"]'
            )
        page.click('button.seat-choice[data-seat="0"]')
        page.click("button.try-code")
        page.wait_for_selector('[data-screen="feedback"][data-solved="true"]')
        page.click("button.next")
    page.wait_for_selector('[data-screen="end"]')
    page.wait_for_selector('#task[data-pending="0"]', state="attached")

    group = Group.objects.get(session=session)
    scores = run_scores(TaskRun.objects.get(pupil=pupil))
    # 11 pictures placed, 6 by the pupil and 5 by the classmate, and the 3 tries
    # by the pupil: 9 actions against 5.
    assert group.state["actions"] == [9, 5]
    assert scores["joint_success_share"] == pytest.approx(1.0)
    assert scores["contribution_balance"] == pytest.approx(1 - 4 / 14)
    assert TaskRun.objects.get(pupil=classmate).completed_at is not None
