"""Authoring form of activities: form values to content and back, problems by field.

The authoring screens draw their form from `activities.form_description`. Every input
is named by the path of the value it holds, written as `activities.content` writes
field paths in its errors (`title.fr`, `questions[0].choices[1].correct`), so a
validation problem names its input without a table of names. `FormValues` maps these
names to the submitted strings, as a QueryDict does. `content_values` builds them from
stored content, and `validate_form` turns them back into content and validates it
with the same schema that checks the YAML files.

Two fields have their own editors. A grid is a text of tiles, one row per line, with
`*` for an item on an open tile, plus the robot's heading and the win rule. A program
is written one block per line in the names the YAML files use, and the blocks inside
`repeat N`, `until goal`, `if CONDITION` and `else` are indented by two spaces::

    repeat 3
      move
      right
    if wall_ahead
      left
    else
      move
"""

import math
import re
import string
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from activities import engine, grid_world
from activities.content import ContentError, parse_content
from activities.form_description import FieldDescription, form_description
from activities.models import Activity, ActivityVersion, Status
from activities.schemas import (
    ACTIONS,
    CONDITIONS,
    SCHEMA_VERSION,
    ActivityContent,
    Block,
    engine_limits,
    to_workspace,
)
from activities.services import (
    PublishOutcome,
    publish_draft,
    published_version,
    save_draft,
)
from iota.yaml_schema import Problem, suggest

if TYPE_CHECKING:
    from accounts.models import User

FormValues = dict[str, list[str]]

# The tile of an item in the grid editor; the grid stores items apart from the tiles.
ITEM_TILE = "*"
PROGRAM_INDENT = 2
# Form names that are not content: the CSRF token and the button pressed.
NOT_CONTENT = {"csrfmiddlewaretoken", "action"}


class _Omitted:
    """An empty input: the content leaves its key out, so the schema's default or
    its "missing" error applies."""


OMITTED = _Omitted()


def join_path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def values_from_post(post: QueryDict) -> FormValues:
    """Return the content inputs of a submitted authoring form."""
    return {name: post.getlist(name) for name in post if name not in NOT_CONTENT}


def list_indices(values: FormValues, list_name: str) -> list[int]:
    """Return the indices of a list's entries present in `values`, in order.

    The page renumbers entries after a removal, but a gap left by a stale page
    still reads as the entries that remain, in their order.
    """
    pattern = re.compile(re.escape(list_name) + r"\[(\d+)\]")
    found = {int(match.group(1)) for name in values if (match := pattern.match(name))}
    return sorted(found)


def common_variant_fields(
    variants: dict[str, list[FieldDescription]],
) -> list[FieldDescription]:
    """Return the fields every variant has, such as a question's key and prompt."""
    first, *others = variants.values()
    return [
        field
        for field in first
        if all(any(f["name"] == field["name"] for f in other) for other in others)
    ]


def default_item_key(list_name: str, index: int) -> str:
    """Return the key a new entry gets: q1, q2 … for questions, else a, b, c …."""
    if list_name.endswith("questions"):
        return f"q{index + 1}"
    letters = string.ascii_lowercase
    return letters[index] if index < len(letters) else f"k{index + 1}"


# Starting content of a new activity of each kind: the structure is filled in and
# the texts are left for the author. A new entry's key follows `default_item_key`.
STARTERS: dict[str, dict[str, Any]] = {
    "unplugged": {
        "levels": ["CM1", "CM2"],
        "duration_minutes": 45,
        "steps": [{"minutes": 10}, {"minutes": 25}, {"minutes": 10}],
    },
    "quiz": {
        "levels": ["CM1", "CM2"],
        "duration_minutes": 10,
        "questions": [{"type": "single_choice"}],
    },
    "coding": {
        "levels": ["CM1", "CM2"],
        "duration_minutes": 15,
        "crcn": ["3.4"],
        "concept": "sequence",
        "grid": {
            "tiles": ["######", "#S..G#", "######"],
            "robot": {"heading": "east"},
        },
        "allowed_blocks": ["move", "left", "right"],
        "solution": ["move", "move", "move"],
    },
}


# Content to form values.


def content_values(kind: str, data: dict[str, Any]) -> FormValues:
    """Return the form values showing content `data` of `kind`.

    `data` may be partial, as a starter template is: a missing required list gets its
    minimum number of blank entries, a missing value its schema default.
    """
    return field_values(form_description(kind), data)


