"""The pair and group games: rules, views and scores on hand-checked plays."""

import json
import random

import pytest

from performance.definitions import TASKS_DIR, load_task_file
from performance.games.base import InvalidEventError
from performance.games.public_goods import PublicGoods
from performance.games.referential import Referential, singles_out
from performance.games.split_clues import SplitClues


def content_of(key: str):
    return load_task_file(TASKS_DIR / f"{key}.yaml").content


def play(game, content, state, actions):
    for kind, payload, seat in actions:
        state = game.apply(content, state, kind, payload, seat)
    return state


# Public goods: 10 tokens a round, the pot doubled, three members.

GOODS = PublicGoods()
GOODS_CONTENT = content_of("cooperation-sharing")


def goods_after_four_rounds():
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    return play(
        GOODS,
        GOODS_CONTENT,
        state,
        [
            # Round 1: 10 + 5 + 0 = 15, doubled to 30, 10 each.
            ("contribute", {"round": 1, "tokens": 10}, 0),
            ("contribute", {"round": 1, "tokens": 5}, 1),
            ("contribute", {"round": 1, "tokens": 0}, 2),
            # Round 2: seat 2 is away; the teacher closes the round. 4 + 6 = 10,
            # doubled to 20, shared by the two who played.
            ("contribute", {"round": 2, "tokens": 4}, 0),
            ("contribute", {"round": 2, "tokens": 6}, 1),
            ("close_round", {"round": 2}, None),
            # Round 3: 2 each, 6 doubled to 12, 4 each.
            ("contribute", {"round": 3, "tokens": 2}, 0),
            ("contribute", {"round": 3, "tokens": 2}, 1),
            ("contribute", {"round": 3, "tokens": 2}, 2),
            # Round 4: 0 + 10 + 5 = 15, doubled to 30, 10 each.
            ("contribute", {"round": 4, "tokens": 0}, 0),
            ("contribute", {"round": 4, "tokens": 10}, 1),
            ("contribute", {"round": 4, "tokens": 5}, 2),
        ],
    )


def test_goods_rounds_close_and_share():
    state = goods_after_four_rounds()
    assert state["finished"] is True
    assert [closed["pot"] for closed in state["history"]] == [15, 10, 6, 15]
    assert [closed["share"] for closed in state["history"]] == [10, 10, 4, 10]


def test_goods_scores_of_hand_checked_play():
    state = goods_after_four_rounds()
    first = GOODS.score(GOODS_CONTENT, state, 0)
    absent_once = GOODS.score(GOODS_CONTENT, state, 2)
    assert first["first_contribution_share"] == pytest.approx(1.0)
    assert first["mean_contribution_share"] == pytest.approx(16 / 40)
    assert first["rounds_played"] == 4
    assert absent_once["first_contribution_share"] == pytest.approx(0.0)
    assert absent_once["mean_contribution_share"] == pytest.approx(7 / 30)
    assert absent_once["rounds_played"] == 3


def test_goods_view_hides_classmates_contributions():
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    state = play(
        GOODS,
        GOODS_CONTENT,
        state,
        [
            ("contribute", {"round": 1, "tokens": 7}, 0),
            ("contribute", {"round": 1, "tokens": 3}, 1),
            ("contribute", {"round": 1, "tokens": 9}, 2),
            ("contribute", {"round": 2, "tokens": 8}, 0),
        ],
    )
    view = GOODS.view(GOODS_CONTENT, state, 1, shared=False)
    assert view["last"] == {
        "round": 1,
        "own": 3,
        "pot": 19,
        "returned": 38,
        "share": pytest.approx(38 / 3),
        "earned": pytest.approx(7 + 38 / 3),
    }
    assert view["playedCount"] == 1
    assert view["played"] is None
    text = json.dumps(view)
    assert "contributions" not in text
    assert "current" not in text


