"""Instrument files: the schema of a questionnaire definition, its loader and its sync.

An instrument file is YAML with `schema_version: 1`. `load_instrument_file` parses one
file, validates it against `InstrumentDefinition` and raises `InstrumentFileError`
naming the file, the line, the field path (such as `items[3].text.fr`) and the reason.
`sync_instruments` loads every `*.yaml` of a folder into `Instrument` rows, keyed by
(key, version). A version is immutable once pupils have answered it: publish a changed
definition under a new version.
"""

import logging
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from django.conf import settings
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from assessment.models import Answer, Instrument

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Pictures the questionnaire player draws (static/iota/js/player-pictograms.js): filled
# circles growing from 1 (smallest) to 5, and faces from frowning to smiling.
PICTOGRAMS = frozenset(
    [f"circle-{size}" for size in range(1, 6)]
    + ["face-frown", "face-slight-frown", "face-neutral", "face-slight-smile"]
    + ["face-smile"]
)
# Pupils are 9 to 11. This limit is an estimate of what they read on one screen
# without scrolling, in the player's large type.
MAX_ITEM_TEXT_LENGTH = 160

Slug = Annotated[
    str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=80)
]
# Item keys are stored in Answer.item (40 characters) and used as CSV column names.
ItemKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=40)]
Version = Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$", max_length=20)]


