"""Task files: the schema of a performance task definition, its loader and its sync.

A task file is YAML with `schema_version: 1`. Its `type` names the game that plays it
(`performance.games.GAMES`), and its `content` follows that game's schema.
`load_task_file` validates one file and raises `TaskFileError` naming the file, the
line, the field path (such as `content.levels.hard.target`) and the reason.
`sync_tasks` loads every `*.yaml` of a folder into `Task` rows, keyed by (key,
version). A version is frozen once a pupil has played it: publish a changed
definition under a new version.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationError, model_validator

from assessment.instruments import ItemKey, Skill, Slug, Version
from iota.definition_sync import (
    DefinitionKind,
    DefinitionSyncError,
    SyncReport,
    sync_definitions,
)
from iota.yaml_schema import (
    Loc,
    Problem,
    SchemaFileError,
    Strict,
    Text,
    describe_errors,
    parse_yaml,
    read_text_file,
)
from performance.games import GAMES
from performance.games.effort_choice import EffortChoiceContent
from performance.games.public_goods import PublicGoodsContent
from performance.games.referential import ReferentialContent
from performance.games.split_clues import SplitCluesContent
from performance.models import Task, TaskEvent

SCHEMA_VERSION = 1
TASKS_DIR = Path(__file__).resolve().parent / "tasks"
TaskType = Literal["effort-choice", "public-goods", "referential", "split-clues"]


class TaskFileError(SchemaFileError):
    """A task file that cannot be read or breaks the schema."""


class GridItem(Strict):
    key: ItemKey
    text: Text


class ObservationGrid(Strict):
    """The items the teacher rates while a group plays, all on one scale."""

    instructions: Text
    labels: Annotated[list[Text], Field(min_length=3, max_length=5)]
    items: Annotated[list[GridItem], Field(min_length=1, max_length=10)]

    @model_validator(mode="after")
    def _unique_keys(self) -> "ObservationGrid":
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(_("deux items de la grille ont la même clé"))
        return self

    @property
    def points(self) -> int:
        return len(self.labels)


class TaskBase(Strict):
    schema_version: Literal[1]
    type: str
    key: Slug
    version: Version
    skill: Skill
    validated: bool
    title: Text
    instructions: Text
    observation_grid: ObservationGrid | None = None

    @model_validator(mode="after")
    def _fits_game(self) -> "TaskBase":
        game = GAMES[self.type]
        if self.skill != game.skill:
            raise ValueError(
                _(
                    "skill vaut « %(skill)s » mais une tâche %(type)s mesure "
                    "« %(expected)s »"
                )
                % {"skill": self.skill, "type": game.type, "expected": game.skill}
            )
        if self.observation_grid is not None and game.mode == "solo":
            raise ValueError(
                _("observation_grid n’a de sens que pour une tâche en paire ou groupe")
            )
        return self


class EffortChoiceTask(TaskBase):
    type: Literal["effort-choice"]
    content: EffortChoiceContent


class PublicGoodsTask(TaskBase):
    type: Literal["public-goods"]
    content: PublicGoodsContent


class ReferentialTask(TaskBase):
    type: Literal["referential"]
    content: ReferentialContent


class SplitCluesTask(TaskBase):
    type: Literal["split-clues"]
    content: SplitCluesContent


TaskDefinition = EffortChoiceTask | PublicGoodsTask | ReferentialTask | SplitCluesTask
TASK_MODELS: dict[str, type[TaskDefinition]] = {
    "effort-choice": EffortChoiceTask,
    "public-goods": PublicGoodsTask,
    "referential": ReferentialTask,
    "split-clues": SplitCluesTask,
}


class _UnknownType(Strict):
    """Validated only to word the error on `type` when it names no game."""

    type: TaskType


def _pattern_hint(loc: Loc) -> str | None:
    if loc[-1] == "version":
        return _("doit être trois nombres séparés par des points, comme « 0.1.0 »")
    if loc[-1] == "key" and loc[0] == "key":
        return _(
            "doit être fait de lettres minuscules et de chiffres reliés par des "
            "tirets, comme perseverance-puzzles"
        )
    if loc[-1] == "key":
        return _("doit être une lettre suivie de lettres, de chiffres ou de _")
    return None


def parse_task(text: str, path: Path | str = "<text>") -> TaskDefinition:
    """Parse and validate the YAML text of a task file.

    Raises TaskFileError listing every problem found, each with its line.
    """
    data, line_map = parse_yaml(text, path, TaskFileError)
    if data.get("schema_version") != SCHEMA_VERSION:
        raise TaskFileError(
            path,
            [
                Problem(
                    "schema_version",
                    _(
                        "cette plateforme lit la version de schéma %(version)s, "
                        "trouvé : %(found)r"
                    )
                    % {"version": SCHEMA_VERSION, "found": data.get("schema_version")},
                    line_map.line_of("schema_version"),
                )
            ],
        )
    model = TASK_MODELS.get(str(data.get("type")))
    try:
        if model is None:
            # Validating the type alone words the error with the known types.
            _UnknownType.model_validate({"type": data.get("type")})
            raise AssertionError("unreachable: the type is not a known one")
        return model.model_validate(data)
    except ValidationError as error:
        problems = describe_errors(error, model or _UnknownType, _pattern_hint)
        raise TaskFileError(path, line_map.with_lines(problems)) from error


def load_task_file(path: Path | str) -> TaskDefinition:
    """Read and validate one task file, raising TaskFileError if broken."""
    path = Path(path)
    return parse_task(read_text_file(path, TaskFileError), path)


def definition_of(task: Task) -> TaskDefinition:
    """Return the stored definition of `task` as a validated model."""
    return TASK_MODELS[task.type].model_validate(task.definition)


def to_stored_definition(definition: TaskDefinition) -> dict[str, Any]:
    return definition.model_dump(mode="json", exclude_none=True)


class TaskSyncError(DefinitionSyncError):
    """Task files that cannot be synced. Nothing was written."""


def _task_fields(definition: TaskDefinition) -> dict[str, Any]:
    return {
        "schema_version": definition.schema_version,
        "type": definition.type,
        "skill": definition.skill,
        "title": definition.title.fr[:200],
        "validated": definition.validated,
        "definition": to_stored_definition(definition),
    }


TASK_FILES = DefinitionKind(
    noun="task",
    model=Task,
    load=load_task_file,
    fields=_task_fields,
    in_use=lambda task: TaskEvent.objects.filter(run__session__task=task).exists(),
    frozen_message=gettext_lazy(
        "%(file)s : %(name)s a déjà été joué, sa définition ne peut plus "
        "changer : augmentez le numéro de version dans le fichier et "
        "chargez-le à nouveau"
    ),
    error=TaskSyncError,
)


def sync_tasks(directory: Path | str | None = None) -> SyncReport:
    """Load every *.yaml file of `directory` into Task rows.

    A new (key, version) is created. An existing one whose definition changed is
    updated only while no pupil has played it; once events exist the version is
    frozen and a change raises TaskSyncError. Every file is validated before
    anything is written, and the writes happen in one transaction.
    """
    return sync_definitions(TASK_FILES, Path(directory or TASKS_DIR))
