"""The authoring form's logic: form values to content and back, problems by input."""

import pytest

from activities.authoring import (
    STARTERS,
    content_values,
    parse_program_text,
    program_text,
    read_form,
    validate_form,
)
from activities.authoring_form import bind_form, dom_id
from activities.content import load_content_file, stored_content
from activities.diff import diff_content
from activities.history import describe_changes, plain_value
from activities.services import publish_content
from activities.tests.content_factories import CONTENT_DIR, valid_data


def quiz_values():
    return content_values("quiz", valid_data("quiz"))


def reasons(validation, path):
    return [p.reason for p in validation.problems if p.field_path == path]


@pytest.mark.parametrize(
    "path", sorted(CONTENT_DIR.glob("*.yaml")), ids=lambda path: path.stem
)
def test_starter_file_survives_form(path):
    content = load_content_file(path)
    stored = stored_content(content)
    validation = validate_form(content.kind, content_values(content.kind, stored))
    assert validation.problems == []
    assert stored_content(validation.content) == stored


@pytest.mark.parametrize("kind", ["unplugged", "quiz", "coding"])
def test_starter_template_lists_only_texts(kind):
    validation = validate_form(kind, content_values(kind, STARTERS[kind]))
    assert validation.content is None
    # The template leaves the key, texts and competencies to the author: every
    # problem is about one of those, none about the structure it sets up.
    for problem in validation.problems:
        assert problem.field_path in ("key", "crcn") or problem.field_path.endswith(
            ".fr"
        ), problem


def test_crlf_line_breaks_read_as_lf():
    values = content_values("unplugged", valid_data("unplugged"))
    values["trace.fr"] = ["Première ligne.\r\nDeuxième ligne."]
    data = read_form("unplugged", values).data
    assert data["trace"] == {"fr": "Première ligne.\nDeuxième ligne."}


def test_english_left_blank_is_omitted():
    values = quiz_values()
    values["title.en"] = ["  "]
    content = validate_form("quiz", values).content
    assert content is not None
    assert content.title.en is None


def test_blank_french_named_by_language():
    values = quiz_values()
    values["questions[0].prompt.fr"] = [""]
    validation = validate_form("quiz", values)
    assert reasons(validation, "questions[0].prompt.fr") == [
        "en français : ne doit pas être vide"
    ]


def test_missing_value_worded_for_form():
    values = quiz_values()
    values["duration_minutes"] = [""]
    validation = validate_form("quiz", values)
    assert reasons(validation, "duration_minutes") == [
        "champ obligatoire : remplissez-le"
    ]


def test_number_not_a_number_names_value():
    data = valid_data("quiz")
    values = content_values("quiz", data)
    index = next(i for i, q in enumerate(data["questions"]) if q["type"] == "numeric")
    values[f"questions[{index}].answer"] = ["huit"]
    validation = validate_form("quiz", values)
    assert reasons(validation, f"questions[{index}].answer") == [
        "doit être un nombre (trouvé : 'huit')"
    ]


def test_decimal_comma_reads_as_number():
    data = valid_data("quiz")
    values = content_values("quiz", data)
    index = next(i for i, q in enumerate(data["questions"]) if q["type"] == "numeric")
    values[f"questions[{index}].answer"] = ["2,5"]
    content = validate_form("quiz", values).content
    assert content is not None
    assert content.questions[index].answer == 2.5


def test_optional_group_left_blank_is_omitted():
    values = content_values("unplugged", valid_data("unplugged"))
    for name in [name for name in values if name.startswith("handout.")]:
        del values[name]
    values["handout.answer_lines"] = ["3"]
    values["handout.title.fr"] = [""]
    content = validate_form("unplugged", values).content
    assert content is not None
    assert content.handout is None


def test_optional_group_started_must_be_complete():
    values = content_values("unplugged", valid_data("unplugged"))
    for name in [name for name in values if name.startswith("handout.")]:
        del values[name]
    values["handout.title.fr"] = ["Ma fiche"]
    validation = validate_form("unplugged", values)
    assert "handout.instructions.fr" in [p.field_path for p in validation.problems]


def test_gap_in_entries_reads_in_order():
    values = quiz_values()
    # A page that removed the second question without renumbering the others.
    for name in [name for name in values if name.startswith("questions[1]")]:
        del values[name]
    data = read_form("quiz", values).data
    expected = [q["key"] for q in valid_data("quiz")["questions"]]
    assert [q["key"] for q in data["questions"]] == expected[:1] + expected[2:]


