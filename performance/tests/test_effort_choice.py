"""The effort-choice game: event checks, the replay of rounds and the scores.

The expected scores of the log below were worked out by hand, round by round.
"""

import random

import pytest

from performance.definitions import TASKS_DIR, load_task_file
from performance.games.base import Event, InvalidEventError
from performance.games.effort_choice import EffortChoice, draw_grid, replay_rounds

GAME = EffortChoice()
CONTENT = load_task_file(TASKS_DIR / "perseverance-puzzles.yaml").content
# Easy pairs adding up to 10: cells (0, 1), (2, 3), (4, 5), (6, 7).
EASY = [1, 9, 2, 8, 3, 7, 5, 5, 4]
# Hard pairs adding up to 100: cells (0, 1), (2, 3), … (14, 15).
HARD = [5, 95, 10, 90, 15, 85, 20, 80, 25, 75, 30, 70, 35, 65, 40, 60]
MATERIAL = {"grids": [{"easy": EASY, "hard": HARD}] * CONTENT.rounds}


def choose(number: int, level: str) -> Event:
    return Event("choose", {"round": number, "level": level})


def pair(number: int, first: int, second: int, elapsed_ms: int = 1000) -> Event:
    return Event(
        "pair", {"round": number, "cells": [first, second], "elapsed_ms": elapsed_ms}
    )


def end(number: int, outcome: str, elapsed_ms: int) -> Event:
    return Event("end", {"round": number, "outcome": outcome, "elapsed_ms": elapsed_ms})


LOG = [
    # Round 1, hard: one wrong pair then three right ones; solved in 40 s.
    choose(1, "hard"),
    pair(1, 0, 1),
    pair(1, 2, 4),
    pair(1, 2, 3),
    pair(1, 4, 5),
    end(1, "success", 40_000),
    # Round 2, hard: two wrong pairs, then the pupil gives up at 30 s.
    choose(2, "hard"),
    pair(2, 0, 2),
    pair(2, 1, 3),
    end(2, "give_up", 30_000),
    # Round 3: easy after the failure; three right pairs in 20 s.
    choose(3, "easy"),
    pair(3, 0, 1),
    pair(3, 2, 3),
    pair(3, 4, 5),
    end(3, "success", 20_000),
    # Round 4, hard: one pair only before the time runs out.
    choose(4, "hard"),
    pair(4, 0, 1),
    end(4, "timeout", 90_000),
    # Round 5: hard again after the failure. A pair reused, a right pair, and a
    # third pair after the time limit, which does not count.
    choose(5, "hard"),
    pair(5, 0, 1),
    pair(5, 0, 1),
    pair(5, 2, 3),
    pair(5, 4, 5, elapsed_ms=95_000),
    end(5, "timeout", 95_000),
]


def test_score_of_hand_checked_log():
    scores = GAME.score(CONTENT, MATERIAL, LOG)
    assert scores["hard_choice_share"] == pytest.approx(4 / 5)
    assert scores["hard_after_failure_share"] == pytest.approx(1 / 2)
    assert scores["time_on_task_seconds"] == pytest.approx(40 + 30 + 20 + 90 + 90)
    assert scores["retries"] == 3
    assert scores["success_share"] == pytest.approx(2 / 5)
    assert scores["give_ups"] == 1
    assert scores["rounds_played"] == 5
    assert scores["stars"] == 3 + 1


def test_replay_of_hand_checked_log():
    records = replay_rounds(CONTENT, MATERIAL, LOG)
    assert [record.succeeded for record in records] == [
        True,
        False,
        True,
        False,
        False,
    ]
    assert [record.pairs_found for record in records] == [3, 0, 3, 1, 2]
    assert [record.wrong_pairs for record in records] == [1, 2, 0, 0, 1]


def test_score_keys_match_score_names():
    assert tuple(GAME.score(CONTENT, MATERIAL, LOG)) == GAME.score_names


def test_no_events_scores_nothing():
    scores = GAME.score(CONTENT, MATERIAL, [])
    assert scores["hard_choice_share"] is None
    assert scores["hard_after_failure_share"] is None
    assert scores["success_share"] is None
    assert scores["rounds_played"] == 0


