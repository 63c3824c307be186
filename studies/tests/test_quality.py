"""Data-quality rules: long strings, fast answers, partial completion, missing waves."""

import datetime as dt

import pytest
from django.utils import timezone

from assessment.models import WaveReopening, WaveSession
from iota.testing import make_pupil
from schools.models import Pupil
from studies.models import Arm
from studies.pseudonyms import pupil_pseudonym
from studies.quality import (
    LONG_STRING,
    MISSING_WAVE,
    PARTIAL_COMPLETION,
    RULES,
    TOO_FAST,
    QualityRules,
    longest_run,
    median_gap_seconds,
    quality_exclusions,
    quality_flags,
)
from studies.services import record_consents, set_class_arm
from studies.tests.conftest import make_response

VARIED = [1, 2, 3, 4, 1, 2, 3, 4]


def rules_raised(flags, rule=None):
    return [flag for flag in flags if rule is None or flag.rule == rule]


def backdate(pupil: Pupil, days: int = 60) -> None:
    """Make the pupil's record older than the waves, as after a September import."""
    Pupil.objects.filter(pk=pupil.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


@pytest.fixture
def lea(classroom):
    pupil = make_pupil(classroom, "Léa")
    backdate(pupil)
    return pupil


class TestLongestRun:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            ([], 0),
            ([3], 1),
            ([1, 2, 3, 4], 1),
            ([2, 2, 2, 1, 1], 3),
            ([2, 2, None, 2, 2], 2),
            ([None, None, None], 0),
            ([4, 4, 4, 4, 4, 4, 4, 4], 8),
        ],
    )
    def test_runs(self, values, expected):
        assert longest_run(values) == expected


class TestMedianGap:
    def test_needs_two_answers(self):
        assert median_gap_seconds([]) is None
        assert median_gap_seconds([timezone.now()]) is None

    def test_unsorted_times(self):
        start = timezone.now()
        times = [start + dt.timedelta(seconds=s) for s in (10, 0, 3, 4)]
        # Gaps 3, 1, 6: median 3.
        assert median_gap_seconds(times) == 3.0


class TestThresholds:
    @pytest.mark.parametrize(
        ("share", "items", "expected"),
        [
            (0.75, 8, 6),
            (0.7, 10, 7),
            (0.5, 8, 4),
            (0.6, 8, 5),
            (0.1, 8, 2),
            (1.0, 8, 8),
        ],
    )
    def test_long_string_run(self, share, items, expected):
        assert QualityRules(long_string_share=share).long_string_run(items) == expected


class TestLongString:
    def test_run_at_threshold_flagged(self, study, open_wave, lea):
        # 8 items at the default share of 0.75: 6 identical answers in a row.
        make_response(open_wave, lea, [3, 3, 3, 3, 3, 3, 1, 2])
        [flag] = rules_raised(quality_flags(study), LONG_STRING)
        assert flag.pupil_id == lea.pk
        assert flag.threshold == 6
        assert flag.observed == 6
        assert flag.wave_label == "T2"

    def test_run_below_threshold_passes(self, study, open_wave, lea):
        make_response(open_wave, lea, [3, 3, 3, 3, 3, 1, 3, 2])
        assert rules_raised(quality_flags(study), LONG_STRING) == []

    def test_skip_breaks_run(self, study, open_wave, lea):
        make_response(open_wave, lea, [4, 4, 4, None, 4, 4, 4, 4])
        assert rules_raised(quality_flags(study), LONG_STRING) == []

    def test_item_order_from_instrument(self, study, open_wave, lea):
        # Answers stored out of order still count in the player's item order.
        make_response(
            open_wave,
            lea,
            [2, 2, 2, 2, 2, 2, 1, 4],
            items=["P8", "P7", "P6", "P5", "P4", "P3", "P1", "P2"],
        )
        [flag] = rules_raised(quality_flags(study), LONG_STRING)
        assert flag.observed == 6

    def test_study_share_used(self, study, open_wave, lea):
        study.long_string_share = 0.5
        study.save(update_fields=["long_string_share"])
        make_response(open_wave, lea, [1, 1, 1, 1, 2, 3, 4, 1])
        [flag] = rules_raised(quality_flags(study), LONG_STRING)
        assert flag.threshold == 4
        assert flag.observed == 4