def test_goods_teacher_view_has_counts_only():
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    state = GOODS.apply(
        GOODS_CONTENT, state, "contribute", {"round": 1, "tokens": 4}, 0
    )
    view = GOODS.view(GOODS_CONTENT, state, None, shared=False)
    assert view["playedCount"] == 1
    assert "played" not in view
    assert "last" not in view


@pytest.mark.parametrize(
    ("kind", "payload", "seat", "code"),
    [
        ("contribute", {"round": 1, "tokens": 2}, 0, "not_allowed"),
        ("contribute", {"round": 2, "tokens": 2}, 1, "not_allowed"),
        ("contribute", {"round": 1, "tokens": 11}, 1, "invalid_event"),
        ("contribute", {"round": 1, "tokens": 2}, None, "not_allowed"),
        ("close_round", {"round": 1}, 1, "not_allowed"),
    ],
)
def test_goods_rejects(kind, payload, seat, code):
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    state = GOODS.apply(
        GOODS_CONTENT, state, "contribute", {"round": 1, "tokens": 4}, 0
    )
    with pytest.raises(InvalidEventError) as caught:
        GOODS.apply(GOODS_CONTENT, state, kind, payload, seat)
    assert caught.value.code == code


def test_goods_close_needs_a_contribution():
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    with pytest.raises(InvalidEventError, match="Personne"):
        GOODS.apply(GOODS_CONTENT, state, "close_round", {"round": 1}, None)


def test_goods_apply_leaves_state_unchanged():
    state = GOODS.initial_state(GOODS_CONTENT, 3, random.Random(1))
    before = json.dumps(state)
    GOODS.apply(GOODS_CONTENT, state, "contribute", {"round": 1, "tokens": 4}, 0)
    assert json.dumps(state) == before


# Referential: six trials, seat 0 speaks at even trials and seat 1 at odd ones.

PICTURES = Referential()
PICTURES_CONTENT = content_of("communication-pictures")
MESSAGES = [
    {"color": "red", "shape": "circle", "size": "big"},  # singles out A
    {"shape": "triangle"},  # fits A, B and D
    {"size": "big", "color": "blue", "pattern": "dots"},  # singles out A
    {"color": "red", "shape": "star", "size": "small"},  # singles out A
    {"shape": "circle", "pattern": "dots"},  # fits A and D
    {"pattern": "plain", "shape": "triangle", "color": "blue"},  # singles out A
]
CHOICES = ["A", "B", "A", "A", "A", "A"]


def pictures_played(trials: int = 6):
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    for trial in range(trials):
        speaker = trial % 2
        state = play(
            PICTURES,
            PICTURES_CONTENT,
            state,
            [
                ("message", {"trial": trial, "words": MESSAGES[trial]}, speaker),
                ("choose", {"trial": trial, "picture": CHOICES[trial]}, 1 - speaker),
                ("next", {"trial": trial}, speaker),
            ],
        )
    return state


def test_singles_out_on_hand_checked_messages():
    trials = PICTURES_CONTENT.trials
    verdicts = [singles_out(trials[n], MESSAGES[n]) for n in range(6)]
    assert verdicts == [True, False, True, True, False, True]


def test_pictures_scores_of_hand_checked_play():
    state = pictures_played()
    first = PICTURES.score(PICTURES_CONTENT, state, 0)
    second = PICTURES.score(PICTURES_CONTENT, state, 1)
    assert state["finished"] is True
    # Seat 0 listens at trials 1, 3 and 5 and picks B, A, A: one wrong.
    assert first["listener_accuracy"] == pytest.approx(2 / 3)
    # Seat 0 speaks at trials 0, 2 and 4: the third message fits two pictures.
    assert first["unique_message_share"] == pytest.approx(2 / 3)
    assert first["mean_message_words"] == pytest.approx((3 + 3 + 2) / 3)
    # Seat 1 listens at trials 0, 2 and 4 and is right each time, by luck at 4.
    assert second["listener_accuracy"] == pytest.approx(1.0)
    assert second["unique_message_share"] == pytest.approx(2 / 3)
    assert second["trials_as_speaker"] == 3