def field_values(
    fields: list[FieldDescription], data: dict[str, Any], prefix: str = ""
) -> FormValues:
    """Return the form values showing `data` in `fields`, names under `prefix`."""
    writer = _Writer()
    writer.fields(fields, prefix, data)
    return writer.values


class _Writer:
    def __init__(self) -> None:
        self.values: FormValues = {}

    def put(self, name: str, value: str) -> None:
        self.values[name] = [value]

    def fields(
        self, fields: list[FieldDescription], prefix: str, data: dict[str, Any] | None
    ) -> None:
        for field in fields:
            present = data is not None and field["name"] in data
            value = data[field["name"]] if present and data is not None else OMITTED
            self.value(field, join_path(prefix, field["name"]), value)

    def value(self, field: FieldDescription, name: str, value: Any) -> None:
        kind = field["type"]
        if value is OMITTED and "default" in field:
            value = field["default"]
        if kind == "text":
            text = {"fr": value} if isinstance(value, str) else value
            text = text if isinstance(text, dict) else {}
            self.put(f"{name}.fr", str(text.get("fr") or ""))
            self.put(f"{name}.en", str(text.get("en") or ""))
        elif kind in ("string", "choice", "integer", "number"):
            self.put(name, _scalar_text(value))
        elif kind == "boolean":
            if value is True:
                self.put(name, "on")
        elif kind in ("multichoice", "crcn"):
            self.values[name] = (
                [str(v) for v in value] if isinstance(value, list) else []
            )
        elif kind == "group":
            self.fields(
                field["fields"], name, value if isinstance(value, dict) else None
            )
        elif kind in ("list", "variants"):
            self.entries(field, name, value)
        elif kind == "grid":
            self.grid(name, value if isinstance(value, dict) else {})
        elif kind == "program":
            self.put(name, program_text(value) if isinstance(value, list) else "")

    def entries(self, field: FieldDescription, name: str, value: Any) -> None:
        if isinstance(value, list):
            entries = value
        else:
            entries = [None] * (field.get("min_length", 0) if field["required"] else 0)
        for index, entry in enumerate(entries):
            self.entry(field, name, index, entry)

    def entry(self, field: FieldDescription, list_name: str, index: int, entry: Any):
        name = f"{list_name}[{index}]"
        if field["type"] == "variants":
            variants = field["variants"]
            if not isinstance(entry, dict):
                entry = {"type": next(iter(variants))}
            tag = str(entry.get("type", ""))
            self.put(f"{name}.type", tag)
            fields = variants.get(tag) or common_variant_fields(variants)
            self.fields(
                fields, name, _with_default_key(entry, fields, list_name, index)
            )
            return
        item = field["item"]
        if item["type"] == "group":
            data = entry if isinstance(entry, dict) else {}
            self.fields(
                item["fields"],
                name,
                _with_default_key(data, item["fields"], list_name, index),
            )
        else:
            self.value(item, name, OMITTED if entry is None else entry)

    def grid(self, name: str, grid: dict[str, Any]) -> None:
        tiles = [list(str(row)) for row in grid.get("tiles", [])]
        for item in grid.get("items", []):
            x, y = item.get("x"), item.get("y")
            # NOTE: an item on a start or goal tile has no character in the grid
            # editor, so such a challenge loses that item when edited in the form.
            on_grid = 0 <= y < len(tiles) and 0 <= x < len(tiles[y])
            if on_grid and tiles[y][x] == grid_world.OPEN:
                tiles[y][x] = ITEM_TILE
        self.put(f"{name}.tiles", "\n".join("".join(row) for row in tiles))
        # The tiles show where the items are but not their order in the file, which
        # this hidden input keeps so that an unchanged grid reads back equal.
        order = [f"{item.get('x')},{item.get('y')}" for item in grid.get("items", [])]
        self.put(f"{name}.item_order", " ".join(order))
        robot = grid.get("robot") or {}
        self.put(f"{name}.heading", str(robot.get("heading", "east")))
        self.put(f"{name}.win", str(grid.get("win", "reach_goal")))


def _with_default_key(
    data: dict[str, Any], fields: list[FieldDescription], list_name: str, index: int
) -> dict[str, Any]:
    if "key" in data or not any(field["name"] == "key" for field in fields):
        return data
    return {**data, "key": default_item_key(list_name, index)}


