"""sync_instruments and the load-instruments and check-instrument commands."""

import shutil
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assessment.instruments import InstrumentSyncError, sync_instruments
from assessment.models import Answer, Instrument, Response
from assessment.tests.conftest import SHIPPED_KEY

SHIPPED = Path(settings.IOTA_INSTRUMENTS_DIR) / "perseverance-self-report.yaml"


@pytest.fixture
def folder(tmp_path) -> Path:
    shutil.copy(SHIPPED, tmp_path / SHIPPED.name)
    return tmp_path


def edit_shipped(folder: Path, old: str, new: str) -> None:
    path = folder / SHIPPED.name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.django_db
def test_sync_creates_instrument(folder):
    report = sync_instruments(folder)
    instrument = Instrument.objects.get(key=SHIPPED_KEY, version="0.1.0")
    assert report.created == [f"{SHIPPED_KEY} 0.1.0"]
    assert instrument.title == "Quand c’est difficile"
    assert instrument.skill == "perseverance"
    assert instrument.validated is False
    assert instrument.schema_version == 1


@pytest.mark.django_db
def test_sync_stores_defaults(folder):
    edit_shipped(folder, "  allow_skip: true\n", "")
    sync_instruments(folder)
    definition = Instrument.objects.get().definition
    assert definition["response_format"]["allow_skip"] is True
    assert definition["items"][2]["reverse"] is True


@pytest.mark.django_db
def test_sync_twice_changes_nothing(folder):
    sync_instruments(folder)
    before = Instrument.objects.get()
    report = sync_instruments(folder)
    after = Instrument.objects.get()
    assert report.unchanged == [f"{SHIPPED_KEY} 0.1.0"]
    assert report.created == []
    assert report.updated == []
    assert after.loaded_at == before.loaded_at


@pytest.mark.django_db
def test_sync_updates_unanswered_version(folder):
    sync_instruments(folder)
    edit_shipped(folder, "je continue à chercher", "je cherche encore")
    report = sync_instruments(folder)
    definition = Instrument.objects.get().definition
    assert report.updated == [f"{SHIPPED_KEY} 0.1.0"]
    assert "je cherche encore" in definition["items"][0]["text"]["fr"]


@pytest.mark.django_db
def test_sync_refuses_change_once_answered(folder, wave, pupil):
    # The wave fixture synced the shipped file; answer it, then change the file.
    response = Response.objects.create(wave=wave, pupil=pupil)
    Answer.objects.create(
        response=response,
        item="P1",
        value=2,
        client_key=uuid.uuid4(),
        answered_at=timezone.now(),
    )
    edit_shipped(folder, "je continue à chercher", "je cherche encore")
    with pytest.raises(InstrumentSyncError, match="augmentez le numéro de version"):
        sync_instruments(folder)
    definition = Instrument.objects.get(key=SHIPPED_KEY).definition
    assert "je continue à chercher" in definition["items"][0]["text"]["fr"]


@pytest.mark.django_db
def test_sync_new_version_kept_beside_old(folder):
    sync_instruments(folder)
    text = (folder / SHIPPED.name).read_text(encoding="utf-8")
    newer = text.replace('version: "0.1.0"', 'version: "0.2.0"')
    (folder / "perseverance-0.2.0.yaml").write_text(newer, encoding="utf-8")
    sync_instruments(folder)
    versions = sorted(Instrument.objects.values_list("version", flat=True))
    assert versions == ["0.1.0", "0.2.0"]


@pytest.mark.django_db
def test_sync_invalid_file_writes_nothing(folder):
    (folder / "broken.yaml").write_text("schema_version: 1\nkey: x\n", "utf-8")
    with pytest.raises(InstrumentSyncError, match="broken.yaml"):
        sync_instruments(folder)
    assert not Instrument.objects.exists()


@pytest.mark.django_db
def test_sync_same_version_in_two_files_rejected(folder):
    shutil.copy(folder / SHIPPED.name, folder / "copy.yaml")
    with pytest.raises(InstrumentSyncError, match="est aussi défini dans"):
        sync_instruments(folder)
    assert not Instrument.objects.exists()


@pytest.mark.django_db
def test_sync_missing_folder_rejected(tmp_path):
    with pytest.raises(InstrumentSyncError, match="dossier introuvable"):
        sync_instruments(tmp_path / "absent")


@pytest.mark.django_db
def test_sync_defaults_to_shipped_folder():
    sync_instruments()
    assert Instrument.objects.filter(key=SHIPPED_KEY).exists()


@pytest.mark.django_db
def test_load_command_prints_counts(folder):
    out = StringIO()
    call_command("load_instruments", str(folder), stdout=out)
    assert f"créé : {SHIPPED_KEY} 0.1.0" in out.getvalue()
    assert "1 créé(s), 0 mis à jour, 0 inchangé(s)" in out.getvalue()


@pytest.mark.django_db
def test_load_command_fails_on_invalid_file(folder):
    (folder / "broken.yaml").write_text("schema_version: 1\n", "utf-8")
    with pytest.raises(CommandError, match="Rien n’a été chargé"):
        call_command("load_instruments", str(folder), stdout=StringIO())


def test_check_command_accepts_shipped_file():
    out = StringIO()
    call_command("check_instrument", str(SHIPPED), stdout=out)
    assert "valide (perseverance-self-report 0.1.0, 8 items" in out.getvalue()


def test_check_command_reports_problems(folder):
    edit_shipped(folder, "points: 4", "points: 7")
    err = StringIO()
    with pytest.raises(CommandError, match="1 fichier"):
        call_command("check_instrument", str(folder / SHIPPED.name), stderr=err)
    assert "response_format.points: doit valoir 4 ou 5 (trouvé : 7)" in err.getvalue()
    assert f"{SHIPPED.name}:" in err.getvalue()
