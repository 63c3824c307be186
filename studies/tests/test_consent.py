"""Consent records, their history, and the research sample built on them."""

import datetime as dt

import pytest

from iota.testing import make_pupil
from studies.models import Arm, Consent, ConsentChange, ConsentSource, ConsentStatus
from studies.services import (
    StudyError,
    consent_statuses,
    record_consents,
    research_pupils,
    set_class_arm,
)
from studies.tests.conftest import make_response


@pytest.fixture
def lea(classroom):
    return make_pupil(classroom, "Léa")


@pytest.fixture
def noe(classroom):
    return make_pupil(classroom, "Noé")


class TestRecordConsents:
    def test_first_record_creates_history(self, study, lea, teacher):
        changed = record_consents(study, {lea.pk: "given"}, user=teacher)
        assert changed == 1
        consent = Consent.objects.get(study=study, pupil=lea)
        assert consent.status == ConsentStatus.GIVEN
        assert consent.recorded_by == teacher
        change = ConsentChange.objects.get(study=study, pupil=lea)
        assert change.previous_status == ConsentStatus.UNKNOWN
        assert change.status == ConsentStatus.GIVEN
        assert change.changed_by == teacher
        assert change.source == ConsentSource.FORM

    def test_each_change_adds_a_row(self, study, lea, teacher, coordinator):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        record_consents(
            study, {lea.pk: "refused"}, user=coordinator, source=ConsentSource.CSV
        )
        history = list(
            ConsentChange.objects.filter(pupil=lea).order_by("changed_at", "pk")
        )
        assert [(row.previous_status, row.status) for row in history] == [
            ("unknown", "given"),
            ("given", "refused"),
        ]
        assert history[1].changed_by == coordinator
        assert history[1].source == ConsentSource.CSV
        consent = Consent.objects.get(pupil=lea)
        assert consent.status == "refused"
        assert consent.recorded_by == coordinator

    def test_same_status_writes_nothing(self, study, lea, teacher):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        assert record_consents(study, {lea.pk: "given"}, user=teacher) == 0
        assert ConsentChange.objects.count() == 1

    def test_unknown_without_record_writes_nothing(self, study, lea, teacher):
        assert record_consents(study, {lea.pk: "unknown"}, user=teacher) == 0
        assert not Consent.objects.exists()

    def test_back_to_unknown_recorded(self, study, lea, teacher):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        record_consents(study, {lea.pk: "unknown"}, user=teacher)
        assert Consent.objects.get(pupil=lea).status == "unknown"
        assert ConsentChange.objects.count() == 2

    def test_invalid_status_writes_nothing(self, study, lea, noe, teacher):
        with pytest.raises(StudyError) as raised:
            record_consents(study, {lea.pk: "given", noe.pk: "maybe"}, user=teacher)
        assert "maybe" in raised.value.message
        assert not Consent.objects.exists()

    def test_pupil_outside_study_rejected(self, study, lea, school, teacher):
        # A pupil whose class is not in the campaign.
        stray = make_pupil(lea.classroom, "Inès")
        stray.classroom = None
        stray.save(update_fields=["classroom"])
        with pytest.raises(StudyError) as raised:
            record_consents(study, {lea.pk: "given", stray.pk: "given"}, user=teacher)
        assert str(stray.pk) in raised.value.message
        assert not Consent.objects.exists()

    def test_statuses_default_unknown(self, study, lea, noe, teacher):
        record_consents(study, {lea.pk: "refused"}, user=teacher)
        assert consent_statuses(study, [lea.pk, noe.pk]) == {
            lea.pk: "refused",
            noe.pk: "unknown",
        }


class TestResearchPupils:
    @pytest.fixture
    def in_programme(self, study, classroom, coordinator):
        return set_class_arm(study, classroom, Arm.PROGRAMME, user=coordinator)

    def test_given_consent_included(self, study, in_programme, lea, teacher):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        assert list(research_pupils(study)) == [lea]

    @pytest.mark.parametrize("status", ["refused", "unknown"])
    def test_other_consent_excluded(self, study, in_programme, lea, teacher, status):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        record_consents(study, {lea.pk: status}, user=teacher)
        assert list(research_pupils(study)) == []

    def test_no_record_excluded(self, study, in_programme, lea):
        assert list(research_pupils(study)) == []

    def test_class_without_arm_excluded(self, study, other_classroom, colleague):
        pupil = make_pupil(other_classroom, "Inès")
        record_consents(study, {pupil.pk: "given"}, user=colleague)
        assert list(research_pupils(study)) == []

    def test_consent_in_other_study_ignored(
        self, study, in_programme, lea, teacher, instrument, school_year
    ):
        from assessment.models import Campaign
        from studies.models import Study

        other = Study.objects.create(
            name="Autre étude",
            campaign=Campaign.objects.create(
                name="Autre", instrument=instrument, school_year=school_year
            ),
        )
        other.campaign.classes.add(lea.classroom)
        record_consents(other, {lea.pk: "given"}, user=teacher)
        record_consents(study, {lea.pk: "refused"}, user=teacher)
        assert list(research_pupils(study)) == []
        assert list(research_pupils(other)) == []  # no arm in the other study

    def test_left_before_first_wave_excluded(
        self, study, in_programme, lea, teacher, open_wave
    ):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        lea.left_on = open_wave.opens_on - dt.timedelta(days=1)
        lea.save(update_fields=["left_on"])
        assert list(research_pupils(study)) == []

    def test_left_before_first_wave_with_data_included(
        self, study, in_programme, lea, teacher, open_wave
    ):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        make_response(open_wave, lea, [2, 3])
        lea.left_on = open_wave.opens_on - dt.timedelta(days=1)
        lea.save(update_fields=["left_on"])
        assert list(research_pupils(study)) == [lea]

    def test_left_on_first_wave_day_included(
        self, study, in_programme, lea, teacher, open_wave
    ):
        record_consents(study, {lea.pk: "given"}, user=teacher)
        lea.left_on = open_wave.opens_on
        lea.save(update_fields=["left_on"])
        assert list(research_pupils(study)) == [lea]

    def test_first_wave_is_earliest(
        self, study, in_programme, lea, teacher, open_wave, closed_wave
    ):
        # T1 is the closed wave, which opened a month ago, so a pupil who left
        # between the two waves was there for T1.
        record_consents(study, {lea.pk: "given"}, user=teacher)
        lea.left_on = closed_wave.closes_on
        lea.save(update_fields=["left_on"])
        assert list(research_pupils(study)) == [lea]

    def test_no_duplicates(self, study, in_programme, lea, noe, teacher, open_wave):
        record_consents(study, {lea.pk: "given", noe.pk: "given"}, user=teacher)
        make_response(open_wave, lea, [1, 2])
        assert list(research_pupils(study)) == [lea, noe]