def _scalar_text(value: Any) -> str:
    if value is OMITTED or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def program_text(blocks: list[Any], depth: int = 0) -> str:
    """Return a stored program in the form's notation, one block per line."""
    lines: list[str] = []
    _program_lines(blocks, depth, lines)
    return "\n".join(lines)


def _program_lines(blocks: list[Any], depth: int, lines: list[str]) -> None:
    indent = " " * (PROGRAM_INDENT * depth)
    for block in blocks:
        if isinstance(block, str):
            lines.append(indent + block)
            continue
        if "repeat" in block:
            lines.append(f"{indent}repeat {block['repeat']}")
        elif "until" in block:
            lines.append(f"{indent}until {block['until']}")
        else:
            lines.append(f"{indent}if {block['if']}")
        _program_lines(block.get("do", []), depth + 1, lines)
        if block.get("else"):
            lines.append(f"{indent}else")
            _program_lines(block["else"], depth + 1, lines)


# Form values to content.


@dataclass
class FormReading:
    data: dict[str, Any]
    # Inputs that could not be read, such as a program line with an unknown block.
    problems: list[Problem] = dataclass_field(default_factory=list)
    # The line of each block of the program inputs: {"solution[0].do[1]": 3}.
    program_lines: dict[str, int] = dataclass_field(default_factory=dict)


def read_form(kind: str, values: FormValues) -> FormReading:
    """Return the content data that form values of `kind` describe."""
    reader = _Reader(values)
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": kind}
    data.update(reader.fields(form_description(kind), ""))
    return FormReading(data, reader.problems, reader.program_lines)


class _Reader:
    def __init__(self, values: FormValues) -> None:
        self.values = values
        self.problems: list[Problem] = []
        self.program_lines: dict[str, int] = {}

    def one(self, name: str) -> str:
        found = self.values.get(name) or [""]
        # Browsers send a textarea's line breaks as CRLF; the files have LF.
        return found[-1].replace("\r\n", "\n").replace("\r", "\n")

    def fields(self, fields: list[FieldDescription], prefix: str) -> dict[str, Any]:
        data = {}
        for field in fields:
            value = self.value(field, join_path(prefix, field["name"]))
            if value is not OMITTED:
                data[field["name"]] = value
        return data

    def value(self, field: FieldDescription, name: str, in_list: bool = False) -> Any:
        kind = field["type"]
        if kind == "text":
            return self.text(name, field.get("required", False) or in_list)
        if kind == "group":
            data = self.fields(field["fields"], name)
            if not field.get("required") and not in_list and _is_blank(data, field):
                return OMITTED
            return data
        if kind == "list":
            return [
                self.value(field["item"], f"{name}[{index}]", in_list=True)
                for index in list_indices(self.values, name)
            ]
        if kind == "variants":
            return [
                self.variant(field, f"{name}[{index}]")
                for index in list_indices(self.values, name)
            ]
        if kind == "grid":
            return self.grid(name)
        if kind == "program":
            return self.program(name)
        return self.scalar(kind, name)

    def scalar(self, kind: str, name: str) -> Any:
        if kind in ("multichoice", "crcn"):
            return [value for value in self.values.get(name, []) if value]
        if kind == "boolean":
            return self.one(name) in ("on", "true")
        if kind == "number":
            return self.number(name)
        raw = self.one(name).strip()
        # A value that is not an integer goes to the schema, which names it.
        if kind == "integer" and re.fullmatch(r"[+-]?\d+", raw):
            return int(raw)
        return raw or OMITTED

    def text(self, name: str, keep_blank: bool) -> Any:
        french = self.one(f"{name}.fr")
        english = self.one(f"{name}.en")
        if not french.strip() and not english.strip() and not keep_blank:
            return OMITTED
        # A blank French text stays, so the schema reports that it must not be empty.
        text = {"fr": french}
        if english.strip():
            text["en"] = english
        return text

    def number(self, name: str) -> Any:
        raw = self.one(name).strip()
        if not raw:
            return OMITTED
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return number if math.isfinite(number) else raw

    def variant(self, field: FieldDescription, name: str) -> dict[str, Any]:
        tag = self.one(f"{name}.type").strip()
        fields = field["variants"].get(tag)
        if fields is None:
            # The schema words a missing or unknown type with the known ones.
            entry = self.fields(common_variant_fields(field["variants"]), name)
            return {"type": tag, **entry} if tag else entry
        return {"type": tag, **self.fields(fields, name)}

    def grid(self, name: str) -> Any:
        rows = [row.strip() for row in self.one(f"{name}.tiles").split("\n")]
        rows = [row for row in rows if row]
        if not rows:
            return OMITTED
        tiles: list[str] = []
        items: list[dict[str, int]] = []
        robot: dict[str, Any] | None = None
        for y, row in enumerate(rows):
            for x, tile in enumerate(row):
                if tile == ITEM_TILE:
                    items.append({"x": x, "y": y})
                elif tile == grid_world.START and robot is None:
                    robot = {"x": x, "y": y}
            tiles.append(row.replace(ITEM_TILE, grid_world.OPEN))
        grid: dict[str, Any] = {
            "schema_version": grid_world.SCHEMA_VERSION,
            "width": max(len(row) for row in tiles),
            "height": len(tiles),
            "tiles": tiles,
        }
        if robot is not None:
            grid["robot"] = {**robot, "heading": self.one(f"{name}.heading") or "east"}
        if items:
            grid["items"] = self.item_order(name, items)
        win = self.one(f"{name}.win") or "reach_goal"
        # The files leave the default rule out, and the form writes what they write.
        if win != "reach_goal":
            grid["win"] = win
        return grid

    def item_order(
        self, name: str, items: list[dict[str, int]]
    ) -> list[dict[str, int]]:
        """Return the items in the order the edited content had, new ones last."""
        order = self.one(f"{name}.item_order").split()
        rank = {position: index for index, position in enumerate(order)}
        return sorted(
            items, key=lambda item: rank.get(f"{item['x']},{item['y']}", len(rank))
        )

    def program(self, name: str) -> Any:
        parsed = parse_program_text(self.one(name))
        for line, reason in parsed.errors:
            self.problems.append(
                Problem(
                    name,
                    _("ligne %(line)s : %(reason)s") % {"line": line, "reason": reason},
                )
            )
        for path, line in parsed.lines.items():
            self.program_lines[name + path] = line
        return OMITTED if parsed.errors else parsed.blocks


