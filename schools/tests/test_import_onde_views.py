"""Tests of the ONDE import pages: upload, preview, then confirm or cancel."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from schools import views
from schools.models import Classroom, Pupil, School
from schools.services import import_onde_file
from schools.tests.onde_files import OTHER_UAI, UAI, onde_csv, pupil_line

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("schools:import-onde")
CONFIRM_URL = reverse("schools:import-onde-confirm")
LINES = [
    pupil_line("Martin", "Léa", "0000000001A"),
    pupil_line("Dupont", "Hugo", "0000000002A", class_label="CM1 B"),
    pupil_line("Roux", "Inès", "0000000003A", level="CE2"),
    pupil_line("Petit", "Jade", "0000000004A", birth_date="31/02/2017"),
]


def upload(client, lines=LINES, uai=UAI, school_name="", **csv_options):
    data = onde_csv(lines, **csv_options)
    return client.post(
        UPLOAD_URL,
        {
            "file": SimpleUploadedFile("onde.csv", data, content_type="text/csv"),
            "uai": uai,
            "school_name": school_name,
        },
    )


def confirm(client, response, action="confirm"):
    return client.post(
        CONFIRM_URL, {"token": response.context["token"], "action": action}
    )


def test_form_shown_to_coordinator(client, coordinator):
    client.force_login(coordinator)
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert "Importer une liste ONDE" in response.text


def test_form_in_english(client, coordinator, settings):
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(UPLOAD_URL)
    assert "Import an ONDE list" in response.text
    assert "School UAI code" in response.text


def test_form_prefills_teacher_school(client, teacher, classroom):
    client.force_login(teacher)
    response = client.get(UPLOAD_URL)
    assert response.context["form"]["uai"].value() == UAI


def test_preview_shows_changes_and_writes_nothing(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, school_name="École des Lilas")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.dry_run is True
    assert report.created == 2
    assert report.skipped == 1
    assert report.rejected == 1
    text = response.text
    assert "École des Lilas" in text
    assert "Léa" in text
    assert "31/02/2017" in text
    assert "Date naissance" in text
    assert "CM1 B" in text
    assert School.objects.count() == 0
    assert Pupil.objects.count() == 0


def test_confirm_imports_uploaded_file(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client, school_name="École des Lilas")
    response = confirm(client, preview)
    assert response.status_code == 302
    assert response.url == reverse("schools:class-list")
    assert Pupil.objects.count() == 2
    assert School.objects.get().name == "École des Lilas"
    assert views.PENDING_UPLOAD_KEY not in client.session


def test_confirm_message_gives_counts(client, coordinator):
    client.force_login(coordinator)
    response = confirm(client, upload(client))
    page = client.get(response.url)
    assert "2 élèves créés" in page.text


def test_confirm_twice_imports_once(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client)
    confirm(client, preview)
    response = confirm(client, preview)
    assert response.url == UPLOAD_URL
    assert Pupil.objects.count() == 2


def test_cancel_discards_upload(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client)
    response = confirm(client, preview, action="cancel")
    assert response.url == UPLOAD_URL
    assert Pupil.objects.count() == 0
    assert views.PENDING_UPLOAD_KEY not in client.session


def test_wrong_token_rejected(client, coordinator):
    client.force_login(coordinator)
    upload(client)
    response = client.post(CONFIRM_URL, {"token": "forged", "action": "confirm"})
    assert response.url == UPLOAD_URL
    assert Pupil.objects.count() == 0


def test_expired_preview_rejected(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client)
    session = client.session
    stored_at = timezone.now() - views.PENDING_UPLOAD_LIFETIME - dt.timedelta(minutes=1)
    session[views.PENDING_UPLOAD_KEY]["stored_at"] = stored_at.isoformat()
    session.save()
    response = confirm(client, preview)
    assert response.url == UPLOAD_URL
    assert Pupil.objects.count() == 0


def test_change_since_preview_shows_new_preview(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client)
    import_onde_file(onde_csv(LINES[:1]), uai=UAI)
    response = confirm(client, preview)
    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert "ont changé depuis" in response.text
    assert Pupil.objects.count() == 1
    confirm(client, response)
    assert Pupil.objects.count() == 2


def test_fatal_error_shown_on_form(client, coordinator):
    client.force_login(coordinator)
    garbled = onde_csv(LINES).decode("cp1252").encode("utf-8")
    response = client.post(
        UPLOAD_URL,
        {"file": SimpleUploadedFile("onde.csv", garbled), "uai": UAI},
    )
    assert response.status_code == 200
    assert "CSV UTF-8" in response.text
    assert School.objects.count() == 0


def test_invalid_uai_shown_on_form(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, uai="0750001A")
    assert response.status_code == 200
    assert "lettre de contrôle" in response.text


def test_file_too_large_rejected(client, coordinator, monkeypatch):
    monkeypatch.setattr("schools.forms.MAX_UPLOAD_BYTES", 100)
    client.force_login(coordinator)
    response = upload(client)
    assert response.status_code == 200
    assert "Le fichier fait 1 Mo, au plus 0 Mo" in response.text
    assert School.objects.count() == 0


def test_teacher_imports_own_school(client, teacher, classroom):
    client.force_login(teacher)
    preview = upload(client)
    confirm(client, preview)
    assert Pupil.objects.filter(school=classroom.school).count() == 2


def test_teacher_cannot_import_other_school(client, teacher, classroom):
    client.force_login(teacher)
    response = upload(client, uai=OTHER_UAI)
    assert response.status_code == 200
    assert "Vous ne pouvez importer que la liste de votre école" in response.text
    assert "0750001U" in response.text
    assert School.objects.filter(uai=OTHER_UAI).count() == 0


def test_teacher_without_class_cannot_import(client, colleague, school):
    client.force_login(colleague)
    response = upload(client)
    assert "Vous ne pouvez importer que la liste de votre école" in response.text
    assert Pupil.objects.count() == 0


def test_confirm_checks_school_again(client, teacher, classroom):
    client.force_login(teacher)
    preview = upload(client)
    classroom.teachers.remove(teacher)
    response = confirm(client, preview)
    assert response.status_code == 403
    assert Pupil.objects.count() == 0


@pytest.mark.parametrize("role", ["researcher", "pupil_user"])
def test_other_roles_forbidden(client, request, role, classroom):
    if role == "pupil_user":
        from iota.testing import make_pupil, make_pupil_user

        user = make_pupil_user(make_pupil(classroom, "Léa"))
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(CONFIRM_URL, {"token": "x"}).status_code == 403


def test_anonymous_sent_to_login(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_confirm_needs_post(client, coordinator):
    client.force_login(coordinator)
    assert client.get(CONFIRM_URL).status_code == 405


def test_reimport_preview_lists_moved_and_left(client, coordinator):
    client.force_login(coordinator)
    confirm(client, upload(client))
    lines = [pupil_line("Martin", "Léa", "0000000001A", class_label="CM1 B")]
    response = upload(client, lines=lines)
    report = response.context["report"]
    assert report.moved == 1
    assert report.left == 1
    assert "Élèves qui ne sont plus dans la liste" in response.text
    assert "Hugo" in response.text
    assert Classroom.objects.count() == 2


def test_preview_warns_when_most_pupils_leave(client, coordinator):
    client.force_login(coordinator)
    lines = [
        pupil_line("Martin", "Léa", "0000000001A"),
        pupil_line("Dupont", "Hugo", "0000000002A"),
        pupil_line("Moreau", "Zoé", "0000000003A"),
    ]
    confirm(client, upload(client, lines=lines))
    response = upload(client, lines=lines[:1])
    assert response.context["report"].most_pupils_leave is True
    assert "Attention : 2 des 3 élèves inscrits" in response.text


def test_preview_quiet_when_few_pupils_leave(client, coordinator):
    client.force_login(coordinator)
    lines = [
        pupil_line("Martin", "Léa", "0000000001A"),
        pupil_line("Dupont", "Hugo", "0000000002A"),
        pupil_line("Moreau", "Zoé", "0000000003A"),
    ]
    confirm(client, upload(client, lines=lines))
    response = upload(client, lines=lines[:2])
    assert response.context["report"].left == 1
    assert response.context["report"].most_pupils_leave is False
    assert "Attention" not in response.text


def test_preview_lists_leavers_by_class_then_name(client, coordinator):
    client.force_login(coordinator)
    lines = [
        pupil_line("Zola", "Zoé", "0000000001A", class_label="CM1 B"),
        pupil_line("Martin", "Élise", "0000000002A", class_label="CM1 B"),
        pupil_line("Dupont", "Hugo", "0000000003A", class_label="CM1 A"),
        pupil_line("Roux", "Emma", "0000000004A", class_label="CM1 B"),
        pupil_line("Petit", "Jade", "0000000005A", class_label="CM1 C"),
    ]
    confirm(client, upload(client, lines=lines))
    response = upload(client, lines=lines[4:])
    assert [change.first_name for change in response.context["left"]] == [
        "Hugo",
        "Élise",
        "Emma",
        "Zoé",
    ]
