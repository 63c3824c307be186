"""Campaign list, creation form and detail page."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Campaign
from assessment.views import CLASSES_PER_PAGE
from schools.models import Academie, Classroom, School, SchoolYear

CREATE_URL = reverse("assessment:campaign-create")
LIST_URL = reverse("assessment:campaign-list")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def creation_data(instrument, school_year, *classes, **overrides) -> dict:
    data = {
        "name": "Persévérance pilote",
        "instrument": instrument.pk,
        "school_year": school_year.pk,
        "classes": [room.pk for room in classes],
        "completion_target": "80",
        "waves-TOTAL_FORMS": "4",
        "waves-INITIAL_FORMS": "0",
        "waves-MIN_NUM_FORMS": "1",
        "waves-MAX_NUM_FORMS": "4",
        "waves-0-label": "T1",
        "waves-0-opens_on": "2026-10-05",
        "waves-0-closes_on": "2026-10-16",
        "waves-1-label": "T2",
        "waves-1-opens_on": "2027-01-11",
        "waves-1-closes_on": "2027-01-22",
        "waves-2-label": "T3",
        "waves-3-label": "T4",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCampaignCreate:
    def test_coordinator_sees_form(self, coordinator, instrument):
        page = signed_in(coordinator).get(CREATE_URL)
        assert page.status_code == 200
        assert b"waves-0-opens_on" in page.content

    def test_coordinator_creates_campaign(
        self, coordinator, instrument, school_year, classroom, other_classroom
    ):
        data = creation_data(instrument, school_year, classroom, other_classroom)
        page = signed_in(coordinator).post(CREATE_URL, data)
        campaign = Campaign.objects.get()
        assert page.status_code == 302
        assert page["Location"] == reverse(
            "assessment:campaign-detail", args=[campaign.pk]
        )
        assert campaign.created_by == coordinator
        assert set(campaign.classes.all()) == {classroom, other_classroom}

    def test_empty_wave_rows_skipped(
        self, coordinator, instrument, school_year, classroom
    ):
        signed_in(coordinator).post(
            CREATE_URL, creation_data(instrument, school_year, classroom)
        )
        waves = Campaign.objects.get().waves.order_by("opens_on")
        assert [wave.label for wave in waves] == ["T1", "T2"]
        assert waves[0].opens_on == dt.date(2026, 10, 5)

    def test_no_wave_rejected(self, coordinator, instrument, school_year, classroom):
        data = creation_data(
            instrument,
            school_year,
            classroom,
            **{
                "waves-0-opens_on": "",
                "waves-0-closes_on": "",
                "waves-1-opens_on": "",
                "waves-1-closes_on": "",
            },
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert page.status_code == 200
        assert not Campaign.objects.exists()

    def test_wave_closing_before_opening_rejected(
        self, coordinator, instrument, school_year, classroom
    ):
        data = creation_data(
            instrument, school_year, classroom, **{"waves-0-closes_on": "2026-10-01"}
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert "doit venir après l’ouverture" in page.content.decode()
        assert not Campaign.objects.exists()

    def test_duplicate_wave_labels_rejected(
        self, coordinator, instrument, school_year, classroom
    ):
        data = creation_data(
            instrument, school_year, classroom, **{"waves-1-label": "T1"}
        )
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert "Deux vagues s’appellent « T1 »" in page.content.decode()
        assert not Campaign.objects.exists()

    def test_class_of_other_year_rejected(
        self, coordinator, instrument, school_year, classroom
    ):
        next_year = SchoolYear.objects.create(
            label="2027-2028",
            starts_on=dt.date(2027, 9, 1),
            ends_on=dt.date(2028, 7, 4),
        )
        data = creation_data(instrument, next_year, classroom)
        page = signed_in(coordinator).post(CREATE_URL, data)
        assert "est de l’année 2026-2027" in page.content.decode()
        assert not Campaign.objects.exists()

    def test_teacher_refused(self, teacher, instrument, school_year, classroom):
        client = signed_in(teacher)
        data = creation_data(instrument, school_year, classroom)
        assert client.get(CREATE_URL).status_code == 403
        assert client.post(CREATE_URL, data).status_code == 403
        assert not Campaign.objects.exists()

    def test_researcher_refused(self, researcher):
        assert signed_in(researcher).get(CREATE_URL).status_code == 403

    def test_anonymous_sent_to_login(self, db):
        page = Client().get(CREATE_URL)
        assert page.status_code == 302
        assert reverse("accounts:login") in page["Location"]


@pytest.mark.django_db
class TestCampaignList:
    def test_coordinator_sees_all(self, coordinator, campaign, other_campaign):
        page = signed_in(coordinator).get(LIST_URL)
        assert campaign.name in page.content.decode()
        assert other_campaign.name in page.content.decode()

    def test_researcher_sees_all(self, researcher, campaign, other_campaign):
        page = signed_in(researcher).get(LIST_URL)
        assert other_campaign.name in page.content.decode()

    def test_teacher_sees_own_classes_campaigns(
        self, teacher, campaign, other_campaign
    ):
        page = signed_in(teacher).get(LIST_URL)
        assert campaign.name in page.content.decode()
        assert other_campaign.name not in page.content.decode()

    def test_teacher_sees_no_create_link(self, teacher, campaign):
        page = signed_in(teacher).get(LIST_URL)
        assert CREATE_URL not in page.content.decode()

    def test_pupil_refused(self, pupil_client, campaign):
        assert pupil_client.get(LIST_URL).status_code == 403


@pytest.fixture
def other_campaign(instrument, school_year, other_classroom, coordinator) -> Campaign:
    other = Campaign.objects.create(
        name="Campagne de l’autre classe",
        instrument=instrument,
        school_year=school_year,
        created_by=coordinator,
    )
    other.classes.add(other_classroom)
    return other


@pytest.mark.django_db
class TestCampaignDetail:
    def test_teacher_sees_own_class_and_start_button(self, teacher, wave, classroom):
        page = signed_in(teacher).get(
            reverse("assessment:campaign-detail", args=[wave.campaign_id])
        )
        start_url = reverse("assessment:wave-start", args=[wave.pk, classroom.pk])
        assert page.status_code == 200
        assert classroom.label in page.content.decode()
        assert start_url in page.content.decode()

    def test_teacher_sees_close_button_once_started(self, teacher, session, classroom):
        page = signed_in(teacher).get(
            reverse("assessment:campaign-detail", args=[session.wave.campaign_id])
        )
        close_url = reverse(
            "assessment:wave-close", args=[session.wave_id, classroom.pk]
        )
        assert close_url in page.content.decode()

    def test_teacher_of_other_class_gets_404(self, colleague, campaign):
        page = signed_in(colleague).get(
            reverse("assessment:campaign-detail", args=[campaign.pk])
        )
        assert page.status_code == 404

    def test_teacher_sees_only_own_classes(
        self, teacher, wave, classroom, other_classroom
    ):
        wave.campaign.classes.add(other_classroom)
        page = signed_in(teacher).get(
            reverse("assessment:campaign-detail", args=[wave.campaign_id])
        )
        assert other_classroom.label not in page.content.decode()

    def test_grid_pages_classes(self, coordinator, wave, school, school_year):
        extra = [
            Classroom(
                school=school, school_year=school_year, label=f"CM2 {number:02d}",
                levels=["CM2"], code=f"PAGE{number:02d}",
            )
            for number in range(CLASSES_PER_PAGE)
        ]  # fmt: skip
        wave.campaign.classes.add(*Classroom.objects.bulk_create(extra))
        url = reverse("assessment:campaign-detail", args=[wave.campaign_id])
        first = signed_in(coordinator).get(url)
        second = signed_in(coordinator).get(url, {"page": 2})
        assert len(first.context["rows"]) == CLASSES_PER_PAGE
        assert len(second.context["rows"]) == 1
        assert (
            f"Page 1 sur 2 ({CLASSES_PER_PAGE + 1} classes)" in first.content.decode()
        )

    def test_grid_filters_by_academie(self, coordinator, wave, classroom, school_year):
        lyon = Academie.objects.create(
            code="lyon", name="Lyon", time_zone="Europe/Paris", holiday_zone="A"
        )
        school = School.objects.create(uai="0690001A", name="École Lyon", academie=lyon)
        far = Classroom.objects.create(
            school=school, school_year=school_year, label="CM1 Lyon",
            levels=["CM1"], code="LYON01",
        )  # fmt: skip
        wave.campaign.classes.add(far)
        url = reverse("assessment:campaign-detail", args=[wave.campaign_id])
        page = signed_in(coordinator).get(url, {"academie": "lyon"})
        assert [row["classroom"] for row in page.context["rows"]] == [far]
        everything = signed_in(coordinator).get(url, {"academie": "nowhere"})
        assert len(everything.context["rows"]) == 2

    def test_researcher_sees_no_buttons(self, researcher, wave, classroom):
        page = signed_in(researcher).get(
            reverse("assessment:campaign-detail", args=[wave.campaign_id])
        )
        start_url = reverse("assessment:wave-start", args=[wave.pk, classroom.pk])
        assert page.status_code == 200
        assert start_url not in page.content.decode()