def _is_blank(value: Any, field: FieldDescription) -> bool:
    """Tell whether an optional group was left as the form shows it when empty."""
    if value is OMITTED or value is None:
        return True
    if "default" in field and value == field["default"]:
        return True
    kind = field["type"]
    if kind == "group":
        return all(
            _is_blank(value.get(child["name"], OMITTED), child)
            for child in field["fields"]
        )
    if kind == "text":
        return not any(str(part).strip() for part in value.values())
    if kind == "list":
        return all(_is_blank(entry, field["item"]) for entry in value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, str | list):
        return not value if isinstance(value, list) else not value.strip()
    return False


# The program notation.

CONTAINER_WORDS = ("repeat", "until", "if")
PROGRAM_WORDS = (*ACTIONS, *CONTAINER_WORDS, "else")


@dataclass
class ParsedProgram:
    blocks: list[Any] = dataclass_field(default_factory=list)
    errors: list[tuple[int, str]] = dataclass_field(
        default_factory=list
    )  # (line, reason)
    lines: dict[str, int] = dataclass_field(default_factory=dict)  # "[0].do[1]" → line


def parse_program_text(text: str) -> ParsedProgram:
    """Parse the form's program notation into blocks as the YAML files write them."""
    parsed = ParsedProgram()
    # levels[depth] is the (path, list) that receives the blocks written at `depth`.
    levels: list[tuple[str, list[Any]]] = [("", parsed.blocks)]
    opened: tuple[str, list[Any]] | None = None  # the body the previous line opened
    last_if: dict[int, tuple[str, dict[str, Any]]] = {}  # depth → the `if` just read
    for number, raw in enumerate(text.replace("\t", "  ").split("\n"), start=1):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        depth = indent // PROGRAM_INDENT
        if indent % PROGRAM_INDENT:
            parsed.errors.append((number, _("indentez de 2 espaces par niveau")))
            continue
        if depth == len(levels) and opened is not None:
            levels.append(opened)
        elif depth >= len(levels):
            parsed.errors.append(
                (
                    number,
                    _(
                        "ligne trop indentée : seuls les blocs sous repeat, until, "
                        "if ou else sont indentés"
                    ),
                )
            )
            continue
        del levels[depth + 1 :]
        for deeper in [d for d in last_if if d > depth]:
            del last_if[deeper]
        opened = None
        words = raw.split()
        if words == ["else"]:
            found = last_if.pop(depth, None)
            if found is None:
                parsed.errors.append(
                    (number, _("else doit suivre les blocs d’un if de même retrait"))
                )
                continue
            path, block = found
            block["else"] = []
            opened = (f"{path}.else", block["else"])
            continue
        path, target = levels[depth]
        block_path = f"{path}[{len(target)}]"
        block, reason = _program_block(words)
        if reason is not None:
            parsed.errors.append((number, reason))
            continue
        target.append(block)
        parsed.lines[block_path] = number
        last_if.pop(depth, None)
        if isinstance(block, dict):
            opened = (f"{block_path}.do", block["do"])
            if "if" in block:
                last_if[depth] = (block_path, block)
    return parsed


