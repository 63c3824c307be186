"""The description of an authoring form, generated from a content schema.

`form_description(kind)` walks the pydantic model of `kind` and returns one JSON-able
dict per field, in the schema's order, so an authoring screen can draw its form from
the schema rather than repeat it. Each dict has:

- `name`: the key in the content, such as `duration_minutes`;
- `label` and `help`: the schema's French title and description, translated to the
  active language;
- `type`: one of `text` (French and optional English), `string`, `integer`,
  `number`, `boolean`, `choice`, `multichoice` and `crcn` (a multichoice of CRCN
  competencies). Containers are `group` (nested `fields`) and `list` (of one `item`).
  A `variants` field is a list whose entries each pick one of `variants` by their
  `type`, and each variant has its `fields`. A `grid` or a `program` is edited with
  the grid and block editors;
- `required`, and when the schema sets them `default`, `choices` (value and label),
  `min`, `max` (inclusive bounds of a number), `min_length`, `max_length` (items of
  a list, characters of a string) and `pattern` (a regular expression).
"""

import types
import typing
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from activities.crcn import competencies
from activities.schemas import CONTENT_MODELS, Block, Text
from iota.yaml_schema import tagged_members

FieldDescription = dict[str, Any]


def form_description(kind: str) -> list[FieldDescription]:
    """Return the form fields of an activity of `kind`, in the schema's order.

    Raises KeyError for an unknown kind. The `schema_version` and `kind` fields are
    left out because the form sets them.
    """
    model = CONTENT_MODELS[kind]
    return [
        field
        for field in _model_fields(model)
        if field["name"] not in ("schema_version", "kind")
    ]


def _model_fields(model: type[BaseModel]) -> list[FieldDescription]:
    return [
        _describe_field(info.alias or name, info)
        for name, info in model.model_fields.items()
    ]


def _describe_field(name: str, info: FieldInfo) -> FieldDescription:
    field: FieldDescription = {
        "name": name,
        "label": _(info.title) if info.title else name,
        "help": _(info.description) if info.description else "",
        "required": info.is_required(),
    }
    if info.default not in (PydanticUndefined, None):
        field["default"] = info.default
    if name == "crcn":
        field["type"] = "crcn"
        field["choices"] = [
            {"value": code, "label": f"{code} {item.name}"}
            for code, item in competencies().items()
        ]
    else:
        field.update(_describe_type(info.annotation))
    field.update(_limits(info.metadata))
    return field


def _describe_type(annotation: Any) -> FieldDescription:
    """Describe the type of a value: its `type` and, for containers, what they hold."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        # An optional field may stay empty, and its `required` is already False.
        present = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _describe_type(present[0])
    if origin is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        described = _describe_type(inner)
        described.update(_limits(metadata))
        return described
    if origin is Literal:
        values = typing.get_args(annotation)
        return {"type": "choice", "choices": [{"value": v, "label": v} for v in values]}
    if origin is list:
        return _describe_list(typing.get_args(annotation)[0])
    if annotation is Text:
        return {"type": "text"}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"type": "group", "fields": _model_fields(annotation)}
    if origin is dict:
        return {"type": "grid"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return {"type": simple[annotation]}


def _describe_list(item: Any) -> FieldDescription:
    if item is Block:
        return {"type": "program"}
    members = tagged_members(item)
    if members is not None:
        return {
            "type": "variants",
            "variants": {
                tag: [
                    field for field in _model_fields(member) if field["name"] != "type"
                ]
                for tag, member in members.items()
            },
        }
    described = _describe_type(item)
    if described["type"] == "choice":
        return {"type": "multichoice", "choices": described["choices"]}
    return {"type": "list", "item": described}


def _limits(metadata: list[Any]) -> FieldDescription:
    limits: FieldDescription = {}
    for constraint in metadata:
        if isinstance(constraint, Ge):
            limits["min"] = constraint.ge
        elif isinstance(constraint, Gt):
            limits["min_exclusive"] = constraint.gt
        elif isinstance(constraint, Le):
            limits["max"] = constraint.le
        elif isinstance(constraint, Lt):
            limits["max_exclusive"] = constraint.lt
        elif isinstance(constraint, MinLen):
            limits["min_length"] = constraint.min_length
        elif isinstance(constraint, MaxLen):
            limits["max_length"] = constraint.max_length
        elif getattr(constraint, "pattern", None):
            limits["pattern"] = constraint.pattern
    return limits
