"""Starting and closing a wave in a class, and the wave progress page."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Wave, WaveSession
from assessment.services import record_answer, start_response


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start_url(wave, classroom) -> str:
    return reverse("assessment:wave-start", args=[wave.pk, classroom.pk])


def close_url(wave, classroom) -> str:
    return reverse("assessment:wave-close", args=[wave.pk, classroom.pk])


def progress_url(wave, classroom) -> str:
    return reverse("assessment:wave-progress", args=[wave.pk, classroom.pk])


@pytest.fixture
def future_wave(campaign) -> Wave:
    return Wave.objects.create(
        campaign=campaign,
        label="T4",
        opens_on=timezone.localdate() + dt.timedelta(days=60),
        closes_on=timezone.localdate() + dt.timedelta(days=70),
    )


@pytest.mark.django_db
class TestWaveStart:
    def test_teacher_starts_wave_in_window(self, teacher, wave, classroom):
        page = signed_in(teacher).post(start_url(wave, classroom))
        session = WaveSession.objects.get()
        assert page.status_code == 302
        assert session.classroom == classroom
        assert session.started_by == teacher

    def test_start_outside_window_refused(self, teacher, future_wave, classroom):
        client = signed_in(teacher)
        page = client.post(start_url(future_wave, classroom), follow=True)
        assert not WaveSession.objects.exists()
        assert "ne peut être lancée que" in page.content.decode()

    def test_colleague_cannot_start_other_class(self, colleague, wave, classroom):
        page = signed_in(colleague).post(start_url(wave, classroom))
        assert page.status_code == 404
        assert not WaveSession.objects.exists()

    def test_class_outside_campaign_gets_404(self, colleague, wave, other_classroom):
        page = signed_in(colleague).post(start_url(wave, other_classroom))
        assert page.status_code == 404

    def test_researcher_refused(self, researcher, wave, classroom):
        page = signed_in(researcher).post(start_url(wave, classroom))
        assert page.status_code == 403

    def test_pupil_refused(self, pupil_client, wave, classroom):
        assert pupil_client.post(start_url(wave, classroom)).status_code == 403

    def test_get_not_allowed(self, teacher, wave, classroom):
        assert signed_in(teacher).get(start_url(wave, classroom)).status_code == 405

    def test_back_to_progress_page(self, teacher, wave, classroom):
        page = signed_in(teacher).post(start_url(wave, classroom), {"next": "progress"})
        assert page["Location"] == progress_url(wave, classroom)

    def test_teacher_closes_wave(self, teacher, session, classroom):
        signed_in(teacher).post(close_url(session.wave, classroom))
        session.refresh_from_db()
        assert session.closed_at is not None


@pytest.mark.django_db
class TestWaveProgress:
    def test_teacher_sees_names_and_states(self, teacher, session, classroom, pupil):
        response = start_response(session.wave, pupil)
        record_answer(response, key=uuid.uuid4(), item="P1", value=2)
        page = signed_in(teacher).get(progress_url(session.wave, classroom))
        html = page.content.decode()
        assert page.status_code == 200
        assert pupil.display_name in html
        assert "1 / 8" in html

    def test_page_polls_with_htmx(self, teacher, session, classroom):
        page = signed_in(teacher).get(progress_url(session.wave, classroom))
        assert 'hx-trigger="every 5s"' in page.content.decode()

    def test_htmx_request_gets_partial(self, teacher, session, classroom, pupil):
        page = signed_in(teacher).get(
            progress_url(session.wave, classroom), headers={"HX-Request": "true"}
        )
        html = page.content.decode()
        assert html.strip().startswith('<section id="progress"')
        assert pupil.display_name in html
        assert "<html" not in html

    def test_researcher_sees_counts_without_names(
        self, researcher, session, classroom, pupil
    ):
        page = signed_in(researcher).get(progress_url(session.wave, classroom))
        html = page.content.decode()
        assert page.status_code == 200
        assert pupil.display_name not in html
        assert 'data-count="not_started">1<' in html

    def test_researcher_partial_without_names(
        self, researcher, session, classroom, pupil
    ):
        page = signed_in(researcher).get(
            progress_url(session.wave, classroom), headers={"HX-Request": "true"}
        )
        assert pupil.display_name not in page.content.decode()

    def test_colleague_gets_404(self, colleague, session, classroom):
        page = signed_in(colleague).get(progress_url(session.wave, classroom))
        assert page.status_code == 404

    def test_pupil_refused(self, pupil_client, session, classroom):
        page = pupil_client.get(progress_url(session.wave, classroom))
        assert page.status_code == 403

    def test_coordinator_sees_close_button(self, coordinator, session, classroom):
        page = signed_in(coordinator).get(progress_url(session.wave, classroom))
        assert close_url(session.wave, classroom) in page.content.decode()
