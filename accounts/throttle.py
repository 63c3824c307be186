"""The throttle that slows picture-password guessing without locking a class out.

Two rules apply to each pupil, and the longer wait wins:

- per pupil and device: after 3 wrong sequences on one device, the next try waits
  30 s, then 60 s, 120 s and so on up to 5 minutes. Only a success on that device
  resets the count, so the real pupil signing in elsewhere does not free a guesser.
- per pupil across all devices: after 10 wrong sequences, each further try waits 1
  minute, then 2 minutes at most. This slows a guesser who moves between tablets or
  clears cookies, and stays short so a confused pupil is never locked out for long.

Failures are counted since the last success in that scope and within `LOOKBACK`. No
rule ever spans pupils, so one pupil's mistakes never block a classmate, and one
device's failures delay another device only through the short per-pupil rule.

NOTE: with these numbers a guesser who switches devices gets about 40 tries an hour
for one pupil out of 3,360 sequences (16 × 15 × 14). The sign-in window, which is
open only while the teacher is in class, is the main protection.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.models import SignInAttempt

LOOKBACK = timedelta(hours=1)
# More attempts than either rule needs to reach its maximum wait within LOOKBACK.
MAX_ATTEMPTS_READ = 200


@dataclass(frozen=True)
class ThrottleRule:
    """Free failures, then a wait doubling from `first_wait` up to `max_wait`."""

    free_failures: int
    first_wait: timedelta
    max_wait: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """Return how long to wait after the last of `failures` consecutive failures."""
        if failures < self.free_failures:
            return timedelta(0)
        # Capping the exponent keeps the multiplication small; max_wait caps the rest.
        doublings = min(failures - self.free_failures, 20)
        return min(self.first_wait * 2**doublings, self.max_wait)


DEVICE_RULE = ThrottleRule(3, timedelta(seconds=30), timedelta(minutes=5))
PUPIL_RULE = ThrottleRule(10, timedelta(minutes=1), timedelta(minutes=2))


@dataclass
class _FailureRun:
    count: int = 0
    last_failure: datetime | None = None
    closed: bool = False

    def add(self, succeeded: bool, attempted_at: datetime) -> None:
        if self.closed:
            return
        if succeeded:
            self.closed = True
            return
        self.count += 1
        if self.last_failure is None:
            self.last_failure = attempted_at

    def blocked_until(self, rule: ThrottleRule) -> datetime | None:
        if self.last_failure is None:
            return None
        return self.last_failure + rule.wait_after(self.count)


def throttle_wait(pupil_id: int, device: str, now: datetime) -> timedelta:
    """Return how long the pupil must wait before trying on `device`, or zero."""
    attempts = SignInAttempt.objects.filter(
        pupil_id=pupil_id,
        attempted_at__gt=now - LOOKBACK,
        attempted_at__lte=now,
    ).order_by("-attempted_at", "-pk")[:MAX_ATTEMPTS_READ]

    on_device = _FailureRun()
    anywhere = _FailureRun()
    for attempt_device, succeeded, attempted_at in attempts.values_list(
        "device", "succeeded", "attempted_at"
    ):
        anywhere.add(succeeded, attempted_at)
        if attempt_device == device:
            on_device.add(succeeded, attempted_at)
        if on_device.closed and anywhere.closed:
            break

    wait = timedelta(0)
    for run, rule in ((on_device, DEVICE_RULE), (anywhere, PUPIL_RULE)):
        until = run.blocked_until(rule)
        if until is not None and until - now > wait:
            wait = until - now
    return wait


def wait_in_seconds(wait: timedelta) -> int:
    """Round a wait up to whole seconds, so a pupil never retries a moment too soon."""
    return math.ceil(wait.total_seconds())
