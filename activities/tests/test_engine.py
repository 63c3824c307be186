"""The Python grid engine: programs that must fail, limits, and program decoding."""

import copy
import json

import pytest

from activities import engine, grid_world
from activities.tests.blockly_programs import workspace

CORRIDOR = {
    "schema_version": 1,
    "width": 5,
    "height": 3,
    "tiles": ["#####", "#S.G#", "#####"],
    "robot": {"x": 1, "y": 1, "heading": "east"},
}


def test_wall_hit_fails():
    result = engine.run_program(CORRIDOR, workspace("right", "move", "move"))
    assert result["outcome"] == "wall_hit"
    assert result["robot"] == {"x": 1, "y": 1, "heading": "south"}
    assert result["steps"] == 2
    assert result["detail"] == {"block": "b2", "x": 1, "y": 2}


def test_block_limit_exceeded_fails():
    program = workspace("move", "move")
    result = engine.run_program(CORRIDOR, program, {"max_blocks": 1})
    assert result["outcome"] == "block_limit_exceeded"
    assert result["trace"] == []
    assert result["detail"] == {"blocks_used": 2, "max_blocks": 1}


def test_block_limit_equal_count_runs():
    result = engine.run_program(CORRIDOR, workspace("move", "move"), {"max_blocks": 2})
    assert result["outcome"] == "success"


def test_endless_loop_stops_at_default_step_limit():
    result = engine.run_program(CORRIDOR, workspace(("until_goal", ["left"])))
    assert result["outcome"] == "step_limit_reached"
    assert result["steps"] == grid_world.DEFAULT_MAX_STEPS
    assert len(result["trace"]) == grid_world.DEFAULT_MAX_STEPS


def test_endless_empty_repeat_stops_at_step_limit():
    program = workspace(("repeat", engine.MAX_REPEAT_TIMES, []))
    result = engine.run_program(CORRIDOR, program, {"max_steps": 50})
    assert result["outcome"] == "step_limit_reached"
    assert result["detail"] == {"max_steps": 50, "block": "b1"}


def test_program_at_step_limit_ends_normally():
    result = engine.run_program(CORRIDOR, workspace("move", "move"), {"max_steps": 2})
    assert result["outcome"] == "success"


def test_program_one_step_over_limit_stops():
    result = engine.run_program(CORRIDOR, workspace("left", "move"), {"max_steps": 1})
    assert result["outcome"] == "step_limit_reached"
    assert result["robot"]["heading"] == "north"


def test_block_cap_applies_without_limit():
    program = workspace(*["left"] * (grid_world.MAX_PROGRAM_BLOCKS + 1))
    result = engine.run_program(CORRIDOR, program)
    assert result["outcome"] == "block_limit_exceeded"
    assert result["detail"]["max_blocks"] == grid_world.MAX_PROGRAM_BLOCKS


def test_block_not_allowed_reported_before_limit():
    program = workspace("move", "move", "left")
    limits = {"max_blocks": 1, "allowed_blocks": [grid_world.MOVE_FORWARD]}
    result = engine.run_program(CORRIDOR, program, limits)
    assert result["outcome"] == "block_not_allowed"


def test_empty_allowed_list_allows_nothing():
    result = engine.run_program(CORRIDOR, workspace("move"), {"allowed_blocks": []})
    assert result["outcome"] == "block_not_allowed"


def test_start_block_alone_allowed_with_empty_list():
    result = engine.run_program(CORRIDOR, workspace(), {"allowed_blocks": []})
    assert result["outcome"] == "goal_not_reached"


@pytest.mark.parametrize(
    "program",
    [
        [],
        "robot_when_run",
        {"blocks": []},
        {"blocks": {"languageVersion": 0, "blocks": {"type": "robot_when_run"}}},
        {"blocks": {"languageVersion": 0, "blocks": [["robot_when_run"]]}},
        {"blocks": {"languageVersion": 0, "blocks": [{"type": 3}]}},
    ],
)
def test_malformed_workspace_is_invalid(program):
    result = engine.run_program(CORRIDOR, program)
    assert result["outcome"] == "invalid_program"
    assert result["detail"] == {"reason": "malformed_program", "block": None}


def test_empty_workspace_has_no_start_block():
    result = engine.run_program(CORRIDOR, {})
    assert result["outcome"] == "invalid_program"
    assert result["detail"]["reason"] == "no_start_block"


def test_inputs_not_an_object_is_invalid():
    repeat = {
        "type": grid_world.REPEAT,
        "id": "r",
        "fields": {"TIMES": 2},
        "inputs": [],
    }
    result = engine.run_program(CORRIDOR, workspace(repeat))
    assert result["outcome"] == "invalid_program"
    assert result["detail"] == {"reason": "malformed_program", "block": "r"}


