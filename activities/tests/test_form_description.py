"""The authoring form description generated from the schemas."""

import pytest

from activities.form_description import form_description


def by_name(fields):
    return {field["name"]: field for field in fields}


@pytest.mark.parametrize("kind", ["unplugged", "quiz", "coding"])
def test_common_fields_first(kind):
    names = [field["name"] for field in form_description(kind)]
    assert names[:6] == [
        "key",
        "title",
        "summary",
        "levels",
        "duration_minutes",
        "crcn",
    ]
    assert "schema_version" not in names
    assert "kind" not in names


def test_field_labels_help_and_limits():
    duration = by_name(form_description("quiz"))["duration_minutes"]
    assert duration == {
        "name": "duration_minutes",
        "label": "Durée (minutes)",
        "help": "",
        "required": True,
        "type": "integer",
        "min": 5,
        "max": 180,
    }


def test_crcn_offers_sixteen_competencies():
    crcn = by_name(form_description("unplugged"))["crcn"]
    assert crcn["type"] == "crcn"
    assert len(crcn["choices"]) == 16
    assert crcn["choices"][10] == {"value": "3.4", "label": "3.4 Programmer"}


def test_steps_are_list_of_groups():
    steps = by_name(form_description("unplugged"))["steps"]
    assert steps["type"] == "list"
    assert steps["max_length"] == 12
    inner = by_name(steps["item"]["fields"])
    assert inner["teacher_says"]["type"] == "text"
    assert not inner["teacher_says"]["required"]
    assert inner["minutes"]["min"] == 1


def test_handout_is_optional_group():
    handout = by_name(form_description("unplugged"))["handout"]
    assert handout["type"] == "group"
    assert not handout["required"]
    assert by_name(handout["fields"])["answer_lines"]["default"] == 3


def test_questions_offer_every_type():
    questions = by_name(form_description("quiz"))["questions"]
    assert questions["type"] == "variants"
    assert set(questions["variants"]) == {
        "single_choice",
        "multiple_choice",
        "ordering",
        "matching",
        "numeric",
    }
    numeric = by_name(questions["variants"]["numeric"])
    assert numeric["answer"]["type"] == "number"
    assert "type" not in numeric


def test_coding_editors():
    fields = by_name(form_description("coding"))
    assert fields["grid"]["type"] == "grid"
    assert fields["solution"]["type"] == "program"
    assert fields["starting_blocks"]["type"] == "program"
    assert fields["allowed_blocks"]["type"] == "multichoice"
    assert fields["concept"]["choices"][0] == {"value": "sequence", "label": "sequence"}


def test_unknown_kind_raises():
    with pytest.raises(KeyError):
        form_description("project")
