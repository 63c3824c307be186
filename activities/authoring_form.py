"""The authoring form as the templates draw it: fields bound to values and problems.

`bind_form(kind, values, problems)` walks the form description of `kind` and returns
one `BoundField` per field, with the submitted values, the labels and the problems
found on that field. Each repeatable list also gets a blank `template` entry whose
index is the placeholder `__N0__` (`__N1__` for a list inside a list entry, and so
on), which `static/iota/js/authoring.js` copies to add an entry.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import grid_world
from activities.authoring import (
    ITEM_TILE,
    FormValues,
    common_variant_fields,
    field_values,
    join_path,
    list_indices,
)
from activities.form_description import FieldDescription, form_description
from activities.schemas import BLOCK_NAMES
from iota.yaml_schema import Problem
from learning.players import block_labels

# Texts that hold paragraphs get a text area, the others one line.
LONG_TEXTS = {
    "summary",
    "instructions",
    "preparation",
    "teacher_says",
    "trace",
    "easier",
    "harder",
}
VARIANT_LABELS = {
    "single_choice": gettext_lazy("Choix unique"),
    "multiple_choice": gettext_lazy("Choix multiples"),
    "ordering": gettext_lazy("Remettre dans l’ordre"),
    "matching": gettext_lazy("Relier par paires"),
    "numeric": gettext_lazy("Nombre"),
}
CHOICE_LABELS = {
    "sequence": gettext_lazy("séquence"),
    "loop": gettext_lazy("boucle"),
    "condition": gettext_lazy("condition"),
}
HEADING_LABELS = {
    "north": gettext_lazy("vers le haut (nord)"),
    "east": gettext_lazy("vers la droite (est)"),
    "south": gettext_lazy("vers le bas (sud)"),
    "west": gettext_lazy("vers la gauche (ouest)"),
}
# The legend of the grid editor's tiles, in the order its palette shows them.
TILE_LEGEND = [
    *grid_world.TILE_NAMES.items(),
    (ITEM_TILE, gettext_lazy("objet à ramasser")),
]
WIN_LABELS = {
    "reach_goal": gettext_lazy("atteindre l’arrivée"),
    "reach_goal_with_all_items": gettext_lazy(
        "atteindre l’arrivée après avoir ramassé tous les objets"
    ),
}


def dom_id(name: str) -> str:
    """Return the HTML id of the input named `name`; authoring.js computes the same.

    An index becomes `--N--`, which no field name contains, so renumbering an entry
    can replace its index in ids without touching a longer index.
    """
    return "f-" + name.replace("[", "--").replace("]", "--").replace(".", "-")


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class BoundItem:
    """One entry of a repeatable list."""

    name: str  # "questions[0]", or "questions[__N0__]" in a template
    number: str  # 1-based position shown in the legend
    fields: list["BoundField"] = field(default_factory=list)
    # For a list of variants: the type select and one section per variant.
    type_field: "BoundField | None" = None
    sections: list["VariantSection"] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return dom_id(self.name)


@dataclass
class VariantSection:
    """The fields one type of question adds. Only the active type's fields are in
    the page's form; the others wait in a <template>, so no id is on the page twice
    and the browser sends only the chosen type's fields."""

    tag: str
    active: bool
    fields: list["BoundField"]


@dataclass
class BoundField:
    name: str
    label: str
    help: str
    widget: str  # the template's input kind; see `_widget`
    required: bool
    trail: str  # labels from the top of the form, "Questions n° 2 › Question"
    value: str = ""
    english: str = ""
    multiline: bool = False
    choices: list[Choice] = field(default_factory=list)
    children: list["BoundField"] = field(default_factory=list)
    items: list[BoundItem] = field(default_factory=list)
    template: BoundItem | None = None
    errors: list[str] = field(default_factory=list)
    limits: dict[str, Any] = field(default_factory=dict)
    item_label: str = ""  # legend of a list's entries, with its number after it
    item_order: str = ""  # a grid's hidden order of items; see authoring._Writer

    @property
    def id(self) -> str:
        return dom_id(self.name)


@dataclass
class BoundForm:
    fields: list[BoundField]
    # Problems on no input of the form, and every problem with where it is.
    general_errors: list[str]
    summary: list[tuple[str, str, str]]  # (trail, reason, input id)


def bind_form(
    kind: str, values: FormValues, problems: list[Problem] | None = None
) -> BoundForm:
    """Return the fields of the form of `kind` bound to `values` and `problems`."""
    binder = _Binder(values)
    fields = [
        binder.bind(field, field["name"], "", 0) for field in form_description(kind)
    ]
    general, summary = binder.attach(problems or [])
    return BoundForm(fields, general, summary)


