"""The `iota content check|load|dump` command."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from activities.models import Activity, ActivityVersion
from activities.tests.content_factories import CONTENT_DIR


def broken_copy(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "defi-02-tourner.yaml"
    path.write_text(path.read_text().replace("concept: sequence", "concept: sequense"))
    path = folder / "quiz-mon-ordinateur.yaml"
    path.write_text(path.read_text().replace("answer: 8", "answr: 8"))
    return folder


def test_check_lists_every_error(tmp_path, capsys):
    with pytest.raises(CommandError, match="2 fichier"):
        call_command("content", "check", str(broken_copy(tmp_path)))
    errors = capsys.readouterr().err
    assert "defi-02-tourner.yaml:11: concept:" in errors
    assert "vouliez-vous dire « sequence » ?" in errors
    assert "quiz-mon-ordinateur.yaml:" in errors
    assert "questions[3].answr: clé inconnue « answr »" in errors


@pytest.mark.django_db
def test_check_writes_nothing(capsys):
    call_command("content", "check", str(CONTENT_DIR))
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_load_then_load_again(capsys):
    call_command("content", "load", str(CONTENT_DIR))
    assert "16 nouvelle(s) version(s), 0 inchangée(s)" in capsys.readouterr().out
    call_command("content", "load", str(CONTENT_DIR))
    assert "0 nouvelle(s) version(s), 16 inchangée(s)" in capsys.readouterr().out
    assert ActivityVersion.objects.count() == 16


@pytest.mark.django_db
def test_load_broken_folder_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="Rien n’a été chargé"):
        call_command("content", "load", str(broken_copy(tmp_path)))
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_dump_writes_checkable_files(tmp_path, capsys):
    call_command("content", "load", str(CONTENT_DIR))
    call_command("content", "dump", str(tmp_path / "out"))
    call_command("content", "check", str(tmp_path / "out"))
    assert "16 activité(s) valide(s)" in capsys.readouterr().out


def test_dump_needs_folder():
    with pytest.raises(CommandError, match="iota content dump DIR"):
        call_command("content", "dump")


@pytest.mark.django_db
def test_check_defaults_to_starter_folder(capsys):
    call_command("content", "check")
    assert "16 activité(s) valide(s)" in capsys.readouterr().out