def _program_block(words: list[str]) -> tuple[Any, str | None]:
    """Return the block a program line writes, or the reason it cannot be read."""
    name, arguments = words[0], words[1:]
    if name in ACTIONS and not arguments:
        return name, None
    if name == "repeat" and len(arguments) == 1 and arguments[0].isdigit():
        return {"repeat": int(arguments[0]), "do": []}, None
    if name == "repeat":
        return None, _("écrivez repeat suivi d’un nombre de fois, comme repeat 3")
    if name == "until" and arguments == ["goal"]:
        return {"until": "goal", "do": []}, None
    if name == "until":
        return None, _("écrivez until goal")
    if name == "if" and len(arguments) == 1 and arguments[0] in CONDITIONS:
        return {"if": arguments[0], "do": []}, None
    if name == "if":
        found = arguments[0] if arguments else ""
        reason = _("condition inconnue « %(found)s » : choisissez parmi %(known)s") % {
            "found": found,
            "known": ", ".join(CONDITIONS),
        }
        return None, _with_suggestion(reason, found, list(CONDITIONS))
    if name in ACTIONS or name == "else":
        return None, _("%(name)s s’écrit seul sur sa ligne") % {"name": name}
    reason = _("bloc inconnu « %(found)s » : écrivez %(known)s") % {
        "found": " ".join(words),
        "known": ", ".join(PROGRAM_WORDS),
    }
    return None, _with_suggestion(reason, name, list(PROGRAM_WORDS))


def _with_suggestion(reason: str, found: str, known: list[str]) -> str:
    nearest = suggest(found, known)
    if nearest:
        reason += _(" (vouliez-vous dire « %(nearest)s » ?)") % {"nearest": nearest}
    return reason


# Validation.


@dataclass
class Validation:
    values: FormValues
    data: dict[str, Any]
    content: ActivityContent | None
    problems: list[Problem]

    @property
    def is_valid(self) -> bool:
        return self.content is not None and not self.problems


def validate_form(
    kind: str, values: FormValues, *, key: str | None = None, new: bool = False
) -> Validation:
    """Read and validate form values of `kind`, each problem named by its input.

    `key` fixes the key of an activity being edited, whatever the form sends.
    `new` rejects a key that an existing activity already has.
    """
    reading = read_form(kind, values)
    if key is not None:
        reading.data["key"] = key
        values = {**values, "key": [key]}
    problems = list(reading.problems)
    unread = {problem.field_path for problem in reading.problems}
    content: ActivityContent | None = None
    try:
        content = parse_content(kind, reading.data)
    except ContentError as error:
        for problem in error.problems:
            # A program that could not be read is left out, so the schema would only
            # repeat that it is missing.
            if problem.field_path not in unread:
                problems.append(_form_problem(problem, reading))
    if new and "key" in reading.data:
        problems.extend(_key_problems(str(reading.data["key"])))
    if problems:
        content = None
    return Validation(values, reading.data, content, problems)


def _key_problems(key: str) -> list[Problem]:
    if not Activity.objects.filter(key=key).exists():
        return []
    return [
        Problem(
            "key",
            _(
                "la clé « %(key)s » est déjà prise par une autre activité : "
                "choisissez-en une autre, ou modifiez cette activité depuis la liste"
            )
            % {"key": key},
        )
    ]


