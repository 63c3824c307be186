"""The study pages, per role: what each may do and see."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iota.testing import make_pupil
from schools.models import Pupil
from studies.models import (
    Arm,
    AssignmentRun,
    ClassArm,
    Consent,
    ConsentChange,
    ConsentSource,
    Study,
)
from studies.pseudonyms import pupil_pseudonym
from studies.services import record_consents, set_class_arm
from studies.tests.conftest import make_response


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lea(classroom):
    pupil = make_pupil(classroom, "Léa")
    Pupil.objects.filter(pk=pupil.pk).update(
        created_at=timezone.now() - dt.timedelta(days=60)
    )
    return pupil


@pytest.fixture
def noe(classroom):
    return make_pupil(classroom, "Noé")


@pytest.fixture
def ines(other_classroom):
    return make_pupil(other_classroom, "Inès")


class TestStudyCreate:
    def test_coordinator_creates(self, campaign, coordinator):
        response = client_for(coordinator).post(
            reverse("studies:study-create"),
            {
                "name": "Évaluation",
                "campaign": campaign.pk,
                "long_string_share": "0.8",
                "min_seconds_per_item": "1.5",
            },
        )
        study = Study.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("studies:study-detail", args=[study.pk])
        assert study.long_string_share == 0.8
        assert study.min_seconds_per_item == 1.5
        assert study.created_by == coordinator

    def test_campaign_with_study_not_offered(self, study, coordinator):
        response = client_for(coordinator).post(
            reverse("studies:study-create"),
            {
                "name": "Doublon",
                "campaign": study.campaign.pk,
                "long_string_share": "0.75",
                "min_seconds_per_item": "2",
            },
        )
        assert response.status_code == 200
        assert Study.objects.count() == 1

    def test_share_above_one_rejected(self, campaign, coordinator):
        response = client_for(coordinator).post(
            reverse("studies:study-create"),
            {
                "name": "Évaluation",
                "campaign": campaign.pk,
                "long_string_share": "1.5",
                "min_seconds_per_item": "2",
            },
        )
        assert response.status_code == 200
        assert not Study.objects.exists()


class TestStudyDetail:
    def test_teacher_sees_own_class_only(self, study, classroom, teacher, lea):
        response = client_for(teacher).get(
            reverse("studies:study-detail", args=[study.pk])
        )
        rows = response.context["rows"]
        assert [row["classroom"] for row in rows] == [classroom]
        assert rows[0]["unknown"] == 1
        assert b"qualite" not in response.content

    def test_consent_counts(self, study, classroom, teacher, coordinator, lea, noe):
        record_consents(study, {lea.pk: "given", noe.pk: "refused"}, user=teacher)
        response = client_for(coordinator).get(
            reverse("studies:study-detail", args=[study.pk])
        )
        row = next(r for r in response.context["rows"] if r["classroom"] == classroom)
        assert (row["given"], row["refused"], row["unknown"]) == (1, 1, 0)

    def test_researcher_sees_no_names(self, study, researcher, lea, noe):
        response = client_for(researcher).get(
            reverse("studies:study-detail", args=[study.pk])
        )
        assert response.status_code == 200
        assert "Léa" not in response.content.decode()
        assert "Noé" not in response.content.decode()


class TestArms:
    def test_coordinator_sets_arm(self, study, classroom, coordinator):
        response = client_for(coordinator).post(
            reverse("studies:class-arm", args=[study.pk, classroom.pk]),
            {"arm": "comparison"},
        )
        assert response.status_code == 302
        assert ClassArm.objects.get(classroom=classroom).arm == Arm.COMPARISON

    def test_locked_change_reported(
        self, study, classroom, coordinator, open_wave, lea
    ):
        set_class_arm(study, classroom, Arm.PROGRAMME, user=coordinator)
        make_response(open_wave, lea, [1, 2])
        client = client_for(coordinator)
        client.post(
            reverse("studies:class-arm", args=[study.pk, classroom.pk]),
            {"arm": "comparison"},
        )
        assert ClassArm.objects.get(classroom=classroom).arm == Arm.PROGRAMME
        page = client.get(reverse("studies:study-detail", args=[study.pk]))
        assert "déjà répondu" in page.content.decode()

    def test_assign_with_seed(self, study, classroom, other_classroom, coordinator):
        response = client_for(coordinator).post(
            reverse("studies:assign", args=[study.pk]),
            {
                "classes": [classroom.pk, other_classroom.pk],
                "stratify_by": "academie",
                "seed": "2026",
            },
        )
        assert response.status_code == 302
        run = AssignmentRun.objects.get()
        assert run.seed == 2026
        assert list(run.strata) == ["paris"]
        assert sorted(run.strata["paris"]) == sorted([classroom.pk, other_classroom.pk])
        arms = sorted(ClassArm.objects.values_list("arm", flat=True))
        assert arms == [Arm.COMPARISON, Arm.PROGRAMME]

    def test_assign_class_outside_campaign(self, study, school, coordinator):
        from studies.tests.conftest import make_classroom

        stray = make_classroom(school, study.campaign.school_year, "CM2 Z", "ZZZ999")
        response = client_for(coordinator).post(
            reverse("studies:assign", args=[study.pk]),
            {"classes": [stray.pk], "stratify_by": "academie"},
        )
        assert response.status_code == 200
        assert not AssignmentRun.objects.exists()


class TestConsentPage:
    def test_teacher_records_radios(self, study, classroom, teacher, lea, noe):
        response = client_for(teacher).post(
            reverse("studies:consent-class", args=[study.pk, classroom.pk]),
            {f"consent-{lea.pk}": "given", f"consent-{noe.pk}": "refused"},
        )
        assert response.status_code == 302
        assert dict(Consent.objects.values_list("pupil_id", "status")) == {
            lea.pk: "given",
            noe.pk: "refused",
        }
        assert set(ConsentChange.objects.values_list("changed_by", flat=True)) == {
            teacher.pk
        }

    def test_page_lists_class_pupils(self, study, classroom, teacher, lea, ines):
        response = client_for(teacher).get(
            reverse("studies:consent-class", args=[study.pk, classroom.pk])
        )
        assert [pupil for pupil, _status in response.context["rows"]] == [lea]
        assert "Inès" not in response.content.decode()

    def test_invalid_status_reported(self, study, classroom, teacher, lea):
        client = client_for(teacher)
        client.post(
            reverse("studies:consent-class", args=[study.pk, classroom.pk]),
            {f"consent-{lea.pk}": "maybe"},
        )
        assert not Consent.objects.exists()

    def test_bulk_given(self, study, classroom, teacher, lea, noe):
        response = client_for(teacher).post(
            reverse("studies:consent-bulk", args=[study.pk, classroom.pk]),
            {"pupils": [str(lea.pk), str(noe.pk)]},
        )
        assert response.status_code == 302
        assert set(Consent.objects.values_list("status", flat=True)) == {"given"}
        assert set(ConsentChange.objects.values_list("source", flat=True)) == {
            ConsentSource.BULK
        }

    def test_bulk_rejects_other_class(self, study, classroom, teacher, lea, ines):
        client_for(teacher).post(
            reverse("studies:consent-bulk", args=[study.pk, classroom.pk]),
            {"pupils": [str(lea.pk), str(ines.pk)]},
        )
        assert not Consent.objects.exists()

    def test_history_shown(self, study, classroom, teacher, coordinator, lea):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        record_consents(study, {lea.pk: "refused"}, user=coordinator)
        response = client_for(coordinator).get(
            reverse("studies:consent-class", args=[study.pk, classroom.pk])
        )
        history = list(response.context["history"])
        assert [change.status for change in history] == ["refused", "given"]
        assert "coordination@example.org" in response.content.decode()

    def test_import_errors_listed(self, study, classroom, teacher, lea):
        upload = SimpleUploadedFile(
            "consentements.csv", "eleve;consentement\nLéa;peut-être\n".encode()
        )
        response = client_for(teacher).post(
            reverse("studies:consent-import", args=[study.pk, classroom.pk]),
            {"file": upload},
        )
        assert response.status_code == 200
        assert response.context["problems"][0].startswith("Ligne 2 :")
        assert not Consent.objects.exists()

    def test_import_records(self, study, classroom, teacher, lea):
        upload = SimpleUploadedFile(
            "consentements.csv", f"numero;consentement\n{lea.pk};donné\n".encode()
        )
        response = client_for(teacher).post(
            reverse("studies:consent-import", args=[study.pk, classroom.pk]),
            {"file": upload},
        )
        assert response.status_code == 302
        assert Consent.objects.get(pupil=lea).status == "given"


class TestQualityPage:
    @pytest.fixture
    def flagged(self, study, classroom, coordinator, teacher, open_wave, lea, noe):
        set_class_arm(study, classroom, Arm.PROGRAMME, user=coordinator)
        record_consents(study, {lea.pk: "given", noe.pk: "refused"}, user=teacher)
        make_response(open_wave, lea, [3] * 8, gap_seconds=1)
        make_response(open_wave, noe, [2] * 8)

    def test_coordinator_sees_names_and_counts(self, study, coordinator, flagged):
        response = client_for(coordinator).get(
            reverse("studies:quality", args=[study.pk])
        )
        page = response.content.decode()
        assert "Léa" in page
        assert "Noé" in page
        counts = {count.rule: count.flags for count in response.context["counts"]}
        assert counts == {
            "long_string": 2,
            "too_fast": 1,
            "partial_completion": 0,
            "missing_wave": 0,
        }

    def test_rule_filter(self, study, coordinator, flagged):
        response = client_for(coordinator).get(
            reverse("studies:quality", args=[study.pk]), {"rule": "too_fast"}
        )
        assert [row["flag"].rule for row in response.context["rows"]] == ["too_fast"]
        # The counts stay per rule, so the filter does not hide the other rules.
        assert len(response.context["counts"]) == 4

    def test_researcher_sees_pseudonyms_of_sample(
        self, study, researcher, flagged, lea, noe
    ):
        response = client_for(researcher).get(
            reverse("studies:quality", args=[study.pk])
        )
        page = response.content.decode()
        assert "Léa" not in page
        assert "Noé" not in page
        assert pupil_pseudonym(lea.ine_hash) in page
        assert pupil_pseudonym(noe.ine_hash) not in page
        assert {row["pupil"] for row in response.context["rows"]} == {
            pupil_pseudonym(lea.ine_hash)
        }

    def test_teacher_forbidden(self, study, teacher, flagged):
        response = client_for(teacher).get(reverse("studies:quality", args=[study.pk]))
        assert response.status_code == 403


def test_menu_hides_studies_from_teacher_without_one(client, teacher, classroom):
    client.force_login(teacher)
    page = client.get(reverse("schools:class-list")).content.decode()
    assert reverse("studies:study-list") not in page


def test_menu_shows_studies_to_coordinator(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("schools:class-list")).content.decode()
    assert reverse("studies:study-list") in page


def test_menu_shows_studies_to_teacher_in_one(study, classroom, teacher):
    page = client_for(teacher).get(reverse("schools:class-list")).content.decode()
    assert reverse("studies:study-list") in page
