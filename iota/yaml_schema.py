"""YAML files validated by pydantic models, with errors that point to the line.

Instrument and activity files share this reading path. `read_text_file` reads a file
and `parse_yaml` returns its data with a `LineMap` of the line where each field is
written. `describe_errors` turns pydantic's errors into `Problem`s: a field path such
as `items[3].text.fr`, a French reason and, for a misspelt key, the nearest valid key.
`SchemaFileError` gathers every problem of one file, one line per problem, each
starting with the file name and line."""

import difflib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import ErrorDetails

Loc = tuple[int | str, ...]


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


class SchemaFileError(Exception):
    """A YAML file that cannot be read or breaks its schema.

    `problems` lists one `Problem` per broken field. The message has one line per
    problem, each starting with the file name and line.
    """

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__("\n".join(problem.describe(self.path) for problem in problems))


class Strict(BaseModel):
    # Strict types so that YAML's `yes` or `1` never passes for a boolean, and extra
    # keys are rejected because a misspelt optional key would otherwise be ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(Strict):
    """A text shown to pupils or teachers: French is required, English optional."""

    fr: str
    en: str | None = None

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError(_("ne doit pas être vide"))
        return value.strip() if value is not None else None


def format_loc(loc: Loc) -> str:
    """Return a pydantic location as a field path such as `items[3].text.fr`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def parse_path(field_path: str) -> Loc:
    """Return the location tuple of a field path written by `format_loc`."""
    loc: list[int | str] = []
    for part in field_path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            loc.append(int(part[1:-1]))
        else:
            loc.append(part)
    return tuple(loc)


def field_names_at(root: type[BaseModel], loc: Loc) -> list[str]:
    """Return the keys allowed in the mapping at `loc`, to suggest them for a typo."""
    model = resolve_loc(root, loc)[1]
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def resolve_loc(root: type[BaseModel], loc: Loc) -> tuple[Loc, type[BaseModel] | None]:
    """Follow a pydantic error location from `root` down the models it names.

    Returns the location without the tags that pydantic inserts after a
    discriminated union (`questions[0].single_choice.prompt` becomes
    `questions[0].prompt`), and the model at the end, or None when it is no model.
    """
    clean: list[int | str] = []
    model: type[BaseModel] | None = root
    members: dict[str, type[BaseModel]] | None = None
    for part in loc:
        if isinstance(part, int):
            clean.append(part)
            continue
        if members is not None:
            model, members = members.get(part), None
            continue
        clean.append(part)
        field = _field_named(model, part) if model is not None else None
        if field is None:
            model = None
            continue
        members = tagged_members(field.annotation)
        model = None if members is not None else model_in(field.annotation)
    return tuple(clean), model


def _field_named(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def tagged_members(annotation: Any) -> dict[str, type[BaseModel]] | None:
    """Return the members of a discriminated union in `annotation` by tag, or None.

    Handles a union declared as `Annotated[A | B, Field(discriminator="type")]`,
    also inside a list or an optional.
    """
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = typing.get_args(annotation)
        for meta in metadata:
            discriminator = getattr(meta, "discriminator", None)
            if isinstance(discriminator, str):
                return {
                    _tag_of(member, discriminator): member
                    for member in typing.get_args(inner)
                }
        return tagged_members(inner)
    if origin in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = tagged_members(argument)
            if found is not None:
                return found
    return None


def _tag_of(member: type[BaseModel], discriminator: str) -> str:
    return typing.get_args(member.model_fields[discriminator].annotation)[0]


def model_in(annotation: Any) -> type[BaseModel] | None:
    """Find the pydantic model in an annotation such as list[Item] or Text | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            found = model_in(argument)
            if found is not None:
                return found
    if typing.get_origin(annotation) is Annotated:
        return model_in(typing.get_args(annotation)[0])
    return None


def suggest(value: str, choices: list[str]) -> str | None:
    """Return the choice closest to a misspelt `value`, or None when none is close."""
    matches = difflib.get_close_matches(value, choices, n=1)
    return matches[0] if matches else None


def unknown_key_reason(key: str, allowed: list[str]) -> str:
    """Word an unknown key, with the nearest allowed key and the allowed keys."""
    reason = _("clé inconnue « %(key)s »") % {"key": key}
    nearest = suggest(key, allowed)
    if nearest:
        reason += _(" : vouliez-vous dire « %(nearest)s » ?") % {"nearest": nearest}
    else:
        reason += "."
    if allowed:
        reason += _(" Clés permises ici : %(keys)s") % {"keys": ", ".join(allowed)}
    return reason


def describe_errors(
    error: ValidationError,
    root: type[BaseModel],
    pattern_hint: Callable[[Loc], str | None] = lambda loc: None,
) -> list[Problem]:
    """Return one Problem per pydantic error, worded in French for an author.

    `pattern_hint` words a regular-expression mismatch at a location, because the
    pattern itself means little to an author.
    """
    return [_describe_error(detail, root, pattern_hint) for detail in error.errors()]


