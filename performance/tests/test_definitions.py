"""The task file schema: the shipped files, one test per rule, and the sync."""

import uuid
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from performance.definitions import (
    TASKS_DIR,
    TaskFileError,
    TaskSyncError,
    load_task_file,
    parse_task,
    sync_tasks,
)
from performance.games import GAMES
from performance.models import Task, TaskEvent, TaskRun, TaskSession

SHIPPED = sorted(TASKS_DIR.glob("*.yaml"))


def shipped(key: str) -> dict:
    return yaml.safe_load((TASKS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))


def problems_of(data: dict) -> str:
    with pytest.raises(TaskFileError) as caught:
        parse_task(yaml.safe_dump(data, allow_unicode=True), "task.yaml")
    return str(caught.value)


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_shipped_task_valid(path):
    definition = load_task_file(path)
    assert definition.key == path.stem
    assert definition.validated is False
    assert definition.skill == GAMES[definition.type].skill


def test_shipped_tasks_cover_four_skills():
    skills = {load_task_file(path).skill for path in SHIPPED}
    assert skills == {"perseverance", "cooperation", "communication", "collaboration"}


def test_unknown_type_names_known_types():
    data = shipped("perseverance-puzzles")
    data["type"] = "maze"
    message = problems_of(data)
    assert "type: doit valoir 'effort-choice', 'public-goods'" in message
    assert "(trouvé : 'maze')" in message


def test_error_names_file_line_and_field():
    text = (TASKS_DIR / "perseverance-puzzles.yaml").read_text(encoding="utf-8")
    text = text.replace("      target: 100\n", '      target: "cent"\n', 1)
    with pytest.raises(TaskFileError) as caught:
        parse_task(text, Path("perseverance-puzzles.yaml"))
    line = text.splitlines().index('      target: "cent"') + 1
    expected = f"perseverance-puzzles.yaml:{line}: content.levels.hard.target:"
    assert str(caught.value).startswith(expected)
    assert "doit être un nombre entier" in str(caught.value)


def test_misspelt_content_key_suggests_key():
    data = shipped("perseverance-puzzles")
    data["content"]["round"] = data["content"].pop("rounds")
    message = problems_of(data)
    assert "content.round: clé inconnue « round »" in message
    assert "vouliez-vous dire « rounds »" in message


def test_skill_must_match_game():
    data = shipped("cooperation-sharing")
    data["skill"] = "communication"
    message = problems_of(data)
    assert "skill vaut « communication » mais une tâche public-goods" in message


def test_schema_version_checked():
    data = shipped("cooperation-sharing")
    data["schema_version"] = 2
    assert "schema_version: cette plateforme lit la version" in problems_of(data)


def test_hard_level_must_pay_more():
    data = shipped("perseverance-puzzles")
    data["content"]["levels"]["hard"]["reward"] = 1
    assert "doit rapporter plus d’étoiles" in problems_of(data)


def test_level_needs_a_pair_to_target():
    data = shipped("perseverance-puzzles")
    data["content"]["levels"]["easy"]["target"] = 30
    message = problems_of(data)
    assert "content.levels.easy: aucune paire de nombres de 1 à 9" in message


def test_grid_must_hold_the_pairs():
    data = shipped("perseverance-puzzles")
    data["content"]["pairs_to_find"] = 5
    assert "le niveau easy a 9 cases, trop peu pour 5 paires" in problems_of(data)


def test_goal_text_needs_target():
    data = shipped("perseverance-puzzles")
    data["content"]["texts"]["goal"]["fr"] = "Trouve des paires."
    assert "goal.fr doit contenir {target}" in problems_of(data)


def test_multiplier_below_smallest_group():
    data = shipped("cooperation-sharing")
    data["content"]["multiplier"] = 3
    assert "content.multiplier: doit être plus petit que 3" in problems_of(data)


def test_referential_word_must_be_drawable():
    data = shipped("communication-pictures")
    data["content"]["features"][1]["words"].append(
        {"value": "green", "text": {"fr": "vert"}}
    )
    assert "« green » n’est pas une valeur de color" in problems_of(data)


def test_referential_identical_pictures_rejected():
    data = shipped("communication-pictures")
    pictures = data["content"]["trials"][0]["pictures"]
    pictures[1] = {**pictures[0], "key": "B"}
    assert "deux images de cet essai sont identiques" in problems_of(data)


def test_referential_target_among_pictures():
    data = shipped("communication-pictures")
    data["content"]["trials"][2]["target"] = "Z"
    message = problems_of(data)
    assert "content.trials[2]: target « Z » n’est pas une des images" in message


def test_clue_halves_must_both_be_needed():
    data = shipped("collaboration-code")
    clues = data["content"]["puzzles"][1]["clues"]
    clues[3]["seat"] = 0
    message = problems_of(data)
    assert "content.puzzles[1]: les indices de la place 0 suffisent seuls" in message


def test_clues_must_fit_one_code():
    data = shipped("collaboration-code")
    data["content"]["puzzles"][1]["clues"].pop()
    message = problems_of(data)
    assert "tous les indices ensemble donnent 2 codes possibles" in message


def test_observation_grid_not_for_solo_task():
    data = shipped("perseverance-puzzles")
    data["observation_grid"] = shipped("collaboration-code")["observation_grid"]
    assert "observation_grid n’a de sens que pour une tâche en paire" in problems_of(
        data
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    for path in SHIPPED:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return tmp_path


@pytest.mark.django_db
def test_sync_creates_then_keeps_tasks(folder):
    first = sync_tasks(folder)
    second = sync_tasks(folder)
    assert len(first.created) == len(SHIPPED)
    assert second.unchanged == first.created
    assert Task.objects.get(key="perseverance-puzzles").type == "effort-choice"


@pytest.mark.django_db
def test_sync_writes_nothing_when_a_file_breaks(folder):
    (folder / "broken.yaml").write_text("schema_version: 1\nkey: Broken\n")
    with pytest.raises(TaskSyncError, match="broken.yaml"):
        sync_tasks(folder)
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_sync_freezes_played_version(folder, wave, classroom, pupil):
    sync_tasks(folder)
    task = Task.objects.get(key="perseverance-puzzles")
    session = TaskSession.objects.create(task=task, wave=wave, classroom=classroom)
    run = TaskRun.objects.create(session=session, pupil=pupil)
    TaskEvent.objects.create(
        run=run,
        seq=1,
        kind="choose",
        payload={"round": 1, "level": "easy"},
        client_key=uuid.uuid4(),
        occurred_at=timezone.now(),
    )
    path = folder / "perseverance-puzzles.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rounds: 5", "rounds: 6"),
        encoding="utf-8",
    )
    with pytest.raises(TaskSyncError, match="augmentez le numéro de version"):
        sync_tasks(folder)
    assert Task.objects.get(pk=task.pk).definition["content"]["rounds"] == 5
