"""Effort choice: rounds of number puzzles at an easy or a hard level (perseverance).

Before each round the pupil chooses the level of the next puzzle; the hard one earns
more stars when solved. A puzzle is a grid of numbers in which the pupil finds pairs
that add up to the level's target, within a time limit. After the round the pupil
sees whether they succeeded. This follows the real-effort task Alan, Boneva and
Ertac (Quarterly Journal of Economics 134(3), 2019) used with 8- to 10-year-olds: a
grid of numbers in which to find pairs adding up to 100 within 90 seconds, over five
rounds, each preceded by the choice between an easier and a harder, better-paid
puzzle.

Events, in the order the browser sends them:
- `choose` {round, level}: the level of round `round` (1-based);
- `pair` {round, cells: [i, j], elapsed_ms}: the two cells tapped as a pair;
- `end` {round, outcome: "success" | "timeout" | "give_up", elapsed_ms}.
Scoring never trusts the browser's verdict: it replays the pairs against the grid
stored for the run, and a round succeeds when enough distinct correct pairs were found
before the time limit.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from iota.yaml_schema import Strict, Text
from performance.games.base import (
    Event,
    InvalidEventError,
    Scores,
    SoloGame,
    choice_field,
    integer_field,
    share,
)

LEVELS = ("easy", "hard")
OUTCOMES = ("success", "timeout", "give_up")
# Events may report a little more than the time limit: the browser's timer fires
# after the limit, not exactly on it.
ELAPSED_SLACK_MS = 5000


class Level(Strict):
    label: Text
    target: Annotated[int, Field(ge=2, le=1000)]
    smallest: Annotated[int, Field(ge=0)]
    largest: Annotated[int, Field(ge=1, le=999)]
    step: Annotated[int, Field(ge=1)] = 1
    rows: Annotated[int, Field(ge=2, le=6)]
    columns: Annotated[int, Field(ge=2, le=6)]
    # Stars earned when the puzzle is solved.
    reward: Annotated[int, Field(ge=1, le=10)]

    def values(self) -> list[int]:
        return list(range(self.smallest, self.largest + 1, self.step))

    def pair_values(self) -> list[int]:
        """Return the numbers a whose complement target - a is also on offer."""
        values = set(self.values())
        return sorted(a for a in values if self.target - a in values)

    @model_validator(mode="after")
    def _has_pairs(self) -> "Level":
        if self.largest <= self.smallest:
            raise ValueError(
                _("largest (%(largest)s) doit être plus grand que smallest (%(low)s)")
                % {"largest": self.largest, "low": self.smallest}
            )
        if not self.pair_values():
            raise ValueError(
                _(
                    "aucune paire de nombres de %(low)s à %(high)s (pas de %(step)s) "
                    "ne fait %(target)s : changez target ou les bornes"
                )
                % {
                    "low": self.smallest,
                    "high": self.largest,
                    "step": self.step,
                    "target": self.target,
                }
            )
        return self


class Levels(Strict):
    easy: Level
    hard: Level

    def get(self, key: str) -> Level:
        return self.easy if key == "easy" else self.hard


class EffortTexts(Strict):
    choose: Text
    # "{target}" and "{pairs}" are replaced by the level's target and pair count.
    goal: Text
    success: Text
    failure: Text
    give_up: Text
    end: Text

    @model_validator(mode="after")
    def _goal_names_target(self) -> "EffortTexts":
        if "{target}" not in self.goal.fr:
            raise ValueError(
                _("goal.fr doit contenir {target}, remplacé par le nombre à atteindre")
            )
        return self


class EffortChoiceContent(Strict):
    rounds: Annotated[int, Field(ge=2, le=10)]
    time_limit_seconds: Annotated[int, Field(ge=10, le=600)]
    pairs_to_find: Annotated[int, Field(ge=1, le=8)]
    levels: Levels
    texts: EffortTexts

    @model_validator(mode="after")
    def _levels_fit(self) -> "EffortChoiceContent":
        for key in LEVELS:
            level = self.levels.get(key)
            cells = level.rows * level.columns
            if cells < 2 * self.pairs_to_find:
                raise ValueError(
                    _(
                        "le niveau %(level)s a %(cells)s cases, trop peu pour "
                        "%(pairs)s paires : agrandissez la grille"
                    )
                    % {"level": key, "cells": cells, "pairs": self.pairs_to_find}
                )
        if self.levels.hard.reward <= self.levels.easy.reward:
            raise ValueError(
                _(
                    "le niveau hard doit rapporter plus d’étoiles que easy, sinon "
                    "le choix du difficile ne mesure plus l’effort"
                )
            )
        return self


@dataclass
class RoundRecord:
    """One round replayed from the events."""

    number: int
    level: str | None = None
    pairs_found: int = 0
    wrong_pairs: int = 0
    # Pair attempts made right after a wrong pair in the same round.
    retries: int = 0
    outcome: str | None = None
    elapsed_ms: int = 0
    succeeded: bool = False

    @property
    def ended(self) -> bool:
        return self.outcome is not None


def draw_grid(level: Level, pairs: int, rng: random.Random) -> list[int]:
    """Draw a grid holding at least `pairs` pairs adding up to the level's target.

    The other cells are drawn from the level's numbers and may form more pairs, so a
    pupil can succeed with any correct pairs, not only the planted ones.
    """
    candidates = level.pair_values()
    cells: list[int] = []
    for _index in range(pairs):
        first = rng.choice(candidates)
        cells += [first, level.target - first]
    values = level.values()
    while len(cells) < level.rows * level.columns:
        cells.append(rng.choice(values))
    rng.shuffle(cells)
    return cells


def replay_rounds(
    content: EffortChoiceContent,
    material: Mapping[str, Any],
    events: Sequence[Event],
) -> list[RoundRecord]:
    """Replay the events against the run's grids, one record per round.

    A round's first `choose` fixes its level. Pairs before that choice, after the
    round's `end`, or past the time limit do not count.
    """
    limit_ms = content.time_limit_seconds * 1000
    records = {number: RoundRecord(number) for number in range(1, content.rounds + 1)}
    used: dict[int, set[int]] = {number: set() for number in records}
    last_was_wrong: dict[int, bool] = dict.fromkeys(records, False)
    for event in events:
        record = records.get(event.payload.get("round", 0))
        if record is None or record.ended:
            continue
        if event.kind == "choose":
            record.level = record.level or event.payload.get("level")
        elif event.kind == "pair" and record.level is not None:
            if event.payload.get("elapsed_ms", 0) > limit_ms:
                continue
            if last_was_wrong[record.number]:
                record.retries += 1
            grid = material["grids"][record.number - 1][record.level]
            target = content.levels.get(record.level).target
            first, second = event.payload["cells"]
            taken = used[record.number]
            if (
                max(first, second) >= len(grid)
                or first in taken
                or second in taken
                or grid[first] + grid[second] != target
            ):
                record.wrong_pairs += 1
                last_was_wrong[record.number] = True
            else:
                record.pairs_found += 1
                taken.update((first, second))
                last_was_wrong[record.number] = False
        elif event.kind == "end":
            record.outcome = event.payload.get("outcome")
            record.elapsed_ms = min(int(event.payload.get("elapsed_ms", 0)), limit_ms)
            record.succeeded = (
                record.level is not None and record.pairs_found >= content.pairs_to_find
            )
    return [records[number] for number in sorted(records)]


def _check_cells(cells: object, grids: Mapping[str, list[int]]) -> None:
    # The event does not name the round's level, so a cell is checked against the
    # larger grid here, and replay_rounds counts a cell outside the chosen grid wrong.
    size = max(len(grid) for grid in grids.values())
    if (
        not isinstance(cells, list)
        or len(cells) != 2
        or any(isinstance(cell, bool) or not isinstance(cell, int) for cell in cells)
        or cells[0] == cells[1]
        or min(cells) < 0
        or max(cells) >= size
    ):
        raise InvalidEventError(
            _("cells doit être deux cases différentes de la grille (trouvé : %(v)r)")
            % {"v": cells}
        )


class EffortChoice(SoloGame):
    type = "effort-choice"
    skill = "perseverance"
    content_model = EffortChoiceContent
    score_names = (
        "hard_choice_share",
        "hard_after_failure_share",
        "time_on_task_seconds",
        "retries",
        "success_share",
        "give_ups",
        "rounds_played",
        "stars",
    )

    def prepare(
        self, content: EffortChoiceContent, rng: random.Random
    ) -> dict[str, Any]:
        grids = [
            {
                key: draw_grid(content.levels.get(key), content.pairs_to_find, rng)
                for key in LEVELS
            }
            for _round in range(content.rounds)
        ]
        return {"grids": grids}

    def check_event(
        self, content: EffortChoiceContent, material: Mapping[str, Any], event: Event
    ) -> None:
        payload = event.payload
        number = integer_field(payload, "round", 1, content.rounds)
        limit_ms = content.time_limit_seconds * 1000 + ELAPSED_SLACK_MS
        if event.kind == "choose":
            choice_field(payload, "level", LEVELS)
        elif event.kind == "pair":
            integer_field(payload, "elapsed_ms", 0, limit_ms)
            _check_cells(payload.get("cells"), material["grids"][number - 1])
        elif event.kind == "end":
            choice_field(payload, "outcome", OUTCOMES)
            integer_field(payload, "elapsed_ms", 0, limit_ms)
        else:
            raise InvalidEventError(
                _("type d’événement inconnu « %(kind)s » : choose, pair ou end")
                % {"kind": event.kind}
            )

    def is_complete(
        self,
        content: EffortChoiceContent,
        material: Mapping[str, Any],
        events: Sequence[Event],
    ) -> bool:
        return all(record.ended for record in replay_rounds(content, material, events))

    def score(
        self,
        content: EffortChoiceContent,
        material: Mapping[str, Any],
        events: Sequence[Event],
    ) -> Scores:
        records = replay_rounds(content, material, events)
        chosen = [record for record in records if record.level is not None]
        ended = [record for record in records if record.ended]
        after_failure = [
            following
            for previous, following in zip(records, records[1:], strict=False)
            if previous.ended and not previous.succeeded and following.level
        ]
        return {
            "hard_choice_share": share(
                sum(record.level == "hard" for record in chosen), len(chosen)
            ),
            "hard_after_failure_share": share(
                sum(record.level == "hard" for record in after_failure),
                len(after_failure),
            ),
            "time_on_task_seconds": sum(record.elapsed_ms for record in ended) / 1000,
            "retries": sum(record.retries for record in records),
            "success_share": share(
                sum(record.succeeded for record in ended), len(ended)
            ),
            "give_ups": sum(record.outcome == "give_up" for record in ended),
            "rounds_played": len(ended),
            "stars": sum(
                content.levels.get(record.level).reward
                for record in ended
                if record.succeeded and record.level is not None
            ),
        }
