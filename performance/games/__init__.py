"""The games behind the task files, by the `type` a file names."""

from performance.games.base import Game, GroupGame, SoloGame
from performance.games.effort_choice import EffortChoice
from performance.games.public_goods import PublicGoods
from performance.games.referential import Referential
from performance.games.split_clues import SplitClues

GAMES: dict[str, Game] = {
    game.type: game
    for game in (EffortChoice(), PublicGoods(), Referential(), SplitClues())
}

__all__ = ["GAMES", "Game", "GroupGame", "SoloGame"]