def test_block_without_type_is_invalid():
    move = {"type": grid_world.MOVE_FORWARD, "id": "m", "next": {"block": {"id": "x"}}}
    result = engine.run_program(CORRIDOR, workspace(move))
    assert result["detail"] == {"reason": "malformed_program", "block": "x"}


def test_next_not_a_block_names_previous_block():
    move = {
        "type": grid_world.MOVE_FORWARD,
        "id": "m",
        "next": {"block": "robot_turn_left"},
    }
    result = engine.run_program(CORRIDOR, workspace(move))
    assert result["detail"] == {"reason": "malformed_program", "block": "m"}


@pytest.mark.parametrize(
    "times", [True, 2.5, None, engine.MAX_REPEAT_TIMES + 1, 10**400]
)
def test_repeat_times_rejected(times):
    result = engine.run_program(CORRIDOR, workspace(("repeat", times, ["move"])))
    assert result["outcome"] == "invalid_program"
    assert result["detail"]["reason"] == "invalid_times"


def test_repeat_without_fields_rejected():
    repeat = {"type": grid_world.REPEAT, "id": "r"}
    result = engine.run_program(CORRIDOR, workspace(repeat))
    assert result["detail"] == {"reason": "invalid_times", "block": "r"}


def test_if_without_inputs_does_nothing():
    result = engine.run_program(CORRIDOR, workspace({"type": grid_world.IF_PATH_AHEAD}))
    assert result["outcome"] == "goal_not_reached"
    assert result["trace"][0]["block"] is None
    assert result["trace"][0]["value"] is True


def test_result_counts_items():
    grid = {**CORRIDOR, "items": [{"x": 2, "y": 1}, {"x": 3, "y": 1}]}
    result = engine.run_program(grid, workspace("move", "collect"))
    assert result["items_total"] == 2
    assert result["items_collected"] == 1
    assert result["schema_version"] == engine.TRACE_SCHEMA_VERSION


def test_collecting_last_item_on_goal_wins():
    grid = {
        **CORRIDOR,
        "items": [{"x": 3, "y": 1}],
        "win": "reach_goal_with_all_items",
    }
    result = engine.run_program(grid, workspace("move", "move", "collect", "left"))
    assert result["outcome"] == "success"
    assert result["steps"] == 3


def test_run_is_deterministic_and_leaves_input_unchanged():
    grid = {**CORRIDOR, "items": [{"x": 2, "y": 1}]}
    program = workspace(("until_goal", [("if_item", ["collect"], ["move"])]))
    grid_before, program_before = copy.deepcopy(grid), copy.deepcopy(program)
    first = engine.run_program(grid, program)
    second = engine.run_program(grid, program)
    assert first == second
    assert grid == grid_before
    assert program == program_before


def test_result_is_json_serialisable():
    result = engine.run_program(CORRIDOR, workspace("move", "move"))
    assert json.loads(json.dumps(result)) == result


def test_invalid_grid_raises():
    with pytest.raises(grid_world.ChallengeError):
        engine.run_program({**CORRIDOR, "width": 4}, workspace("move"))


def test_invalid_limits_raise():
    with pytest.raises(grid_world.ChallengeError):
        engine.run_program(CORRIDOR, workspace("move"), {"max_steps": 0})


def test_parse_program_decodes_workspace():
    program = workspace("move")
    assert engine.parse_program(json.dumps(program)) == program


def test_parse_program_accepts_bytes():
    program = workspace("move")
    assert engine.parse_program(json.dumps(program).encode()) == program


def test_parse_program_decodes_chain_at_block_cap():
    program = workspace(*["move"] * grid_world.MAX_PROGRAM_BLOCKS)
    text = json.dumps(program, separators=(",", ":"))
    assert engine.parse_program(text) == program


def test_parse_program_rejects_invalid_json():
    with pytest.raises(engine.ProgramError) as raised:
        engine.parse_program('{"blocks": ')
    assert raised.value.code == "invalid_json"


def test_parse_program_rejects_array():
    with pytest.raises(engine.ProgramError) as raised:
        engine.parse_program("[]")
    assert raised.value.code == "not_an_object"


def test_parse_program_rejects_deep_nesting():
    with pytest.raises(engine.ProgramError) as raised:
        engine.parse_program('{"a":' * 5000 + "1" + "}" * 5000)
    assert raised.value.code == "too_deep"


def test_parse_program_rejects_large_text():
    text = json.dumps({"blocks": {}, "padding": "x" * engine.MAX_PROGRAM_BYTES})
    with pytest.raises(engine.ProgramError) as raised:
        engine.parse_program(text)
    assert raised.value.code == "too_large"


def test_parse_program_counts_utf8_bytes():
    padding = "é" * (engine.MAX_PROGRAM_BYTES // 2)
    text = json.dumps({"blocks": {}, "padding": padding}, ensure_ascii=False)
    assert len(text) < engine.MAX_PROGRAM_BYTES
    with pytest.raises(engine.ProgramError) as raised:
        engine.parse_program(text)
    assert raised.value.code == "too_large"
