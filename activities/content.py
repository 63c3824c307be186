"""Activity content: validate it, read and write it as YAML and Markdown files.

An activity file is `KEY.yaml` with `schema_version: 1` and a `kind` (`unplugged`,
`quiz` or `coding`); `activities.schemas` defines the fields of each kind. Any text
can live in a Markdown file beside it, written `{file: NAME.md}` in place of the text,
which suits the long ones (a teacher's script, the written trace).

`parse_content` validates stored or submitted data. `load_content_file` reads a file
and raises `ContentError` listing every problem with its file, line, field path and
reason. `write_content_file` writes content back in the same layout, so a file loaded
into the database and dumped again reads the same.
"""

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from activities.schemas import (
    CONTENT_MODELS,
    SCHEMA_VERSION,
    ActivityContent,
)
from iota.yaml_schema import (
    Loc,
    Problem,
    SchemaFileError,
    describe_errors,
    format_loc,
    parse_yaml,
    read_text_file,
    suggest,
)

MARKDOWN_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.md$")
# A text with a blank line in it is written to its own Markdown file by
# `write_content_file`: paragraphs read better there than inside YAML.
PARAGRAPH_BREAK = "\n\n"


class ContentError(SchemaFileError):
    """Activity content that cannot be read or breaks its schema."""


def parse_content(
    kind: str, data: dict[str, Any], path: Path | str = "contenu"
) -> ActivityContent:
    """Validate `data` as content of `kind` and return the pydantic model.

    Raises ContentError listing every problem, each with its field path.
    """
    model = CONTENT_MODELS.get(kind)
    if model is None:
        raise ContentError(path, [_kind_problem(kind)])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ContentError(
            path, describe_errors(error, model, _pattern_hint)
        ) from error


def _kind_problem(kind: Any) -> Problem:
    reason = _("type d’activité inconnu « %(kind)s » : choisissez parmi %(kinds)s") % {
        "kind": kind,
        "kinds": ", ".join(CONTENT_MODELS),
    }
    nearest = suggest(str(kind), list(CONTENT_MODELS))
    if nearest:
        reason += _(" (vouliez-vous dire « %(nearest)s » ?)") % {"nearest": nearest}
    return Problem("kind", reason)


def _pattern_hint(loc: Loc) -> str | None:
    if loc == ("key",):
        return _(
            "doit être fait de lettres minuscules et de chiffres reliés par des "
            "tirets, comme robot-idiot"
        )
    if loc[-1] == "key":
        return _(
            "doit être une lettre suivie de lettres, de chiffres ou de _, comme q1"
        )
    if loc[-1] == "static":
        return _(
            "doit être un chemin de fichier statique sous activities/, en minuscules, "
            "fini par .svg, .png ou .jpg"
        )
    return None


def load_content_file(path: Path | str) -> ActivityContent:
    """Read, validate and return one activity file.

    Raises ContentError listing every problem found, each with its line.
    """
    path = Path(path)
    text = read_text_file(path, ContentError)
    data, line_map = parse_yaml(text, path, ContentError)
    problems = _header_problems(data, path)
    if problems:
        raise ContentError(path, line_map.with_lines(problems))

    problems = []
    data = _include_markdown(data, (), path.parent, problems)
    if problems:
        raise ContentError(path, line_map.with_lines(problems))
    try:
        return parse_content(data["kind"], data, path)
    except ContentError as error:
        raise ContentError(path, line_map.with_lines(error.problems)) from error


def _header_problems(data: dict[str, Any], path: Path) -> list[Problem]:
    """Check the fields that choose the schema, before the schema can be applied."""
    if data.get("schema_version") != SCHEMA_VERSION:
        return [
            Problem(
                "schema_version",
                _(
                    "cette plateforme lit la version de schéma %(version)s, "
                    "trouvé : %(found)r"
                )
                % {"version": SCHEMA_VERSION, "found": data.get("schema_version")},
            )
        ]
    if "kind" not in data:
        return [Problem("kind", _("clé obligatoire absente"))]
    if data["kind"] not in CONTENT_MODELS:
        return [_kind_problem(data["kind"])]
    if isinstance(data.get("key"), str) and data["key"] != path.stem:
        return [
            Problem(
                "key",
                _(
                    "la clé « %(key)s » diffère du nom du fichier « %(name)s » : "
                    "nommez le fichier %(key)s.yaml"
                )
                % {"key": data["key"], "name": path.name},
            )
        ]
    return []


