"""Public goods: a repeated class sharing game with tokens (cooperation).

Each round every member receives the same number of tokens and puts some of them in a
common pot. When every member has played, or the teacher closes the round, the pot is
multiplied and shared equally among the members who played the round; each keeps the
tokens they did not put in. Members see the class total and their own share, never
a classmate's contribution, and only the number of classmates who have played.

Actions:
- `contribute` {round, tokens}: a member's contribution to round `round` (1-based);
- `close_round` {round}: the teacher ends the round without the missing members.
"""

import random
from collections.abc import Mapping
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import Field

from iota.yaml_schema import Strict, Text
from performance.games.base import (
    GroupGame,
    Scores,
    State,
    integer_field,
    not_allowed,
    share,
)

MIN_GROUP_SIZE = 3


class PublicGoodsTexts(Strict):
    # "{endowment}" is replaced by the number of tokens of each round.
    give: Text
    waiting: Text
    result: Text
    end: Text


class PublicGoodsContent(Strict):
    rounds: Annotated[int, Field(ge=1, le=10)]
    endowment: Annotated[int, Field(ge=2, le=20)]
    # Above 1, so that the pot pays back more than was put in, and below 3, the
    # smallest group size, so that each member keeps more by giving nothing. That
    # gap between the group's and each member's interest is the social dilemma.
    multiplier: Annotated[float, Field(gt=1, lt=MIN_GROUP_SIZE)]
    texts: PublicGoodsTexts


class PublicGoods(GroupGame):
    type = "public-goods"
    skill = "cooperation"
    mode = "group"
    content_model = PublicGoodsContent
    min_size = MIN_GROUP_SIZE
    max_size = 40
    draw_size = None
    # A classmate would see each contribution on a shared screen.
    allows_shared_device = False
    score_names = (
        "first_contribution_share",
        "mean_contribution_share",
        "rounds_played",
    )

    def initial_state(
        self, content: PublicGoodsContent, seats: int, rng: random.Random
    ) -> State:
        return {
            "seats": seats,
            "round": 1,
            "current": {},
            "history": [],
            "finished": False,
        }

    def apply(
        self,
        content: PublicGoodsContent,
        state: State,
        kind: str,
        payload: Mapping[str, Any],
        seat: int | None,
    ) -> State:
        if state["finished"]:
            raise not_allowed(_("Le jeu est fini."))
        number = integer_field(payload, "round", 1, content.rounds)
        if number != state["round"]:
            raise not_allowed(_("Ce tour est déjà terminé."))
        if kind == "contribute":
            if seat is None:
                raise not_allowed(_("Seuls les élèves mettent des jetons."))
            tokens = integer_field(payload, "tokens", 0, content.endowment)
            if str(seat) in state["current"]:
                raise not_allowed(_("Tu as déjà joué ce tour."))
            current = {**state["current"], str(seat): tokens}
            new_state = {**state, "current": current}
            if len(current) == state["seats"]:
                return _close_round(content, new_state)
            return new_state
        if kind == "close_round":
            if seat is not None:
                raise not_allowed(_("Seul l’enseignant ou l’enseignante clôt un tour."))
            if not state["current"]:
                raise not_allowed(_("Personne n’a encore joué ce tour."))
            return _close_round(content, state)
        raise not_allowed(
            _("action inconnue « %(kind)s » : contribute ou close_round")
            % {"kind": kind}
        )

    def acting_seat(self, content: PublicGoodsContent, state: State) -> int | None:
        return None

    def view(
        self,
        content: PublicGoodsContent,
        state: State,
        seat: int | None,
        *,
        shared: bool,
    ) -> dict[str, Any]:
        view: dict[str, Any] = {
            "round": state["round"],
            "rounds": content.rounds,
            "endowment": content.endowment,
            "multiplier": content.multiplier,
            "groupSize": state["seats"],
            "playedCount": len(state["current"]),
            "finished": state["finished"],
        }
        if seat is None:
            return view
        key = str(seat)
        view["played"] = state["current"].get(key)
        view["last"] = None
        total = 0.0
        for number, closed in enumerate(state["history"], start=1):
            own = closed["contributions"].get(key)
            if own is None:
                continue
            earned = content.endowment - own + closed["share"]
            total += earned
            view["last"] = {
                "round": number,
                "own": own,
                "pot": closed["pot"],
                "returned": closed["returned"],
                "share": closed["share"],
                "earned": earned,
            }
        view["total"] = total
        return view

    def score(self, content: PublicGoodsContent, state: State, seat: int) -> Scores:
        key = str(seat)
        given = [
            closed["contributions"][key]
            for closed in state["history"]
            if key in closed["contributions"]
        ]
        first = state["history"][0]["contributions"] if state["history"] else {}
        return {
            "first_contribution_share": (
                first[key] / content.endowment if key in first else None
            ),
            "mean_contribution_share": share(
                sum(given), content.endowment * len(given)
            ),
            "rounds_played": len(given),
        }


def _close_round(content: PublicGoodsContent, state: State) -> State:
    contributions = state["current"]
    pot = sum(contributions.values())
    returned = pot * content.multiplier
    closed = {
        "contributions": contributions,
        "pot": pot,
        "returned": returned,
        # Shared among the members who played the round, so an absent pupil neither
        # gains from nor lowers the others' share.
        "share": returned / len(contributions),
    }
    history = [*state["history"], closed]
    finished = len(history) >= content.rounds
    return {
        **state,
        "round": state["round"] if finished else state["round"] + 1,
        "current": {},
        "history": history,
        "finished": finished,
    }
