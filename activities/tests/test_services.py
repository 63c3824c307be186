"""Publishing versions, drafts, and loading and dumping content folders."""

import shutil

import pytest
import yaml

from activities.content import load_content_file, parse_content, stored_content
from activities.models import Activity, ActivityVersion, PublishedVersionError, Status
from activities.services import (
    ContentConflictError,
    ContentFolderError,
    check_content_folder,
    content_of,
    dump_content_folder,
    load_content_folder,
    publish_content,
    publish_draft,
    published_version,
    save_draft,
)
from activities.tests.content_factories import CONTENT_DIR, valid_data

pytestmark = pytest.mark.django_db


def quiz(**changes):
    data = valid_data("quiz")
    data.update(changes)
    return parse_content("quiz", data)


def test_first_publish_creates_version_1():
    outcome = publish_content(quiz())
    assert outcome.created
    assert outcome.version.number == 1
    assert outcome.version.status == Status.PUBLISHED
    assert outcome.version.published_at is not None
    assert outcome.activity.kind == "quiz"


def test_publish_copies_fields_to_activity():
    activity = publish_content(quiz()).activity
    activity.refresh_from_db()
    assert activity.title == "Programmer un robot"
    assert activity.levels == ["CM1", "CM2"]
    assert activity.duration_minutes == 10
    assert activity.crcn == ["3.4"]
    assert activity.on_screen


def test_unplugged_activity_not_on_screen():
    activity = publish_content(
        parse_content("unplugged", valid_data("unplugged"))
    ).activity
    assert not activity.on_screen


def test_same_content_publishes_nothing():
    first = publish_content(quiz())
    second = publish_content(quiz())
    assert not second.created
    assert second.version == first.version
    assert ActivityVersion.objects.count() == 1


def test_changed_content_publishes_next_version():
    publish_content(quiz())
    outcome = publish_content(quiz(duration_minutes=15))
    assert outcome.created
    assert outcome.version.number == 2
    activity = Activity.objects.get()
    assert activity.duration_minutes == 15
    assert published_version(activity) == outcome.version
    assert activity.current_version == outcome.version


def test_earlier_version_kept_unchanged():
    first = publish_content(quiz()).version
    publish_content(quiz(duration_minutes=15))
    first.refresh_from_db()
    assert first.content["duration_minutes"] == 10
    assert content_of(first).duration_minutes == 10


def test_key_of_other_kind_rejected():
    publish_content(quiz())
    data = valid_data("unplugged")
    data["key"] = "quiz-programmer-un-robot"
    with pytest.raises(ContentConflictError, match="type quiz"):
        publish_content(parse_content("unplugged", data))


def test_published_version_cannot_change():
    version = publish_content(quiz()).version
    version.content = {}
    with pytest.raises(PublishedVersionError):
        version.save()
    version.refresh_from_db()
    assert version.content["key"] == "quiz-programmer-un-robot"


def test_published_version_cannot_be_deleted():
    version = publish_content(quiz()).version
    with pytest.raises(PublishedVersionError):
        version.delete()
    assert ActivityVersion.objects.filter(pk=version.pk).exists()


def test_no_published_version_before_first():
    draft = save_draft(quiz())
    assert published_version(draft.activity) is None


def test_draft_replaced_then_published():
    first = save_draft(quiz())
    second = save_draft(quiz(duration_minutes=20))
    assert second.pk == first.pk
    published = publish_draft(second)
    assert published.number == 1
    assert published.status == Status.PUBLISHED
    assert published.activity.duration_minutes == 20


def test_draft_numbered_after_later_publication():
    draft = save_draft(quiz(duration_minutes=20))
    publish_content(quiz(duration_minutes=25))
    assert publish_draft(draft).number == 3


def test_publish_draft_twice_rejected():
    draft = publish_draft(save_draft(quiz()))
    with pytest.raises(ContentConflictError):
        publish_draft(draft)


def test_draft_can_be_deleted():
    draft = save_draft(quiz())
    draft.delete()
    assert not ActivityVersion.objects.exists()


def test_load_folder_publishes_every_file():
    report = load_content_folder(CONTENT_DIR)
    assert len(report.created) == 16
    assert Activity.objects.filter(kind="unplugged").count() == 3
    assert Activity.objects.filter(kind="quiz").count() == 3
    assert Activity.objects.filter(kind="coding").count() == 10


def test_load_folder_twice_changes_nothing():
    load_content_folder(CONTENT_DIR)
    report = load_content_folder(CONTENT_DIR)
    assert report.created == []
    assert len(report.unchanged) == 16
    assert ActivityVersion.objects.count() == 16


def test_load_changed_file_adds_version(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    load_content_folder(folder)
    path = folder / "defi-01-avancer.yaml"
    path.write_text(
        path.read_text().replace("duration_minutes: 10", "duration_minutes: 12")
    )
    report = load_content_folder(folder)
    assert report.created == ["defi-01-avancer v2"]
    assert ActivityVersion.objects.filter(activity__key="defi-01-avancer").count() == 2


def test_broken_file_loads_nothing(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "quiz-mon-ordinateur.yaml"
    path.write_text(path.read_text().replace("answer: 8", "answer: huit"))
    with pytest.raises(ContentFolderError, match="quiz-mon-ordinateur.yaml"):
        load_content_folder(folder)
    assert not Activity.objects.exists()


def test_check_reports_every_broken_file(tmp_path):
    data = valid_data("quiz")
    data["crcn"] = ["7.1"]
    (tmp_path / "quiz-programmer-un-robot.yaml").write_text(yaml.safe_dump(data))
    coding = valid_data("coding")
    coding["allowed_blocks"] = ["mvoe"]
    (tmp_path / "defi-08-mur-devant.yaml").write_text(yaml.safe_dump(coding))
    check = check_content_folder(tmp_path)
    assert len(check.errors) == 2
    assert check.contents == []
    assert not Activity.objects.exists()


def test_check_missing_folder(tmp_path):
    check = check_content_folder(tmp_path / "absent")
    assert "dossier introuvable" in str(check.errors[0])


def test_file_database_file_round_trip(tmp_path):
    load_content_folder(CONTENT_DIR)
    written = dump_content_folder(tmp_path)
    assert len([path for path in written if path.suffix == ".yaml"]) == 16
    for path in sorted(CONTENT_DIR.glob("*.yaml")):
        original = load_content_file(path)
        dumped = load_content_file(tmp_path / path.name)
        assert stored_content(dumped) == stored_content(original), path.name
    report = load_content_folder(tmp_path)
    assert report.created == []


def test_admin_lists_versions_read_only(client, administrator):
    publish_content(quiz())
    client.force_login(administrator)
    response = client.get("/admin/activities/activityversion/")
    assert response.status_code == 200
    assert "Programmer un robot" in response.content.decode()
    version = ActivityVersion.objects.get()
    change = client.post(f"/admin/activities/activityversion/{version.pk}/delete/")
    assert change.status_code == 403
