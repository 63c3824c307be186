"""Grid world engine of the coding challenges: runs a pupil's block program on a grid.

A challenge defines a grid world (a dict checked by `validate_grid`) and limits (checked
by `validate_limits`). The pupil's program is the JSON that Blockly's
`Blockly.serialization.workspaces.save` returns. `run_program` runs it and returns the
outcome and the trace that the browser animates. `static/iota/js/grid-engine.js` applies
the same rules, and the vectors in `activities/engine_vectors/` run through both engines
in the tests, so a program the browser shows as solved is solved on the server too.
The engine is deterministic and does no I/O.

Grid world, schema version 1::

    {"schema_version": 1, "width": 5, "height": 3,
     "tiles": ["#####", "#S.G#", "#####"],
     "robot": {"x": 1, "y": 1, "heading": "east"},
     "items": [{"x": 2, "y": 1}],
     "win": "reach_goal_with_all_items"}

Each row of `tiles` has one character per tile: `#` wall, `.` open, `S` start, `G` goal,
`X` obstacle. Row 0 is the top row and x counts from the left, so moving north
decreases y. The robot starts on the one `S` tile. Items lie on open, start or goal
tiles. `win` is `reach_goal` (the default) or `reach_goal_with_all_items`.

Program rules:

- Only the stack under the one enabled `robot_when_run` block runs. Other top-level
  stacks are ignored. A disabled block is skipped with its inputs, and its next block
  runs.
- Before running, the stack is checked in execution order (a block, its DO input, its
  ELSE input, then its next block). The first unknown type gives `unknown_block`, the
  first type outside the allowed blocks gives `block_not_allowed`, and a malformed block
  gives `invalid_program`. After that walk, more counted blocks than `max_blocks` gives
  `block_limit_exceeded`. Every enabled block under the start block counts, shadow
  blocks included. The start block itself does not count.
- Each executed block is one step and adds one event to the trace: an action, one
  iteration of `robot_repeat`, one test of `robot_repeat_until_goal` or one test of an
  `if` block. A block that would run as step `max_steps + 1` stops the run with
  `step_limit_reached`, so a loop that never ends always stops.
- A move into a wall, an obstacle or off the grid stops the run with `wall_hit`,
  `obstacle_hit` or `out_of_grid`, and the robot stays where it was. Reaching a goal
  tile with the win rule met stops the run with `success` at once.
- A program that ends without winning gives `items_not_collected` when the robot stands
  on a goal but items remain, and `goal_not_reached` otherwise.
- "Wall ahead" is true for a wall or the edge of the grid. "Path ahead" is true for an
  open, start or goal tile, so an obstacle ahead makes both tests false.
- `robot_collect` with no item on the robot's tile does nothing and records the result
  `nothing_here`.
"""

import difflib
import json
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

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
IF_BLOCKS = frozenset({IF_PATH_AHEAD, IF_WALL_AHEAD, IF_ITEM_HERE})
CONTAINER_BLOCKS = IF_BLOCKS | {REPEAT, REPEAT_UNTIL_GOAL}

OUTCOMES = (
    "success",
    "wall_hit",
    "obstacle_hit",
    "out_of_grid",
    "goal_not_reached",
    "items_not_collected",
    "block_limit_exceeded",
    "block_not_allowed",
    "step_limit_reached",
    "unknown_block",
    "invalid_program",
)

WALL, OPEN, START, GOAL, OBSTACLE = "#", ".", "S", "G", "X"
TILE_NAMES = {
    WALL: gettext_lazy("mur"),
    OPEN: gettext_lazy("libre"),
    START: gettext_lazy("départ"),
    GOAL: gettext_lazy("arrivée"),
    OBSTACLE: gettext_lazy("obstacle"),
}
HEADINGS = {"north": (0, -1), "east": (1, 0), "south": (0, 1), "west": (-1, 0)}
_LEFT_OF = {"north": "west", "west": "south", "south": "east", "east": "north"}
_RIGHT_OF = {heading: left for left, heading in _LEFT_OF.items()}
WIN_RULES = ("reach_goal", "reach_goal_with_all_items")

