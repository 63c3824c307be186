"""The campaign form's schedule proposal, the campaign grid and the class waves page."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Campaign, Response, Wave, WaveSession
from assessment.tests.conftest import make_pupil

CREATE_URL = reverse("assessment:campaign-create")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def campaign_data(instrument, school_year, *classes, **overrides) -> dict:
    data = {
        "name": "Quatre vagues",
        "instrument": instrument.pk,
        "school_year": school_year.pk,
        "classes": [room.pk for room in classes],
        "completion_target": "75",
        "schedule-start_on": "2026-09-28",
        "schedule-spacing_weeks": "8",
        "schedule-school_days": "8",
        "waves-TOTAL_FORMS": "4",
        "waves-INITIAL_FORMS": "0",
        "waves-MIN_NUM_FORMS": "1",
        "waves-MAX_NUM_FORMS": "4",
    }
    data.update(overrides)
    return data


def wave_rows(*windows: tuple[str, str]) -> dict:
    """Return the four wave rows as the page posts them, the first ones filled."""
    rows = {f"waves-{index}-label": f"T{index + 1}" for index in range(4)}
    for index, (opens_on, closes_on) in enumerate(windows):
        rows[f"waves-{index}-opens_on"] = opens_on
        rows[f"waves-{index}-closes_on"] = closes_on
    return rows


@pytest.mark.django_db
class TestScheduleProposal:
    def test_proposal_fills_four_waves(
        self, coordinator, instrument, school_year, classroom
    ):
        data = campaign_data(instrument, school_year, classroom, action="propose")
        page = signed_in(coordinator).post(CREATE_URL, data)
        html = page.content.decode()
        assert page.status_code == 200
        assert not Campaign.objects.exists()
        assert 'name="waves-0-opens_on" value="2026-09-28"' in html
        assert 'name="waves-0-closes_on" value="2026-10-09"' in html
        assert 'name="waves-3-opens_on" value="2027-03-15"' in html

    def test_proposal_shows_zones_used(
        self, coordinator, instrument, school_year, classroom
    ):
        data = campaign_data(instrument, school_year, classroom, action="propose")
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert "jours de classe dans la zone C." in page.content.decode()

    def test_overseas_class_warned(
        self, coordinator, instrument, school_year, classroom, reunion_classroom
    ):
        data = campaign_data(
            instrument, school_year, classroom, reunion_classroom, action="propose"
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        html = page.content.decode()
        assert "académie La Réunion ne sont pas connues" in html

    def test_start_outside_school_year_rejected(
        self, coordinator, instrument, school_year, classroom
    ):
        data = campaign_data(
            instrument,
            school_year,
            classroom,
            action="propose",
            **{"schedule-start_on": "2027-08-30"},
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert "n’est pas dans l’année scolaire 2026-2027" in page.content.decode()

    def test_proposal_needs_classes(self, coordinator, instrument, school_year):
        data = campaign_data(instrument, school_year, action="propose")
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert page.status_code == 200
        assert "waves-0-opens_on" in page.content.decode()
        assert 'name="waves-0-opens_on" value=' not in page.content.decode()


@pytest.mark.django_db
class TestCreateWithWarnings:
    def test_clean_windows_create_directly(
        self, coordinator, instrument, school_year, classroom
    ):
        data = campaign_data(
            instrument,
            school_year,
            classroom,
            action="create",
            **wave_rows(("2026-09-28", "2026-10-09"), ("2026-11-23", "2026-12-04")),
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        campaign = Campaign.objects.get()
        assert page.status_code == 302
        assert campaign.completion_target == 75
        assert campaign.waves.count() == 2

    def test_holiday_window_asks_confirmation(
        self, coordinator, instrument, school_year, classroom
    ):
        # Zone C (Paris) has its autumn holidays from 17 October to 1 November 2026.
        data = campaign_data(
            instrument,
            school_year,
            classroom,
            action="create",
            **wave_rows(("2026-10-12", "2026-10-23")),
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        html = page.content.decode()
        assert page.status_code == 200
        assert not Campaign.objects.exists()
        assert "T1 tombe pendant des vacances : zone C" in html
        assert 'value="create-anyway"' in html

    def test_confirmation_creates(
        self, coordinator, instrument, school_year, classroom
    ):
        data = campaign_data(
            instrument,
            school_year,
            classroom,
            action="create-anyway",
            **wave_rows(("2026-10-12", "2026-10-23")),
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert page.status_code == 302
        assert Campaign.objects.get().waves.get().opens_on == dt.date(2026, 10, 12)


@pytest.fixture
def ended_wave(campaign) -> Wave:
    today = timezone.localdate()
    return Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today - dt.timedelta(days=3),
    )


@pytest.fixture
def current_wave(campaign) -> Wave:
    today = timezone.localdate()
    return Wave.objects.create(
        campaign=campaign,
        label="T2",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=8),
    )


@pytest.mark.django_db
class TestCampaignGrid:
    def test_statuses_per_class_and_wave(
        self, coordinator, ended_wave, current_wave, classroom, other_classroom
    ):
        ended_wave.campaign.classes.add(other_classroom)
        WaveSession.objects.create(wave=ended_wave, classroom=classroom)
        pupil = make_pupil(classroom, "Léa")
        Response.objects.create(
            wave=ended_wave, pupil=pupil, completed_at=timezone.now()
        )
        make_pupil(other_classroom, "Noé")
        page = signed_in(coordinator).get(
            reverse("assessment:campaign-detail", args=[ended_wave.campaign_id])
        )
        html = page.content.decode()
        assert html.count('class="badge status-done"') == 1
        assert html.count('class="badge status-missed"') == 1
        assert html.count('class="badge status-not_started"') == 2
        assert "1 / 1 élèves" in html

    def test_reopen_link_after_window(self, teacher, ended_wave, classroom):
        WaveSession.objects.create(wave=ended_wave, classroom=classroom)
        make_pupil(classroom, "Léa")
        page = signed_in(teacher).get(
            reverse("assessment:campaign-detail", args=[ended_wave.campaign_id])
        )
        reopen_url = reverse(
            "assessment:wave-reopen", args=[ended_wave.pk, classroom.pk]
        )
        assert reopen_url in page.content.decode()

    def test_researcher_sees_grid_without_actions(
        self, researcher, ended_wave, classroom
    ):
        WaveSession.objects.create(wave=ended_wave, classroom=classroom)
        make_pupil(classroom, "Léa")
        page = signed_in(researcher).get(
            reverse("assessment:campaign-detail", args=[ended_wave.campaign_id])
        )
        reopen_url = reverse(
            "assessment:wave-reopen", args=[ended_wave.pk, classroom.pk]
        )
        assert page.status_code == 200
        assert "status-missed" in page.content.decode()
        assert reopen_url not in page.content.decode()


@pytest.mark.django_db
class TestClassWaves:
    def url(self, classroom) -> str:
        return reverse("assessment:class-waves", args=[classroom.pk])

    def test_teacher_sees_each_wave_status(
        self, teacher, ended_wave, current_wave, classroom
    ):
        page = signed_in(teacher).get(self.url(classroom))
        html = page.content.decode()
        assert page.status_code == 200
        assert ended_wave.campaign.name in html
        assert "Manquée" in html
        assert "Pas commencée" in html
        start_url = reverse(
            "assessment:wave-start", args=[current_wave.pk, classroom.pk]
        )
        assert start_url in html

    def test_start_from_class_page_returns_there(
        self, teacher, current_wave, classroom
    ):
        page = signed_in(teacher).post(
            reverse("assessment:wave-start", args=[current_wave.pk, classroom.pk]),
            {"next": "class"},
        )
        assert page["Location"] == self.url(classroom)

    def test_colleague_gets_404(self, colleague, ended_wave, classroom):
        assert signed_in(colleague).get(self.url(classroom)).status_code == 404

    def test_class_without_campaign(self, colleague, other_classroom):
        page = signed_in(colleague).get(self.url(other_classroom))
        assert "ne fait partie d’aucune campagne" in page.content.decode()
