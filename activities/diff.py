"""What changed between two versions of an activity, field by field.

`diff_versions(old, new)` compares the stored content of two versions and returns one
`Change` per changed value, with the field's path and its label from the schema.

Lists whose entries have a `key` (questions, choices, pairs) are matched by key, so
inserting a question shows as one addition, not as a change to every later question.
A new order of the same keys shows as one `reordered` change. Other lists are
compared by position.
"""

from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel

from activities.models import ActivityVersion
from activities.schemas import CONTENT_MODELS
from iota.yaml_schema import model_in, tagged_members

ChangeKind = Literal["added", "removed", "changed", "reordered"]
# The schema of a value: a model, the members of a discriminated union by tag (the
# entry's `type` picks one), or None below the models (a grid, a program).
Schema = type[BaseModel] | dict[str, type[BaseModel]] | None


@dataclass(frozen=True)
class Change:
    path: str  # "steps[2].minutes", "questions[q3].prompt.fr"
    label: str  # "Étapes › Durée (minutes)"
    kind: ChangeKind
    before: Any  # None when added
    after: Any  # None when removed


def diff_versions(old: ActivityVersion, new: ActivityVersion) -> list[Change]:
    """Return the changes from version `old` to version `new` of one activity."""
    if old.activity_id != new.activity_id:
        raise ValueError(_("Les deux versions doivent être de la même activité."))
    return diff_content(new.activity.kind, old.content, new.content)


def diff_content(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Return the changes between two stored contents of `kind`."""
    changes: list[Change] = []
    _diff_value(old, new, "", [], CONTENT_MODELS[kind], changes)
    return changes


def _diff_value(
    old: Any,
    new: Any,
    path: str,
    labels: list[str],
    model: Schema,
    changes: list[Change],
) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        if isinstance(model, dict):
            model = model.get(str(new.get("type"))) or model.get(str(old.get("type")))
        for key in [*old, *(key for key in new if key not in old)]:
            child_path = f"{path}.{key}" if path else key
            child_labels, child_model = _field_info(model, key, labels)
            if key not in new:
                changes.append(
                    _change(child_path, child_labels, "removed", old[key], None)
                )
            elif key not in old:
                changes.append(
                    _change(child_path, child_labels, "added", None, new[key])
                )
            else:
                _diff_value(
                    old[key], new[key], child_path, child_labels, child_model, changes
                )
    elif isinstance(old, list) and isinstance(new, list):
        _diff_list(old, new, path, labels, model, changes)
    else:
        changes.append(_change(path, labels, "changed", old, new))


def _diff_list(
    old: list[Any],
    new: list[Any],
    path: str,
    labels: list[str],
    model: Schema,
    changes: list[Change],
) -> None:
    if _keyed(old) and _keyed(new):
        old_by_key = {entry["key"]: entry for entry in old}
        new_by_key = {entry["key"]: entry for entry in new}
        for key, entry in old_by_key.items():
            entry_path = f"{path}[{key}]"
            if key not in new_by_key:
                changes.append(_change(entry_path, labels, "removed", entry, None))
            else:
                _diff_value(entry, new_by_key[key], entry_path, labels, model, changes)
        for key, entry in new_by_key.items():
            if key not in old_by_key:
                changes.append(_change(f"{path}[{key}]", labels, "added", None, entry))
        old_order = [key for key in old_by_key if key in new_by_key]
        new_order = [key for key in new_by_key if key in old_by_key]
        if old_order != new_order:
            changes.append(_change(path, labels, "reordered", old_order, new_order))
        return
    for index in range(max(len(old), len(new))):
        entry_path = f"{path}[{index}]"
        if index >= len(new):
            changes.append(_change(entry_path, labels, "removed", old[index], None))
        elif index >= len(old):
            changes.append(_change(entry_path, labels, "added", None, new[index]))
        else:
            _diff_value(old[index], new[index], entry_path, labels, model, changes)


def _keyed(entries: list[Any]) -> bool:
    keys = [entry.get("key") if isinstance(entry, dict) else None for entry in entries]
    return bool(entries) and None not in keys and len(set(keys)) == len(keys)


def _field_info(model: Schema, key: str, labels: list[str]) -> tuple[list[str], Schema]:
    """Return the labels down to field `key` of `model`, and the model of its value."""
    if not isinstance(model, type):
        return [*labels, key], None
    field = next(
        (
            info
            for name, info in model.model_fields.items()
            if (info.alias or name) == key
        ),
        None,
    )
    if field is None:
        return [*labels, key], None
    label = _(field.title) if field.title else key
    members = tagged_members(field.annotation)
    if members is not None:
        return [*labels, label], members
    return [*labels, label], model_in(field.annotation)


def _change(
    path: str, labels: list[str], kind: ChangeKind, before: Any, after: Any
) -> Change:
    return Change(path, " › ".join(labels), kind, before, after)
