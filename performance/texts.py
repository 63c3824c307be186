"""Texts of task files in the page's language: French, or English when written."""

from typing import Any

from django.utils.translation import get_language

from iota.yaml_schema import Text


def localized(text: Text) -> str:
    """Return the English text on English pages when the file gives one, else French."""
    if get_language() == "en" and text.en:
        return text.en
    return text.fr


def localize(data: Any) -> Any:
    """Return JSON data with every text mapping ({fr, en}) replaced by its string.

    A mapping is a text when its keys are "fr" and, optionally, "en", which is how
    task files write every text shown to pupils.
    """
    if isinstance(data, dict):
        if "fr" in data and set(data) <= {"fr", "en"}:
            return localized(Text(**data))
        return {key: localize(value) for key, value in data.items()}
    if isinstance(data, list):
        return [localize(value) for value in data]
    return data