class _Binder:
    def __init__(self, values: FormValues) -> None:
        self.values = values
        # Every field and list entry by name, to hang each problem on the deepest.
        self.by_name: dict[str, BoundField | BoundItem] = {}
        self.trails: dict[str, str] = {}

    def one(self, name: str) -> str:
        found = self.values.get(name) or [""]
        return found[-1]

    def bind(
        self, description: FieldDescription, name: str, trail: str, depth: int
    ) -> BoundField:
        label = str(description.get("label") or description.get("name") or "")
        bound = BoundField(
            name=name,
            label=label,
            help=str(description.get("help", "")),
            widget=_widget(description),
            required=bool(description.get("required")),
            trail=f"{trail} › {label}" if trail else label,
            limits={
                key: description[key]
                for key in ("min", "max", "min_length", "max_length")
                if key in description
            },
        )
        self._register(bound.name, bound, bound.trail)
        self._fill(bound, description, depth)
        return bound

    def _register(self, name: str, bound: "BoundField | BoundItem", trail: str) -> None:
        # Template entries are not inputs yet, so no problem can name them.
        if "__N" not in name:
            self.by_name[name] = bound
            self.trails[name] = trail

    def _fill(self, bound: BoundField, description: FieldDescription, depth: int):
        name = bound.name
        widget = bound.widget
        if widget == "text":
            bound.value = self.one(f"{name}.fr")
            bound.english = self.one(f"{name}.en")
            bound.multiline = description.get("name") in LONG_TEXTS
        elif widget in ("input", "integer", "number", "program", "checkbox"):
            bound.value = self.one(name)
        elif widget in ("select", "checkboxes"):
            chosen = set(self.values.get(name, []))
            bound.choices = [
                Choice(
                    str(choice["value"]),
                    _choice_label(description["name"], choice),
                    str(choice["value"]) in chosen,
                )
                for choice in description["choices"]
            ]
        elif widget == "group":
            bound.children = [
                self.bind(child, join_path(name, child["name"]), bound.trail, depth)
                for child in description["fields"]
            ]
        elif widget in ("list", "variants"):
            self._fill_list(bound, description, depth)
        elif widget == "grid":
            self._fill_grid(bound)

    def _fill_list(self, bound: BoundField, description: FieldDescription, depth: int):
        bound.item_label = _item_label(description)
        for position, index in enumerate(list_indices(self.values, bound.name)):
            item = self._item(
                bound, description, f"{bound.name}[{index}]", str(position + 1), depth
            )
            bound.items.append(item)
        # The template binds to blank values, so it shows what a new entry shows.
        placeholder = f"__N{depth}__"
        blank = _Binder(_blank_entry(description, bound.name, placeholder))
        bound.template = blank._item(
            bound, description, f"{bound.name}[{placeholder}]", "", depth
        )

    def _item(
        self,
        bound: BoundField,
        description: FieldDescription,
        name: str,
        number: str,
        depth: int,
    ) -> BoundItem:
        trail = f"{bound.trail} n° {number}" if number else bound.trail
        item = BoundItem(name=name, number=number)
        self._register(name, item, trail)
        if description["type"] == "variants":
            self._fill_variant_item(item, description["variants"], trail, depth)
            return item

        child = description["item"]
        if child["type"] == "group":
            item.fields = [
                self.bind(field, join_path(name, field["name"]), trail, depth + 1)
                for field in child["fields"]
            ]
        else:
            # A list of texts: the entry itself is the input.
            entry = self.bind(
                {**child, "label": "", "required": True}, name, trail, depth + 1
            )
            entry.trail = trail
            item.fields = [entry]
        return item

    def _fill_variant_item(
        self,
        item: BoundItem,
        variants: dict[str, list[FieldDescription]],
        trail: str,
        depth: int,
    ) -> None:
        name = item.name
        tag = self.one(f"{name}.type") or next(iter(variants))
        type_description = {
            "name": "type",
            "label": _("Type de question"),
            "type": "choice",
            "required": True,
            "choices": [{"value": variant, "label": ""} for variant in variants],
        }
        item.type_field = self.bind(type_description, f"{name}.type", trail, depth + 1)

        common = common_variant_fields(variants)
        item.fields = [
            self.bind(field, join_path(name, field["name"]), trail, depth + 1)
            for field in common
        ]
        common_names = {field["name"] for field in common}
        for variant, fields in variants.items():
            item.sections.append(
                VariantSection(
                    tag=variant,
                    active=variant == tag,
                    fields=[
                        self._variant_field(field, name, trail, depth, variant, tag)
                        for field in fields
                        if field["name"] not in common_names
                    ],
                )
            )

    def _variant_field(
        self,
        field: FieldDescription,
        name: str,
        trail: str,
        depth: int,
        variant: str,
        tag: str,
    ) -> BoundField:
        full_name = join_path(name, field["name"])
        if variant == tag:
            return self.bind(field, full_name, trail, depth + 1)
        # An inactive variant's fields are disabled, so the browser does not send
        # them; they show blank entries in case the author picks that type.
        blank = _Binder(_blank_fields([field], name))
        return blank.bind(field, full_name, trail, depth + 1)

    def _fill_grid(self, bound: BoundField) -> None:
        name = bound.name
        bound.value = self.one(f"{name}.tiles")
        heading = self.one(f"{name}.heading") or "east"
        win = self.one(f"{name}.win") or "reach_goal"
        bound.children = [
            self._grid_select(
                f"{name}.heading",
                _("Direction du robot au départ"),
                HEADING_LABELS,
                heading,
            ),
            self._grid_select(f"{name}.win", _("But du défi"), WIN_LABELS, win),
        ]
        bound.item_order = self.one(f"{name}.item_order")

    def _grid_select(
        self, name: str, label: str, labels: dict[str, Any], chosen: str
    ) -> BoundField:
        return BoundField(
            name=name,
            label=label,
            help="",
            widget="select",
            required=True,
            trail=label,
            choices=[
                Choice(value, str(text), value == chosen)
                for value, text in labels.items()
            ],
        )

    def attach(
        self, problems: list[Problem]
    ) -> tuple[list[str], list[tuple[str, str, str]]]:
        """Hang each problem on the deepest field or entry its path names."""
        general: list[str] = []
        summary: list[tuple[str, str, str]] = []
        for problem in problems:
            name = self.owner(problem.field_path)
            if name is None:
                general.append(problem.reason)
                summary.append(("", problem.reason, ""))
                continue
            self.by_name[name].errors.append(problem.reason)
            summary.append((self.trails[name], problem.reason, dom_id(name)))
        return general, summary

    def owner(self, path: str) -> str | None:
        """Return the name of the deepest field or entry that `path` is inside."""
        cuts = [match.start() for match in re.finditer(r"[.\[]", path)]
        for end in [len(path), *reversed(cuts)]:
            if path[:end] in self.by_name:
                return path[:end]
        return None