class InstrumentFileError(Exception):
    """An instrument file that cannot be read or breaks the schema.

    `problems` lists one `Problem` per broken field. The message has one line per
    problem, each starting with the file name and line.
    """

    def __init__(self, path: Path | str, problems: list["Problem"]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__("\n".join(problem.describe(self.path) for problem in problems))


@dataclass(frozen=True)
class Problem:
    field_path: str  # "items[3].text.fr", or "" for the whole file
    reason: str
    line: int | None = None  # 1-based line in the file, when known

    def describe(self, path: Path) -> str:
        where = f"{path.name}:{self.line}" if self.line else path.name
        if self.field_path:
            return f"{where}: {self.field_path}: {self.reason}"
        return f"{where}: {self.reason}"


class _Strict(BaseModel):
    # Strict types so that YAML's `yes` or `1` never passes for a boolean, and extra
    # keys are rejected because a misspelt optional key would otherwise be ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(_Strict):
    """A text shown to pupils: French is required, English optional."""

    fr: str
    en: str | None = None

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None


class ResponseFormat(_Strict):
    points: Literal[4, 5]
    labels: list[Text]
    pictograms: list[str]
    allow_skip: bool = True

    @field_validator("labels")
    @classmethod
    def _one_label_per_point(cls, labels: list[Text], info: Any) -> list[Text]:
        points = info.data.get("points")
        if points is not None and len(labels) != points:
            raise ValueError(
                f"has {len(labels)} labels but points is {points}: give one label "
                "per point, lowest first"
            )
        return labels

    @field_validator("pictograms")
    @classmethod
    def _known_pictograms(cls, pictograms: list[str], info: Any) -> list[str]:
        points = info.data.get("points")
        if points is not None and len(pictograms) != points:
            raise ValueError(
                f"has {len(pictograms)} pictograms but points is {points}: give one "
                "pictogram per point, lowest first"
            )
        unknown = [key for key in pictograms if key not in PICTOGRAMS]
        if unknown:
            raise ValueError(
                f"unknown pictogram {unknown[0]!r}: use one of "
                + ", ".join(sorted(PICTOGRAMS))
            )
        if len(set(pictograms)) != len(pictograms):
            raise ValueError("each point needs a different pictogram")
        return pictograms


class Item(_Strict):
    key: ItemKey
    text: Text
    reverse: bool = False

    @field_validator("text")
    @classmethod
    def _short_text(cls, text: Text) -> Text:
        if len(text.fr) > MAX_ITEM_TEXT_LENGTH:
            raise ValueError(
                f"French text has {len(text.fr)} characters, more than "
                f"{MAX_ITEM_TEXT_LENGTH}: write a shorter sentence"
            )
        return text


class Scoring(_Strict):
    method: Literal["mean"]
    min_answered: Annotated[float, Field(gt=0, le=1)]


class Scale(_Strict):
    key: Slug
    title: Text
    items: Annotated[list[ItemKey], Field(min_length=1)]
    scoring: Scoring


class InstrumentDefinition(_Strict):
    """The validated content of an instrument file, stored in Instrument.definition."""

    schema_version: Literal[1]
    key: Slug
    version: Version
    skill: Literal["perseverance", "collaboration", "communication", "cooperation"]
    validated: bool
    title: Text
    instructions: Text
    response_format: ResponseFormat
    items: Annotated[list[Item], Field(min_length=1)]
    scales: Annotated[list[Scale], Field(min_length=1)]

    def item_keys(self) -> list[str]:
        return [item.key for item in self.items]


def _cross_field_problems(definition: InstrumentDefinition) -> list[Problem]:
    """Check the rules that span several fields: unique keys and scale references."""
    problems = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(definition.items):
        if item.key in first_index:
            problems.append(
                Problem(
                    f"items[{index}].key",
                    f"duplicate item key {item.key!r}, already used by "
                    f"items[{first_index[item.key]}]: give each item its own key",
                )
            )
        first_index.setdefault(item.key, index)
    scale_keys: set[str] = set()
    for scale_index, scale in enumerate(definition.scales):
        if scale.key in scale_keys:
            problems.append(
                Problem(
                    f"scales[{scale_index}].key",
                    f"duplicate scale key {scale.key!r}: give each scale its own key",
                )
            )
        scale_keys.add(scale.key)
        seen: set[str] = set()
        for position, item_key in enumerate(scale.items):
            path = f"scales[{scale_index}].items[{position}]"
            if item_key not in first_index:
                problems.append(
                    Problem(
                        path,
                        f"item {item_key!r} is not defined under items: add it there "
                        "or fix the key",
                    )
                )
            elif item_key in seen:
                problems.append(
                    Problem(path, f"item {item_key!r} is listed twice in this scale")
                )
            seen.add(item_key)
    return problems


def _format_loc(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _field_names_at(loc: tuple[int | str, ...]) -> list[str]:
    """Return the keys allowed in the mapping at `loc`, to suggest them for a typo."""
    model: Any = InstrumentDefinition
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = _model_in(annotation)
        if model is None:
            return []
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """Find the pydantic model in an annotation such as list[Item] or Text | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    if typing.get_origin(annotation) is Annotated:
        return _model_in(typing.get_args(annotation)[0])
    return None


_SLUG_HINT = (
    "must be lowercase letters and digits joined by hyphens, such as "
    "perseverance-self-report"
)
_ITEM_KEY_HINT = "must be a letter then letters, digits or _, such as P1"


def _pattern_hint(loc: tuple[int | str, ...]) -> str | None:
    if loc[-1] == "version":
        return 'must be three numbers joined by dots, such as "0.1.0"'
    if loc[0] == "items" or (loc[0] == "scales" and "items" in loc):
        return _ITEM_KEY_HINT
    if loc[-1] == "key":
        return _SLUG_HINT
    return None


def _describe_error(error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _field_names_at(loc[:-1])
        reason = f"unknown key {loc[-1]!r}"
        if allowed:
            reason += "; allowed keys here: " + ", ".join(allowed)
        return Problem(_format_loc(loc), reason)
    if kind == "missing":
        return Problem(_format_loc(loc), "required key is missing")
    reason = error["msg"]
    if reason.startswith("Value error, "):
        reason = reason.removeprefix("Value error, ")
    value = error.get("input")
    if kind == "string_pattern_mismatch":
        reason = _pattern_hint(loc) or reason
    elif kind == "string_type" and isinstance(value, int | float):
        reason += ": put the value in double quotes"
    if not isinstance(value, dict | list) and not kind.startswith("value_error"):
        reason += f" (found {value!r})"
    return Problem(_format_loc(loc), reason)


class _LineMap:
    """Map field paths of a YAML document to the lines where they are written."""

    def __init__(self, root: yaml.Node) -> None:
        self.lines: dict[tuple[int | str, ...], int] = {}
        self.duplicates: list[Problem] = []
        self._walk(root, ())

    def _walk(self, node: yaml.Node, loc: tuple[int | str, ...]) -> None:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    # PyYAML keeps the last of two equal keys without a warning, which
                    # would hide an edit made to the first one.
                    self.duplicates.append(
                        Problem(
                            _format_loc((*loc, key)),
                            "key written twice in the same mapping: keep one",
                            key_node.start_mark.line + 1,
                        )
                    )
                seen.add(key)
                self._walk(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self._walk(child, (*loc, index))

    def line_of(self, field_path: str) -> int | None:
        loc = _parse_path(field_path)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc)


def _parse_path(field_path: str) -> tuple[int | str, ...]:
    loc: list[int | str] = []
    for part in field_path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            loc.append(int(part[1:-1]))
        else:
            loc.append(part)
    return tuple(loc)


def parse_instrument(text: str, path: Path | str = "<text>") -> InstrumentDefinition:
    """Parse and validate the YAML text of an instrument file.

    Raises InstrumentFileError listing every problem found, each with its line.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InstrumentFileError(
            path, [Problem("", f"not valid YAML: {error}", line)]
        ) from error
    if not isinstance(data, dict) or root is None:
        raise InstrumentFileError(
            path, [Problem("", "the file must be a YAML mapping of keys to values", 1)]
        )
    line_map = _LineMap(root)
    if line_map.duplicates:
        raise InstrumentFileError(path, line_map.duplicates)
    if data.get("schema_version") != SCHEMA_VERSION:
        found = data.get("schema_version")
        raise InstrumentFileError(
            path,
            [
                Problem(
                    "schema_version",
                    f"this platform reads schema version {SCHEMA_VERSION}, found "
                    f"{found!r}",
                    line_map.line_of("schema_version"),
                )
            ],
        )
    try:
        definition = InstrumentDefinition.model_validate(data)
    except ValidationError as error:
        problems = [_describe_error(detail) for detail in error.errors()]
        raise InstrumentFileError(path, _with_lines(problems, line_map)) from error
    problems = _cross_field_problems(definition)
    if problems:
        raise InstrumentFileError(path, _with_lines(problems, line_map))
    return definition


def _with_lines(problems: list[Problem], line_map: _LineMap) -> list[Problem]:
    return [
        Problem(p.field_path, p.reason, p.line or line_map.line_of(p.field_path))
        for p in problems
    ]


def load_instrument_file(path: Path | str) -> InstrumentDefinition:
    """Read and validate one instrument file, raising InstrumentFileError if broken."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InstrumentFileError(path, [Problem("", "file not found")]) from error
    except UnicodeDecodeError as error:
        raise InstrumentFileError(
            path, [Problem("", "not UTF-8 text: save the file as UTF-8")]
        ) from error
    return parse_instrument(text, path)


def definition_of(instrument: Instrument) -> InstrumentDefinition:
    """Return the stored definition of `instrument` as a validated model."""
    return InstrumentDefinition.model_validate(instrument.definition)


def to_stored_definition(definition: InstrumentDefinition) -> dict[str, Any]:
    """Return the dict kept in Instrument.definition, with defaults filled in."""
    return definition.model_dump(mode="json", exclude_none=True)


class InstrumentSyncError(Exception):
    """Instrument files that cannot be synced. Nothing was written."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "key version"
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def sync_instruments(directory: Path | str | None = None) -> SyncReport:
    """Load every *.yaml file of `directory` into Instrument rows.

    A new (key, version) is created. An existing one whose definition changed is
    updated only while no pupil has answered it. Once answers exist the version is
    frozen, and a change raises InstrumentSyncError. Every file is validated before
    anything is written, and the writes happen in one transaction.
    """
    directory = Path(directory or settings.IOTA_INSTRUMENTS_DIR)
    if not directory.is_dir():
        raise InstrumentSyncError(f"{directory}: folder not found")
    definitions: dict[tuple[str, str], tuple[Path, InstrumentDefinition]] = {}
    errors: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definition = load_instrument_file(path)
        except InstrumentFileError as error:
            errors.append(str(error))
            continue
        ident = (definition.key, definition.version)
        if ident in definitions:
            errors.append(
                f"{path.name}: {definition.key} {definition.version} is also defined "
                f"in {definitions[ident][0].name}: give each file its own version"
            )
            continue
        definitions[ident] = (path, definition)
    if errors:
        raise InstrumentSyncError("\n".join(errors))

    report = SyncReport()
    with transaction.atomic():
        for (key, version), (path, definition) in definitions.items():
            _upsert_instrument(key, version, path, definition, report)
    logger.info(
        "Synced instruments from %s: %d created, %d updated, %d unchanged.",
        directory,
        len(report.created),
        len(report.updated),
        len(report.unchanged),
    )
    return report


def _upsert_instrument(
    key: str,
    version: str,
    path: Path,
    definition: InstrumentDefinition,
    report: SyncReport,
) -> None:
    stored = to_stored_definition(definition)
    fields = {
        "schema_version": definition.schema_version,
        "title": definition.title.fr[:200],
        "skill": definition.skill,
        "validated": definition.validated,
        "definition": stored,
    }
    name = f"{key} {version}"
    instrument = (
        Instrument.objects.select_for_update().filter(key=key, version=version).first()
    )
    if instrument is None:
        Instrument.objects.create(key=key, version=version, **fields)
        report.created.append(name)
        return
    if instrument.definition == stored:
        report.unchanged.append(name)
        return
    if Answer.objects.filter(response__wave__campaign__instrument=instrument).exists():
        raise InstrumentSyncError(
            f"{path.name}: {name} has answers already, so its definition cannot "
            "change: raise the version number in the file and load it again"
        )
    for name_of_field, value in fields.items():
        setattr(instrument, name_of_field, value)
    instrument.save(update_fields=[*fields, "loaded_at"])
    report.updated.append(name)
    logger.info("Updated instrument %s from %s.", instrument.pk, path.name)
