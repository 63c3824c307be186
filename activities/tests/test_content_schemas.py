"""One test per rule of the activity content schemas, through `parse_content`."""

import pytest

from activities.content import ContentError, parse_content
from activities.schemas import Block, CodingContent, QuizContent, Text, to_workspace
from activities.tests.content_factories import question, valid_data


def problems(kind, data):
    with pytest.raises(ContentError) as caught:
        parse_content(kind, data)
    return {problem.field_path: problem.reason for problem in caught.value.problems}


@pytest.mark.parametrize("kind", ["unplugged", "quiz", "coding"])
def test_valid_data_parses(kind):
    content = parse_content(kind, valid_data(kind))
    assert content.kind == kind


def test_unknown_kind_suggests_nearest():
    found = problems("quizz", valid_data("quiz"))
    assert "vouliez-vous dire « quiz »" in found["kind"]


def test_schema_version_must_be_1():
    data = valid_data("quiz")
    data["schema_version"] = 2
    assert "doit valoir 1" in problems("quiz", data)["schema_version"]


def test_key_pattern():
    data = valid_data("quiz")
    data["key"] = "Mon Quiz"
    reason = problems("quiz", data)["key"]
    assert "minuscules" in reason
    assert "'Mon Quiz'" in reason


def test_unknown_key_suggests_nearest():
    data = valid_data("unplugged")
    data["sumary"] = "x"
    reason = problems("unplugged", data)["sumary"]
    assert "clé inconnue « sumary »" in reason
    assert "vouliez-vous dire « summary » ?" in reason


def test_unknown_nested_key_lists_allowed_keys():
    data = valid_data("unplugged")
    data["steps"][0]["minute"] = 5
    found = problems("unplugged", data)
    assert "vouliez-vous dire « minutes » ?" in found["steps[0].minute"]
    assert "Clés permises ici : title, minutes" in found["steps[0].minute"]


def test_text_shorthand_is_french():
    data = valid_data("quiz")
    data["title"] = "Un titre"
    content = parse_content("quiz", data)
    assert content.title == Text(fr="Un titre")


def test_text_english_optional():
    data = valid_data("quiz")
    data["title"] = {"fr": "Titre", "en": "Title"}
    content = parse_content("quiz", data)
    assert content.title.get("en") == "Title"
    assert content.summary.get("en-gb") == content.summary.en


def test_text_falls_back_on_french():
    text = Text(fr="Bonjour")
    assert text.get("en") == "Bonjour"


def test_text_french_required():
    data = valid_data("quiz")
    data["title"] = {"en": "Title"}
    assert problems("quiz", data)["title.fr"] == "clé obligatoire absente"


def test_blank_text_rejected():
    data = valid_data("quiz")
    data["summary"] = "   "
    assert "ne doit pas être vide" in problems("quiz", data)["summary.fr"]


def test_unknown_level_rejected():
    data = valid_data("quiz")
    data["levels"] = ["CM1", "CM3"]
    reason = problems("quiz", data)["levels[1]"]
    assert "'CM3'" in reason
    assert "vouliez-vous dire" in reason


def test_repeated_level_rejected():
    data = valid_data("quiz")
    data["levels"] = ["CM1", "CM1"]
    assert "qu’une fois" in problems("quiz", data)["levels"]


def test_levels_required():
    data = valid_data("quiz")
    data["levels"] = []
    assert "ajoutez-en au moins un" in problems("quiz", data)["levels"]


@pytest.mark.parametrize("minutes", [4, 181])
def test_duration_range(minutes):
    data = valid_data("quiz")
    data["duration_minutes"] = minutes
    assert "duration_minutes" in problems("quiz", data)


def test_unknown_crcn_suggests_code():
    data = valid_data("quiz")
    data["crcn"] = ["3.5"]
    reason = problems("quiz", data)["crcn[0]"]
    assert "compétence CRCN inconnue « 3.5 »" in reason
    assert "vouliez-vous dire « 3.4 »" in reason


def test_crcn_code_must_be_text():
    data = valid_data("quiz")
    data["crcn"] = [3.4]
    assert "guillemets" in problems("quiz", data)["crcn[0]"]


def test_every_error_reported():
    data = valid_data("quiz")
    data["levels"] = ["CM9"]
    data["crcn"] = ["9.9"]
    del data["title"]
    assert {"levels[0]", "crcn[0]", "title"} <= problems("quiz", data).keys()


# Lesson sheets


def test_steps_must_fill_duration():
    data = valid_data("unplugged")
    data["steps"][0]["minutes"] += 1
    reason = problems("unplugged", data)["steps"]
    assert "46 minutes" in reason
    assert "duration_minutes vaut 45" in reason


def test_objectives_required():
    data = valid_data("unplugged")
    data["objectives"] = []
    assert "objectives" in problems("unplugged", data)


