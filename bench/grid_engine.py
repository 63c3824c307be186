"""Benchmark: the server check of a 200-block program on a 20 × 20 grid.

Times `parse_program` plus `run_program`, the server check of one submitted program,
on three 200-block programs. Two baselines run in the same process: `json.loads` of the
same text followed by a plain Python loop that appends one small dict per step the
engine took, and the browser engine (`static/iota/js/grid-engine.js`) under Node.
Prints the median and the maximum of the repeats, and the ratios.
Target: under 50 ms per check.

    .venv/bin/python bench/grid_engine.py [--repeats 50]

The cases:

- `sequence`: 200 blocks without loops (moves, turns and 15 collects) that walk the
  whole serpentine corridor of the grid and win.
- `loops`: a repeat-until-goal containing 199 blocks of if-blocks, moves, turns and
  collects, which never finds the goal and stops at the default step limit.
- `loops-max-steps`: the same program with the highest step limit a challenge may set.
"""

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The engine's error messages go through Django's translation machinery.
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iota.settings")
django.setup()

from activities import engine, grid_world  # noqa: E402

SIDE = 20
ITEM_COLUMNS = (5, 9)
JS_ENGINE = ROOT / "static" / "iota" / "js" / "grid-engine.js"

# Runs each case's parse and check `repeats` times inside one Node process and prints
# the durations in milliseconds.
NODE_SCRIPT = """
import { readFileSync } from "node:fs";
const source = readFileSync(process.argv[1], "utf8");
const url = `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
const { runProgram } = await import(url);
const { cases, repeats } = JSON.parse(readFileSync(0, "utf8"));
const timings = cases.map(({ grid, text, limits }) => {
  const durations = [];
  for (let index = 0; index < repeats; index += 1) {
    const started = performance.now();
    runProgram(grid, JSON.parse(text), limits);
    durations.push(performance.now() - started);
  }
  return durations;
});
process.stdout.write(JSON.stringify(timings));
"""


def serpentine_grid() -> dict[str, Any]:
    """Return a 20 × 20 grid whose open tiles form one corridor from S to G.

    Rows 1, 3, …, 17 are open from x = 1 to 18 and joined at alternate ends, so the
    robot walks east, down, west, down, and so on. Items lie on columns 5 and 9.
    """
    rows = [["#"] * SIDE for _ in range(SIDE)]
    corridor_rows = range(1, SIDE - 2, 2)
    for index, y in enumerate(corridor_rows):
        for x in range(1, SIDE - 1):
            rows[y][x] = "."
        if y + 2 < SIDE - 2:
            rows[y + 1][SIDE - 2 if index % 2 == 0 else 1] = "."
    last_row = corridor_rows[-1]
    goal_x = SIDE - 2 if len(corridor_rows) % 2 == 1 else 1
    rows[1][1] = "S"
    rows[last_row][goal_x] = "G"
    items = [
        {"x": x, "y": y}
        for y in corridor_rows
        for x in ITEM_COLUMNS
        if not (x == ITEM_COLUMNS[0] and y > 11)
    ]
    return {
        "schema_version": grid_world.SCHEMA_VERSION,
        "width": SIDE,
        "height": SIDE,
        "tiles": ["".join(row) for row in rows],
        "robot": {"x": 1, "y": 1, "heading": "east"},
        "items": items,
        "win": "reach_goal_with_all_items",
    }


def sequence_blocks(grid: dict[str, Any]) -> list[str]:
    """Return the block types that walk the serpentine, collecting every item."""
    items = {(item["x"], item["y"]) for item in grid["items"]}
    corridor_rows = list(range(1, SIDE - 2, 2))
    blocks = []
    for index, y in enumerate(corridor_rows):
        eastward = index % 2 == 0
        xs = range(2, SIDE - 1) if eastward else range(SIDE - 3, 0, -1)
        for x in xs:
            blocks.append(grid_world.MOVE_FORWARD)
            if (x, y) in items:
                blocks.append(grid_world.COLLECT)
        if y != corridor_rows[-1]:
            turn = grid_world.TURN_RIGHT if eastward else grid_world.TURN_LEFT
            blocks += [turn, grid_world.MOVE_FORWARD, grid_world.MOVE_FORWARD, turn]
    return blocks


