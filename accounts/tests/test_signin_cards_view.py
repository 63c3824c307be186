"""The sign-in cards of a class: the HTML print view and the PDF."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.pictures import PICTURES, parse_picture_password
from iota.testing import make_pupil

pytestmark = pytest.mark.django_db

NAMES = ["Léa", "Tom", "Inès", "Noé", "Chloé", "Yanis", "Maël", "Zoé", "Adèle"]


@pytest.fixture
def pupils(classroom):
    return [make_pupil(classroom, name) for name in NAMES]


def print_url(classroom) -> str:
    return reverse("accounts:signin-cards", args=[classroom.pk])


def pdf_url(classroom) -> str:
    return reverse("accounts:signin-cards-pdf", args=[classroom.pk])


def pdf_text(response) -> list[str]:
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


class TestPrintView:
    def test_one_card_per_pupil(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(print_url(classroom))
        assert response.status_code == 200
        assert response.text.count('class="signin-card"') == len(NAMES)

    def test_eight_cards_per_sheet(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(print_url(classroom))
        assert response.text.count('class="card-sheet"') == 2

    def test_card_shows_code_qr_and_pictures(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        text = client.get(print_url(classroom)).text
        pupil = pupils[0]
        pupil.refresh_from_db()
        assert "ROUX24" in text
        assert 'src="data:image/svg+xml' in text
        for key in parse_picture_password(pupil.picture_password):
            assert f"iota/pictures/{key}.svg" in text

    def test_gives_missing_picture_passwords(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        client.get(print_url(classroom))
        for pupil in pupils:
            pupil.refresh_from_db()
            assert pupil.picture_password

    def test_single_pupil_card(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(print_url(classroom), {"eleve": pupils[1].pk})
        assert response.text.count('class="signin-card"') == 1
        assert "Tom" in response.text

    def test_pupil_of_other_class_not_found(
        self, client, teacher, classroom, other_classroom
    ):
        stranger = make_pupil(other_classroom, "Noé")
        client.force_login(teacher)
        response = client.get(print_url(classroom), {"eleve": stranger.pk})
        assert response.status_code == 404

    def test_not_cached(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(print_url(classroom))
        assert "no-store" in response["Cache-Control"]


class TestPdf:
    def test_is_a_pdf(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(pdf_url(classroom))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")

    def test_has_a_page_per_eight_pupils(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        assert len(pdf_text(client.get(pdf_url(classroom)))) == 2

    def test_has_one_card_per_pupil(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        text = "\n".join(pdf_text(client.get(pdf_url(classroom))))
        for name in NAMES:
            assert len(re.findall(rf"^{name}$", text, re.MULTILINE)) == 1, name
        assert text.count("Code de la classe") == len(NAMES)

    def test_card_names_pictures_in_order(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        pages = pdf_text(client.get(pdf_url(classroom)))
        pupil = pupils[0]
        pupil.refresh_from_db()
        names = [PICTURES[key].name_fr for key in pupil.picture_password.split(",")]
        assert re.search(r"[\s\d]+".join(map(re.escape, names)), pages[0])

    def test_card_shows_class_code(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        assert "ROUX24" in pdf_text(client.get(pdf_url(classroom)))[0]

    def test_metadata_has_no_pupil_name(self, client, teacher, classroom, pupils):
        client.force_login(teacher)
        response = client.get(pdf_url(classroom))
        metadata = PdfReader(io.BytesIO(response.content)).metadata
        assert "ROUX24" in metadata.title
        assert all(name not in str(dict(metadata)) for name in NAMES)

    def test_empty_class_gives_one_blank_page(self, client, teacher, classroom):
        client.force_login(teacher)
        assert len(pdf_text(client.get(pdf_url(classroom)))) == 1
