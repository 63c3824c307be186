"""Instrument files: the schema of a questionnaire definition, its loader and its sync.

An instrument file is YAML with `schema_version: 1`. `load_instrument_file` parses one
file, validates it against `InstrumentDefinition` and raises `InstrumentFileError`
naming the file, the line, the field path (such as `items[3].text.fr`) and the reason.
`sync_instruments` loads every `*.yaml` of a folder into `Instrument` rows, keyed by
(key, version). A version is immutable once pupils have answered it: publish a changed
definition under a new version.
"""

from pathlib import Path
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import Field, ValidationError, field_validator

from assessment.models import Answer, Instrument
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
Skill = Literal["perseverance", "collaboration", "communication", "cooperation"]
# The instrument skill of a battery whose scales each measure their own skill.
SEVERAL_SKILLS = "several"
# The skills as the pages name them.
SKILL_LABELS = {
    "perseverance": gettext_lazy("persévérance"),
    "collaboration": gettext_lazy("collaboration"),
    "communication": gettext_lazy("communication"),
    "cooperation": gettext_lazy("coopération"),
    SEVERAL_SKILLS: gettext_lazy("plusieurs compétences"),
}


def skill_label(skill: str) -> str:
    """Return the name of `skill` in the active language, or the key if unknown."""
    return str(SKILL_LABELS.get(skill, skill))


class InstrumentFileError(SchemaFileError):
    """An instrument file that cannot be read or breaks the schema."""


class ResponseFormat(Strict):
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


class Item(Strict):
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


class Scoring(Strict):
    method: Literal["mean"]
    min_answered: Annotated[float, Field(gt=0, le=1)]


class Scale(Strict):
    key: Slug
    title: Text
    # Required when the instrument's skill is "several". Otherwise the scale measures
    # the instrument's skill, which it may repeat here.
    skill: Skill | None = None
    items: Annotated[list[ItemKey], Field(min_length=1)]
    scoring: Scoring


class InstrumentDefinition(Strict):
    """The validated content of an instrument file, stored in Instrument.definition."""

    schema_version: Literal[1]
    key: Slug
    version: Version
    skill: Literal[
        "perseverance", "collaboration", "communication", "cooperation", "several"
    ]
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
        problems.extend(_scale_skill_problems(definition, scale_index))
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


def _scale_skill_problems(
    definition: InstrumentDefinition, scale_index: int
) -> list[Problem]:
    scale = definition.scales[scale_index]
    path = f"scales[{scale_index}].skill"
    if definition.skill == SEVERAL_SKILLS and scale.skill is None:
        return [
            Problem(
                path,
                _(
                    "clé obligatoire quand l’instrument mesure plusieurs compétences "
                    "(skill: several) : nommez la compétence de cette échelle"
                ),
            )
        ]
    if definition.skill != SEVERAL_SKILLS and scale.skill not in (
        None,
        definition.skill,
    ):
        return [
            Problem(
                path,
                _(
                    "vaut « %(scale)s » mais l’instrument mesure « %(skill)s » : "
                    "retirez cette clé, ou mettez skill: several à l’instrument"
                )
                % {"scale": scale.skill, "skill": definition.skill},
            )
        ]
    return []


def scale_skills(definition: InstrumentDefinition) -> dict[str, str]:
    """Return the skill each scale measures, by scale key."""
    return {scale.key: scale.skill or definition.skill for scale in definition.scales}


def _pattern_hint(loc: Loc) -> str | None:
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


def parse_instrument(text: str, path: Path | str = "<text>") -> InstrumentDefinition:
    """Parse and validate the YAML text of an instrument file.

    Raises InstrumentFileError listing every problem found, each with its line.
    """
    data, line_map = parse_yaml(text, path, InstrumentFileError)
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
        problems = describe_errors(error, InstrumentDefinition, _pattern_hint)
        raise InstrumentFileError(path, line_map.with_lines(problems)) from error
    problems = _cross_field_problems(definition)
    if problems:
        raise InstrumentFileError(path, line_map.with_lines(problems))
    return definition


def load_instrument_file(path: Path | str) -> InstrumentDefinition:
    """Read and validate one instrument file, raising InstrumentFileError if broken."""
    path = Path(path)
    text = read_text_file(path, InstrumentFileError)
    return parse_instrument(text, path)


def definition_of(instrument: Instrument) -> InstrumentDefinition:
    """Return the stored definition of `instrument` as a validated model."""
    return InstrumentDefinition.model_validate(instrument.definition)


def to_stored_definition(definition: InstrumentDefinition) -> dict[str, Any]:
    """Return the dict kept in Instrument.definition, with defaults filled in."""
    return definition.model_dump(mode="json", exclude_none=True)


class InstrumentSyncError(DefinitionSyncError):
    """Instrument files that cannot be synced. Nothing was written."""


def _instrument_fields(definition: InstrumentDefinition) -> dict[str, Any]:
    return {
        "schema_version": definition.schema_version,
        "title": definition.title.fr[:200],
        "skill": definition.skill,
        "validated": definition.validated,
        "definition": to_stored_definition(definition),
    }


INSTRUMENT_FILES = DefinitionKind(
    noun="instrument",
    model=Instrument,
    load=load_instrument_file,
    fields=_instrument_fields,
    in_use=lambda instrument: Answer.objects.filter(
        response__wave__campaign__instrument=instrument
    ).exists(),
    frozen_message=gettext_lazy(
        "%(file)s : %(name)s a déjà des réponses, sa définition ne peut plus "
        "changer : augmentez le numéro de version dans le fichier et "
        "chargez-le à nouveau"
    ),
    error=InstrumentSyncError,
)


def sync_instruments(directory: Path | str | None = None) -> SyncReport:
    """Load every *.yaml file of `directory` into Instrument rows.

    A new (key, version) is created. An existing one whose definition changed is
    updated only while no pupil has answered it. Once answers exist the version is
    frozen, and a change raises InstrumentSyncError. Every file is validated before
    anything is written, and the writes happen in one transaction.
    """
    return sync_definitions(
        INSTRUMENT_FILES, Path(directory or settings.IOTA_INSTRUMENTS_DIR)
    )