def test_edit_keeps_activity_key():
    values = quiz_values()
    values["key"] = ["autre-cle"]
    validation = validate_form("quiz", values, key="quiz-programmer-un-robot")
    assert validation.content is not None
    assert validation.content.key == "quiz-programmer-un-robot"


@pytest.mark.django_db
def test_new_activity_rejects_taken_key():
    data = valid_data("quiz")
    publish_content(validate_form("quiz", content_values("quiz", data)).content)
    validation = validate_form("quiz", content_values("quiz", data), new=True)
    assert validation.content is None
    assert "est déjà prise" in reasons(validation, "key")[0]


@pytest.mark.django_db
def test_same_key_free_when_editing():
    data = valid_data("quiz")
    publish_content(validate_form("quiz", content_values("quiz", data)).content)
    validation = validate_form("quiz", content_values("quiz", data), key=data["key"])
    assert validation.problems == []


# Grids.


def coding_values(**changes):
    data = valid_data("coding")
    values = content_values("coding", data)
    for name, value in changes.items():
        values[name] = [value]
    return values


def test_grid_items_and_robot_from_tiles():
    values = coding_values(
        **{
            "grid.tiles": "#####\n#S*G#\n#####",
            "grid.heading": "east",
            "grid.win": "reach_goal_with_all_items",
            "grid.item_order": "",
        }
    )
    grid = read_form("coding", values).data["grid"]
    assert grid == {
        "schema_version": 1,
        "width": 5,
        "height": 3,
        "tiles": ["#####", "#S.G#", "#####"],
        "robot": {"x": 1, "y": 1, "heading": "east"},
        "items": [{"x": 2, "y": 1}],
        "win": "reach_goal_with_all_items",
    }


def test_grid_keeps_item_order():
    content = load_content_file(CONTENT_DIR / "defi-06-carre.yaml")
    values = content_values("coding", stored_content(content))
    assert values["grid.item_order"] == ["4,1 4,4 1,4"]
    grid = read_form("coding", values).data["grid"]
    assert grid["items"] == content.grid["items"]


def test_grid_without_start_says_so():
    validation = validate_form("coding", coding_values(**{"grid.tiles": "####\n#.G#"}))
    assert reasons(validation, "grid") == [
        "tiles : La grille a 0 cases S. Placez exactement une case S (départ)."
    ]


def test_failing_solution_says_where_robot_stops():
    values = coding_values(solution="move\nmove\nmove\nmove\nmove", max_blocks="")
    validation = validate_form("coding", values)
    (reason,) = reasons(validation, "solution")
    assert reason.startswith("la solution de référence ne résout pas le défi : ")
    assert "le robot heurte un mur après" in reason
    assert reason.endswith("Corrigez la solution ou la grille.")


def test_solution_with_forbidden_block_keeps_schema_reason():
    values = coding_values(solution="collect")
    validation = validate_form("coding", values)
    assert (
        "le bloc collect n’est pas dans allowed_blocks"
        in (reasons(validation, "solution")[0])
    )


# The program notation.


def test_program_text_round_trip():
    content = load_content_file(CONTENT_DIR / "defi-06-carre.yaml")
    blocks = stored_content(content)["solution"]
    text = program_text(blocks)
    assert text == ("repeat 3\n  repeat 3\n    move\n  collect\n  right\nmove\nmove")
    assert parse_program_text(text).blocks == blocks


def test_program_if_else_and_until():
    parsed = parse_program_text(
        "until goal\n  if wall_ahead\n    left\n  else\n    move\n"
    )
    assert parsed.errors == []
    assert parsed.blocks == [
        {
            "until": "goal",
            "do": [{"if": "wall_ahead", "do": ["left"], "else": ["move"]}],
        }
    ]
    assert parsed.lines == {
        "[0]": 1,
        "[0].do[0]": 2,
        "[0].do[0].do[0]": 3,
        "[0].do[0].else[0]": 5,
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("muve", "bloc inconnu « muve »"),
        ("muve", "vouliez-vous dire « move » ?"),
        ("repeat", "écrivez repeat suivi d’un nombre de fois"),
        ("if wal_ahead", "vouliez-vous dire « wall_ahead » ?"),
        ("move\n    move", "ligne trop indentée"),
        ("else", "else doit suivre les blocs d’un if"),
        (" move", "indentez de 2 espaces par niveau"),
        ("move 3", "move s’écrit seul sur sa ligne"),
    ],
)
def test_program_errors(text, error):
    errors = parse_program_text(text).errors
    assert errors
    assert error in errors[-1][1]