MAX_GRID_SIDE = 40
DEFAULT_MAX_STEPS = 1000
MAX_STEPS = 100_000
MAX_REPEAT_TIMES = 1000
MAX_NESTING = 20
# A chain of blocks nests two JSON objects per block, and Python's json module raises
# RecursionError at a depth of about 1,000, so this cap keeps every accepted program
# decodable by `parse_program`.
MAX_PROGRAM_BLOCKS = 400
MAX_PROGRAM_BYTES = 256 * 1024

_GRID_KEYS = ("schema_version", "width", "height", "tiles", "robot", "items", "win")
_ROBOT_KEYS = ("x", "y", "heading")
_ITEM_KEYS = ("x", "y")
_LIMIT_KEYS = ("max_blocks", "allowed_blocks", "max_steps")


class TraceEvent(TypedDict):
    """One executed block and the robot's state after it."""

    step: int
    block: Any  # the Blockly block id, or None when the program has none
    type: str
    x: int
    y: int
    heading: str
    collected: int
    result: NotRequired[str]  # moves and collects
    value: NotRequired[bool]  # tests of the if and repeat-until blocks
    iteration: NotRequired[int]  # iterations of robot_repeat, from 1


class RobotState(TypedDict):
    x: int
    y: int
    heading: str


class RunResult(TypedDict):
    schema_version: int
    outcome: str
    detail: dict[str, Any]
    steps: int
    blocks_used: int
    robot: RobotState
    items_collected: int
    items_total: int
    trace: list[TraceEvent]


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


