"""Valid activity content for the tests, read from the starter files and changed."""

import copy
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
# Starter files with no Markdown include, so their YAML alone is the whole content.
BASE_FILES = {
    "unplugged": "pixels-en-nombres.yaml",
    "quiz": "quiz-programmer-un-robot.yaml",
    "coding": "defi-08-mur-devant.yaml",
}


def valid_data(kind: str) -> dict[str, Any]:
    """Return a fresh copy of valid content data of `kind`."""
    text = (CONTENT_DIR / BASE_FILES[kind]).read_text(encoding="utf-8")
    return copy.deepcopy(yaml.safe_load(text))


def question(data: dict[str, Any], question_type: str) -> dict[str, Any]:
    """Return the first question of `question_type` in quiz data."""
    return next(q for q in data["questions"] if q["type"] == question_type)
