"""Grid world engine of the coding challenges: runs a pupil's block program on a grid.

A challenge defines a grid world and limits (their schema and checks are in
`activities.grid_world`). The pupil's program is the JSON that Blockly's
`Blockly.serialization.workspaces.save` returns. `run_program` runs it and returns the
outcome and the trace that the browser animates. `static/iota/js/grid-engine.js` applies
the same rules, and the vectors in `activities/engine_vectors/` run through both engines
in the tests, so a program the browser shows as solved is solved on the server too.
The engine is deterministic and does no I/O.

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
- A program that ends without winning gives `items_not_collected` when the robot is on a
  goal but items remain, and `goal_not_reached` otherwise.
- "Wall ahead" is true for a wall or the edge of the grid. "Path ahead" is true for an
  open, start or goal tile, so an obstacle ahead makes both tests false.
- `robot_collect` with no item on the robot's tile does nothing and records the result
  `nothing_here`.
"""

import json
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, TypeGuard

from django.utils.translation import gettext as _

from activities.grid_world import (
    COLLECT,
    GOAL,
    HEADINGS,
    IF_ITEM_HERE,
    IF_PATH_AHEAD,
    IF_WALL_AHEAD,
    MAX_PROGRAM_BLOCKS,
    MOVE_FORWARD,
    OBSTACLE,
    OPEN,
    PROGRAM_BLOCK_TYPES,
    REPEAT,
    REPEAT_UNTIL_GOAL,
    START,
    START_BLOCK,
    TURN_LEFT,
    WALL,
    validate_grid,
    validate_limits,
)

# The layout of the run result and its trace events.
TRACE_SCHEMA_VERSION = 1

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

_LEFT_OF = {"north": "west", "west": "south", "south": "east", "east": "north"}
_RIGHT_OF = {heading: left for left, heading in _LEFT_OF.items()}
MAX_REPEAT_TIMES = 1000
MAX_NESTING = 20
MAX_PROGRAM_BYTES = 256 * 1024


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


class ProgramError(ValueError):
    """A program text that is not a JSON object within the size and depth limits."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_program(text: str | bytes) -> dict[str, Any]:
    """Decode a program sent by the browser, or raise ProgramError."""
    size = len(text) if isinstance(text, bytes) else len(text.encode())
    if size > MAX_PROGRAM_BYTES:
        raise ProgramError(
            "too_large",
            _(
                "Le programme fait %(size)d octets, au-delà de la limite de %(limit)d. "
                "Retirez des blocs puis renvoyez-le."
            )
            % {"size": size, "limit": MAX_PROGRAM_BYTES},
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
    program: Any,
    limits: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run a Blockly program on a grid world and return its outcome and trace.

    `program` is usually the dict `parse_program` returns. Raises
    `activities.grid_world.ChallengeError` when the grid or the limits break the
    schema. A malformed program is an outcome (`invalid_program`), not an exception,
    because the program comes from the browser.
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


def _is_object(value: Any) -> TypeGuard[dict[str, Any]]:
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
    if not isinstance(times, int) or isinstance(times, bool):
        return None
    if not 0 <= times <= MAX_REPEAT_TIMES:
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
        top_blocks: Any
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
        # Python stack depth. Only nested inputs recurse, and MAX_NESTING bounds them.
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
            "schema_version": TRACE_SCHEMA_VERSION,
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
