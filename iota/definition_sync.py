"""Loading a folder of versioned definition files into database rows.

Instruments and performance tasks are both YAML files keyed by (key, version),
stored in a model with `key`, `version`, `definition` and `loaded_at` fields. A
version is frozen once pupils have used it. `sync_definitions` applies those
rules to one folder: it validates every file before writing anything, then
creates, updates or leaves each row in one transaction.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from iota.yaml_schema import SchemaFileError

logger = logging.getLogger(__name__)

type StrOrPromise = str | Promise


class DefinitionSyncError(Exception):
    """Definition files that cannot be synced. Nothing was written."""


class VersionedDefinition(Protocol):
    key: str
    version: str


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # "key version"
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionKind[D: VersionedDefinition]:
    """The reading and storing rules of one kind of definition file.

    `fields` gives the model fields written for a definition, `definition`
    included. `in_use` returns whether pupils have used a stored row, which
    freezes it. `frozen_message` (a lazy translation) is the error raised then,
    formatted with `file` and `name`.
    """

    noun: str  # in log lines: "instrument", "task"
    model: type[models.Model]
    load: Callable[[Path], D]
    fields: Callable[[D], Mapping[str, Any]]
    in_use: Callable[[Any], bool]
    frozen_message: StrOrPromise
    error: type[DefinitionSyncError] = DefinitionSyncError


def sync_definitions[D: VersionedDefinition](
    kind: DefinitionKind[D], directory: Path
) -> SyncReport:
    """Load every *.yaml file of `directory` as `kind` rows.

    A new (key, version) is created. An existing one whose definition changed is
    updated only while `kind.in_use` is false for it. Otherwise `kind.error` is
    raised, and the whole sync is rolled back.
    """
    if not directory.is_dir():
        raise kind.error(_("%(folder)s : dossier introuvable") % {"folder": directory})
    definitions: dict[tuple[str, str], tuple[Path, D]] = {}
    errors: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definition = kind.load(path)
        except SchemaFileError as error:
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
        raise kind.error("\n".join(errors))

    report = SyncReport()
    with transaction.atomic():
        for (key, version), (path, definition) in definitions.items():
            _upsert(kind, key, version, path, dict(kind.fields(definition)), report)
    logger.info(
        "Synced %ss from %s: %d created, %d updated, %d unchanged.",
        kind.noun,
        directory,
        len(report.created),
        len(report.updated),
        len(report.unchanged),
    )
    return report


def _upsert(
    kind: DefinitionKind[Any],
    key: str,
    version: str,
    path: Path,
    fields: dict[str, Any],
    report: SyncReport,
) -> None:
    name = f"{key} {version}"
    manager = kind.model._default_manager
    row: Any = manager.select_for_update().filter(key=key, version=version).first()
    if row is None:
        manager.create(key=key, version=version, **fields)
        report.created.append(name)
        return
    if row.definition == fields["definition"]:
        report.unchanged.append(name)
        return
    if kind.in_use(row):
        raise kind.error(kind.frozen_message % {"file": path.name, "name": name})
    for name_of_field, value in fields.items():
        setattr(row, name_of_field, value)
    row.save(update_fields=[*fields, "loaded_at"])
    report.updated.append(name)
    logger.info("Updated %s %s from %s.", kind.noun, row.pk, path.name)
