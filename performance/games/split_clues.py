"""Split clues: a pair finds a secret code, each partner holding half the clues.

The code is an order of a few pictures (a star, a heart, a moon…). Each partner sees
only their own clues ("the moon is not first"), and neither half is enough: the file
check proves that the clues together fit exactly one order and each half fits at
least two. Both partners see the code and may place pictures and try it; a puzzle ends
when the code is right or the tries run out.

Scores: joint success (share of puzzles solved), and the balance of contributions,
from the number of actions (placing a picture, trying the code) of each partner.

Actions:
- `place` {puzzle, position, symbol}: put `symbol` at `position` (0-based), or clear
  the position with a null symbol; a symbol placed elsewhere moves;
- `try` {puzzle}: check the full code;
- `next` {puzzle}: move on after seeing the result.
"""

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from iota.yaml_schema import Strict, Text
from performance.games.base import (
    GroupGame,
    InvalidEventError,
    Scores,
    State,
    integer_field,
    not_allowed,
    share,
)

# Pictures the player draws (static/iota/js/task-figures.js).
SymbolKey = Literal["star", "heart", "moon", "sun", "cloud"]


class SymbolName(Strict):
    key: SymbolKey
    text: Text


class Rule(Strict):
    """A clue in a form the file check can test against every order."""

    kind: Literal["at", "not_at", "before", "next_to"]
    symbol: SymbolKey
    # 1-based, for "at" and "not_at".
    position: Annotated[int, Field(ge=1, le=5)] | None = None
    # The second picture, for "before" and "next_to".
    other: SymbolKey | None = None

    @model_validator(mode="after")
    def _arguments_of_kind(self) -> "Rule":
        if self.kind in ("at", "not_at") and self.position is None:
            raise ValueError(
                _("la règle %(kind)s demande position") % {"kind": self.kind}
            )
        if self.kind in ("before", "next_to") and self.other is None:
            raise ValueError(_("la règle %(kind)s demande other") % {"kind": self.kind})
        return self

    def holds(self, order: tuple[str, ...]) -> bool:
        place = order.index(self.symbol)
        if self.kind == "at":
            return place == self.position - 1  # type: ignore[operator]
        if self.kind == "not_at":
            return place != self.position - 1  # type: ignore[operator]
        other = order.index(self.other)  # type: ignore[arg-type]
        if self.kind == "before":
            return place < other
        return abs(place - other) == 1


class Clue(Strict):
    seat: Literal[0, 1]
    text: Text
    rule: Rule


def solutions(symbols: Sequence[str], rules: Iterable[Rule]) -> list[tuple[str, ...]]:
    """Return every order of `symbols` that fits all `rules`."""
    rules = list(rules)
    return [
        order
        for order in itertools.permutations(symbols)
        if all(rule.holds(order) for rule in rules)
    ]


class Puzzle(Strict):
    symbols: Annotated[list[SymbolKey], Field(min_length=3, max_length=5)]
    clues: Annotated[list[Clue], Field(min_length=2)]

    @model_validator(mode="after")
    def _halves_needed_together(self) -> "Puzzle":
        if len(set(self.symbols)) != len(self.symbols):
            raise ValueError(_("chaque image du code doit être différente"))
        for clue in self.clues:
            rule = clue.rule
            used = {rule.symbol, rule.other} - {None}
            if not used <= set(self.symbols) or (
                rule.position is not None and rule.position > len(self.symbols)
            ):
                raise ValueError(
                    _("l’indice « %(text)s » parle d’une image ou d’une place absente")
                    % {"text": clue.text.fr}
                )
        together = solutions(self.symbols, (c.rule for c in self.clues))
        if len(together) != 1:
            raise ValueError(
                _(
                    "tous les indices ensemble donnent %(count)s codes possibles, "
                    "il en faut exactement 1 : ajoutez ou changez un indice"
                )
                % {"count": len(together)}
            )
        for seat in (0, 1):
            half = [clue.rule for clue in self.clues if clue.seat == seat]
            if len(solutions(self.symbols, half)) < 2:
                raise ValueError(
                    _(
                        "les indices de la place %(seat)s suffisent seuls : le "
                        "partenaire n’est plus nécessaire, déplacez un indice"
                    )
                    % {"seat": seat}
                )
        return self

    def answer(self) -> list[str]:
        return list(solutions(self.symbols, (c.rule for c in self.clues))[0])


class SplitCluesTexts(Strict):
    goal: Text
    your_clues: Text
    wrong: Text
    solved: Text
    failed: Text
    end: Text


class SplitCluesContent(Strict):
    symbols: Annotated[list[SymbolName], Field(min_length=3)]
    puzzles: Annotated[list[Puzzle], Field(min_length=1, max_length=6)]
    max_attempts: Annotated[int, Field(ge=1, le=5)]
    texts: SplitCluesTexts

    @model_validator(mode="after")
    def _symbols_named(self) -> "SplitCluesContent":
        named = {symbol.key for symbol in self.symbols}
        for number, puzzle in enumerate(self.puzzles):
            missing = sorted(set(puzzle.symbols) - named)
            if missing:
                raise ValueError(
                    _("puzzles[%(n)s] : %(missing)s n’ont pas de nom sous symbols")
                    % {"n": number, "missing": ", ".join(missing)}
                )
        return self


