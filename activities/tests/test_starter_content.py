"""The starter content: every file is valid and every challenge is solvable as shipped.

Each reference solution runs through the server engine, and so do programs that must
fail, so a grid edited by mistake cannot keep a wrong solution or an easy way out.
"""

import pytest
from django.core.management import call_command

from activities import engine
from activities.content import load_content_file
from activities.crcn import competencies
from activities.schemas import Block, CodingContent, to_workspace
from activities.tests.content_factories import CONTENT_DIR

FILES = sorted(CONTENT_DIR.glob("*.yaml"))
CHALLENGES = [path for path in FILES if path.name.startswith("defi-")]


def load(name):
    return load_content_file(CONTENT_DIR / f"{name}.yaml")


def run(content, program):
    blocks = [Block.model_validate(block) for block in program]
    return engine.run_program(content.grid, to_workspace(blocks), content.limits())


def test_check_command_passes(capsys):
    call_command("content", "check", str(CONTENT_DIR))
    assert "16 activité(s) valide(s)" in capsys.readouterr().out


def test_content_counts():
    kinds = [load_content_file(path).kind for path in FILES]
    assert kinds.count("unplugged") >= 3
    assert kinds.count("quiz") >= 3
    assert kinds.count("coding") >= 10


def test_challenges_progress_by_concept():
    concepts = [load_content_file(path).concept for path in CHALLENGES]
    assert concepts == ["sequence"] * 3 + ["loop"] * 4 + ["condition"] * 3


def test_quizzes_use_every_question_type():
    types = {
        question.type
        for path in FILES
        if path.name.startswith("quiz-")
        for question in load_content_file(path).questions
    }
    assert types == {
        "single_choice",
        "multiple_choice",
        "ordering",
        "matching",
        "numeric",
    }


def test_crcn_codes_known():
    known = competencies()
    for path in FILES:
        assert set(load_content_file(path).crcn) <= known.keys(), path.name


@pytest.mark.parametrize("path", CHALLENGES, ids=lambda path: path.stem)
def test_reference_solution_succeeds(path):
    content = load_content_file(path)
    assert isinstance(content, CodingContent)
    result = engine.run_program(
        content.grid, content.solution_workspace(), content.limits()
    )
    assert result["outcome"] == "success"
    assert result["items_collected"] == result["items_total"]


@pytest.mark.parametrize("path", CHALLENGES, ids=lambda path: path.stem)
def test_starting_blocks_do_not_solve(path):
    content = load_content_file(path)
    result = engine.run_program(
        content.grid, content.starting_workspace(), content.limits()
    )
    assert result["outcome"] != "success"


def _without_first_action(program):
    """Return a program with its first action block removed, nested ones included."""
    removed = False

    def strip(blocks):
        nonlocal removed
        kept = []
        for block in blocks:
            if isinstance(block, str) and not removed:
                removed = True
                continue
            if isinstance(block, dict):
                block = dict(block, do=strip(block["do"]))
                if "else" in block:
                    block["else"] = strip(block["else"])
            kept.append(block)
        return kept

    return strip(program)


@pytest.mark.parametrize("path", CHALLENGES, ids=lambda path: path.stem)
def test_solution_missing_a_block_fails(path):
    content = load_content_file(path)
    program = _without_first_action([block.model_dump() for block in content.solution])
    assert run(content, program)["outcome"] != "success"


PROGRAM_OUTCOMES = [
    ("defi-01-avancer", ["move", "move"], "goal_not_reached"),
    # Reaching the goal ends the run, so a block too many does no harm.
    ("defi-01-avancer", ["move", "move", "move", "move"], "success"),
    ("defi-02-tourner", ["move", "move", "left", "move"], "wall_hit"),
    ("defi-02-tourner", ["move", "move", "move"], "wall_hit"),
    (
        "defi-03-ramasser",
        ["move", "move", "move", "right", "move", "move"],
        "items_not_collected",
    ),
    ("defi-04-repeter", ["move", "move", "move"], "block_limit_exceeded"),
    ("defi-04-repeter", [{"repeat": 8, "do": ["move"]}], "goal_not_reached"),
    (
        "defi-05-escalier",
        [{"repeat": 4, "do": ["move", "right", "move", "left"]}],
        "wall_hit",
    ),
    (
        "defi-06-carre",
        [{"repeat": 3, "do": ["move", "move", "move", "collect", "left"]}],
        "block_not_allowed",
    ),
    ("defi-07-jusqu-au-drapeau", [{"until": "goal", "do": []}], "step_limit_reached"),
    (
        "defi-07-jusqu-au-drapeau",
        [{"until": "goal", "do": ["left"]}],
        "block_not_allowed",
    ),
    (
        "defi-08-mur-devant",
        [
            {
                "until": "goal",
                "do": [{"if": "wall_ahead", "do": ["left"], "else": ["move"]}],
            }
        ],
        "step_limit_reached",
    ),
    (
        "defi-09-pieces-cachees",
        [{"until": "goal", "do": ["move"]}],
        "items_not_collected",
    ),
    (
        "defi-10-labyrinthe",
        [
            {
                "until": "goal",
                "do": [{"if": "path_ahead", "do": ["move"], "else": ["right"]}],
            }
        ],
        "step_limit_reached",
    ),
]


@pytest.mark.parametrize(("name", "program", "outcome"), PROGRAM_OUTCOMES)
def test_program_outcome(name, program, outcome):
    assert run(load(name), program)["outcome"] == outcome