def test_no_failure_leaves_after_failure_empty():
    log = [choose(1, "easy"), *(pair(1, i, i + 1) for i in (0, 2, 4))]
    log.append(end(1, "success", 5000))
    assert GAME.score(CONTENT, MATERIAL, log)["hard_after_failure_share"] is None


def test_claimed_success_is_rechecked():
    log = [choose(1, "easy"), pair(1, 0, 1), end(1, "success", 5000)]
    assert replay_rounds(CONTENT, MATERIAL, log)[0].succeeded is False


def test_pair_before_choice_ignored():
    log = [pair(1, 0, 1), choose(1, "easy"), pair(1, 2, 3)]
    assert replay_rounds(CONTENT, MATERIAL, log)[0].pairs_found == 1


def test_first_choice_of_round_kept():
    log = [choose(1, "easy"), choose(1, "hard")]
    assert replay_rounds(CONTENT, MATERIAL, log)[0].level == "easy"


def test_events_after_end_ignored():
    log = [choose(1, "easy"), end(1, "give_up", 1000), pair(1, 0, 1)]
    assert replay_rounds(CONTENT, MATERIAL, log)[0].pairs_found == 0


def test_cell_outside_easy_grid_counts_wrong():
    log = [choose(1, "easy"), pair(1, 0, 12)]
    record = replay_rounds(CONTENT, MATERIAL, log)[0]
    assert record.wrong_pairs == 1
    assert record.pairs_found == 0


def test_complete_after_last_round_ends():
    assert GAME.is_complete(CONTENT, MATERIAL, LOG) is True
    assert GAME.is_complete(CONTENT, MATERIAL, LOG[:-1]) is False


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (Event("choose", {"round": 0, "level": "easy"}), "round vaut 0"),
        (Event("choose", {"round": 1, "level": "medium"}), "level doit valoir"),
        (Event("choose", {"round": "1", "level": "easy"}), "round doit être"),
        (Event("pair", {"round": 1, "cells": [3, 3], "elapsed_ms": 0}), "cells"),
        (Event("pair", {"round": 1, "cells": [0, 16], "elapsed_ms": 0}), "cells"),
        (Event("pair", {"round": 1, "cells": [0, 1]}), "elapsed_ms doit être"),
        (Event("end", {"round": 1, "outcome": "won", "elapsed_ms": 0}), "outcome"),
        (Event("jump", {"round": 1}), "type d’événement inconnu"),
    ],
)
def test_check_event_rejects(event, message):
    with pytest.raises(InvalidEventError, match=message):
        GAME.check_event(CONTENT, MATERIAL, event)


def test_check_event_accepts_log():
    for event in LOG:
        GAME.check_event(CONTENT, MATERIAL, event)


@pytest.mark.parametrize("level_key", ["easy", "hard"])
def test_drawn_grid_holds_pairs(level_key):
    level = CONTENT.levels.get(level_key)
    for seed in range(50):
        grid = draw_grid(level, CONTENT.pairs_to_find, random.Random(seed))
        assert len(grid) == level.rows * level.columns
        assert set(grid) <= set(level.values())
        log = [choose(1, level_key)]
        remaining = list(range(len(grid)))
        found = 0
        # Greedily pair up cells: a drawn grid must allow the required pairs.
        while remaining and found < CONTENT.pairs_to_find:
            first = remaining.pop(0)
            partner = next(
                (j for j in remaining if grid[first] + grid[j] == level.target), None
            )
            if partner is not None:
                remaining.remove(partner)
                log.append(pair(1, first, partner))
                found += 1
        material = {"grids": [{"easy": grid, "hard": grid}] * CONTENT.rounds}
        assert replay_rounds(CONTENT, material, log)[0].pairs_found >= 3


def test_prepare_draws_each_round():
    material = GAME.prepare(CONTENT, random.Random(7))
    assert len(material["grids"]) == CONTENT.rounds
    assert len(material["grids"][0]["easy"]) == 9
    assert len(material["grids"][0]["hard"]) == 16
