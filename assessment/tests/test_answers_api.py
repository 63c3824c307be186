"""The JSON endpoint the player posts answers to."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Answer, Response, WaveSession
from assessment.services import close_wave, start_response

KEY = "0b6f7f4e-8d3c-4a57-9a1e-2f6c1d9b4e21"


@pytest.fixture
def response(session, pupil) -> Response:
    return start_response(session.wave, pupil)


def url_of(response: Response) -> str:
    return reverse("assessment:answers-api", args=[response.pk])


def post(client: Client, response: Response, **body):
    payload = {
        "key": str(uuid.uuid4()),
        "item": "P1",
        "value": 2,
        "answered_at": timezone.now().isoformat(),
    }
    payload.update(body)
    return client.post(url_of(response), payload, content_type="application/json")


@pytest.mark.django_db
class TestAnswersApi:
    def test_new_answer_created(self, pupil_client, response):
        reply = post(pupil_client, response, value=3)
        assert reply.status_code == 201
        assert reply.json()["status"] == "created"
        assert reply.json()["answer"]["value"] == 3
        assert Answer.objects.get().value == 3

    def test_same_key_twice_stores_once(self, pupil_client, response):
        key = str(uuid.uuid4())
        first = post(pupil_client, response, key=key)
        second = post(pupil_client, response, key=key)
        assert first.status_code == 201
        assert second.status_code == 200
        assert second.json()["status"] == "duplicate"
        assert Answer.objects.count() == 1

    def test_same_key_returns_stored_answer(self, pupil_client, response):
        key = str(uuid.uuid4())
        post(pupil_client, response, key=key, value=4)
        second = post(pupil_client, response, key=key, value=1)
        assert second.json()["answer"]["value"] == 4
        assert second.json()["answer"]["key"] == key

    def test_new_key_replaces(self, pupil_client, response):
        earlier = timezone.now() - dt.timedelta(seconds=10)
        post(pupil_client, response, value=1, answered_at=earlier.isoformat())
        reply = post(pupil_client, response, value=4)
        assert reply.status_code == 200
        assert reply.json()["status"] == "replaced"
        assert Answer.objects.get().value == 4

    def test_skip_stored_as_null(self, pupil_client, response):
        reply = post(pupil_client, response, value=None)
        assert reply.status_code == 201
        assert Answer.objects.get().value is None

    def test_last_answer_reports_completed(self, pupil_client, response):
        for item in ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]:
            assert post(pupil_client, response, item=item).json()["completed"] is False
        reply = post(pupil_client, response, item="P8")
        response.refresh_from_db()
        assert reply.json()["completed"] is True
        assert response.completed_at is not None

    def test_get_lists_answered_items(self, pupil_client, response):
        post(pupil_client, response, item="P2", value=4)
        reply = pupil_client.get(url_of(response))
        assert reply.json() == {"answered": {"P2": 4}, "completed": False}

    def test_other_pupils_response_gets_404(self, response, classmate):
        client = Client()
        client.force_login(classmate.user)
        reply = post(client, response)
        assert reply.status_code == 404
        assert reply.json()["code"] == "response_not_found"
        assert not Answer.objects.exists()

    def test_pupil_no_longer_in_class_refused(self, pupil_client, response, pupil):
        pupil.classroom = None
        pupil.save()
        reply = post(pupil_client, response)
        assert reply.status_code == 409
        assert reply.json()["code"] == "wave_not_started"
        assert not Answer.objects.exists()

    def test_wave_not_started_refused(self, pupil_client, response):
        WaveSession.objects.all().delete()
        reply = post(pupil_client, response)
        assert reply.status_code == 409
        assert reply.json()["code"] == "wave_not_started"

    def test_closed_wave_refused(self, pupil_client, response, teacher):
        close_wave(response.wave, response.pupil.classroom, teacher)
        reply = post(pupil_client, response)
        assert reply.status_code == 409
        assert reply.json()["code"] == "wave_closed"

    def test_key_of_other_response_refused(
        self, pupil_client, response, session, classmate
    ):
        key = str(uuid.uuid4())
        other_client = Client()
        other_client.force_login(classmate.user)
        other = start_response(session.wave, classmate)
        post(other_client, other, key=key)
        reply = post(pupil_client, response, key=key)
        assert reply.status_code == 409
        assert reply.json()["code"] == "key_conflict"
        assert "answer" not in reply.json()

    def test_value_outside_scale_gets_400(self, pupil_client, response):
        reply = post(pupil_client, response, value=9)
        assert reply.status_code == 400
        assert reply.json()["code"] == "invalid_answer"

    def test_unknown_item_gets_400(self, pupil_client, response):
        reply = post(pupil_client, response, item="Z9")
        assert reply.status_code == 400
        assert "Z9" in reply.json()["message"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("not json", "body is not JSON"),
            ("[" * 100_000, "body is not JSON"),
            ("[1, 2]", "body must be a JSON object"),
            ('{"key": "abc", "item": "P1", "value": 1}', "is not a UUID"),
            (json.dumps({"key": KEY, "value": 1}), "item is missing"),
            (json.dumps({"key": KEY, "item": "P1"}), "value is missing"),
        ],
    )
    def test_malformed_body_gets_400(self, pupil_client, response, body, message):
        reply = pupil_client.post(
            url_of(response), body, content_type="application/json"
        )
        assert reply.status_code == 400
        assert message in reply.json()["message"]

    def test_naive_answered_at_gets_400(self, pupil_client, response):
        reply = post(pupil_client, response, answered_at="2027-03-02T10:00:00")
        assert reply.status_code == 400
        assert "with a time zone" in reply.json()["message"]

    def test_anonymous_gets_401_json(self, response):
        reply = post(Client(), response)
        assert reply.status_code == 401
        assert reply.json()["code"] == "signed_out"

    def test_teacher_gets_403_json(self, response, teacher):
        client = Client()
        client.force_login(teacher)
        reply = post(client, response)
        assert reply.status_code == 403
        assert reply.json()["code"] == "not_a_pupil"

    def test_post_without_csrf_token_refused(self, response, pupil):
        client = Client(enforce_csrf_checks=True)
        client.force_login(pupil.user)
        reply = post(client, response)
        assert reply.status_code == 403
        assert not Answer.objects.exists()

    def test_post_with_csrf_token_accepted(self, response, pupil):
        client = Client(enforce_csrf_checks=True)
        client.force_login(pupil.user)
        client.get(reverse("assessment:player", args=[response.pk]))
        token = client.cookies["csrftoken"].value
        reply = client.post(
            url_of(response),
            json.dumps({"key": str(uuid.uuid4()), "item": "P1", "value": 1}),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert reply.status_code == 201
