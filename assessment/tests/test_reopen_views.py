"""The reopen page: who may reopen a wave in a class, and what it records."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Response, Wave, WaveReopening, WaveSession
from assessment.tests.conftest import make_pupil


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ended_wave(campaign, classroom, teacher) -> Wave:
    """A wave that ended three days ago: Léa finished it, Noé was absent."""
    today = timezone.localdate()
    wave = Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today - dt.timedelta(days=3),
    )
    WaveSession.objects.create(wave=wave, classroom=classroom, started_by=teacher)
    lea = make_pupil(classroom, "Léa")
    make_pupil(classroom, "Noé")
    Response.objects.create(
        wave=wave, pupil=lea, completed_at=timezone.now() - dt.timedelta(days=5)
    )
    return wave


def reopen_url(wave, classroom) -> str:
    return reverse("assessment:wave-reopen", args=[wave.pk, classroom.pk])


def until(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.django_db
class TestReopenPage:
    def test_teacher_sees_unfinished_pupils(self, teacher, ended_wave, classroom):
        page = signed_in(teacher).get(reopen_url(ended_wave, classroom))
        html = page.content.decode()
        assert page.status_code == 200
        assert "1 élève n’a pas terminé" in html
        assert "Noé" in html
        assert "Léa" not in html

    def test_teacher_reopens(self, teacher, ended_wave, classroom):
        page = signed_in(teacher).post(
            reopen_url(ended_wave, classroom), {"until": until(2)}
        )
        reopening = WaveReopening.objects.get()
        assert page.status_code == 302
        assert page["Location"] == reverse(
            "assessment:wave-progress", args=[ended_wave.pk, classroom.pk]
        )
        assert reopening.reopened_by == teacher
        assert reopening.session.classroom == classroom

    def test_coordinator_reopens(self, coordinator, ended_wave, classroom):
        signed_in(coordinator).post(
            reopen_url(ended_wave, classroom), {"until": until(1)}
        )
        assert WaveReopening.objects.get().reopened_by == coordinator

    def test_colleague_gets_404(self, colleague, ended_wave, classroom):
        client = signed_in(colleague)
        assert client.get(reopen_url(ended_wave, classroom)).status_code == 404
        posted = client.post(reopen_url(ended_wave, classroom), {"until": until(2)})
        assert posted.status_code == 404
        assert not WaveReopening.objects.exists()

    def test_researcher_refused(self, researcher, ended_wave, classroom):
        page = signed_in(researcher).post(
            reopen_url(ended_wave, classroom), {"until": until(2)}
        )
        assert page.status_code == 403
        assert not WaveReopening.objects.exists()

    def test_pupil_refused(self, pupil_client, ended_wave, classroom):
        page = pupil_client.post(reopen_url(ended_wave, classroom), {"until": until(2)})
        assert page.status_code == 403

    def test_too_long_rejected_with_reason(self, teacher, ended_wave, classroom):
        page = signed_in(teacher).post(
            reopen_url(ended_wave, classroom), {"until": until(30)}
        )
        assert page.status_code == 200
        assert "7 jours au plus" in page.content.decode()
        assert not WaveReopening.objects.exists()

    def test_open_wave_explains_why_not(self, teacher, wave, session, classroom):
        page = signed_in(teacher).get(reopen_url(wave, classroom))
        assert "encore ouverte" in page.content.decode()
        assert 'name="until"' not in page.content.decode()

    def test_progress_page_lists_reopenings(self, teacher, ended_wave, classroom):
        client = signed_in(teacher)
        client.post(reopen_url(ended_wave, classroom), {"until": until(2)})
        page = client.get(
            reverse("assessment:wave-progress", args=[ended_wave.pk, classroom.pk])
        )
        html = page.content.decode()
        assert f"par {teacher.email}" in html
        assert "status-open" in html
        close_url = reverse("assessment:wave-close", args=[ended_wave.pk, classroom.pk])
        assert close_url in html

    def test_absent_pupil_sees_reopened_wave(
        self, teacher, ended_wave, classroom, pupil_client
    ):
        # pupil_client is Léa of the conftest, a third pupil who has not finished.
        signed_in(teacher).post(reopen_url(ended_wave, classroom), {"until": until(2)})
        page = pupil_client.get(reverse("assessment:pupil-today"))
        start_url = reverse("assessment:response-start", args=[ended_wave.pk])
        assert start_url in page.content.decode()
