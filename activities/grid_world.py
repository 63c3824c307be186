"""Grid world and limits of a coding challenge: the schema, its constants and checks.

A grid world is a JSON-able dict, schema version 1::

    {"schema_version": 1, "width": 5, "height": 3,
     "tiles": ["#####", "#S.G#", "#####"],
     "robot": {"x": 1, "y": 1, "heading": "east"},
     "items": [{"x": 2, "y": 1}],
     "win": "reach_goal_with_all_items"}

Each row of `tiles` has one character per tile: `#` wall, `.` open, `S` start, `G` goal,
`X` obstacle. Row 0 is the top row and x counts from the left, so moving north
decreases y. The robot starts on the one `S` tile. Items lie on open, start or goal
tiles. `win` is `reach_goal` (the default) or `reach_goal_with_all_items`.

A challenge's limits are a dict with `max_blocks` (none by default), `allowed_blocks`
(a list of block types, every type by default) and `max_steps`. `activities.engine`
runs programs on them.
"""

import difflib
import json
from collections.abc import Mapping
from typing import Any, TypedDict, TypeGuard

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SCHEMA_VERSION = 1

START_BLOCK = "robot_when_run"
MOVE_FORWARD = "robot_move_forward"
TURN_LEFT = "robot_turn_left"
TURN_RIGHT = "robot_turn_right"
COLLECT = "robot_collect"
REPEAT = "robot_repeat"
REPEAT_UNTIL_GOAL = "robot_repeat_until_goal"
IF_PATH_AHEAD = "robot_if_path_ahead"
IF_WALL_AHEAD = "robot_if_wall_ahead"
IF_ITEM_HERE = "robot_if_item_here"

# The blocks a pupil places under the start block, in toolbox order.
PROGRAM_BLOCK_TYPES = (
    MOVE_FORWARD,
    TURN_LEFT,
    TURN_RIGHT,
    COLLECT,
    REPEAT,
    REPEAT_UNTIL_GOAL,
    IF_PATH_AHEAD,
    IF_WALL_AHEAD,
    IF_ITEM_HERE,
)
BLOCK_TYPES = (START_BLOCK, *PROGRAM_BLOCK_TYPES)

WALL, OPEN, START, GOAL, OBSTACLE = "#", ".", "S", "G", "X"
TILE_NAMES = {
    WALL: gettext_lazy("mur"),
    OPEN: gettext_lazy("libre"),
    START: gettext_lazy("départ"),
    GOAL: gettext_lazy("arrivée"),
    OBSTACLE: gettext_lazy("obstacle"),
}
HEADINGS = {"north": (0, -1), "east": (1, 0), "south": (0, 1), "west": (-1, 0)}
WIN_RULES = ("reach_goal", "reach_goal_with_all_items")

MAX_GRID_SIDE = 40
DEFAULT_MAX_STEPS = 1000
MAX_STEPS = 10_000
# A chain of blocks nests two JSON objects per block, and CPython 3.12's json module
# raises RecursionError somewhere between 1,000 and 1,500 levels (it depends on the
# stack in use), so this cap keeps every accepted program decodable by
# `activities.engine.parse_program`.
MAX_PROGRAM_BLOCKS = 400

_GRID_KEYS = ("schema_version", "width", "height", "tiles", "robot", "items", "win")
_ROBOT_KEYS = ("x", "y", "heading")
_ITEM_KEYS = ("x", "y")
_LIMIT_KEYS = ("max_blocks", "allowed_blocks", "max_steps")


class Limits(TypedDict):
    max_blocks: int | None
    allowed_blocks: tuple[str, ...] | None
    max_steps: int