def _describe_error(
    error: ErrorDetails,
    root: type[BaseModel],
    pattern_hint: Callable[[Loc], str | None],
) -> Problem:
    raw_loc = tuple(error["loc"])
    loc = resolve_loc(root, raw_loc)[0]
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = field_names_at(root, raw_loc[:-1])
        return Problem(format_loc(loc), unknown_key_reason(str(loc[-1]), allowed))
    if kind == "missing":
        return Problem(format_loc(loc), _("clé obligatoire absente"))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _describe_tag_error(loc, kind, ctx)
    value = error.get("input")
    if kind == "value_error":
        # A message of a schema's own validator, already worded for the author.
        return Problem(format_loc(loc), str(ctx["error"]))
    if kind == "string_pattern_mismatch":
        reason = pattern_hint(loc) or error["msg"]
    else:
        reason = type_reason(kind, ctx) or error["msg"]
    if not isinstance(value, dict | list):
        reason += _(" (trouvé : %(value)r)") % {"value": value}
    if kind == "string_type" and isinstance(value, int | float):
        reason += _(" : mettez la valeur entre guillemets doubles")
    if kind == "literal_error" and isinstance(value, str):
        nearest = suggest(value, _quoted_values(str(ctx.get("expected", ""))))
        if nearest:
            reason += _(" : vouliez-vous dire « %(nearest)s » ?") % {"nearest": nearest}
    return Problem(format_loc(loc), reason)


def _describe_tag_error(loc: Loc, kind: str, ctx: dict[str, Any]) -> Problem:
    """Word a missing or unknown tag of a discriminated union, such as `type`."""
    key = str(ctx.get("discriminator", "")).strip("'")
    path = format_loc((*loc, key))
    if kind == "union_tag_not_found":
        return Problem(path, _("clé obligatoire absente"))
    expected = _quoted_values(str(ctx.get("expected_tags", "")))
    reason = _("valeur inconnue « %(tag)s » : choisissez parmi %(expected)s") % {
        "tag": ctx.get("tag"),
        "expected": ", ".join(expected),
    }
    nearest = suggest(str(ctx.get("tag")), expected)
    if nearest:
        reason += _(" (vouliez-vous dire « %(nearest)s » ?)") % {"nearest": nearest}
    return Problem(path, reason)


def _quoted_values(expected: str) -> list[str]:
    """Return the values of pydantic's "'a', 'b' or 'c'" listing of expected values."""
    return re.findall(r"'([^']*)'", expected)


def type_reason(kind: str, ctx: dict[str, Any]) -> str | None:
    """Word pydantic's error types in French; None keeps pydantic's own message."""
    if kind == "literal_error":
        # pydantic lists the values as "'a', 'b' or 'c'", or "4 or 5" for numbers.
        values = re.split(r", | or ", str(ctx.get("expected", "")))
        return _("doit valoir %(expected)s") % {
            "expected": get_text_list(values, _("ou"))
        }
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
        minimum = int(ctx.get("min_length", 1))
        if minimum == 1:
            return _("ne doit pas être vide : ajoutez-en au moins un")
        return ngettext(
            "doit contenir au moins %(min)s élément",
            "doit contenir au moins %(min)s éléments",
            minimum,
        ) % {"min": minimum}
    if kind == "too_long":
        maximum = int(ctx.get("max_length", 0))
        return ngettext(
            "doit contenir au plus %(max)s élément",
            "doit contenir au plus %(max)s éléments",
            maximum,
        ) % {"max": maximum}
    if kind == "string_too_long":
        return _("doit faire au plus %(max)s caractères") % {
            "max": ctx.get("max_length")
        }
    limits = {
        "greater_than": (_("doit être plus grand que %(limit)s"), "gt"),
        "greater_than_equal": (_("doit être au moins %(limit)s"), "ge"),
        "less_than": (_("doit être plus petit que %(limit)s"), "lt"),
        "less_than_equal": (_("doit être au plus %(limit)s"), "le"),
    }
    if kind in limits:
        message, name = limits[kind]
        return message % {"limit": ctx.get(name)}
    return None


class LineMap:
    """Map field paths of a YAML document to the lines where they are written."""

    def __init__(self, root: yaml.Node) -> None:
        self.lines: dict[Loc, int] = {}
        self.duplicates: list[Problem] = []
        self._walk(root, ())

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
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
                            format_loc((*loc, key)),
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
        """Return the line of `field_path`, or of its nearest written parent."""
        loc = parse_path(field_path)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc)

    def with_lines(self, problems: list[Problem]) -> list[Problem]:
        """Return the problems with the line of their field filled in."""
        return [
            Problem(p.field_path, p.reason, p.line or self.line_of(p.field_path))
            for p in problems
        ]


def parse_yaml(
    text: str, path: Path | str, error_class: type[SchemaFileError] = SchemaFileError
) -> tuple[dict[str, Any], LineMap]:
    """Parse YAML text that must be a mapping, and map its fields to their lines.

    Raises `error_class` for invalid YAML, a document that is not a mapping, or a key
    written twice in one mapping.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise error_class(
            path, [Problem("", _("YAML invalide : %(error)s") % {"error": error}, line)]
        ) from error
    if not isinstance(data, dict) or root is None:
        raise error_class(
            path,
            [
                Problem(
                    "",
                    _("le fichier doit être un ensemble YAML de clés et de valeurs"),
                    1,
                )
            ],
        )
    line_map = LineMap(root)
    if line_map.duplicates:
        raise error_class(path, line_map.duplicates)
    return data, line_map


def read_text_file(
    path: Path, error_class: type[SchemaFileError] = SchemaFileError
) -> str:
    """Return the UTF-8 text of `path`, or raise `error_class` saying what is wrong."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise error_class(path, [Problem("", _("fichier introuvable"))]) from error
    except UnicodeDecodeError as error:
        raise error_class(
            path,
            [Problem("", _("ce n’est pas du texte UTF-8 : enregistrez-le en UTF-8"))],
        ) from error
