"""The sign-in throttle: per pupil and device, with a short cap across devices."""

import datetime as dt

import pytest

from accounts.models import SignInAttempt
from accounts.services import SignInOutcome, open_signin_window, sign_in_pupil
from accounts.throttle import DEVICE_RULE, PUPIL_RULE, ThrottleRule, throttle_wait
from iota.testing import make_pupil

PASSWORD = ["sun", "cat", "boat"]
WRONG = ["moon", "star", "tree"]
START = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def seconds(count: float) -> dt.timedelta:
    return dt.timedelta(seconds=count)


def test_rule_waits_nothing_before_free_failures_used():
    rule = ThrottleRule(3, seconds(30), seconds(300))
    assert rule.wait_after(2) == dt.timedelta(0)


def test_rule_wait_doubles_then_stops_at_max():
    rule = ThrottleRule(3, seconds(30), seconds(300))
    waits = [rule.wait_after(failures).total_seconds() for failures in range(3, 9)]
    assert waits == [30, 60, 120, 240, 300, 300]


def test_rule_survives_huge_failure_count():
    assert DEVICE_RULE.wait_after(10_000) == DEVICE_RULE.max_wait


def test_pupil_rule_stays_short():
    assert PUPIL_RULE.max_wait <= dt.timedelta(minutes=2)
    assert PUPIL_RULE.free_failures > DEVICE_RULE.free_failures


@pytest.mark.django_db
class TestSignInThrottle:
    @pytest.fixture(autouse=True)
    def window(self, classroom, teacher):
        open_signin_window(classroom, teacher, minutes=600, now=START)

    @pytest.fixture
    def pupil(self, classroom):
        return make_pupil(classroom, "Léa", picture_password="sun,cat,boat")

    def fail(self, pupil, device, times, start=START):
        """Record `times` failures on `device`, one a second from `start`."""
        for index in range(times):
            SignInAttempt.objects.create(
                pupil=pupil,
                device=device,
                succeeded=False,
                attempted_at=start + seconds(index),
            )

    def test_two_failures_do_not_throttle(self, pupil):
        self.fail(pupil, "tablet-1", 2)
        assert throttle_wait(pupil.pk, "tablet-1", START + seconds(2)) == seconds(0)

    def test_third_failure_asks_to_wait_30_seconds(self, pupil):
        for index in range(2):
            result = sign_in_pupil(pupil, "tablet-1", WRONG, START + seconds(index))
            assert result.wait_seconds == 0
        result = sign_in_pupil(pupil, "tablet-1", WRONG, START + seconds(2))
        assert result.outcome == SignInOutcome.WRONG_PICTURES
        assert result.wait_seconds == 30

    def test_throttled_pupil_refused_even_with_right_pictures(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        result = sign_in_pupil(pupil, "tablet-1", PASSWORD, START + seconds(10))
        assert result.outcome == SignInOutcome.THROTTLED
        assert result.user is None

    def test_throttled_try_is_not_recorded(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        sign_in_pupil(pupil, "tablet-1", PASSWORD, START + seconds(10))
        assert SignInAttempt.objects.filter(pupil=pupil).count() == 3

    def test_throttled_result_tells_remaining_wait(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        result = sign_in_pupil(pupil, "tablet-1", PASSWORD, START + seconds(12))
        assert result.wait_seconds == 20

    def test_wait_over_allows_right_pictures(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        result = sign_in_pupil(pupil, "tablet-1", PASSWORD, START + seconds(33))
        assert result.outcome == SignInOutcome.SIGNED_IN

    def test_wait_grows_with_each_failure(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        fourth = sign_in_pupil(pupil, "tablet-1", WRONG, START + seconds(40))
        assert fourth.wait_seconds == 60

    def test_wait_stops_growing_at_device_cap(self, pupil):
        moment = START
        for _ in range(9):
            moment += seconds(301)
            result = sign_in_pupil(pupil, "tablet-1", WRONG, moment)
        assert result.wait_seconds == 300

    def test_success_resets_device_count(self, pupil):
        self.fail(pupil, "tablet-1", 2)
        sign_in_pupil(pupil, "tablet-1", PASSWORD, START + seconds(5))
        self.fail(pupil, "tablet-1", 2, start=START + seconds(10))
        assert throttle_wait(pupil.pk, "tablet-1", START + seconds(12)) == seconds(0)

    def test_old_failures_are_forgotten(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        later = START + dt.timedelta(hours=1, seconds=5)
        assert throttle_wait(pupil.pk, "tablet-1", later) == seconds(0)

    def test_classmate_not_blocked(self, pupil, classroom):
        classmate = make_pupil(classroom, "Tom", picture_password="moon,star,tree")
        self.fail(pupil, "tablet-1", 5)
        result = sign_in_pupil(
            classmate, "tablet-1", ["moon", "star", "tree"], START + seconds(6)
        )
        assert result.outcome == SignInOutcome.SIGNED_IN

    def test_other_device_not_blocked(self, pupil):
        self.fail(pupil, "tablet-1", 5)
        assert throttle_wait(pupil.pk, "tablet-2", START + seconds(6)) == seconds(0)
        result = sign_in_pupil(pupil, "tablet-2", PASSWORD, START + seconds(6))
        assert result.outcome == SignInOutcome.SIGNED_IN

    def test_success_elsewhere_does_not_free_guessing_device(self, pupil):
        self.fail(pupil, "tablet-1", 3)
        sign_in_pupil(pupil, "tablet-2", PASSWORD, START + seconds(4))
        assert throttle_wait(pupil.pk, "tablet-1", START + seconds(5)) > seconds(0)

    def test_cap_across_devices_blocks_new_device(self, pupil):
        for index in range(10):
            self.fail(pupil, f"tablet-{index}", 1, start=START + seconds(index))
        wait = throttle_wait(pupil.pk, "tablet-new", START + seconds(10))
        assert wait == seconds(60 - 1)

    def test_cap_across_devices_stays_short(self, pupil):
        moment = START
        for index in range(30):
            moment += seconds(121)
            sign_in_pupil(pupil, f"tablet-{index}", WRONG, moment)
        wait = throttle_wait(pupil.pk, "tablet-new", moment)
        assert wait == PUPIL_RULE.max_wait

    def test_cap_across_devices_spares_classmates(self, pupil, classroom):
        classmate = make_pupil(classroom, "Tom", picture_password="moon,star,tree")
        for index in range(12):
            self.fail(pupil, f"tablet-{index}", 1, start=START + seconds(index))
        wait = throttle_wait(classmate.pk, "tablet-new", START + seconds(12))
        assert wait == seconds(0)

    def test_pupil_who_left_cannot_sign_in(self, pupil):
        pupil.left_on = dt.date(2026, 11, 1)
        pupil.save()
        result = sign_in_pupil(pupil, "tablet-1", PASSWORD, START)
        assert result.outcome == SignInOutcome.WINDOW_CLOSED

    def test_no_window_means_no_sign_in(self, pupil):
        result = sign_in_pupil(pupil, "tablet-1", PASSWORD, START - seconds(60))
        assert result.outcome == SignInOutcome.WINDOW_CLOSED