def _widget(description: FieldDescription) -> str:
    kind = description["type"]
    return {
        "text": "text",
        "string": "input",
        "integer": "integer",
        "number": "number",
        "boolean": "checkbox",
        "choice": "select",
        "multichoice": "checkboxes",
        "crcn": "checkboxes",
        "group": "group",
        "list": "list",
        "variants": "variants",
        "grid": "grid",
        "program": "program",
    }[kind]


def _choice_label(field_name: str, choice: dict[str, Any]) -> str:
    value = str(choice["value"])
    if field_name == "allowed_blocks":
        label = block_labels()[BLOCK_NAMES[value]].replace("%1", "N")
        return f"{value} ({label})"
    if field_name == "type":
        return str(VARIANT_LABELS.get(value, value))
    return str(CHOICE_LABELS.get(value, choice.get("label", value)))


def _item_label(description: FieldDescription) -> str:
    """Return the legend of a list's entries: its label in the singular if known."""
    singular = {
        "questions": _("Question"),
        "choices": _("Réponse"),
        "items": _("Élément"),
        "pairs": _("Paire"),
        "steps": _("Étape"),
        "objectives": _("Objectif"),
        "materials": _("Matériel"),
        "tasks": _("Exercice"),
        "hints": _("Indice"),
    }
    return singular.get(description["name"], str(description["label"]))


def _blank_entry(
    description: FieldDescription, list_name: str, placeholder: str
) -> FormValues:
    """Return the values of a new, blank entry of a list, at index `placeholder`."""
    variants = description.get("variants")
    first = {"type": next(iter(variants))} if variants else None
    values = field_values([{**description, "name": "entry"}], {"entry": [first]})
    blank: FormValues = {}
    for name, value in values.items():
        rest = name[len("entry[0]") :]
        # A new entry gets its key from authoring.js, which picks a free one.
        blank[f"{list_name}[{placeholder}]{rest}"] = [""] if rest == ".key" else value
    return blank


def _blank_fields(fields: list[FieldDescription], prefix: str) -> FormValues:
    return field_values(fields, {}, prefix)
