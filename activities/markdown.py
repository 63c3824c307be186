"""The small part of Markdown that activity texts use, rendered to HTML or to reportlab.

Paragraphs are separated by a blank line, a line break inside a paragraph is kept, a
paragraph whose lines all start with "- " is a bulleted list and one whose lines all
start with "1. " a numbered list. Inside a line, `**bold**` and `*italic*` are
recognised. Everything else is text and is escaped.
"""

import re
from dataclasses import dataclass
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BULLET = re.compile(r"^\s*[-*]\s+")
NUMBER = re.compile(r"^\s*\d+[.)]\s+")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


@dataclass(frozen=True)
class Block:
    kind: Literal["paragraph", "bullets", "numbers"]
    lines: list[str]  # inline HTML, already escaped


def parse_blocks(text: str) -> list[Block]:
    """Split `text` into paragraphs and lists whose lines are inline HTML."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            items = [_inline(BULLET.sub("", line)) for line in lines]
            blocks.append(Block("bullets", items))
        elif all(NUMBER.match(line) for line in lines):
            items = [_inline(NUMBER.sub("", line)) for line in lines]
            blocks.append(Block("numbers", items))
        else:
            items = [_inline(line.strip()) for line in lines]
            blocks.append(Block("paragraph", items))
    return blocks


def _inline(line: str) -> str:
    html = str(escape(line))
    html = BOLD.sub(r"<strong>\1</strong>", html)
    return ITALIC.sub(r"<em>\1</em>", html)


def render_html(text: str) -> SafeString:
    """Return `text` as HTML paragraphs and lists."""
    parts = []
    for block in parse_blocks(text):
        if block.kind == "paragraph":
            parts.append("<p>" + "<br>".join(block.lines) + "</p>")
        else:
            tag = "ul" if block.kind == "bullets" else "ol"
            items = "".join(f"<li>{line}</li>" for line in block.lines)
            parts.append(f"<{tag}>{items}</{tag}>")
    # Every piece of text went through escape() in _inline; only our tags are added.
    return mark_safe("".join(parts))  # noqa: S308
