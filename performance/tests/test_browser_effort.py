"""The number puzzles in Debian's Chromium: a pupil signs in and plays five rounds."""

import pytest
from django.urls import reverse

from accounts.tests.helpers import sign_in_pupil_in_browser
from performance.models import TaskRun
from performance.services import open_task, run_scores

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until_sent(page) -> None:
    page.wait_for_selector('#task[data-pending="0"]', state="attached")


def grid_values(page) -> list[int]:
    return page.eval_on_selector_all(
        "button.cell", "cells => cells.map(cell => Number(cell.dataset.value))"
    )


def right_pairs(
    values: list[int], target: int, used: set[int]
) -> list[tuple[int, int]]:
    """Return disjoint pairs of free cells adding up to `target`."""
    pairs = []
    taken = set(used)
    for first, value in enumerate(values):
        if first in taken:
            continue
        for second in range(first + 1, len(values)):
            if second not in taken and value + values[second] == target:
                pairs.append((first, second))
                taken.update((first, second))
                break
    return pairs


def wrong_pair(values: list[int], target: int) -> tuple[int, int]:
    for first in range(len(values)):
        for second in range(first + 1, len(values)):
            if values[first] + values[second] != target:
                return first, second
    raise AssertionError("every pair of the grid adds up to the target")


def tap(page, first: int, second: int) -> None:
    page.click(f'button.cell[data-index="{first}"]')
    page.click(f'button.cell[data-index="{second}"]')


def choose(page, level: str, number: int) -> int:
    page.wait_for_selector('[data-screen="choose"]')
    page.click(f'button.level-choice[data-level="{level}"]')
    page.wait_for_selector(f'[data-screen="puzzle"][data-round="{number}"]')
    return 10 if level == "easy" else 100


def solve(page, target: int, pairs: int = 3, used: frozenset = frozenset()) -> None:
    for first, second in right_pairs(grid_values(page), target, set(used))[:pairs]:
        tap(page, first, second)


def test_pupil_plays_five_rounds(
    page, live_server, tasks, wave, classroom, teacher, pupil
):
    open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("performance:pupil-tasks"))
    page.click("button.task-start")
    page.click("button.start")

    # Round 1, hard, solved.
    solve(page, choose(page, "hard", 1))
    page.wait_for_selector('[data-result="success"]')
    # Round 2, hard: two wrong pairs, then the pupil gives up.
    target = choose(page, "hard", 2)
    values = grid_values(page)
    tap(page, *wrong_pair(values, target))
    tap(page, *wrong_pair(values, target))
    page.click("button.give-up")
    page.wait_for_selector('[data-result="failure"]')
    # Round 3, hard again after the failure: one pair, a reload, then the rest.
    target = choose(page, "hard", 3)
    first_pair = right_pairs(grid_values(page), target, set())[0]
    tap(page, *first_pair)
    wait_until_sent(page)
    page.reload()
    page.wait_for_selector('[data-screen="puzzle"][data-round="3"]')
    assert page.locator("button.cell.found, button.cell:disabled").count() == 2
    solve(page, target, pairs=2, used=frozenset(first_pair))
    # Round 4, easy, solved; round 5, easy, given up at once.
    solve(page, choose(page, "easy", 4))
    choose(page, "easy", 5)
    page.click("button.give-up")
    page.wait_for_selector('[data-screen="end"]')
    wait_until_sent(page)

    run = TaskRun.objects.get(pupil=pupil)
    scores = run_scores(run)
    assert run.completed_at is not None
    assert run.events.filter(kind="choose").count() == 5
    assert scores["hard_choice_share"] == pytest.approx(3 / 5)
    assert scores["hard_after_failure_share"] == pytest.approx(1.0)
    assert scores["success_share"] == pytest.approx(3 / 5)
    assert scores["retries"] == 1
    assert scores["give_ups"] == 2
    assert scores["stars"] == 3 + 3 + 1
    assert scores["time_on_task_seconds"] > 0


def test_events_made_offline_arrive(
    page, live_server, tasks, wave, classroom, teacher, pupil
):
    open_task(tasks["perseverance-puzzles"], wave, classroom, teacher)
    sign_in_pupil_in_browser(page, live_server.url, classroom, pupil)
    page.goto(live_server.url + reverse("performance:pupil-tasks"))
    page.click("button.task-start")
    page.click("button.start")
    page.context.set_offline(True)
    solve(page, choose(page, "easy", 1))
    page.wait_for_selector('[data-result="success"]')
    assert not TaskRun.objects.get(pupil=pupil).events.exists()

    page.context.set_offline(False)
    wait_until_sent(page)
    run = TaskRun.objects.get(pupil=pupil)
    assert run.events.count() == 1 + 3 + 1
    assert run_scores(run)["success_share"] == pytest.approx(1.0)
