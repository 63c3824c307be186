"""Build Blockly workspace JSON for the engine tests from a short notation.

`workspace("move", ("repeat", 3, ["left"]))` returns what
`Blockly.serialization.workspaces.save` writes for a "when run" block followed by those
blocks. Block ids are "b1", "b2", … in the order the blocks are written, the start
block being "start". A dict in the notation is inserted as a raw Blockly block.
"""

from itertools import count
from typing import Any

from activities import grid_world

SHORT_NAMES = {
    "move": grid_world.MOVE_FORWARD,
    "left": grid_world.TURN_LEFT,
    "right": grid_world.TURN_RIGHT,
    "collect": grid_world.COLLECT,
    "repeat": grid_world.REPEAT,
    "until_goal": grid_world.REPEAT_UNTIL_GOAL,
    "if_path": grid_world.IF_PATH_AHEAD,
    "if_wall": grid_world.IF_WALL_AHEAD,
    "if_item": grid_world.IF_ITEM_HERE,
}


def workspace(*stack: Any, orphans: tuple[list[Any], ...] = ()) -> dict[str, Any]:
    """Return a workspace whose start block runs `stack`, plus unattached stacks."""
    ids = count(1)
    start: dict[str, Any] = {
        "type": grid_world.START_BLOCK,
        "id": "start",
        "x": 20,
        "y": 20,
    }
    _attach_next(start, _chain(list(stack), ids))
    top = [start]
    for offset, orphan in enumerate(orphans, start=1):
        first = _chain(orphan, ids)
        if first is not None:
            first.update({"x": 20, "y": 200 * offset})
            top.append(first)
    return {"blocks": {"languageVersion": 0, "blocks": top}}


def _chain(specs: list[Any], ids: count) -> dict[str, Any] | None:
    blocks = [_block(spec, ids) for spec in specs]
    for previous, following in zip(blocks, blocks[1:], strict=False):
        _attach_next(_last_in_chain(previous), following)
    return blocks[0] if blocks else None


def _attach_next(block: dict[str, Any], following: dict[str, Any] | None) -> None:
    if following is not None:
        block["next"] = {"block": following}


def _last_in_chain(block: dict[str, Any]) -> dict[str, Any]:
    while "next" in block:
        block = block["next"]["block"]
    return block


def _block(spec: Any, ids: count) -> dict[str, Any]:
    if isinstance(spec, dict):
        return spec
    if isinstance(spec, str):
        return {"type": SHORT_NAMES[spec], "id": f"b{next(ids)}"}
    name, *arguments = spec
    block: dict[str, Any] = {"type": SHORT_NAMES[name], "id": f"b{next(ids)}"}
    if name == "repeat":
        times, body = arguments
        block["fields"] = {"TIMES": times}
        bodies = {"DO": body}
    elif name == "until_goal":
        bodies = {"DO": arguments[0]}
    else:
        body, *orelse = arguments
        bodies = {"DO": body, "ELSE": orelse[0] if orelse else []}
    inputs = {}
    for input_name, specs in bodies.items():
        first = _chain(specs, ids)
        if first is not None:
            inputs[input_name] = {"block": first}
    if inputs:
        block["inputs"] = inputs
    return block