class ProgramError(ValueError):
    """A program text that is not a JSON object within the size and depth limits."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_program(text: str | bytes) -> dict[str, Any]:
    """Decode a program sent by the browser, or raise ProgramError."""
    if len(text) > MAX_PROGRAM_BYTES:
        raise ProgramError(
            "too_large",
            _(
                "Le programme fait %(size)d octets, au-delà de la limite de %(limit)d. "
                "Retirez des blocs puis renvoyez-le."
            )
            % {"size": len(text), "limit": MAX_PROGRAM_BYTES},
        )
    try:
        program = json.loads(text)
    except RecursionError as error:
        raise ProgramError(
            "too_deep",
            _("Le programme imbrique trop de blocs. Retirez des blocs et renvoyez-le."),
        ) from error
    except ValueError as error:
        raise ProgramError(
            "invalid_json",
            _("Le programme n’est pas du JSON valide (%(error)s).") % {"error": error},
        ) from error
    if not isinstance(program, dict):
        raise ProgramError(
            "not_an_object",
            _("Le programme doit être un objet JSON, celui qu’enregistre Blockly."),
        )
    return program


def run_program(
    grid: Mapping[str, Any],
    program: Mapping[str, Any],
    limits: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run a Blockly program on a grid world and return its outcome and trace.

    Raises ChallengeError when the grid or the limits break the schema. A malformed
    program is an outcome (`invalid_program`), not an exception, because the program
    comes from the browser.
    """
    validate_grid(grid)
    checked_limits = validate_limits(limits)
    run = _Run(grid, checked_limits["max_steps"])
    compiler = _Compiler(checked_limits["allowed_blocks"])
    try:
        body = compiler.compile(program)
        max_blocks = checked_limits["max_blocks"]
        if max_blocks is not None and compiler.count > max_blocks:
            raise _RejectedError(
                "block_limit_exceeded",
                {"blocks_used": compiler.count, "max_blocks": max_blocks},
            )
    except _RejectedError as rejection:
        return run.result(rejection.outcome, rejection.detail, compiler.count)
    if not run.run_body(body):
        run.finish()
    return run.result(run.outcome, run.detail, compiler.count)


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
    tiles = grid.get("tiles")
    _validate_tiles(tiles, width, height)
    _validate_robot(grid.get("robot"), tiles, width, height)
    items = grid.get("items", [])
    _validate_items(items, tiles, width, height)
    win = grid.get("win", "reach_goal")
    if win not in WIN_RULES:
        raise ChallengeError(
            "win",
            _("La règle %(value)s est inconnue. Choisissez %(choices)s.")
            % {"value": _show(win), "choices": " ou ".join(WIN_RULES)},
        )
    if win == "reach_goal_with_all_items" and not items:
        raise ChallengeError(
            "win",
            _(
                "La règle demande de ramasser tous les objets, mais la liste items est "
                "vide. Ajoutez des objets ou choisissez reach_goal."
            ),
        )


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
    """Write a value as it appears in a JSON or YAML file, quotes included."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _is_int(value: Any) -> bool:
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


def _validate_tiles(tiles: Any, width: int, height: int) -> None:
    if not isinstance(tiles, list) or len(tiles) != height:
        raise ChallengeError(
            "tiles",
            _("Indiquez une liste de %(height)d lignes (la hauteur de la grille).")
            % {"height": height},
        )
    legend = ", ".join(f"{char} ({name})" for char, name in TILE_NAMES.items())
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
                    % {"char": char, "x": x, "legend": legend},
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


def _read_position(
    value: Mapping[str, Any], field: str, width: int, height: int
) -> tuple[int, int]:
    x, y = value.get("x"), value.get("y")
    for name, coordinate, side in (("x", x, width), ("y", y, height)):
        if not _is_int(coordinate) or not 0 <= coordinate < side:
            raise _range_error(f"{field}.{name}", coordinate, 0, side - 1)
    return x, y


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
        raise ChallengeError(
            "robot",
            _("Le robot est en (%(x)d, %(y)d), mais cette case n’est pas la case S.")
            % {"x": x, "y": y},
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


class _RejectedError(Exception):
    """A program that fails the checks made before it runs."""

    def __init__(self, outcome: str, detail: dict[str, Any]) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.detail = detail


class _Node:
    __slots__ = ("kind", "block_id", "times", "body", "orelse")

    def __init__(self, kind: str, block_id: Any, times: int, body, orelse) -> None:
        self.kind = kind
        self.block_id = block_id
        self.times = times
        self.body: list[_Node] = body
        self.orelse: list[_Node] = orelse


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_disabled(block: dict[str, Any]) -> bool:
    reasons = block.get("disabledReasons")
    return block.get("enabled") is False or (
        isinstance(reasons, list) and len(reasons) > 0
    )


def _malformed(block: Any) -> _RejectedError:
    block_id = block.get("id") if _is_object(block) else None
    return _RejectedError(
        "invalid_program", {"reason": "malformed_program", "block": block_id}
    )


def _connected_block(block: dict[str, Any], connection: Any) -> Any:
    """Return the block plugged into a connection, or its shadow when none is."""
    if connection is None:
        return None
    if not _is_object(connection):
        raise _malformed(block)
    target = connection.get("block")
    if target is None:
        target = connection.get("shadow")
    return target


def _input_block(block: dict[str, Any], name: str) -> Any:
    inputs = block.get("inputs")
    if inputs is None:
        return None
    if not _is_object(inputs):
        raise _malformed(block)
    return _connected_block(block, inputs.get(name))


def _read_times(block: dict[str, Any]) -> int | None:
    fields = block.get("fields")
    if not _is_object(fields):
        return None
    times = fields.get("TIMES")
    # JSON has one number type: 3.0 and 3 are the same number to the browser engine.
    if isinstance(times, float) and times.is_integer():
        times = int(times)
    if not _is_int(times) or not 0 <= times <= MAX_REPEAT_TIMES:
        return None
    return times


class _Compiler:
    """Turns the start block's stack into nodes and counts its blocks."""

    def __init__(self, allowed: tuple[str, ...] | None) -> None:
        self.allowed = allowed
        self.count = 0

    def compile(self, program: Any) -> list[_Node]:
        start = self._find_start(program)
        return self._chain(start, _connected_block(start, start.get("next")), 0)

    def _find_start(self, program: Any) -> dict[str, Any]:
        if not _is_object(program):
            raise _malformed(None)
        workspace = program.get("blocks")
        if workspace is None:
            # Blockly saves an empty workspace without the "blocks" key.
            top_blocks = []
        elif _is_object(workspace):
            top_blocks = workspace.get("blocks")
            if top_blocks is None:
                top_blocks = []
        else:
            raise _malformed(None)
        if not isinstance(top_blocks, list):
            raise _malformed(None)
        starts = []
        for block in top_blocks:
            if not _is_object(block) or not isinstance(block.get("type"), str):
                raise _malformed(block)
            if block["type"] == START_BLOCK and not _is_disabled(block):
                starts.append(block)
        if not starts:
            raise _RejectedError(
                "invalid_program", {"reason": "no_start_block", "block": None}
            )
        if len(starts) > 1:
            raise _RejectedError(
                "invalid_program",
                {"reason": "several_start_blocks", "block": starts[1].get("id")},
            )
        return starts[0]

    def _chain(self, parent: dict[str, Any], block: Any, depth: int) -> list[_Node]:
        # Follow `next` in a loop rather than by recursion, so a long stack costs no
        # Python stack depth; only nested inputs recurse, and MAX_NESTING bounds them.
        nodes = []
        while block is not None:
            if not _is_object(block) or not isinstance(block.get("type"), str):
                raise _malformed(block if _is_object(block) else parent)
            if not _is_disabled(block):
                nodes.append(self._node(block, depth))
            parent = block
            block = _connected_block(block, block.get("next"))
        return nodes

    def _node(self, block: dict[str, Any], depth: int) -> _Node:
        kind = block["type"]
        block_id = block.get("id")
        if kind == START_BLOCK:
            raise _RejectedError(
                "invalid_program",
                {"reason": "misplaced_start_block", "block": block_id},
            )
        if kind not in PROGRAM_BLOCK_TYPES:
            raise _RejectedError("unknown_block", {"block": block_id, "type": kind})
        if self.allowed is not None and kind not in self.allowed:
            raise _RejectedError("block_not_allowed", {"block": block_id, "type": kind})
        self.count += 1
        if self.count > MAX_PROGRAM_BLOCKS:
            raise _RejectedError(
                "block_limit_exceeded",
                {"blocks_used": self.count, "max_blocks": MAX_PROGRAM_BLOCKS},
            )
        times = 0
        if kind == REPEAT:
            read = _read_times(block)
            if read is None:
                raise _RejectedError(
                    "invalid_program", {"reason": "invalid_times", "block": block_id}
                )
            times = read
        body: list[_Node] = []
        orelse: list[_Node] = []
        if kind in CONTAINER_BLOCKS:
            if depth >= MAX_NESTING:
                raise _RejectedError(
                    "invalid_program", {"reason": "too_deep", "block": block_id}
                )
            body = self._chain(block, _input_block(block, "DO"), depth + 1)
            if kind in IF_BLOCKS:
                orelse = self._chain(block, _input_block(block, "ELSE"), depth + 1)
        return _Node(kind, block_id, times, body, orelse)


