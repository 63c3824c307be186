"""The status of each class in each wave: not started, open, done or missed.

The status follows from the wave's window in the school's time zone, the class's
`WaveSession` and its reopenings, the share of enrolled pupils who finished, and the
current time. Once pupils can no longer answer (the teacher closed the wave, or its
dates ended), a class is done when the share of finished pupils reaches the campaign's
completion target, and missed below it. A class that never started the wave is missed
once its window has ended. A class where every pupil finished is done at once.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Response, Wave, WaveReopening, WaveSession
from assessment.services import active_reopening, school_zone, wave_window_for
from schools.models import Classroom, Pupil


class WaveStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("pas commencée")
    OPEN = "open", _("ouverte")
    DONE = "done", _("terminée")
    MISSED = "missed", _("manquée")


def class_wave_status(
    *,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    session: WaveSession | None,
    reopening: WaveReopening | None,
    enrolled: int,
    completed: int,
    completion_target: int,
    now: dt.datetime,
) -> WaveStatus:
    """Return the status of one class in one wave at `now`.

    `opens_at` and `closes_at` are the window's instants for the class's school,
    `reopening` the reopening running at `now` if any, and `completion_target` a
    percentage of the `enrolled` pupils.
    """
    if enrolled and completed >= enrolled:
        return WaveStatus.DONE
    if reopening is not None:
        return WaveStatus.OPEN
    if now < opens_at:
        return WaveStatus.NOT_STARTED
    if now < closes_at:
        if session is None:
            return WaveStatus.NOT_STARTED
        if session.closed_at is None:
            return WaveStatus.OPEN
    # Pupils can no longer answer: the teacher closed the wave or its dates ended.
    if (
        session is not None
        and enrolled
        and completed * 100 >= (completion_target * enrolled)
    ):
        return WaveStatus.DONE
    return WaveStatus.MISSED


@dataclass(frozen=True)
class ClassWaveState:
    """One cell of the campaign grid: a class in a wave, at one moment."""

    wave: Wave
    classroom: Classroom
    status: WaveStatus
    session: WaveSession | None
    reopening: WaveReopening | None
    enrolled: int
    completed: int
    # True when today, in the school's time zone, is inside the wave's dates.
    window_open: bool
    # True when pupils may answer under the regular rule: started, not closed, and
    # inside the dates. A reopening is reported by `reopening` instead.
    active: bool

    @property
    def percent_completed(self) -> int | None:
        if not self.enrolled:
            return None
        return round(100 * self.completed / self.enrolled)

    @property
    def reopened_until(self) -> dt.date | None:
        """The last day of the running reopening, in the school's time zone."""
        if self.reopening is None:
            return None
        local_end = self.reopening.closes_at.astimezone(school_zone(self.classroom))
        return local_end.date() - dt.timedelta(days=1)

    @property
    def may_start(self) -> bool:
        return self.window_open and not self.active

    @property
    def may_close(self) -> bool:
        return self.active or self.reopening is not None

    @property
    def may_reopen(self) -> bool:
        return (
            self.session is not None
            and not self.active
            and self.reopening is None
            and self.completed < self.enrolled
        )


def wave_states(
    waves: Sequence[Wave],
    classes: Sequence[Classroom],
    now: dt.datetime | None = None,
) -> dict[tuple[int, int], ClassWaveState]:
    """Return the state of every class in every wave, keyed by (wave pk, class pk).

    Only pairs where the class is in the wave's campaign are returned. Runs a fixed
    number of queries, whatever the number of waves and classes. Each class needs
    `school__academie` loaded, or costs a query for its time zone.
    """
    now = now or timezone.now()
    if not waves or not classes:
        return {}
    members = _campaign_members(waves, classes)
    sessions = {
        (session.wave_id, session.classroom_id): session
        for session in WaveSession.objects.filter(
            wave__in=waves, classroom__in=classes
        ).prefetch_related("reopenings")
    }
    enrolled = _enrolled_counts(classes)
    completed = _completed_counts(waves, classes)
    states = {}
    for wave in waves:
        for classroom in classes:
            key = (wave.pk, classroom.pk)
            if key not in members:
                continue
            session = sessions.get(key)
            if session is not None:
                session.wave, session.classroom = wave, classroom
            states[key] = _state(
                wave,
                classroom,
                session,
                enrolled.get(classroom.pk, 0),
                completed.get(key, 0),
                now,
            )
    return states


def _state(
    wave: Wave,
    classroom: Classroom,
    session: WaveSession | None,
    enrolled: int,
    completed: int,
    now: dt.datetime,
) -> ClassWaveState:
    opens_at, closes_at = wave_window_for(wave, classroom)
    reopening = active_reopening(session, now) if session is not None else None
    status = class_wave_status(
        opens_at=opens_at,
        closes_at=closes_at,
        session=session,
        reopening=reopening,
        enrolled=enrolled,
        completed=completed,
        completion_target=wave.campaign.completion_target,
        now=now,
    )
    window_open = opens_at <= now < closes_at
    return ClassWaveState(
        wave=wave,
        classroom=classroom,
        status=status,
        session=session,
        reopening=reopening,
        enrolled=enrolled,
        completed=completed,
        window_open=window_open,
        active=window_open and session is not None and session.closed_at is None,
    )


def _campaign_members(
    waves: Iterable[Wave], classes: Iterable[Classroom]
) -> set[tuple[int, int]]:
    membership = Classroom.campaigns.through.objects.filter(
        campaign__in={wave.campaign_id for wave in waves},
        classroom__in=classes,
    ).values_list("campaign_id", "classroom_id")
    classes_by_campaign: dict[int, set[int]] = {}
    for campaign_id, classroom_id in membership:
        classes_by_campaign.setdefault(campaign_id, set()).add(classroom_id)
    return {
        (wave.pk, classroom_id)
        for wave in waves
        for classroom_id in classes_by_campaign.get(wave.campaign_id, set())
    }


def _enrolled_counts(classes: Iterable[Classroom]) -> dict[int, int]:
    rows = (
        Pupil.objects.filter(classroom__in=classes, left_on=None)
        .values("classroom_id")
        .annotate(count=Count("pk"))
    )
    return {row["classroom_id"]: row["count"] for row in rows}


def _completed_counts(
    waves: Iterable[Wave], classes: Iterable[Classroom]
) -> dict[tuple[int, int], int]:
    rows = (
        Response.objects.filter(
            wave__in=waves,
            completed_at__isnull=False,
            pupil__classroom__in=classes,
            pupil__left_on=None,
        )
        .values("wave_id", "pupil__classroom_id")
        .annotate(count=Count("pk"))
    )
    return {(row["wave_id"], row["pupil__classroom_id"]): row["count"] for row in rows}


def local_today(classroom: Classroom, now: dt.datetime | None = None) -> dt.date:
    """Return today's date in the time zone of `classroom`'s school."""
    return (now or timezone.now()).astimezone(school_zone(classroom)).date()
