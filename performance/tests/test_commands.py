"""The load-tasks and check-task commands."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from performance.definitions import TASKS_DIR
from performance.models import Task


@pytest.mark.django_db
def test_load_tasks_reports_created_then_unchanged():
    first, second = StringIO(), StringIO()
    call_command("load_tasks", stdout=first)
    call_command("load_tasks", stdout=second)
    assert "4 créée(s), 0 mise(s) à jour, 0 inchangée(s)" in first.getvalue()
    assert "0 créée(s), 0 mise(s) à jour, 4 inchangée(s)" in second.getvalue()
    assert Task.objects.count() == 4


def test_check_task_accepts_shipped_files():
    out = StringIO()
    call_command("check_task", *map(str, sorted(TASKS_DIR.glob("*.yaml"))), stdout=out)
    assert out.getvalue().count(": valide (") == 4


def test_check_task_names_line_of_error(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = (TASKS_DIR / "cooperation-sharing.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("endowment: 10", "endowment: 50"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 fichier"):
        call_command("check_task", str(broken), stderr=err)
    line = text.splitlines().index("  endowment: 10") + 1
    assert (
        f"broken.yaml:{line}: content.endowment: doit être au plus 20" in err.getvalue()
    )
