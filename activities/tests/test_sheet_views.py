"""The lesson sheet, handout and versions pages, and their PDFs."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from activities.content import load_content_file, parse_content
from activities.schemas import Text
from activities.services import publish_content
from activities.tests.content_factories import CONTENT_DIR, valid_data
from iota.testing import make_pupil, make_pupil_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet():
    return publish_content(load_content_file(CONTENT_DIR / "robot-idiot.yaml")).activity


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_sheet_shows_every_part(teacher_client, sheet):
    response = teacher_client.get(reverse("activities:sheet", args=[sheet.key]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le robot qui obéit à la lettre" in html
    assert "<strong>3.4</strong> Programmer" in html
    assert "Un quadrillage de 5 × 5 cases" in html
    assert "Premier programme collectif" in html
    assert "Tourner ne fait pas avancer" not in html
    assert "Attention : tourner ne fait pas avancer." in html
    assert "<strong>programme</strong>" in html
    assert "Plus difficile" in html
    assert "version 1" in html


def test_sheet_in_english(teacher_client, sheet):
    teacher_client.cookies.load({"django_language": "en"})
    response = teacher_client.get(reverse("activities:sheet", args=[sheet.key]))
    assert "The robot that takes you at your word" in response.content.decode()


def test_sheet_pdf(teacher_client, sheet):
    response = teacher_client.get(reverse("activities:sheet-pdf", args=[sheet.key]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="robot-idiot-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    assert "Le robot qui obéit à la lettre" in text
    assert "Trace écrite" in text
    assert "3.4 Programmer" in text


def test_handout_page(teacher_client, sheet):
    response = teacher_client.get(reverse("activities:handout", args=[sheet.key]))
    html = response.content.decode()
    assert "Mon programme pour le robot" in html
    assert html.count('class="handout-line"') == 9


def test_handout_pdf(teacher_client, sheet):
    response = teacher_client.get(reverse("activities:handout-pdf", args=[sheet.key]))
    text = pdf_text(response)
    assert "Prénom" in text
    assert "Écris le programme qui mène le robot au trésor." in text


def test_sheet_without_handout(teacher_client):
    data = valid_data("unplugged")
    del data["handout"]
    activity = publish_content(parse_content("unplugged", data)).activity
    for name in ("activities:handout", "activities:handout-pdf"):
        assert teacher_client.get(reverse(name, args=[activity.key])).status_code == 404
    assert (
        teacher_client.get(reverse("activities:sheet", args=[activity.key])).status_code
        == 200
    )


def test_quiz_has_no_sheet(teacher_client):
    activity = publish_content(parse_content("quiz", valid_data("quiz"))).activity
    response = teacher_client.get(reverse("activities:sheet", args=[activity.key]))
    assert response.status_code == 404


def test_unknown_activity_not_found(teacher_client):
    assert (
        teacher_client.get(reverse("activities:sheet", args=["absente"])).status_code
        == 404
    )


def test_earlier_version_printed(teacher_client, sheet):
    content = load_content_file(CONTENT_DIR / "robot-idiot.yaml")
    publish_content(content.model_copy(update={"title": Text(fr="Nouveau titre")}))
    url = reverse("activities:sheet", args=[sheet.key])
    assert "Nouveau titre" in teacher_client.get(url).content.decode()
    old = teacher_client.get(url, {"version": 1}).content.decode()
    assert "Le robot qui obéit à la lettre" in old


@pytest.mark.parametrize("version", ["3", "x", "-1"])
def test_unknown_version_not_found(teacher_client, sheet, version):
    url = reverse("activities:sheet", args=[sheet.key])
    assert teacher_client.get(url, {"version": version}).status_code == 404


def test_versions_page_shows_changes(teacher_client, sheet):
    content = load_content_file(CONTENT_DIR / "robot-idiot.yaml")
    steps = list(content.steps)
    steps[0] = steps[0].model_copy(update={"minutes": 10})
    steps[2] = steps[2].model_copy(update={"minutes": 15})
    publish_content(content.model_copy(update={"steps": steps}))
    html = teacher_client.get(
        reverse("activities:versions", args=[sheet.key])
    ).content.decode()
    assert "Version 2" in html
    assert "Changements depuis la version 1" in html
    assert "steps[0].minutes" in html
    assert "Étapes › Durée (minutes)" in html
    assert "Première version publiée." in html


def test_pupil_cannot_see_sheet(client, classroom, sheet):
    client.force_login(make_pupil_user(make_pupil(classroom, "Léa")))
    for name in ("activities:sheet", "activities:handout", "activities:versions"):
        assert client.get(reverse(name, args=[sheet.key])).status_code == 403


def test_anonymous_sent_to_sign_in(client, sheet):
    response = client.get(reverse("activities:sheet", args=[sheet.key]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_sheet_headings_in_english(teacher_client, sheet):
    teacher_client.cookies.load({"django_language": "en"})
    response = teacher_client.get(reverse("activities:sheet", args=[sheet.key]))
    html = response.content.decode()
    assert "Written trace" in html
    assert "The teacher says:" in html
