"""The shared vectors through the Python engine and, under Node, the browser engine."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from activities import engine, grid_world

VECTORS_DIR = Path(engine.__file__).parent / "engine_vectors"
JS_ENGINE = Path(settings.BASE_DIR) / "static" / "iota" / "js" / "grid-engine.js"
JS_RUNNER = Path(__file__).parent / "run_grid_engine.mjs"
VECTORS = {
    path.stem: json.loads(path.read_text())
    for path in sorted(VECTORS_DIR.glob("*.json"))
}


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a run result that a vector's `expected` states."""
    return {
        "outcome": result["outcome"],
        "detail": result["detail"],
        "steps": result["steps"],
        "blocks_used": result["blocks_used"],
        "robot": result["robot"],
        "items_collected": result["items_collected"],
        "events": [describe_event(event) for event in result["trace"]],
    }


def describe_event(event: dict[str, Any]) -> str:
    """Write a trace event as `move_forward 2,1 east moved`."""
    text = f"{event['type'].removeprefix('robot_')} {event['x']},{event['y']} "
    text += event["heading"]
    if "result" in event:
        text += f" {event['result']}"
    if "value" in event:
        text += " true" if event["value"] else " false"
    if "iteration" in event:
        text += f" #{event['iteration']}"
    return text


def expected_summary(vector: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    expected = dict(vector["expected"])
    # A vector may leave out the events; its other fields are still checked.
    expected.setdefault("events", actual["events"])
    return expected


@pytest.fixture(scope="module")
def js_results() -> dict[str, dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser engine cannot run")
    cases = [
        {
            "grid": vector["grid"],
            "program": vector["program"],
            "limits": vector["limits"],
        }
        for vector in VECTORS.values()
    ]
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [node, str(JS_RUNNER), str(JS_ENGINE)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return dict(zip(VECTORS, json.loads(completed.stdout), strict=True))


def test_vectors_are_present():
    assert len(VECTORS) >= 25


@pytest.mark.parametrize("name", VECTORS)
def test_python_engine_matches_vector(name):
    vector = VECTORS[name]
    result = engine.run_program(vector["grid"], vector["program"], vector["limits"])
    actual = summarize(result)
    assert actual == expected_summary(vector, actual)


@pytest.mark.parametrize("name", VECTORS)
def test_js_engine_matches_vector(name, js_results):
    vector = VECTORS[name]
    actual = summarize(js_results[name])
    assert actual == expected_summary(vector, actual)


@pytest.mark.parametrize("name", VECTORS)
def test_js_engine_matches_python_engine(name, js_results):
    vector = VECTORS[name]
    python_result = engine.run_program(
        vector["grid"], vector["program"], vector["limits"]
    )
    assert js_results[name] == python_result


def test_vectors_cover_every_outcome():
    outcomes = {vector["expected"]["outcome"] for vector in VECTORS.values()}
    assert outcomes == set(engine.OUTCOMES)


def test_vectors_run_every_block_type():
    executed = set()
    for vector in VECTORS.values():
        result = engine.run_program(vector["grid"], vector["program"], vector["limits"])
        executed.update(event["type"] for event in result["trace"])
    assert executed == set(grid_world.PROGRAM_BLOCK_TYPES)


def test_vectors_use_valid_grids():
    for name, vector in VECTORS.items():
        grid_world.validate_grid(vector["grid"])
        grid_world.validate_limits(vector["limits"])
        assert vector["description"], name