def _form_problem(problem: Problem, reading: FormReading) -> Problem:
    """Word a schema problem for the form: input names, program lines, the run."""
    reason = problem.reason
    if reason == _("clé obligatoire absente"):
        reason = _("champ obligatoire : remplissez-le")
    language = problem.field_path.rpartition(".")[2]
    if language in ("fr", "en"):
        # A text field has two inputs, so the reason names the wrong one.
        where = _("en français") if language == "fr" else _("en anglais")
        reason = f"{where} : {reason}"
    if problem.field_path == "solution":
        failure = explain_solution_failure(reading.data)
        if failure is not None:
            reason = failure
    line = _program_line(problem.field_path, reading.program_lines)
    if line is not None:
        reason = _("ligne %(line)s : %(reason)s") % {"line": line, "reason": reason}
    return Problem(problem.field_path, reason)


def _program_line(path: str, program_lines: dict[str, int]) -> int | None:
    """Return the line of the block that `path` is in, such as solution[1].repeat."""
    while path:
        if path in program_lines:
            return program_lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def explain_solution_failure(data: dict[str, Any]) -> str | None:
    """Run a challenge's reference solution on the server engine and word why it
    fails. Return None when it succeeds or cannot run because another field is
    invalid."""
    try:
        solution = [Block.model_validate(block) for block in data["solution"]]
        result = engine.run_program(
            data["grid"],
            to_workspace(solution),
            engine_limits(
                data["allowed_blocks"], data.get("max_blocks"), data.get("max_steps")
            ),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if result["outcome"] == "success":
        return None
    robot = result["robot"]
    facts = {
        "steps": result["steps"],
        # The grid editor counts lines and columns from 1, the engine from 0.
        "line": robot["y"] + 1,
        "column": robot["x"] + 1,
        "collected": result["items_collected"],
        "total": result["items_total"],
        "blocks": result["blocks_used"],
        "max_blocks": data.get("max_blocks"),
        "max_steps": data.get("max_steps") or grid_world.DEFAULT_MAX_STEPS,
    }
    reason = OUTCOME_REASONS.get(result["outcome"])
    if reason is None:
        # A block outside allowed_blocks, which the schema's own problem reports.
        return None
    return _(
        "la solution de référence ne résout pas le défi : %(why)s. "
        "Corrigez la solution ou la grille."
    ) % {"why": reason() % facts}


OUTCOME_REASONS = {
    "wall_hit": lambda: _(
        "le robot heurte un mur après %(steps)s pas, en ligne %(line)s, "
        "colonne %(column)s"
    ),
    "obstacle_hit": lambda: _(
        "le robot heurte un obstacle après %(steps)s pas, en ligne %(line)s, "
        "colonne %(column)s"
    ),
    "out_of_grid": lambda: _(
        "le robot sort de la grille après %(steps)s pas, depuis la ligne %(line)s, "
        "colonne %(column)s"
    ),
    "goal_not_reached": lambda: _(
        "le robot s’arrête en ligne %(line)s, colonne %(column)s, sans atteindre "
        "l’arrivée"
    ),
    "items_not_collected": lambda: _(
        "le robot atteint l’arrivée avec %(collected)s objet(s) ramassé(s) sur "
        "%(total)s"
    ),
    "block_limit_exceeded": lambda: _(
        "elle utilise %(blocks)s blocs, plus que le maximum permis (%(max_blocks)s)"
    ),
    "step_limit_reached": lambda: _(
        "le robot fait plus de %(max_steps)s pas : une boucle ne s’arrête jamais"
    ),
}


# Saving and publishing.


def editable_version(activity: Activity) -> ActivityVersion | None:
    """Return the version the form edits: the newest of the draft and the latest
    published version.

    A draft older than the latest published version was started before a file
    was loaded, so the form shows the published content; saving then replaces
    that draft.
    """
    draft = activity.versions.filter(status=Status.DRAFT).order_by("-number").first()
    published = published_version(activity)
    if draft is None or (published is not None and published.number > draft.number):
        return published
    return draft


@transaction.atomic
def publish_form(content: ActivityContent, user: "User") -> PublishOutcome:
    """Publish form content as the next version, unless it equals the latest one.

    The content goes through the activity's draft, which publishing turns into the
    next version, so a draft saved earlier does not stay behind. Content equal to
    the latest published version discards the draft and creates nothing.
    """
    draft = save_draft(content, user)
    latest = published_version(draft.activity)
    if latest is not None and latest.content_hash == draft.content_hash:
        draft.delete()
        return PublishOutcome(draft.activity, latest, created=False)
    version = publish_draft(draft, user)
    return PublishOutcome(version.activity, version, created=True)
