"""The learning app calls other apps through their services, never their views."""

import ast
from pathlib import Path

import learning

LEARNING_DIR = Path(learning.__file__).parent


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return modules


def is_other_apps_views(module: str) -> bool:
    app, _, rest = module.partition(".")
    last = module.rsplit(".", 1)[-1]
    return app not in ("learning", "django") and (
        last == "views" or last.endswith("_views") or ".views." in f".{rest}."
    )


def test_learning_imports_no_views_of_other_apps():
    offenders = [
        f"{path.relative_to(LEARNING_DIR)}: {module}"
        for path in sorted(LEARNING_DIR.rglob("*.py"))
        for module in imported_modules(path)
        if is_other_apps_views(module)
    ]
    assert offenders == []


def test_detects_player_views_import():
    assert is_other_apps_views("assessment.player_views")
    assert is_other_apps_views("schools.views")
    assert not is_other_apps_views("iota.permissions")
    assert not is_other_apps_views("learning.views.pupil")
    assert not is_other_apps_views("django.views.decorators.http")
