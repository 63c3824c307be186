"""Field-by-field changes between two versions."""

import pytest

from activities.content import parse_content, stored_content
from activities.diff import diff_content, diff_versions
from activities.services import publish_content
from activities.tests.content_factories import question, valid_data


def stored(kind, data):
    return stored_content(parse_content(kind, data))


def changes_between(kind, change):
    old = valid_data(kind)
    new = valid_data(kind)
    change(new)
    return diff_content(kind, stored(kind, old), stored(kind, new))


def test_same_content_no_changes():
    data = stored("quiz", valid_data("quiz"))
    assert diff_content("quiz", data, data) == []


def test_changed_step_minutes():
    def change(data):
        data["steps"][0]["minutes"] = 10
        data["steps"][1]["minutes"] = 5

    changes = changes_between("unplugged", change)
    assert [c.path for c in changes] == ["steps[0].minutes", "steps[1].minutes"]
    assert changes[0].label == "Étapes › Durée (minutes)"
    assert changes[0].kind == "changed"
    assert changes[0].before == 5
    assert changes[0].after == 10


def test_translation_added():
    changes = changes_between(
        "unplugged",
        lambda data: data.update(trace={"fr": data["trace"], "en": "Trace."}),
    )
    assert [(c.path, c.kind, c.after) for c in changes] == [
        ("trace.en", "added", "Trace.")
    ]
    assert changes[0].label == "Trace écrite › en"


def test_question_changed_by_key_with_type_label():
    def change(data):
        question(data, "numeric")["tolerance"] = 1

    [change_found] = changes_between("quiz", change)
    assert change_found.path == "questions[q2].tolerance"
    assert change_found.label == "Questions › Écart accepté"
    assert change_found.before == 0
    assert change_found.after == 1


def test_question_inserted_is_one_addition():
    def change(data):
        data["questions"].insert(0, dict(question(data, "numeric"), key="q0"))

    changes = changes_between("quiz", change)
    assert [(c.path, c.kind) for c in changes] == [("questions[q0]", "added")]


def test_question_removed():
    changes = changes_between("quiz", lambda data: data["questions"].pop())
    assert [(c.path, c.kind) for c in changes] == [("questions[q5]", "removed")]


def test_questions_reordered():
    changes = changes_between("quiz", lambda data: data["questions"].reverse())
    assert [(c.path, c.kind) for c in changes] == [("questions", "reordered")]
    assert changes[0].after == ["q5", "q4", "q3", "q2", "q1"]


def test_choice_feedback_changed():
    def change(data):
        question(data, "single_choice")["choices"][1]["feedback"] = "Essaie encore."

    [found] = changes_between("quiz", change)
    assert found.path == "questions[q1].choices[b].feedback.fr"
    assert found.label == "Questions › Réponses proposées › Message en retour › fr"


def test_grid_tile_changed():
    def change(data):
        data["grid"]["tiles"][3] = "#.G.#.#"
        data["solution"] = [
            {
                "until": "goal",
                "do": [{"if": "wall_ahead", "do": ["right"], "else": ["move"]}],
            }
        ]

    changes = changes_between("coding", change)
    assert [(c.path, c.label) for c in changes] == [("grid.tiles[3]", "Grille › tiles")]


def test_list_entry_added_by_position():
    changes = changes_between(
        "coding", lambda data: data["hints"].append("Regarde bien.")
    )
    assert [(c.path, c.kind) for c in changes] == [("hints[2]", "added")]


@pytest.mark.django_db
def test_diff_versions_of_activity():
    old = publish_content(parse_content("quiz", valid_data("quiz"))).version
    data = valid_data("quiz")
    data["duration_minutes"] = 12
    new = publish_content(parse_content("quiz", data)).version
    [change] = diff_versions(old, new)
    assert change.path == "duration_minutes"
    assert change.label == "Durée (minutes)"


@pytest.mark.django_db
def test_diff_versions_of_two_activities_rejected():
    first = publish_content(parse_content("quiz", valid_data("quiz"))).version
    other = publish_content(parse_content("coding", valid_data("coding"))).version
    with pytest.raises(ValueError, match="même activité"):
        diff_versions(first, other)