class TestTooFast:
    def test_median_below_threshold_flagged(self, study, open_wave, lea):
        make_response(open_wave, lea, VARIED, gap_seconds=1.5)
        [flag] = rules_raised(quality_flags(study), TOO_FAST)
        assert flag.threshold == 2.0
        assert flag.observed == pytest.approx(1.5)

    def test_median_at_threshold_passes(self, study, open_wave, lea):
        make_response(open_wave, lea, VARIED, gap_seconds=2.0)
        assert rules_raised(quality_flags(study), TOO_FAST) == []

    def test_one_answer_not_judged(self, study, open_wave, lea):
        make_response(open_wave, lea, [2])
        assert rules_raised(quality_flags(study), TOO_FAST) == []

    def test_one_slow_gap_does_not_hide_speed(self, study, open_wave, lea):
        response = make_response(open_wave, lea, VARIED, gap_seconds=1.0)
        last = response.answers.get(item="P8")
        last.answered_at += dt.timedelta(minutes=5)
        last.save(update_fields=["answered_at"])
        [flag] = rules_raised(quality_flags(study), TOO_FAST)
        assert flag.observed == pytest.approx(1.0)

    def test_zero_threshold_disables(self, study, open_wave, lea):
        study.min_seconds_per_item = 0
        study.save(update_fields=["min_seconds_per_item"])
        make_response(open_wave, lea, VARIED, gap_seconds=0)
        assert rules_raised(quality_flags(study), TOO_FAST) == []


class TestPartialCompletion:
    def test_completed_with_skips_flagged(self, study, open_wave, lea):
        # 5 of 8 answered is 0.625, below the scale's minimum of 0.75.
        make_response(open_wave, lea, [1, 2, 3, None, None, None, 4, 1])
        [flag] = rules_raised(quality_flags(study), PARTIAL_COMPLETION)
        assert flag.threshold == 0.75
        assert flag.observed == 0.625
        assert flag.scale == "perseverance"

    def test_share_at_minimum_passes(self, study, open_wave, lea):
        make_response(open_wave, lea, [1, 2, 3, None, None, 4, 1, 2])
        assert rules_raised(quality_flags(study), PARTIAL_COMPLETION) == []

    def test_unfinished_in_open_wave_waits(self, study, open_wave, lea):
        make_response(open_wave, lea, [1, 2])
        assert rules_raised(quality_flags(study), PARTIAL_COMPLETION) == []

    def test_unfinished_in_closed_wave_flagged(self, study, closed_wave, lea):
        make_response(closed_wave, lea, [1, 2])
        [flag] = rules_raised(quality_flags(study), PARTIAL_COMPLETION)
        assert flag.observed == 0.25

    def test_session_closed_by_teacher(self, study, open_wave, lea, classroom, teacher):
        make_response(open_wave, lea, [1, 2])
        WaveSession.objects.create(
            wave=open_wave, classroom=classroom, closed_at=timezone.now()
        )
        assert len(rules_raised(quality_flags(study), PARTIAL_COMPLETION)) == 1

    def test_running_reopening_waits(self, study, closed_wave, lea, classroom, teacher):
        make_response(closed_wave, lea, [1, 2])
        now = timezone.now()
        session = WaveSession.objects.create(
            wave=closed_wave, classroom=classroom, closed_at=now - dt.timedelta(days=7)
        )
        reopening = WaveReopening.objects.create(
            session=session, reopened_at=now, closes_at=now + dt.timedelta(days=2)
        )
        assert rules_raised(quality_flags(study), PARTIAL_COMPLETION) == []
        reopening.ended_at = now
        reopening.save(update_fields=["ended_at"])
        assert len(rules_raised(quality_flags(study), PARTIAL_COMPLETION)) == 1


class TestMissingWave:
    def test_no_response_in_closed_wave(self, study, closed_wave, lea):
        [flag] = quality_flags(study)
        assert flag.rule == MISSING_WAVE
        assert flag.pupil_id == lea.pk
        assert flag.threshold == 1
        assert flag.observed == 0

    def test_open_wave_not_missing(self, study, open_wave, lea):
        assert quality_flags(study) == []

    def test_response_present_not_missing(self, study, closed_wave, lea):
        make_response(closed_wave, lea, VARIED)
        assert rules_raised(quality_flags(study), MISSING_WAVE) == []

    def test_joined_after_wave_not_missing(self, study, closed_wave, classroom):
        make_pupil(classroom, "Noé")  # created today, after the wave closed
        assert quality_flags(study) == []

    def test_left_before_wave_not_missing(self, study, closed_wave, lea):
        lea.left_on = closed_wave.opens_on
        lea.save(update_fields=["left_on"])
        assert quality_flags(study) == []

    def test_left_during_wave_missing(self, study, closed_wave, lea):
        lea.left_on = closed_wave.opens_on + dt.timedelta(days=1)
        lea.save(update_fields=["left_on"])
        assert [flag.rule for flag in quality_flags(study)] == [MISSING_WAVE]