def test_pictures_listener_never_sees_target_early():
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    listener = PICTURES.view(PICTURES_CONTENT, state, 1, shared=False)
    speaker = PICTURES.view(PICTURES_CONTENT, state, 0, shared=False)
    assert "target" not in listener
    assert speaker["target"] == "A"
    assert listener["role"] == "listener"
    state = PICTURES.apply(
        PICTURES_CONTENT, state, "message", {"trial": 0, "words": MESSAGES[0]}, 0
    )
    assert "target" not in PICTURES.view(PICTURES_CONTENT, state, 1, shared=False)
    state = PICTURES.apply(
        PICTURES_CONTENT, state, "choose", {"trial": 0, "picture": "C"}, 1
    )
    feedback = PICTURES.view(PICTURES_CONTENT, state, 1, shared=False)
    assert feedback["target"] == "A"
    assert feedback["result"]["correct"] is False


def test_pictures_shared_view_follows_turn():
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    assert PICTURES.view(PICTURES_CONTENT, state, 1, shared=True)["role"] == "speaker"
    state = PICTURES.apply(
        PICTURES_CONTENT, state, "message", {"trial": 0, "words": MESSAGES[0]}, 0
    )
    view = PICTURES.view(PICTURES_CONTENT, state, 0, shared=True)
    assert view["role"] == "listener"
    assert "target" not in view


def test_pictures_same_pictures_for_both_seats():
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    orders = [
        [
            p["key"]
            for p in PICTURES.view(PICTURES_CONTENT, state, s, shared=False)["pictures"]
        ]
        for s in (0, 1)
    ]
    assert sorted(orders[0]) == sorted(orders[1]) == ["A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("kind", "payload", "seat", "code"),
    [
        ("message", {"trial": 0, "words": {"shape": "circle"}}, 1, "not_allowed"),
        ("choose", {"trial": 0, "picture": "A"}, 1, "not_allowed"),
        ("next", {"trial": 0}, 0, "not_allowed"),
        ("message", {"trial": 1, "words": {"shape": "circle"}}, 0, "not_allowed"),
        ("message", {"trial": 0, "words": {}}, 0, "invalid_event"),
        ("message", {"trial": 0, "words": {"color": "green"}}, 0, "invalid_event"),
        ("message", {"trial": 0, "words": {"mood": "happy"}}, 0, "invalid_event"),
    ],
)
def test_pictures_rejects(kind, payload, seat, code):
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    with pytest.raises(InvalidEventError) as caught:
        PICTURES.apply(PICTURES_CONTENT, state, kind, payload, seat)
    assert caught.value.code == code


def test_pictures_second_choice_rejected():
    state = PICTURES.initial_state(PICTURES_CONTENT, 2, random.Random(3))
    state = PICTURES.apply(
        PICTURES_CONTENT, state, "message", {"trial": 0, "words": MESSAGES[0]}, 0
    )
    state = PICTURES.apply(
        PICTURES_CONTENT, state, "choose", {"trial": 0, "picture": "B"}, 1
    )
    with pytest.raises(InvalidEventError) as caught:
        PICTURES.apply(
            PICTURES_CONTENT, state, "choose", {"trial": 0, "picture": "A"}, 1
        )
    assert caught.value.code == "not_allowed"


# Split clues: three codes, three tries each.

CODES = SplitClues()
CODES_CONTENT = content_of("collaboration-code")


def place(puzzle: int, position: int, symbol: str, seat: int):
    return ("place", {"puzzle": puzzle, "position": position, "symbol": symbol}, seat)


