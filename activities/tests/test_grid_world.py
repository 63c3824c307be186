"""Validation of grid worlds and limits, with the field and the fix in each error."""

import pytest

from activities import grid_world

GRID = {
    "schema_version": 1,
    "width": 5,
    "height": 3,
    "tiles": ["#####", "#S.G#", "#####"],
    "robot": {"x": 1, "y": 1, "heading": "east"},
    "items": [{"x": 2, "y": 1}],
    "win": "reach_goal_with_all_items",
}


def grid_with(**changes):
    return {**GRID, **changes}


def rejection(grid):
    with pytest.raises(grid_world.ChallengeError) as raised:
        grid_world.validate_grid(grid)
    return raised.value


def limits_rejection(limits):
    with pytest.raises(grid_world.ChallengeError) as raised:
        grid_world.validate_limits(limits)
    return raised.value


def test_valid_grid_passes():
    grid_world.validate_grid(GRID)


def test_minimal_grid_passes():
    grid = {key: GRID[key] for key in ("schema_version", "width", "height", "tiles")}
    grid_world.validate_grid({**grid, "robot": GRID["robot"]})


def test_grid_not_a_mapping_rejected():
    assert rejection(["#S.G#"]).field == "grid"


def test_unknown_key_suggests_nearest():
    grid = dict(GRID)
    grid["widht"] = grid.pop("width")
    error = rejection(grid)
    assert error.field == "widht"
    assert "width" in error.message


@pytest.mark.parametrize("version", [None, 2, "1", True])
def test_schema_version_rejected(version):
    error = rejection(grid_with(schema_version=version))
    assert error.field == "schema_version"


@pytest.mark.parametrize("width", [0, grid_world.MAX_GRID_SIDE + 1, True, "5"])
def test_width_rejected(width):
    error = rejection(grid_with(width=width))
    assert error.field == "width"


def test_width_error_names_value_and_range():
    error = rejection(grid_with(width=0))
    assert "0" in error.message
    assert f"1 à {grid_world.MAX_GRID_SIDE}" in error.message


def test_row_count_rejected():
    error = rejection(grid_with(height=4))
    assert error.field == "tiles"
    assert "4" in error.message


def test_row_length_rejected():
    error = rejection(grid_with(tiles=["#####", "#S.G", "#####"]))
    assert error.field == "tiles[1]"
    assert '"#S.G"' in error.message


def test_unknown_tile_names_row_and_column():
    error = rejection(grid_with(tiles=["#####", "#S.G#", "##Z##"]))
    assert error.field == "tiles[2]"
    assert "« Z »" in error.message
    assert "colonne 2" in error.message


def test_missing_start_tile_rejected():
    error = rejection(grid_with(tiles=["#####", "#..G#", "#####"]))
    assert error.field == "tiles"
    assert "0 cases S" in error.message


def test_two_start_tiles_rejected():
    error = rejection(grid_with(tiles=["#####", "#SSG#", "#####"]))
    assert "2 cases S" in error.message


def test_missing_goal_rejected():
    error = rejection(grid_with(tiles=["#####", "#S..#", "#####"]))
    assert error.field == "tiles"


def test_robot_missing_rejected():
    grid = dict(GRID)
    del grid["robot"]
    assert rejection(grid).field == "robot"


def test_robot_off_start_tile_rejected():
    error = rejection(grid_with(robot={"x": 2, "y": 1, "heading": "east"}))
    assert error.field == "robot"
    assert "(2, 1)" in error.message


def test_robot_outside_grid_rejected():
    error = rejection(grid_with(robot={"x": 5, "y": 1, "heading": "east"}))
    assert error.field == "robot.x"


def test_robot_heading_rejected():
    error = rejection(grid_with(robot={"x": 1, "y": 1, "heading": "up"}))
    assert error.field == "robot.heading"
    assert '"up"' in error.message


def test_robot_unknown_key_rejected():
    error = rejection(grid_with(robot={"x": 1, "y": 1, "heading": "east", "dir": 1}))
    assert error.field == "robot.dir"


def test_items_not_a_list_rejected():
    assert rejection(grid_with(items={"x": 2, "y": 1})).field == "items"


def test_item_on_wall_rejected():
    error = rejection(grid_with(items=[{"x": 0, "y": 0}]))
    assert error.field == "items[0]"
    assert "mur" in error.message


def test_item_on_obstacle_rejected():
    tiles = ["#####", "#SXG#", "#####"]
    error = rejection(grid_with(tiles=tiles, items=[{"x": 2, "y": 1}]))
    assert "obstacle" in error.message


def test_duplicate_item_rejected():
    error = rejection(grid_with(items=[{"x": 2, "y": 1}, {"x": 2, "y": 1}]))
    assert error.field == "items[1]"


def test_item_outside_grid_rejected():
    error = rejection(grid_with(items=[{"x": 2, "y": 3}]))
    assert error.field == "items[0].y"


def test_unknown_win_rule_rejected():
    error = rejection(grid_with(win="reach_all"))
    assert error.field == "win"
    assert '"reach_all"' in error.message


def test_all_items_rule_without_items_rejected():
    error = rejection(grid_with(items=[]))
    assert error.field == "win"


def test_error_text_starts_with_field():
    error = rejection(grid_with(width=0))
    assert str(error).startswith("width : ")


def test_limits_default():
    assert grid_world.validate_limits(None) == {
        "max_blocks": None,
        "allowed_blocks": None,
        "max_steps": grid_world.DEFAULT_MAX_STEPS,
    }


def test_limits_kept():
    limits = {"max_blocks": 5, "allowed_blocks": [grid_world.COLLECT], "max_steps": 20}
    assert grid_world.validate_limits(limits) == {
        "max_blocks": 5,
        "allowed_blocks": (grid_world.COLLECT,),
        "max_steps": 20,
    }


def test_limits_not_a_mapping_rejected():
    assert limits_rejection([5]).field == "limits"


def test_limits_unknown_key_suggests_nearest():
    error = limits_rejection({"max_block": 5})
    assert error.field == "limits.max_block"
    assert "max_blocks" in error.message


@pytest.mark.parametrize("steps", [0, grid_world.MAX_STEPS + 1, True, 2.0])
def test_max_steps_rejected(steps):
    assert limits_rejection({"max_steps": steps}).field == "limits.max_steps"


@pytest.mark.parametrize("blocks", [0, grid_world.MAX_PROGRAM_BLOCKS + 1, "5"])
def test_max_blocks_rejected(blocks):
    assert limits_rejection({"max_blocks": blocks}).field == "limits.max_blocks"


def test_allowed_blocks_not_a_list_rejected():
    error = limits_rejection({"allowed_blocks": grid_world.MOVE_FORWARD})
    assert error.field == "limits.allowed_blocks"


def test_allowed_block_typo_suggests_nearest():
    error = limits_rejection({"allowed_blocks": ["robot_move_forwad"]})
    assert error.field == "limits.allowed_blocks[0]"
    assert grid_world.MOVE_FORWARD in error.message


def test_start_block_not_listed_in_allowed_blocks():
    error = limits_rejection({"allowed_blocks": [grid_world.START_BLOCK]})
    assert error.field == "limits.allowed_blocks[0]"


def test_robot_error_names_start_tile():
    error = rejection(grid_with(robot={"x": 2, "y": 1, "heading": "east"}))
    assert "(1, 1)" in error.message