class TestQualityFlags:
    def test_campaign_without_study_uses_defaults(self, campaign, open_wave, lea):
        make_response(open_wave, lea, [3] * 8, gap_seconds=1)
        flags = quality_flags(campaign)
        assert [flag.rule for flag in flags] == [LONG_STRING, TOO_FAST]
        assert flags[1].threshold == 2.0

    def test_campaign_uses_its_study(self, study, open_wave, lea):
        study.min_seconds_per_item = 0.5
        study.save(update_fields=["min_seconds_per_item"])
        make_response(open_wave, lea, VARIED, gap_seconds=1)
        assert quality_flags(study.campaign) == []

    def test_one_wave_only(self, study, open_wave, closed_wave, lea):
        make_response(open_wave, lea, [3] * 8)
        assert [flag.rule for flag in quality_flags(study, open_wave)] == [LONG_STRING]
        assert [flag.rule for flag in quality_flags(study, closed_wave)] == [
            MISSING_WAVE
        ]

    def test_wave_of_other_campaign_rejected(self, study, open_wave, instrument):
        from assessment.models import Campaign, Wave

        other = Campaign.objects.create(
            name="Autre", instrument=instrument, school_year=study.campaign.school_year
        )
        stray = Wave.objects.create(
            campaign=other,
            label="T1",
            opens_on=open_wave.opens_on,
            closes_on=open_wave.closes_on,
        )
        with pytest.raises(ValueError, match="not a wave of campaign"):
            quality_flags(study, stray)

    def test_pupils_outside_campaign_ignored(self, study, open_wave, school, lea):
        from studies.tests.conftest import make_classroom

        outside = make_classroom(school, study.campaign.school_year, "CM2 Z", "ZZZ999")
        stray = make_pupil(outside, "Inès")
        make_response(open_wave, stray, [3] * 8)
        assert quality_flags(study) == []

    def test_query_count_fixed(
        self, study, open_wave, closed_wave, classroom, django_assert_max_num_queries
    ):
        for index in range(12):
            pupil = make_pupil(classroom, f"Élève {index}")
            backdate(pupil)
            make_response(open_wave, pupil, [3] * 8, gap_seconds=1)
        with django_assert_max_num_queries(10):
            flags = quality_flags(study)
        assert len(flags) == 12 * 3


class TestQualityExclusions:
    @pytest.fixture
    def sample(self, study, classroom, coordinator, teacher, lea):
        set_class_arm(study, classroom, Arm.PROGRAMME, user=coordinator)
        noe = make_pupil(classroom, "Noé")
        backdate(noe)
        record_consents(study, {lea.pk: "given", noe.pk: "refused"}, user=teacher)
        return lea, noe

    def test_only_research_pupils_listed(self, study, open_wave, sample):
        lea, noe = sample
        make_response(open_wave, lea, [3] * 8)
        make_response(open_wave, noe, [3] * 8)
        report = quality_exclusions(study)
        assert report.research_pupils == 1
        assert [row.pseudonym for row in report.rows] == [pupil_pseudonym(lea.ine_hash)]
        assert report.excluded_responses == {(lea.pk, open_wave.pk)}

    def test_rows_carry_no_names(self, study, open_wave, sample):
        lea, _noe = sample
        make_response(open_wave, lea, [3] * 8, gap_seconds=1)
        report = quality_exclusions(study)
        assert "Léa" not in repr(report)
        assert {row.rule for row in report.rows} == {LONG_STRING, TOO_FAST}

    def test_counts_per_rule(self, study, open_wave, closed_wave, sample):
        lea, _noe = sample
        make_response(open_wave, lea, [3] * 8)
        report = quality_exclusions(study)
        counts = {row.rule: (row.flags, row.pupils) for row in report.counts}
        assert list(counts) == list(RULES)
        assert counts[LONG_STRING] == (1, 1)
        assert counts[MISSING_WAVE] == (1, 1)
        assert counts[TOO_FAST] == (0, 0)
        assert report.missing_waves == {(lea.pk, closed_wave.pk)}
        assert report.excluded_responses == {(lea.pk, open_wave.pk)}


def test_pseudonym_stable_and_keyed(settings):
    first = pupil_pseudonym("abc")
    assert first == pupil_pseudonym("abc")
    assert first.startswith("E-")
    assert len(first) == 18
    assert pupil_pseudonym("abd") != first
    settings.PSEUDONYM_KEY = "another key"
    assert pupil_pseudonym("abc") != first