def test_materials_required():
    data = valid_data("unplugged")
    del data["materials"]
    assert problems("unplugged", data)["materials"] == "clé obligatoire absente"


def test_both_variants_required():
    data = valid_data("unplugged")
    del data["variants"]["harder"]
    assert "variants.harder" in problems("unplugged", data)


def test_trace_required():
    data = valid_data("unplugged")
    del data["trace"]
    assert "trace" in problems("unplugged", data)


def test_handout_optional():
    data = valid_data("unplugged")
    del data["handout"]
    assert parse_content("unplugged", data).handout is None


def test_handout_needs_a_task():
    data = valid_data("unplugged")
    data["handout"]["tasks"] = []
    assert "handout.tasks" in problems("unplugged", data)


def test_handout_answer_lines_range():
    data = valid_data("unplugged")
    data["handout"]["answer_lines"] = 21
    assert "au plus 20" in problems("unplugged", data)["handout.answer_lines"]


# Quizzes


def test_unknown_question_type_suggested():
    data = valid_data("quiz")
    data["questions"][0]["type"] = "single_choise"
    reason = problems("quiz", data)["questions[0].type"]
    assert "single_choise" in reason
    assert "vouliez-vous dire « single_choice » ?" in reason


def test_question_type_required():
    data = valid_data("quiz")
    del data["questions"][0]["type"]
    assert problems("quiz", data)["questions[0].type"] == "clé obligatoire absente"


def test_error_path_skips_union_tag():
    data = valid_data("quiz")
    question(data, "numeric")["answr"] = 3
    found = problems("quiz", data)
    assert "questions[1].answr" in found
    assert "vouliez-vous dire « answer » ?" in found["questions[1].answr"]


def test_single_choice_needs_exactly_one_correct():
    data = valid_data("quiz")
    for choice in question(data, "single_choice")["choices"]:
        choice["correct"] = True
    assert "multiple_choice" in problems("quiz", data)["questions[0].choices"]


def test_choice_question_needs_a_correct_choice():
    data = valid_data("quiz")
    for choice in question(data, "multiple_choice")["choices"]:
        choice.pop("correct", None)
    assert "correct: true" in problems("quiz", data)["questions[2].choices"]


def test_choice_keys_unique():
    data = valid_data("quiz")
    choices = question(data, "multiple_choice")["choices"]
    choices[1]["key"] = choices[0]["key"]
    assert "déjà prise" in problems("quiz", data)["questions[2].choices"]


def test_choices_need_two():
    data = valid_data("quiz")
    single = question(data, "single_choice")
    single["choices"] = single["choices"][:1]
    assert "au moins 2" in problems("quiz", data)["questions[0].choices"]


def test_question_keys_unique():
    data = valid_data("quiz")
    data["questions"][1]["key"] = data["questions"][0]["key"]
    assert "déjà prise" in problems("quiz", data)["questions"]


def test_question_key_pattern():
    data = valid_data("quiz")
    data["questions"][0]["key"] = "1st"
    assert "une lettre suivie" in problems("quiz", data)["questions[0].key"]


def test_ordering_keys_unique():
    data = valid_data("quiz")
    items = question(data, "ordering")["items"]
    items[1]["key"] = items[0]["key"]
    assert "déjà prise" in problems("quiz", data)["questions[3].items"]


def test_matching_keys_unique():
    data = valid_data("quiz")
    pairs = question(data, "matching")["pairs"]
    pairs[1]["key"] = pairs[0]["key"]
    assert "déjà prise" in problems("quiz", data)["questions[4].pairs"]


def test_numeric_tolerance_not_negative():
    data = valid_data("quiz")
    question(data, "numeric")["tolerance"] = -1
    assert "au moins 0" in problems("quiz", data)["questions[1].tolerance"]


def test_numeric_answer_accepts_integer():
    content = parse_content("quiz", valid_data("quiz"))
    assert isinstance(content, QuizContent)
    assert content.questions[1].answer == 6.0


def test_points_range():
    data = valid_data("quiz")
    data["questions"][0]["points"] = 0
    assert "questions[0].points" in problems("quiz", data)


def test_missing_image_rejected():
    data = valid_data("quiz")
    question(data, "numeric")["image"]["static"] = "activities/images/absent.svg"
    assert "image introuvable" in problems("quiz", data)["questions[1].image.static"]


def test_image_path_pattern():
    data = valid_data("quiz")
    question(data, "numeric")["image"]["static"] = "../secret.svg"
    assert "activities/" in problems("quiz", data)["questions[1].image.static"]


def test_image_needs_alt_text():
    data = valid_data("quiz")
    del question(data, "numeric")["image"]["alt"]
    assert "questions[1].image.alt" in problems("quiz", data)


# Coding challenges


def test_invalid_grid_names_field():
    data = valid_data("coding")
    data["grid"]["tiles"][1] = "#S....G#"
    reason = problems("coding", data)["grid"]
    assert "tiles[1]" in reason


