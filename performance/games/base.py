"""What every game provides: its content schema, its rules and its scores.

A game is the code behind one `type` of task file. A `SoloGame` is played by one
pupil: the browser sends events, the server checks their shape and stores them, and
scoring replays them. A `GroupGame` is played by a pair or a group: the server keeps
the state, applies each member's action to it (or rejects the action when the rules
forbid it at that point), and shows each member the part of the state their seat may
see. Every function here is pure: it reads the content, the state or the events and
returns a value, so the rules and scores are tested without a database.
"""

import builtins
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from django.utils.translation import gettext as _

from iota.yaml_schema import Strict

Score = float | int | None
Scores = dict[str, Score]
State = dict[str, Any]


class InvalidEventError(Exception):
    """An event or action the game rejects.

    `code` is stable for the API. "invalid_event" marks an event whose shape is
    wrong, from a bug or a tampered request. "not_allowed" marks an action the
    rules forbid in the current state, because another pupil acted first or it is
    not the pupil's turn.
    `message` is French, for the pupil or the developer.
    """

    def __init__(self, message: str, code: str = "invalid_event") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def not_allowed(message: str) -> InvalidEventError:
    return InvalidEventError(message, code="not_allowed")


@dataclass(frozen=True)
class Event:
    """One stored event of a pupil playing alone, in the order the browser gave."""

    kind: str
    payload: Mapping[str, Any]


def integer_field(
    payload: Mapping[str, Any], name: str, lowest: int, highest: int | None = None
) -> int:
    """Return the integer `payload[name]`, raising InvalidEventError when invalid."""
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEventError(
            _("le champ %(name)s doit être un nombre entier (trouvé : %(value)r)")
            % {"name": name, "value": value}
        )
    if value < lowest or (highest is not None and value > highest):
        raise InvalidEventError(
            _("le champ %(name)s vaut %(value)s, hors de %(low)s à %(high)s")
            % {
                "name": name,
                "value": value,
                "low": lowest,
                "high": "∞" if highest is None else highest,
            }
        )
    return value


def choice_field(payload: Mapping[str, Any], name: str, choices: Sequence[str]) -> str:
    """Return `payload[name]` when it is one of `choices`, else raise an error."""
    value = payload.get(name)
    if not isinstance(value, str) or value not in choices:
        raise InvalidEventError(
            _("le champ %(name)s doit valoir %(choices)s (trouvé : %(value)r)")
            % {"name": name, "choices": ", ".join(choices), "value": value}
        )
    return value


def share(part: float, whole: float) -> float | None:
    """Return part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


class Game(ABC):
    """The code behind one type of task file."""

    type: ClassVar[str]
    skill: ClassVar[str]
    mode: ClassVar[Literal["solo", "pair", "group"]]
    # builtins.type, because the class attribute `type` above shadows the builtin.
    content_model: ClassVar[builtins.type[Strict]]
    # The scores `score` returns, in the order reports show them.
    score_names: ClassVar[tuple[str, ...]]

    def client_content(self, content: Any) -> dict[str, Any]:
        """Return the content the pupil's browser receives with the page.

        Games whose content contains answers (a target, the clues of the other
        partner) leave them out: the browser gets them through `view` when the
        pupil may see them.
        """
        return dict(content.model_dump(mode="json", exclude_none=True))


class SoloGame(Game):
    mode = "solo"

    @abstractmethod
    def prepare(self, content: Any, rng: random.Random) -> dict[str, Any]:
        """Draw the material of one run, stored in TaskRun.material."""

    @abstractmethod
    def check_event(
        self, content: Any, material: Mapping[str, Any], event: Event
    ) -> None:
        """Raise InvalidEventError when the event's kind or payload is invalid."""

    @abstractmethod
    def is_complete(
        self, content: Any, material: Mapping[str, Any], events: Sequence[Event]
    ) -> bool:
        """Tell whether the events finish the task."""

    @abstractmethod
    def score(
        self, content: Any, material: Mapping[str, Any], events: Sequence[Event]
    ) -> Scores:
        """Return the run's scores, named as in `score_names`."""


class GroupGame(Game):
    # Group sizes the teacher may form, and the size a random draw makes (None: the
    # whole class in one group).
    min_size: ClassVar[int]
    max_size: ClassVar[int]
    draw_size: ClassVar[int | None]
    # Whether a group may play on one shared device, taking turns.
    allows_shared_device: ClassVar[bool]

    @abstractmethod
    def initial_state(self, content: Any, seats: int, rng: random.Random) -> State:
        """Return the state of a new group of `seats` members."""

    @abstractmethod
    def apply(
        self,
        content: Any,
        state: State,
        kind: str,
        payload: Mapping[str, Any],
        seat: int | None,
    ) -> State:
        """Return the state after the action of `seat` (None: the teacher).

        Raises InvalidEventError when the action is malformed or the rules forbid it
        in `state`. Never changes `state` in place.
        """

    @abstractmethod
    def acting_seat(self, content: Any, state: State) -> int | None:
        """Return the seat whose turn it is, or None when any member may act."""

    @abstractmethod
    def view(
        self, content: Any, state: State, seat: int | None, *, shared: bool
    ) -> dict[str, Any]:
        """Return what the member at `seat` may see (None: the teacher).

        `shared` is true when the whole group plays on one device, which then shows
        what the acting member may see.
        """

    def is_finished(self, state: State) -> bool:
        return bool(state.get("finished"))

    @abstractmethod
    def score(self, content: Any, state: State, seat: int) -> Scores:
        """Return the scores of the member at `seat`, named as in `score_names`."""
