"""Tests of the `iota import-onde` command."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from schools.models import Pupil, School
from schools.tests.onde_files import UAI, onde_csv, pupil_line

pytestmark = pytest.mark.django_db

LINES = [
    pupil_line("Martin", "Léa", "0000000001A"),
    pupil_line("Dupont", "Hugo", "0000000002A", level="CM2", class_label="CM2 B"),
    pupil_line("Roux", "Inès", "0000000003A", level="CE2", class_label="CE2"),
    pupil_line("Petit", "Jade", "bad", class_label="CM2 B"),
]


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "onde.csv"
    path.write_bytes(onde_csv(LINES, encoding="cp1252"))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_onde", *args, stdout=out)
    return out.getvalue()


def test_json_summary(export):
    summary = json.loads(run(str(export), "--school", UAI, "--format", "json"))
    assert summary["counts"] == {
        "created": 2,
        "updated": 0,
        "moved": 0,
        "returned": 0,
        "left": 0,
        "unchanged": 0,
        "skipped": 1,
        "rejected": 1,
    }
    assert summary["classes"] == [
        {"label": "CM1 A", "levels": ["CM1"], "created": True, "pupil_count": 1},
        {"label": "CM2 B", "levels": ["CM2"], "created": True, "pupil_count": 1},
    ]
    assert summary["rejections"][0]["line"] == 5
    assert summary["rejections"][0]["column"] == "INE"
    assert summary["file"]["encoding"] == "cp1252"
    assert summary["dry_run"] is False
    assert summary["school"]["uai"] == UAI


def test_json_summary_without_names(export):
    output = run(str(export), "--school", UAI, "--format", "json")
    assert "Léa" not in output
    assert "Martin" not in output


def test_text_summary_in_french(export):
    output = run(str(export), "--school", UAI, "--school-name", "École des Lilas")
    assert "Import ONDE de École des Lilas (0750001U)" in output
    assert "2  élèves créés" in output
    assert "CM2 B (CM2, nouvelle) : 1 élèves" in output
    assert "ligne 5, colonne « INE »" in output
    assert School.objects.get().name == "École des Lilas"


def test_dry_run_writes_nothing(export):
    output = run(str(export), "--school", UAI, "--dry-run")
    assert "Essai (rien n'est enregistré)" in output
    assert Pupil.objects.count() == 0
    assert School.objects.count() == 0


def test_fatal_error_raises_command_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError) as error:
        run(str(path), "--school", UAI)
    assert str(error.value) == "Le fichier est vide."


def test_missing_file_names_path(tmp_path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path / "absent.csv"), "--school", UAI)
    assert "absent.csv" in str(error.value)


def test_invalid_uai_raises_command_error(export):
    with pytest.raises(CommandError) as error:
        run(str(export), "--school", "0750001A")
    assert "lettre de contrôle" in str(error.value)


def test_exit_code_one_without_traceback(tmp_path):
    path = tmp_path / "garbled.csv"
    path.write_bytes(onde_csv(LINES).decode("cp1252").encode("utf-8"))
    # The file is rejected before any query, so an in-memory database is enough.
    result = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
        [sys.executable, "-m", "iota.cli", "import-onde", str(path), "--school", UAI],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={
            "DEBUG": "1",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        check=False,
    )
    assert result.returncode == 1
    assert "CSV UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