class SplitClues(GroupGame):
    type = "split-clues"
    skill = "collaboration"
    mode = "pair"
    content_model = SplitCluesContent
    min_size = 2
    max_size = 2
    draw_size = 2
    allows_shared_device = True
    score_names = ("joint_success_share", "contribution_balance", "own_action_share")

    def client_content(self, content: SplitCluesContent) -> dict[str, Any]:
        return content.model_dump(mode="json", exclude={"puzzles"}, exclude_none=True)

    def initial_state(
        self, content: SplitCluesContent, seats: int, rng: random.Random
    ) -> State:
        return {**_new_puzzle(content, 0), "results": [], "actions": [0] * seats}

    def apply(
        self,
        content: SplitCluesContent,
        state: State,
        kind: str,
        payload: Mapping[str, Any],
        seat: int | None,
    ) -> State:
        if state["finished"]:
            raise not_allowed(_("Le jeu est fini."))
        if seat is None:
            raise not_allowed(_("Seuls les élèves jouent."))
        number = integer_field(payload, "puzzle", 0, len(content.puzzles) - 1)
        if number != state["puzzle"]:
            raise not_allowed(_("Ce code est déjà fini."))
        puzzle = content.puzzles[number]
        if kind == "next":
            if state["phase"] != "feedback":
                raise not_allowed(_("Ce code n’est pas fini."))
            if number + 1 >= len(content.puzzles):
                return {**state, "phase": "end", "finished": True}
            return {**state, **_new_puzzle(content, number + 1)}
        if state["phase"] != "play":
            raise not_allowed(_("Ce code est déjà fini."))
        actions = list(state["actions"])
        actions[seat] += 1
        if kind == "place":
            slots = _placed(puzzle, state["slots"], payload)
            return {**state, "slots": slots, "actions": actions, "wrong": False}
        if kind == "try":
            if None in state["slots"]:
                raise not_allowed(_("Place d’abord une image dans chaque case."))
            attempts = state["attempts"] + 1
            solved = state["slots"] == puzzle.answer()
            if not solved and attempts < content.max_attempts:
                return {
                    **state,
                    "attempts": attempts,
                    "actions": actions,
                    "wrong": True,
                }
            result = {"solved": solved, "attempts": attempts}
            return {
                **state,
                "attempts": attempts,
                "actions": actions,
                "wrong": not solved,
                "phase": "feedback",
                "results": [*state["results"], result],
            }
        raise InvalidEventError(
            _("action inconnue « %(kind)s » : place, try ou next") % {"kind": kind}
        )

    def acting_seat(self, content: SplitCluesContent, state: State) -> int | None:
        return None

    def view(
        self,
        content: SplitCluesContent,
        state: State,
        seat: int | None,
        *,
        shared: bool,
    ) -> dict[str, Any]:
        number = state["puzzle"]
        puzzle = content.puzzles[number]
        view: dict[str, Any] = {
            "puzzle": number,
            "puzzles": len(content.puzzles),
            "phase": state["phase"],
            "slots": state["slots"],
            "symbols": puzzle.symbols,
            "attempts": state["attempts"],
            "maxAttempts": content.max_attempts,
            "wrong": state["wrong"],
            "finished": state["finished"],
            "solvedCount": sum(result["solved"] for result in state["results"]),
        }
        if seat is None:
            return view
        # On one shared device both partners read their cards from the same screen.
        seats = (0, 1) if shared else (seat,)
        view["clues"] = {
            str(owner): [
                clue.text.model_dump(exclude_none=True)
                for clue in puzzle.clues
                if clue.seat == owner
            ]
            for owner in seats
        }
        if state["phase"] in ("feedback", "end"):
            view["answer"] = puzzle.answer()
        return view

    def score(self, content: SplitCluesContent, state: State, seat: int) -> Scores:
        # NOTE: on one shared device an action's seat is the name the pupils tapped
        # before acting, so the balance there is only as exact as that tapping.
        actions = state["actions"]
        total = sum(actions)
        balance = 1 - (max(actions) - min(actions)) / total if total else None
        return {
            "joint_success_share": share(
                sum(result["solved"] for result in state["results"]),
                len(state["results"]),
            ),
            "contribution_balance": balance,
            "own_action_share": share(actions[seat], total),
        }


def _new_puzzle(content: SplitCluesContent, number: int) -> State:
    return {
        "puzzle": number,
        "slots": [None] * len(content.puzzles[number].symbols),
        "attempts": 0,
        "wrong": False,
        "phase": "play",
        "finished": False,
    }


def _placed(
    puzzle: Puzzle, slots: list[str | None], payload: Mapping[str, Any]
) -> list:
    position = integer_field(payload, "position", 0, len(puzzle.symbols) - 1)
    symbol = payload.get("symbol")
    if symbol is not None and symbol not in puzzle.symbols:
        raise InvalidEventError(
            _("symbol %(value)r n’est pas une image de ce code") % {"value": symbol}
        )
    placed = [None if slot == symbol else slot for slot in slots]
    placed[position] = symbol
    return placed
