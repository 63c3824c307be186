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
from django.utils.translation import gettext as _
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
            raise ValueError(_("ne doit pas être vide"))
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
                _(
                    "compte %(count)s libellés mais points vaut %(points)s : donnez "
                    "un libellé par point, du plus bas au plus haut"
                )
                % {"count": len(labels), "points": points}
            )
        return labels

    @field_validator("pictograms")
    @classmethod
    def _known_pictograms(cls, pictograms: list[str], info: Any) -> list[str]:
        points = info.data.get("points")
        if points is not None and len(pictograms) != points:
            raise ValueError(
                _(
                    "compte %(count)s pictogrammes mais points vaut %(points)s : "
                    "donnez un pictogramme par point, du plus bas au plus haut"
                )
                % {"count": len(pictograms), "points": points}
            )
        unknown = [key for key in pictograms if key not in PICTOGRAMS]
        if unknown:
            raise ValueError(
                _("pictogramme inconnu « %(key)s » : choisissez parmi %(known)s")
                % {"key": unknown[0], "known": ", ".join(sorted(PICTOGRAMS))}
            )
        if len(set(pictograms)) != len(pictograms):
            raise ValueError(_("chaque point doit avoir son propre pictogramme"))
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
                _(
                    "le texte français fait %(length)s caractères, plus que "
                    "%(max)s : écrivez une phrase plus courte"
                )
                % {"length": len(text.fr), "max": MAX_ITEM_TEXT_LENGTH}
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
                    _(
                        "clé d’item « %(key)s » en double, déjà prise par "
                        "items[%(first)s] : donnez à chaque item sa propre clé"
                    )
                    % {"key": item.key, "first": first_index[item.key]},
                )
            )
        first_index.setdefault(item.key, index)
    scale_keys: set[str] = set()
    for scale_index, scale in enumerate(definition.scales):
        if scale.key in scale_keys:
            problems.append(
                Problem(
                    f"scales[{scale_index}].key",
                    _(
                        "clé d’échelle « %(key)s » en double : donnez à chaque "
                        "échelle sa propre clé"
                    )
                    % {"key": scale.key},
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
                        _(
                            "l’item « %(key)s » n’est pas défini sous items : "
                            "ajoutez-le ou corrigez la clé"
                        )
                        % {"key": item_key},
                    )
                )
            elif item_key in seen:
                problems.append(
                    Problem(
                        path,
                        _("l’item « %(key)s » apparaît deux fois dans cette échelle")
                        % {"key": item_key},
                    )
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


def _pattern_hint(loc: tuple[int | str, ...]) -> str | None:
    if loc[-1] == "version":
        return _("doit être trois nombres séparés par des points, comme « 0.1.0 »")
    if loc[0] == "items" or (loc[0] == "scales" and "items" in loc):
        return _(
            "doit être une lettre suivie de lettres, de chiffres ou de _, comme P1"
        )
    if loc[-1] == "key":
        return _(
            "doit être fait de lettres minuscules et de chiffres reliés par des "
            "tirets, comme perseverance-self-report"
        )
    return None


def _describe_error(error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _field_names_at(loc[:-1])
        reason = _("clé inconnue « %(key)s »") % {"key": loc[-1]}
        if allowed:
            reason += _(". Clés permises ici : %(keys)s") % {"keys": ", ".join(allowed)}
        return Problem(_format_loc(loc), reason)
    if kind == "missing":
        return Problem(_format_loc(loc), _("clé obligatoire absente"))
    value = error.get("input")
    if kind == "value_error":
        # A message of this module's validators, already worded for the author.
        return Problem(_format_loc(loc), str(error["ctx"]["error"]))
    if kind == "string_pattern_mismatch":
        reason = _pattern_hint(loc) or error["msg"]
    else:
        reason = _type_reason(kind, error.get("ctx") or {}) or error["msg"]
    if not isinstance(value, dict | list):
        reason += _(" (trouvé : %(value)r)") % {"value": value}
    if kind == "string_type" and isinstance(value, int | float):
        reason += _(" : mettez la valeur entre guillemets doubles")
    return Problem(_format_loc(loc), reason)


def _type_reason(kind: str, ctx: dict[str, Any]) -> str | None:
    """Word pydantic's error types in French; None keeps pydantic's own message."""
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " ou ")
        return _("doit valoir %(expected)s") % {"expected": expected}
    reasons = {
        "string_type": _("doit être un texte"),
        "bool_type": _("doit valoir true ou false"),
        "bool_parsing": _("doit valoir true ou false"),
        "int_type": _("doit être un nombre entier"),
        "float_type": _("doit être un nombre"),
        "list_type": _("doit être une liste"),
        "model_type": _("doit être un ensemble de clés et de valeurs"),
        "dict_type": _("doit être un ensemble de clés et de valeurs"),
    }
    if kind in reasons:
        return reasons[kind]
    if kind == "too_short":
        return _("doit contenir au moins %(min)s élément(s)") % {
            "min": ctx.get("min_length")
        }
    if kind == "string_too_long":
        return _("doit faire au plus %(max)s caractères") % {
            "max": ctx.get("max_length")
        }
    if kind == "greater_than":
        return _("doit être plus grand que %(limit)s") % {"limit": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("doit être au plus %(limit)s") % {"limit": ctx.get("le")}
    return None


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
                            _("clé écrite deux fois au même niveau : gardez-en une"),
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
            path, [Problem("", _("YAML invalide : %(error)s") % {"error": error}, line)]
        ) from error
    if not isinstance(data, dict) or root is None:
        raise InstrumentFileError(
            path,
            [
                Problem(
                    "",
                    _("le fichier doit être un ensemble YAML de clés et de valeurs"),
                    1,
                )
            ],
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
                    _(
                        "cette plateforme lit la version de schéma %(version)s, "
                        "trouvé : %(found)r"
                    )
                    % {"version": SCHEMA_VERSION, "found": found},
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
        raise InstrumentFileError(
            path, [Problem("", _("fichier introuvable"))]
        ) from error
    except UnicodeDecodeError as error:
        raise InstrumentFileError(
            path,
            [Problem("", _("ce n’est pas du texte UTF-8 : enregistrez-le en UTF-8"))],
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
        raise InstrumentSyncError(
            _("%(folder)s : dossier introuvable") % {"folder": directory}
        )
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
                _(
                    "%(file)s : %(key)s %(version)s est aussi défini dans %(other)s : "
                    "donnez à chaque fichier sa propre version"
                )
                % {
                    "file": path.name,
                    "key": definition.key,
                    "version": definition.version,
                    "other": definitions[ident][0].name,
                }
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
            _(
                "%(file)s : %(name)s a déjà des réponses, sa définition ne peut plus "
                "changer : augmentez le numéro de version dans le fichier et "
                "chargez-le à nouveau"
            )
            % {"file": path.name, "name": name}
        )
    for name_of_field, value in fields.items():
        setattr(instrument, name_of_field, value)
    instrument.save(update_fields=[*fields, "loaded_at"])
    report.updated.append(name)
    logger.info("Updated instrument %s from %s.", instrument.pk, path.name)