class _Run:
    """The robot's state while a compiled program runs."""

    def __init__(self, grid: Mapping[str, Any], max_steps: int) -> None:
        self.tiles: list[str] = grid["tiles"]
        self.width: int = grid["width"]
        self.height: int = grid["height"]
        robot = grid["robot"]
        self.x: int = robot["x"]
        self.y: int = robot["y"]
        self.heading: str = robot["heading"]
        self.items = {(item["x"], item["y"]) for item in grid.get("items", [])}
        self.items_total = len(self.items)
        self.collected = 0
        self.needs_all_items = (
            grid.get("win", "reach_goal") == "reach_goal_with_all_items"
        )
        self.max_steps = max_steps
        self.steps = 0
        self.trace: list[TraceEvent] = []
        self.outcome = ""
        self.detail: dict[str, Any] = {}

    def result(
        self, outcome: str, detail: dict[str, Any], blocks_used: int
    ) -> RunResult:
        return {
            "schema_version": SCHEMA_VERSION,
            "outcome": outcome,
            "detail": detail,
            "steps": self.steps,
            "blocks_used": blocks_used,
            "robot": {"x": self.x, "y": self.y, "heading": self.heading},
            "items_collected": self.collected,
            "items_total": self.items_total,
            "trace": self.trace,
        }

    def finish(self) -> None:
        on_goal = self.tiles[self.y][self.x] == GOAL
        self.outcome = "items_not_collected" if on_goal else "goal_not_reached"

    def run_body(self, nodes: list[_Node]) -> bool:
        """Run nodes in order and return True once the run has stopped."""
        return any(self._run_node(node) for node in nodes)

    def _stop(self, outcome: str, detail: dict[str, Any]) -> bool:
        self.outcome = outcome
        self.detail = detail
        return True

    def _start_step(self, node: _Node) -> bool:
        """Count one step, or stop the run when the step limit is used up."""
        if self.steps >= self.max_steps:
            return self._stop(
                "step_limit_reached",
                {"max_steps": self.max_steps, "block": node.block_id},
            )
        self.steps += 1
        return False

    def _record(self, node: _Node, key: str = "", value: Any = None) -> None:
        event: TraceEvent = {
            "step": self.steps,
            "block": node.block_id,
            "type": node.kind,
            "x": self.x,
            "y": self.y,
            "heading": self.heading,
            "collected": self.collected,
        }
        if key:
            event[key] = value  # type: ignore[literal-required]
        self.trace.append(event)

    def _run_node(self, node: _Node) -> bool:
        kind = node.kind
        if kind == REPEAT:
            for iteration in range(1, node.times + 1):
                if self._start_step(node):
                    return True
                self._record(node, "iteration", iteration)
                if self.run_body(node.body):
                    return True
            return False
        if kind == REPEAT_UNTIL_GOAL:
            while True:
                if self._start_step(node):
                    return True
                on_goal = self.tiles[self.y][self.x] == GOAL
                self._record(node, "value", on_goal)
                if on_goal:
                    return False
                if self.run_body(node.body):
                    return True
        if self._start_step(node):
            return True
        if kind in IF_BLOCKS:
            value = self._test(kind)
            self._record(node, "value", value)
            return self.run_body(node.body if value else node.orelse)
        if kind == MOVE_FORWARD:
            return self._move(node)
        if kind == COLLECT:
            return self._collect(node)
        self.heading = (_LEFT_OF if kind == TURN_LEFT else _RIGHT_OF)[self.heading]
        self._record(node)
        return False

    def _ahead(self) -> tuple[int, int, str | None]:
        """Return the tile in front of the robot, None when it is off the grid."""
        dx, dy = HEADINGS[self.heading]
        x, y = self.x + dx, self.y + dy
        if 0 <= x < self.width and 0 <= y < self.height:
            return x, y, self.tiles[y][x]
        return x, y, None

    def _test(self, kind: str) -> bool:
        if kind == IF_ITEM_HERE:
            return (self.x, self.y) in self.items
        tile = self._ahead()[2]
        if kind == IF_WALL_AHEAD:
            return tile is None or tile == WALL
        return tile in (OPEN, START, GOAL)

    def _move(self, node: _Node) -> bool:
        x, y, tile = self._ahead()
        blocked = {None: "out_of_grid", WALL: "wall_hit", OBSTACLE: "obstacle_hit"}
        if tile in blocked:
            outcome = blocked[tile]
            self._record(node, "result", outcome)
            return self._stop(outcome, {"block": node.block_id, "x": x, "y": y})
        self.x, self.y = x, y
        self._record(node, "result", "moved")
        return self._check_win()

    def _collect(self, node: _Node) -> bool:
        position = (self.x, self.y)
        if position not in self.items:
            self._record(node, "result", "nothing_here")
            return False
        self.items.remove(position)
        self.collected += 1
        self._record(node, "result", "collected")
        return self._check_win()

    def _check_win(self) -> bool:
        if self.tiles[self.y][self.x] != GOAL:
            return False
        if self.needs_all_items and self.items:
            return False
        return self._stop("success", {})