def test_grid_robot_must_be_on_start():
    data = valid_data("coding")
    data["grid"]["robot"]["x"] = 2
    assert "case S" in problems("coding", data)["grid"]


def test_unknown_allowed_block_suggested():
    data = valid_data("coding")
    data["allowed_blocks"][0] = "mvoe"
    assert (
        "vouliez-vous dire « move » ?" in problems("coding", data)["allowed_blocks[0]"]
    )


def test_allowed_blocks_unique():
    data = valid_data("coding")
    data["allowed_blocks"].append("move")
    assert "qu’une fois" in problems("coding", data)["allowed_blocks"]


def test_solution_must_use_allowed_blocks():
    data = valid_data("coding")
    data["allowed_blocks"].remove("right")
    data["allowed_blocks"].append("repeat")
    assert "right" in problems("coding", data)["solution"]


def test_starting_blocks_must_be_allowed():
    data = valid_data("coding")
    data["starting_blocks"] = [{"repeat": 2, "do": []}]
    assert "repeat" in problems("coding", data)["starting_blocks"]


def test_solution_within_block_limit():
    data = valid_data("coding")
    data["max_blocks"] = 3
    assert "plus que max_blocks (3)" in problems("coding", data)["solution"]


def test_solution_must_solve_grid():
    data = valid_data("coding")
    data["solution"] = ["move", "move"]
    reason = problems("coding", data)["solution"]
    assert "ne résout pas le défi" in reason
    assert "goal_not_reached" in reason


def test_solution_within_step_limit():
    data = valid_data("coding")
    data["max_steps"] = 10
    assert "step_limit_reached" in problems("coding", data)["solution"]


def test_solution_required():
    data = valid_data("coding")
    data["solution"] = []
    assert "ajoutez-en au moins un" in problems("coding", data)["solution"]


def test_unknown_action_suggested():
    data = valid_data("coding")
    data["solution"][0]["do"][0]["else"] = ["mvoe"]
    found = problems("coding", data)
    assert "vouliez-vous dire « move » ?" in found["solution[0].do[0].else[0].action"]


def test_block_with_two_kinds_rejected():
    data = valid_data("coding")
    data["solution"][0]["repeat"] = 3
    assert "une seule des clés" in problems("coding", data)["solution[0]"]


def test_else_only_on_if():
    data = valid_data("coding")
    data["solution"][0]["else"] = ["move"]
    assert "seul un bloc if" in problems("coding", data)["solution[0]"]


def test_unknown_block_key_rejected():
    data = valid_data("coding")
    data["solution"][0]["doo"] = []
    found = problems("coding", data)
    assert "vouliez-vous dire « do » ?" in found["solution[0].doo"]


@pytest.mark.parametrize("times", [-1, 51])
def test_repeat_count_range(times):
    data = valid_data("coding")
    data["allowed_blocks"].append("repeat")
    data["starting_blocks"] = [{"repeat": times, "do": []}]
    assert "starting_blocks[0].repeat" in problems("coding", data)


def test_unknown_concept_rejected():
    data = valid_data("coding")
    data["concept"] = "loops"
    assert "vouliez-vous dire « loop » ?" in problems("coding", data)["concept"]


def test_block_notation_round_trips():
    program = [
        "move",
        {"repeat": 2, "do": ["left", {"if": "wall_ahead", "do": ["right"]}]},
        {"until": "goal", "do": []},
    ]
    blocks = [Block.model_validate(block) for block in program]
    dumped = [block.model_dump() for block in blocks]
    assert dumped == [
        "move",
        {"repeat": 2, "do": ["left", {"if": "wall_ahead", "do": ["right"]}]},
        {"until": "goal", "do": []},
    ]


def test_workspace_nests_blocks():
    blocks = [
        Block.model_validate({"repeat": 2, "do": ["move", "left"]}),
        Block.model_validate("right"),
    ]
    start = to_workspace(blocks)["blocks"]["blocks"][0]
    repeat = start["next"]["block"]
    assert repeat["type"] == "robot_repeat"
    assert repeat["fields"] == {"TIMES": 2}
    assert repeat["inputs"]["DO"]["block"]["type"] == "robot_move_forward"
    assert repeat["inputs"]["DO"]["block"]["next"]["block"]["id"] == "b3"
    assert repeat["next"]["block"]["type"] == "robot_turn_right"


def test_limits_use_engine_block_types():
    content = parse_content("coding", valid_data("coding"))
    assert isinstance(content, CodingContent)
    assert content.limits()["allowed_blocks"] == [
        "robot_move_forward",
        "robot_turn_left",
        "robot_turn_right",
        "robot_repeat_until_goal",
        "robot_if_wall_ahead",
    ]
    assert content.limits()["max_blocks"] == 4