class ChallengeError(ValueError):
    """A grid world or limits that break the schema, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} : {message}")
        self.field = field
        self.message = message


def validate_grid(grid: Any) -> None:
    """Raise ChallengeError, naming the field and the fix, unless the grid is valid."""
    if not isinstance(grid, Mapping):
        raise ChallengeError("grid", _("La grille doit être un objet avec des champs."))
    _reject_unknown_keys(grid, _GRID_KEYS, "")
    version = grid.get("schema_version")
    if not _is_int(version) or version != SCHEMA_VERSION:
        raise ChallengeError(
            "schema_version",
            _("La version %(value)s n’est pas prise en charge. Indiquez %(expected)d.")
            % {"value": _show(version), "expected": SCHEMA_VERSION},
        )

    width = _read_side(grid, "width")
    height = _read_side(grid, "height")
    tiles = _validate_tiles(grid.get("tiles"), width, height)
    _validate_robot(grid.get("robot"), tiles, width, height)

    items = grid.get("items", [])
    _validate_items(items, tiles, width, height)
    _validate_win(grid.get("win", "reach_goal"), items)


def validate_limits(limits: Mapping[str, Any] | None) -> Limits:
    """Return the limits with defaults filled in, or raise ChallengeError."""
    if limits is None:
        limits = {}
    if not isinstance(limits, Mapping):
        raise ChallengeError("limits", _("Les limites doivent être un objet."))
    _reject_unknown_keys(limits, _LIMIT_KEYS, "limits")
    max_steps = limits.get("max_steps")
    if max_steps is None:
        max_steps = DEFAULT_MAX_STEPS
    elif not _is_int(max_steps) or not 1 <= max_steps <= MAX_STEPS:
        raise _range_error("limits.max_steps", max_steps, 1, MAX_STEPS)
    max_blocks = limits.get("max_blocks")
    if max_blocks is not None and (
        not _is_int(max_blocks) or not 1 <= max_blocks <= MAX_PROGRAM_BLOCKS
    ):
        raise _range_error("limits.max_blocks", max_blocks, 1, MAX_PROGRAM_BLOCKS)
    allowed = limits.get("allowed_blocks")
    if allowed is not None:
        allowed = _read_allowed_blocks(allowed)
    return {"max_blocks": max_blocks, "allowed_blocks": allowed, "max_steps": max_steps}


def _read_allowed_blocks(allowed: Any) -> tuple[str, ...]:
    if not isinstance(allowed, list | tuple):
        raise ChallengeError(
            "limits.allowed_blocks",
            _("Indiquez une liste de types de blocs, par exemple [%(example)s].")
            % {"example": MOVE_FORWARD},
        )
    for index, kind in enumerate(allowed):
        if kind not in PROGRAM_BLOCK_TYPES:
            raise ChallengeError(
                f"limits.allowed_blocks[{index}]",
                _("Le type de bloc %(value)s est inconnu.%(hint)s")
                % {"value": _show(kind), "hint": _suggest(kind, PROGRAM_BLOCK_TYPES)},
            )
    return tuple(allowed)


def _range_error(field: str, value: Any, low: int, high: int) -> ChallengeError:
    return ChallengeError(
        field,
        _("La valeur %(value)s est invalide. Indiquez un entier de %(low)d à %(high)d.")
        % {"value": _show(value), "low": low, "high": high},
    )


def _show(value: Any) -> str:
    """Return a value as it appears in a JSON file, quotes included."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _suggest(value: Any, choices: tuple[str, ...]) -> str:
    matches = difflib.get_close_matches(str(value), choices, n=1)
    if matches:
        return " " + _("Vouliez-vous dire %(match)s ?") % {"match": matches[0]}
    return " " + _("Valeurs possibles : %(choices)s.") % {"choices": ", ".join(choices)}


def _reject_unknown_keys(
    mapping: Mapping[str, Any], known: tuple[str, ...], field: str
) -> None:
    for key in mapping:
        if key not in known:
            raise ChallengeError(
                f"{field}.{key}" if field else str(key),
                _("Le champ %(key)s est inconnu.%(hint)s")
                % {"key": _show(key), "hint": _suggest(key, known)},
            )


def _read_side(grid: Mapping[str, Any], field: str) -> int:
    value = grid.get(field)
    if not _is_int(value) or not 1 <= value <= MAX_GRID_SIDE:
        raise _range_error(field, value, 1, MAX_GRID_SIDE)
    return value