def test_program_error_names_line_in_form():
    values = coding_values(solution="move\nmove\nsaute")
    validation = validate_form("coding", values)
    (reason,) = reasons(validation, "solution")
    assert reason.startswith("ligne 3 : bloc inconnu « saute »")


def test_program_schema_problem_names_line():
    values = coding_values(solution="move\nrepeat 99\n  move")
    validation = validate_form("coding", values)
    assert reasons(validation, "solution[1].repeat") == [
        "ligne 2 : doit être au plus 50 (trouvé : 99)"
    ]


# Binding problems to the form.


def test_problem_hangs_on_deepest_field():
    values = quiz_values()
    values["questions[0].choices[1].text.fr"] = [""]
    validation = validate_form("quiz", values)
    form = bind_form("quiz", values, validation.problems)
    (trail, reason, input_id) = form.summary[0]
    assert input_id == dom_id("questions[0].choices[1].text")
    assert trail == "Questions n° 1 › Réponses proposées n° 2 › Réponse"
    assert reason == "en français : ne doit pas être vide"


def test_list_problem_hangs_on_list():
    values = quiz_values()
    for name in list(values):
        if name.startswith("questions[0].choices[") and name.endswith(".correct"):
            del values[name]
    validation = validate_form("quiz", values)
    form = bind_form("quiz", values, validation.problems)
    questions = next(field for field in form.fields if field.name == "questions")
    choices = next(f for f in questions.items[0].sections[0].fields)
    assert choices.name == "questions[0].choices"
    assert choices.errors


def test_template_entry_has_placeholder_and_blank_key():
    form = bind_form("quiz", content_values("quiz", STARTERS["quiz"]))
    questions = next(field for field in form.fields if field.name == "questions")
    template = questions.template
    assert template.name == "questions[__N0__]"
    key = next(field for field in template.fields if field.name.endswith(".key"))
    assert key.value == ""
    choices = template.sections[0].fields[0]
    assert [item.name for item in choices.items] == [
        "questions[__N0__].choices[0]",
        "questions[__N0__].choices[1]",
    ]
    assert choices.template.name == "questions[__N0__].choices[__N1__]"


def test_dom_id_keeps_indices_apart():
    assert dom_id("questions[1].prompt") == "f-questions--1---prompt"
    assert dom_id("questions[1]") not in dom_id("questions[12].prompt")


# Plain French history.


def test_changes_worded_in_french():
    old = valid_data("quiz")
    new = valid_data("quiz")
    new["duration_minutes"] = old["duration_minutes"] + 5
    new["questions"][0]["prompt"] = "Une nouvelle question ?"
    removed = new["questions"].pop()
    lines = {
        line.where: line.sentence
        for line in describe_changes(diff_content("quiz", stored(old), stored(new)))
    }
    assert lines["Durée (minutes)"] == (
        f"Durée (minutes) : « {old['duration_minutes']} » devient "
        f"« {old['duration_minutes'] + 5} »."
    )
    key = old["questions"][0]["key"]
    assert lines[f"Questions {key} › Question (en français)"].endswith(
        "devient « Une nouvelle question ? »."
    )
    assert lines[f"Questions {removed['key']}"].startswith(
        f"Questions {removed['key']} : retrait de « "
    )


def stored(data):
    return stored_content(
        validate_form(data["kind"], content_values(data["kind"], data)).content
    )


def test_plain_value_shapes():
    assert plain_value({"fr": "Bonjour", "en": "Hello"}) == "Bonjour"
    assert plain_value(True) == "oui"
    assert plain_value(8.0) == "8"
    assert plain_value(["move", {"repeat": 2, "do": ["left"]}]) == (
        "move ; repeat 2 ;   left"
    )
    assert plain_value(
        {"key": "q1", "type": "numeric", "prompt": {"fr": "Combien ?"}}
    ) == ("Combien ?")
    assert len(plain_value("x" * 500)) == 160