def codes_played():
    state = CODES.initial_state(CODES_CONTENT, 2, random.Random(5))
    return play(
        CODES,
        CODES_CONTENT,
        state,
        [
            # Code 0 is moon, star, heart: solved at the first try.
            place(0, 0, "moon", 0),
            place(0, 1, "star", 1),
            place(0, 2, "heart", 1),
            ("try", {"puzzle": 0}, 0),
            ("next", {"puzzle": 0}, 1),
            # Code 1 is cloud, sun, heart, star: a wrong try, then seat 1 swaps
            # the last two pictures and solves it.
            place(1, 0, "cloud", 0),
            place(1, 1, "sun", 0),
            place(1, 2, "star", 0),
            place(1, 3, "heart", 0),
            ("try", {"puzzle": 1}, 0),
            place(1, 2, "heart", 1),
            place(1, 3, "star", 1),
            ("try", {"puzzle": 1}, 1),
            ("next", {"puzzle": 1}, 0),
            # Code 2 is heart, moon, cloud, sun: three wrong tries by seat 0.
            place(2, 0, "sun", 0),
            place(2, 1, "moon", 0),
            place(2, 2, "cloud", 0),
            place(2, 3, "heart", 0),
            ("try", {"puzzle": 2}, 0),
            ("try", {"puzzle": 2}, 0),
            ("try", {"puzzle": 2}, 0),
            ("next", {"puzzle": 2}, 0),
        ],
    )


def test_codes_scores_of_hand_checked_play():
    state = codes_played()
    first = CODES.score(CODES_CONTENT, state, 0)
    second = CODES.score(CODES_CONTENT, state, 1)
    assert state["finished"] is True
    assert state["actions"] == [14, 5]
    assert [result["solved"] for result in state["results"]] == [True, True, False]
    assert first["joint_success_share"] == pytest.approx(2 / 3)
    assert first["contribution_balance"] == pytest.approx(1 - 9 / 19)
    assert second["contribution_balance"] == first["contribution_balance"]
    assert first["own_action_share"] == pytest.approx(14 / 19)
    assert second["own_action_share"] == pytest.approx(5 / 19)


def test_codes_placing_moves_a_symbol():
    state = CODES.initial_state(CODES_CONTENT, 2, random.Random(5))
    state = play(
        CODES, CODES_CONTENT, state, [place(0, 0, "moon", 0), place(0, 2, "moon", 1)]
    )
    assert state["slots"] == [None, None, "moon"]


def test_codes_each_seat_sees_own_clues():
    state = CODES.initial_state(CODES_CONTENT, 2, random.Random(5))
    first = CODES.view(CODES_CONTENT, state, 0, shared=False)
    shared = CODES.view(CODES_CONTENT, state, 0, shared=True)
    assert list(first["clues"]) == ["0"]
    assert first["clues"]["0"][0]["fr"] == "La lune est en premier."
    assert sorted(shared["clues"]) == ["0", "1"]
    assert "answer" not in first


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (("try", {"puzzle": 0}, 0), "not_allowed"),
        (("next", {"puzzle": 0}, 0), "not_allowed"),
        (("place", {"puzzle": 1, "position": 0, "symbol": "sun"}, 0), "not_allowed"),
        (("place", {"puzzle": 0, "position": 3, "symbol": "sun"}, 0), "invalid_event"),
        (("place", {"puzzle": 0, "position": 0, "symbol": "sun"}, 0), "invalid_event"),
        (
            ("place", {"puzzle": 0, "position": 0, "symbol": "moon"}, None),
            "not_allowed",
        ),
    ],
)
def test_codes_rejects(action, code):
    state = CODES.initial_state(CODES_CONTENT, 2, random.Random(5))
    kind, payload, seat = action
    with pytest.raises(InvalidEventError) as caught:
        CODES.apply(CODES_CONTENT, state, kind, payload, seat)
    assert caught.value.code == code


def test_codes_no_action_scores_none():
    state = CODES.initial_state(CODES_CONTENT, 2, random.Random(5))
    scores = CODES.score(CODES_CONTENT, state, 0)
    assert scores["contribution_balance"] is None
    assert scores["joint_success_share"] is None
