"""Activity files: line numbers in errors, Markdown includes and the file round trip."""

import shutil

import pytest
import yaml

from activities.content import (
    ContentError,
    load_content_file,
    stored_content,
    write_content_file,
)
from activities.tests.content_factories import CONTENT_DIR, valid_data


def write(folder, name, data):
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def load_problems(path):
    with pytest.raises(ContentError) as caught:
        load_content_file(path)
    return caught.value


def test_error_gives_file_line_and_field(tmp_path):
    text = (CONTENT_DIR / "defi-08-mur-devant.yaml").read_text(encoding="utf-8")
    text = text.replace("max_blocks: 4", "max_block: 4")
    path = tmp_path / "defi-08-mur-devant.yaml"
    path.write_text(text, encoding="utf-8")
    error = load_problems(path)
    problem = error.problems[0]
    assert text.splitlines()[problem.line - 1] == "max_block: 4"
    assert problem.field_path == "max_block"
    assert str(error).startswith(f"defi-08-mur-devant.yaml:{problem.line}: max_block:")
    assert "vouliez-vous dire « max_blocks » ?" in str(error)


def test_nested_error_line(tmp_path):
    text = (CONTENT_DIR / "quiz-mon-ordinateur.yaml").read_text(encoding="utf-8")
    text = text.replace("answer: 8", "answer: huit")
    path = tmp_path / "quiz-mon-ordinateur.yaml"
    path.write_text(text, encoding="utf-8")
    problem = load_problems(path).problems[0]
    assert problem.field_path == "questions[3].answer"
    assert text.splitlines()[problem.line - 1].strip() == "answer: huit"


def test_file_name_must_match_key(tmp_path):
    path = write(tmp_path, "autre-nom.yaml", valid_data("quiz"))
    error = load_problems(path)
    assert "nommez le fichier quiz-programmer-un-robot.yaml" in str(error)


def test_missing_kind_reported(tmp_path):
    data = valid_data("quiz")
    del data["kind"]
    error = load_problems(write(tmp_path, f"{data['key']}.yaml", data))
    assert "kind: clé obligatoire absente" in str(error)


def test_unknown_kind_reported(tmp_path):
    data = valid_data("quiz")
    data["kind"] = "unpluged"
    error = load_problems(write(tmp_path, f"{data['key']}.yaml", data))
    assert "vouliez-vous dire « unplugged » ?" in str(error)


def test_schema_version_checked_first(tmp_path):
    data = valid_data("quiz")
    data["schema_version"] = 2
    data["kind"] = "other"
    error = load_problems(write(tmp_path, f"{data['key']}.yaml", data))
    assert len(error.problems) == 1
    assert "version de schéma 1" in str(error)


def test_invalid_yaml_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("key: [unclosed\n", encoding="utf-8")
    assert "YAML invalide" in str(load_problems(path))


def test_duplicate_yaml_key_reported(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("schema_version: 1\nkind: quiz\nkind: quiz\n", encoding="utf-8")
    error = load_problems(path)
    assert "twice.yaml:3: kind: clé écrite deux fois" in str(error)


def test_markdown_include_read(tmp_path):
    data = valid_data("unplugged")
    data["trace"] = {"file": "trace.md"}
    (tmp_path / "trace.md").write_text("Premier.\n\nSecond.\n", encoding="utf-8")
    content = load_content_file(write(tmp_path, f"{data['key']}.yaml", data))
    assert content.trace.fr == "Premier.\n\nSecond."


def test_markdown_include_for_translation(tmp_path):
    data = valid_data("unplugged")
    data["trace"] = {"fr": "Trace.", "en": {"file": "trace.en.md"}}
    (tmp_path / "trace.en.md").write_text("Written trace.\n", encoding="utf-8")
    content = load_content_file(write(tmp_path, f"{data['key']}.yaml", data))
    assert content.trace.en == "Written trace."


def test_missing_markdown_reported(tmp_path):
    data = valid_data("unplugged")
    data["trace"] = {"file": "absent.md"}
    error = load_problems(write(tmp_path, f"{data['key']}.yaml", data))
    assert "trace.file: fichier Markdown introuvable : absent.md" in str(error)


def test_markdown_path_outside_folder_rejected(tmp_path):
    data = valid_data("unplugged")
    data["trace"] = {"file": "../secret.md"}
    error = load_problems(write(tmp_path, f"{data['key']}.yaml", data))
    assert "sans chemin" in str(error)


def test_round_trip_keeps_content(tmp_path):
    original = load_content_file(CONTENT_DIR / "robot-idiot.yaml")
    written = write_content_file(original, tmp_path)
    assert {path.name for path in written} == {
        "robot-idiot.yaml",
        "robot-idiot.trace.fr.md",
        "robot-idiot.steps.1.teacher-says.fr.md",
    }
    again = load_content_file(tmp_path / "robot-idiot.yaml")
    assert stored_content(again) == stored_content(original)


def test_written_file_uses_short_texts(tmp_path):
    write_content_file(
        load_content_file(CONTENT_DIR / "defi-01-avancer.yaml"), tmp_path
    )
    data = yaml.safe_load((tmp_path / "defi-01-avancer.yaml").read_text())
    assert data["summary"] == "Le robot avance jusqu’au drapeau sur une ligne droite."
    assert data["title"]["en"] == "Challenge 1: straight ahead"
    assert list(data)[:3] == ["schema_version", "kind", "key"]


def test_round_trip_of_every_starter_file(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(CONTENT_DIR, source)
    for path in sorted(source.glob("*.yaml")):
        original = load_content_file(path)
        target = tmp_path / "out"
        target.mkdir(exist_ok=True)
        write_content_file(original, target)
        again = load_content_file(target / path.name)
        assert stored_content(again) == stored_content(original), path.name