def _include_markdown(
    value: Any, loc: Loc, folder: Path, problems: list[Problem]
) -> Any:
    """Replace each `{file: NAME.md}` in `value` by the text of that file."""
    if isinstance(value, dict):
        if set(value) == {"file"}:
            return _read_markdown(value["file"], loc, folder, problems)
        return {
            key: _include_markdown(item, (*loc, key), folder, problems)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _include_markdown(item, (*loc, index), folder, problems)
            for index, item in enumerate(value)
        ]
    return value


def _read_markdown(name: Any, loc: Loc, folder: Path, problems: list[Problem]) -> Any:
    field_path = format_loc((*loc, "file"))
    if not isinstance(name, str) or not MARKDOWN_NAME.match(name):
        problems.append(
            Problem(
                field_path,
                _(
                    "doit être le nom d’un fichier .md du même dossier, sans chemin, "
                    "comme robot-idiot.trace.md (trouvé : %(name)r)"
                )
                % {"name": name},
            )
        )
        return None
    try:
        return (folder / name).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        problems.append(
            Problem(
                field_path,
                _("fichier Markdown introuvable : %(name)s dans %(folder)s")
                % {"name": name, "folder": folder},
            )
        )
    except UnicodeDecodeError:
        problems.append(
            Problem(
                field_path,
                _("%(name)s n’est pas du texte UTF-8 : enregistrez-le en UTF-8")
                % {"name": name},
            )
        )
    return None


def stored_content(content: BaseModel) -> dict[str, Any]:
    """Return the dict kept in ActivityVersion.content, with defaults filled in."""
    return content.model_dump(mode="json", by_alias=True, exclude_none=True)


def content_hash(stored: dict[str, Any]) -> str:
    """Return the SHA-256 of stored content as canonical JSON."""
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_content_file(content: BaseModel, folder: Path) -> list[Path]:
    """Write content as `KEY.yaml`, long texts as Markdown files beside it.

    Returns the paths written. Texts with a blank line go to `KEY.FIELD.LANG.md`,
    such as `robot-idiot.trace.fr.md`.
    """
    data = content.model_dump(
        mode="json", by_alias=True, exclude_none=True, context={"short_text": True}
    )
    key = data["key"]
    # The fields that choose the schema come first, as authors write them.
    data = {name: data[name] for name in ("schema_version", "kind", "key")} | data
    markdown: dict[str, str] = {}
    data = _extract_markdown(data, (), key, markdown)
    written = []
    for name, text in markdown.items():
        target = folder / name
        target.write_text(text + "\n", encoding="utf-8")
        written.append(target)
    target = folder / f"{key}.yaml"
    target.write_text(_to_yaml(data), encoding="utf-8")
    written.append(target)
    return written


def _extract_markdown(value: Any, loc: Loc, key: str, out: dict[str, str]) -> Any:
    if isinstance(value, str) and PARAGRAPH_BREAK in value:
        parts = [str(part) for part in loc]
        if parts[-1] not in ("fr", "en"):
            parts.append("fr")
        name = f"{key}.{'.'.join(parts)}.md".replace("_", "-")
        out[name] = value
        return {"file": name}
    if isinstance(value, dict):
        return {
            item_key: _extract_markdown(item, (*loc, item_key), key, out)
            for item_key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _extract_markdown(item, (*loc, index), key, out)
            for index, item in enumerate(value)
        ]
    return value


class _ContentDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks and never sorts keys."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ContentDumper.add_representer(str, _represent_str)


def _to_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_ContentDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        # Long texts stay on one line, so a diff of two files shows whole sentences.
        width=10_000,
    )
