"""The pupils' today page, starting a questionnaire, and the player page."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Response
from assessment.services import close_wave, record_answer, start_response

TODAY_URL = reverse("assessment:pupil-today")


def player_data(page) -> dict:
    html = page.content.decode()
    start = html.index('<script id="player-data" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
class TestPupilToday:
    def test_lists_started_wave(self, pupil_client, session):
        page = pupil_client.get(TODAY_URL)
        start = reverse("assessment:response-start", args=[session.wave_id])
        assert page.status_code == 200
        assert start in page.content.decode()
        assert "Quand c’est difficile" in page.content.decode()

    def test_hides_unstarted_wave(self, pupil_client, wave):
        page = pupil_client.get(TODAY_URL)
        start = reverse("assessment:response-start", args=[wave.pk])
        assert start not in page.content.decode()
        assert "pas de questionnaire pour toi" in page.content.decode()

    def test_hides_closed_wave(self, pupil_client, session, teacher):
        close_wave(session.wave, session.classroom, teacher)
        page = pupil_client.get(TODAY_URL)
        assert "pas de questionnaire pour toi" in page.content.decode()

    def test_finished_wave_shown_as_done(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        for item in ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]:
            record_answer(response, key=uuid.uuid4(), item=item, value=1)
        page = pupil_client.get(TODAY_URL)
        assert "tu as déjà répondu" in page.content.decode()

    def test_teacher_refused(self, teacher):
        client = Client()
        client.force_login(teacher)
        assert client.get(TODAY_URL).status_code == 403

    def test_anonymous_sent_to_pupil_sign_in(self, db):
        page = Client().get(TODAY_URL)
        assert page.status_code == 302
        assert page["Location"].startswith(reverse("accounts:pupil-start"))


@pytest.mark.django_db
class TestResponseStart:
    def test_creates_response_and_opens_player(self, pupil_client, session, pupil):
        page = pupil_client.post(
            reverse("assessment:response-start", args=[session.wave_id])
        )
        response = Response.objects.get()
        assert response.pupil == pupil
        assert page["Location"] == reverse("assessment:player", args=[response.pk])

    def test_twice_keeps_one_response(self, pupil_client, session):
        url = reverse("assessment:response-start", args=[session.wave_id])
        pupil_client.post(url)
        pupil_client.post(url)
        assert Response.objects.count() == 1

    def test_wave_not_started_refused(self, pupil_client, wave):
        page = pupil_client.post(reverse("assessment:response-start", args=[wave.pk]))
        assert page.status_code == 409
        assert not Response.objects.exists()

    def test_pupil_of_other_class_refused(self, session, outsider_pupil):
        client = Client()
        client.force_login(outsider_pupil.user)
        page = client.post(reverse("assessment:response-start", args=[session.wave_id]))
        assert page.status_code == 409
        assert not Response.objects.exists()


@pytest.mark.django_db
class TestPlayer:
    def test_page_passes_items_and_choices(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        data = player_data(page)
        assert page.status_code == 200
        assert [item["key"] for item in data["items"]][:2] == ["P1", "P2"]
        assert [choice["value"] for choice in data["choices"]] == [1, 2, 3, 4]
        assert data["choices"][0]["pictogram"] == "circle-1"
        assert data["allowSkip"] is True
        assert data["isOpen"] is True

    def test_page_tells_answered_items(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        record_answer(response, key=uuid.uuid4(), item="P1", value=3)
        record_answer(response, key=uuid.uuid4(), item="P2", value=None)
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        assert player_data(page)["answered"] == {"P1": 3, "P2": None}

    def test_page_sets_csrf_cookie(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        assert "csrftoken" in page.cookies

    def test_script_loaded_with_nonce(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        html = page.content.decode()
        assert 'type="module" src="/static/iota/js/player.js" nonce="' in html
        assert "nonce-" in page["Content-Security-Policy"]

    def test_english_texts_when_language_is_english(self, pupil_client, session, pupil):
        response = start_response(session.wave, pupil)
        pupil_client.cookies["django_language"] = "en"
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        first = player_data(page)["items"][0]
        assert first["lang"] == "en"
        assert first["text"].startswith("When an exercise is hard")

    def test_closed_wave_flagged(self, pupil_client, session, pupil, teacher):
        response = start_response(session.wave, pupil)
        close_wave(session.wave, session.classroom, teacher)
        page = pupil_client.get(reverse("assessment:player", args=[response.pk]))
        assert player_data(page)["isOpen"] is False

    def test_other_pupils_response_gets_404(self, session, pupil, classmate):
        response = start_response(session.wave, pupil)
        client = Client()
        client.force_login(classmate.user)
        page = client.get(reverse("assessment:player", args=[response.pk]))
        assert page.status_code == 404


@pytest.mark.django_db
def test_administrator_refused_pupil_pages(administrator, session, pupil):
    response = start_response(session.wave, pupil)
    client = Client()
    client.force_login(administrator)
    assert client.get(TODAY_URL).status_code == 403
    assert (
        client.get(reverse("assessment:player", args=[response.pk])).status_code == 403
    )