def _validate_tiles(tiles: Any, width: int, height: int) -> list[str]:
    if not isinstance(tiles, list) or len(tiles) != height:
        raise ChallengeError(
            "tiles",
            _("Indiquez une liste de %(height)d lignes (la hauteur de la grille).")
            % {"height": height},
        )
    for y, row in enumerate(tiles):
        if not isinstance(row, str) or len(row) != width:
            raise ChallengeError(
                f"tiles[{y}]",
                _("La ligne %(row)s doit avoir %(width)d cases (la largeur).")
                % {"row": _show(row), "width": width},
            )
        for x, char in enumerate(row):
            if char not in TILE_NAMES:
                raise ChallengeError(
                    f"tiles[{y}]",
                    _(
                        "Le caractère « %(char)s » en colonne %(x)d est inconnu. "
                        "Utilisez %(legend)s."
                    )
                    % {"char": char, "x": x, "legend": _tile_legend()},
                )
    starts = sum(row.count(START) for row in tiles)
    if starts != 1:
        raise ChallengeError(
            "tiles",
            _("La grille a %(count)d cases S. Placez exactement une case S (départ).")
            % {"count": starts},
        )
    if not any(GOAL in row for row in tiles):
        raise ChallengeError(
            "tiles", _("La grille n’a pas de case G. Placez au moins une arrivée.")
        )
    return tiles


def _tile_legend() -> str:
    return ", ".join(f"{char} ({name})" for char, name in TILE_NAMES.items())


def _read_position(
    value: Mapping[str, Any], field: str, width: int, height: int
) -> tuple[int, int]:
    x = _read_coordinate(value, field, "x", width)
    y = _read_coordinate(value, field, "y", height)
    return x, y


def _read_coordinate(value: Mapping[str, Any], field: str, name: str, side: int) -> int:
    coordinate = value.get(name)
    if not _is_int(coordinate) or not 0 <= coordinate < side:
        raise _range_error(f"{field}.{name}", coordinate, 0, side - 1)
    return coordinate


def _validate_robot(robot: Any, tiles: list[str], width: int, height: int) -> None:
    if not isinstance(robot, Mapping):
        raise ChallengeError(
            "robot",
            _("Indiquez la position et la direction, par exemple %(example)s.")
            % {"example": '{"x": 1, "y": 1, "heading": "east"}'},
        )
    _reject_unknown_keys(robot, _ROBOT_KEYS, "robot")
    x, y = _read_position(robot, "robot", width, height)
    if tiles[y][x] != START:
        start_y = next(row for row, line in enumerate(tiles) if START in line)
        start_x = tiles[start_y].index(START)
        raise ChallengeError(
            "robot",
            _(
                "Le robot est en (%(x)d, %(y)d), mais la case S est en "
                "(%(start_x)d, %(start_y)d). Donnez-leur la même position."
            )
            % {"x": x, "y": y, "start_x": start_x, "start_y": start_y},
        )
    heading = robot.get("heading")
    if heading not in HEADINGS:
        raise ChallengeError(
            "robot.heading",
            _("La direction %(value)s est inconnue. Choisissez %(choices)s.")
            % {"value": _show(heading), "choices": ", ".join(HEADINGS)},
        )


def _validate_items(items: Any, tiles: list[str], width: int, height: int) -> None:
    if not isinstance(items, list):
        raise ChallengeError(
            "items",
            _('Indiquez une liste de positions, par exemple [{"x": 2, "y": 1}].'),
        )
    seen = set()
    for index, item in enumerate(items):
        field = f"items[{index}]"
        if not isinstance(item, Mapping):
            raise ChallengeError(field, _('Indiquez une position {"x": …, "y": …}.'))
        _reject_unknown_keys(item, _ITEM_KEYS, field)
        x, y = _read_position(item, field, width, height)
        if tiles[y][x] in (WALL, OBSTACLE):
            raise ChallengeError(
                field,
                _("L’objet en (%(x)d, %(y)d) est sur une case %(tile)s. Déplacez-le.")
                % {"x": x, "y": y, "tile": TILE_NAMES[tiles[y][x]]},
            )
        if (x, y) in seen:
            raise ChallengeError(
                field,
                _("Un autre objet est déjà en (%(x)d, %(y)d). Retirez le doublon.")
                % {"x": x, "y": y},
            )
        seen.add((x, y))


def _validate_win(win: Any, items: list[Any]) -> None:
    if win not in WIN_RULES:
        raise ChallengeError(
            "win",
            _("La règle %(value)s est inconnue. Choisissez %(choices)s.")
            % {"value": _show(win), "choices": get_text_list(list(WIN_RULES), _("ou"))},
        )
    if win == "reach_goal_with_all_items" and not items:
        raise ChallengeError(
            "win",
            _(
                "La règle demande de ramasser tous les objets, mais la liste items est "
                "vide. Ajoutez des objets ou choisissez reach_goal."
            ),
        )
