"""Plain French sentences for the changes between two versions of an activity.

`activities.diff` finds the changes field by field; this module words each one for a
teacher: where it is, using the schema's labels and the keys of questions and
answers ("Questions q2 › Réponses proposées b › Réponse"), and the values before and
after as short texts, not as stored JSON.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.authoring import program_text
from activities.diff import Change

# Keys below the schema's models (inside a grid or a program) have no label there.
RAW_KEY_LABELS = {
    "tiles": gettext_lazy("cases"),
    "robot": gettext_lazy("robot"),
    "heading": gettext_lazy("direction"),
    "x": gettext_lazy("colonne"),
    "y": gettext_lazy("ligne"),
    "items": gettext_lazy("objets"),
    "win": gettext_lazy("but"),
    "width": gettext_lazy("largeur"),
    "height": gettext_lazy("hauteur"),
    "do": gettext_lazy("blocs intérieurs"),
    "else": gettext_lazy("sinon"),
    "repeat": gettext_lazy("nombre de répétitions"),
    "if": gettext_lazy("condition"),
    "until": gettext_lazy("jusqu’à"),
}
LANGUAGES = {"fr": gettext_lazy("en français"), "en": gettext_lazy("en anglais")}
SEGMENT = re.compile(r"^(?P<name>[^\[]*)(?P<indices>(\[[^\]]*\])*)$")
MAX_VALUE_CHARS = 160


@dataclass(frozen=True)
class ChangeLine:
    kind: str  # as Change.kind: added, removed, changed, reordered
    where: str  # "Questions q2 › Question (en français)"
    sentence: str  # the whole change, worded for a teacher


def describe_changes(changes: list[Change]) -> list[ChangeLine]:
    """Return one plain French line per change, in the order of `changes`."""
    return [describe_change(change) for change in changes]


def describe_change(change: Change) -> ChangeLine:
    where = change_location(change)
    before, after = plain_value(change.before), plain_value(change.after)
    if change.kind == "added":
        sentence = _("%(where)s : ajout de « %(after)s ».") % {
            "where": where,
            "after": after,
        }
    elif change.kind == "removed":
        sentence = _("%(where)s : retrait de « %(before)s ».") % {
            "where": where,
            "before": before,
        }
    elif change.kind == "reordered":
        sentence = _("%(where)s : nouvel ordre %(after)s (avant : %(before)s).") % {
            "where": where,
            "after": after,
            "before": before,
        }
    else:
        sentence = _("%(where)s : « %(before)s » devient « %(after)s ».") % {
            "where": where,
            "before": before,
            "after": after,
        }
    return ChangeLine(change.kind, where, sentence)


def change_location(change: Change) -> str:
    """Word where a change is, from its field path and the schema's labels.

    The labels of `Change.label` name each key of the path in turn, and the
    brackets of the path add the entry: a key such as « q2 », or a position
    counted from 1.
    """
    labels = change.label.split(" › ") if change.label else []
    parts: list[str] = []
    for index, segment in enumerate(change.path.split(".")):
        match = SEGMENT.match(segment)
        name = match.group("name") if match else segment
        if name in LANGUAGES and parts:
            parts[-1] = f"{parts[-1]} ({LANGUAGES[name]})"
            continue
        label = labels[index] if index < len(labels) else name
        label = str(RAW_KEY_LABELS.get(label, label))
        indices = re.findall(r"\[([^\]]*)\]", match.group("indices")) if match else []
        for entry in indices:
            label += f" n° {int(entry) + 1}" if entry.isdigit() else f" {entry}"
        parts.append(label)
    return " › ".join(parts)


def plain_value(value: Any) -> str:
    """Return a stored value as a short text: a text's French, a question's
    prompt, a program in the authoring notation."""
    text = _plain(value)
    if len(text) > MAX_VALUE_CHARS:
        return text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list):
        if _is_program(value):
            return " ; ".join(program_text(value).split("\n"))
        return ", ".join(_plain(entry) for entry in value)
    if set(value) <= {"fr", "en"} and "fr" in value:
        return str(value["fr"])
    if _is_program([value]):
        return " ; ".join(program_text([value]).split("\n"))
    for key in ("title", "prompt", "text", "left", "static"):
        if key in value:
            return _plain(value[key])
    if "tiles" in value:
        return " / ".join(value["tiles"])
    return ", ".join(f"{key} : {_plain(entry)}" for key, entry in value.items())


def _is_program(entries: list[Any]) -> bool:
    """Tell whether a list holds blocks as the files write them."""
    return bool(entries) and all(
        entry in ("move", "left", "right", "collect")
        or (isinstance(entry, dict) and "do" in entry)
        for entry in entries
    )