def loop_blocks() -> dict[str, Any]:
    """Return a repeat-until-goal block containing 199 blocks."""
    body: list[dict[str, Any]] = []
    for _ in range(39):
        body.append(
            {
                "type": grid_world.IF_PATH_AHEAD,
                "inputs": {
                    "DO": {"block": {"type": grid_world.MOVE_FORWARD}},
                    "ELSE": {"block": {"type": grid_world.TURN_RIGHT}},
                },
            }
        )
        body.append(
            {
                "type": grid_world.IF_ITEM_HERE,
                "inputs": {"DO": {"block": {"type": grid_world.COLLECT}}},
            }
        )
    body += [{"type": grid_world.TURN_LEFT} for _ in range(4)]
    return {
        "type": grid_world.REPEAT_UNTIL_GOAL,
        "inputs": {"DO": {"block": link(body)}},
    }


def link(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Chain blocks through `next` and return the first."""
    for previous, following in zip(blocks, blocks[1:], strict=False):
        previous["next"] = {"block": following}
    return blocks[0]


def workspace(first: dict[str, Any]) -> dict[str, Any]:
    """Return the workspace Blockly saves for a start block followed by `first`."""
    start = {"type": grid_world.START_BLOCK, "x": 20, "y": 20}
    start["next"] = {"block": first}
    # Blockly gives every block an id. A stack walks the nesting, because a 200-block
    # chain nests about 400 dicts deep, near Python's default recursion limit of 1,000.
    pending: list[Any] = [start]
    ids = itertools.count(1)
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if "type" in value:
                value["id"] = f"b{next(ids)}"
            pending.extend(value.values())
    return {"blocks": {"languageVersion": 0, "blocks": [start]}}


def time_python(
    grid: dict[str, Any], text: str, limits: dict[str, Any], repeats: int
) -> tuple[list[float], dict[str, Any]]:
    durations = []
    result: dict[str, Any] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        result = dict(engine.run_program(grid, engine.parse_program(text), limits))
        durations.append((time.perf_counter() - started) * 1000)
    return durations, result


def time_baseline(text: str, steps: int, repeats: int) -> list[float]:
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        json.loads(text)
        trace = []
        for step in range(steps):
            trace.append({"step": step, "x": step % SIDE, "y": step // SIDE})
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def time_node(cases: list[dict[str, Any]], repeats: int) -> list[list[float]] | None:
    node = shutil.which("node")
    if node is None:
        return None
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [node, "--input-type=module", "-e", NODE_SCRIPT, str(JS_ENGINE)],
        input=json.dumps({"cases": cases, "repeats": repeats}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def count_blocks(program: dict[str, Any]) -> int:
    return engine.run_program(serpentine_grid(), program, {"max_steps": 1})[
        "blocks_used"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=50, help="runs per case (default 50)"
    )
    arguments = parser.parse_args()

    grid = serpentine_grid()
    sequence = workspace(link([{"type": kind} for kind in sequence_blocks(grid)]))
    loops = workspace(loop_blocks())
    cases = [
        ("sequence", sequence, {"max_blocks": 200}),
        ("loops", loops, {"max_blocks": 200}),
        (
            "loops-max-steps",
            loops,
            {"max_blocks": 200, "max_steps": grid_world.MAX_STEPS},
        ),
    ]
    node_cases = [
        {"grid": grid, "text": json.dumps(program), "limits": limits}
        for _, program, limits in cases
    ]
    node_timings = time_node(node_cases, arguments.repeats)

    print(f"grid {SIDE} × {SIDE}, {arguments.repeats} repeats, median (max) in ms")
    print(
        f"{'case':<18} {'blocks':>6} {'steps':>6}  {'outcome':<20} {'python':<15} "
        f"{'baseline':<13} {'ratio':>6} {'node':<13} {'python/node':>6}"
    )
    for index, (name, program, limits) in enumerate(cases):
        text = json.dumps(program)
        python, result = time_python(grid, text, limits, arguments.repeats)
        baseline = time_baseline(text, result["steps"], arguments.repeats)
        python_median = statistics.median(python)
        baseline_median = statistics.median(baseline)
        line = (
            f"{name:<18} {count_blocks(program):>6} {result['steps']:>6}  "
            f"{result['outcome']:<20} {python_median:6.2f} ({max(python):6.2f}) "
            f"{baseline_median:5.2f} ({max(baseline):5.2f}) "
            f"{python_median / baseline_median:5.1f}×"
        )
        if node_timings is not None:
            node_median = statistics.median(node_timings[index])
            line += (
                f" {node_median:5.2f} ({max(node_timings[index]):5.2f}) "
                f"{python_median / node_median:5.1f}×"
            )
        print(line)
    if node_timings is None:
        print("node is not installed: the browser engine was not timed")


if __name__ == "__main__":
    main()
