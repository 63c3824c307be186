"""E-mail reminders to teachers before and during each wave's window.

A teacher gets one e-mail a few days before a wave opens, and one a few days before it
closes if one of their classes has not started it or has pupils who have not finished.
Each (teacher, wave, kind) pair is e-mailed at most once: the `Reminder` row is written
in the same transaction as the e-mail is sent, and its unique constraint stops a
second run, even a concurrent one, from sending it again. Days are counted in each
school's time zone. Run `iota send-reminders` (or the `send_reminders_task` task) at
least once a day.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from assessment.models import Reminder, ReminderKind, Wave
from assessment.status import ClassWaveState, WaveStatus, local_today, wave_states
from schools.models import Classroom

logger = logging.getLogger(__name__)

# The opening reminder goes out from this many days before the first day of the wave.
OPENING_NOTICE_DAYS = 3
# The closing reminder goes out from this many days before the last day of the wave.
CLOSING_NOTICE_DAYS = 2


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send now: one teacher, one wave, the classes it is about."""

    teacher: User
    wave: Wave
    kind: ReminderKind
    states: tuple[ClassWaveState, ...]


@dataclass(frozen=True)
class ReminderReport:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


def is_due(state: ClassWaveState, kind: ReminderKind, now: dt.datetime) -> bool:
    """Tell whether the class of `state` calls for a reminder of `kind` at `now`."""
    today = local_today(state.classroom, now)
    wave = state.wave
    if kind == ReminderKind.OPENING:
        notice = wave.opens_on - dt.timedelta(days=OPENING_NOTICE_DAYS)
        return notice <= today < wave.opens_on
    notice = wave.closes_on - dt.timedelta(days=CLOSING_NOTICE_DAYS)
    return (
        notice <= today <= wave.closes_on
        and state.enrolled > 0
        and state.status != WaveStatus.DONE
    )


def due_reminders(now: dt.datetime | None = None) -> list[DueReminder]:
    """Return the reminders due at `now` that were not sent yet."""
    now = now or timezone.now()
    waves = _candidate_waves(now)
    if not waves:
        return []
    classes = list(
        Classroom.objects.filter(campaigns__in={wave.campaign_id for wave in waves})
        .select_related("school__academie")
        .prefetch_related("teachers")
        .distinct()
    )
    sent = set(
        Reminder.objects.filter(wave__in=waves).values_list(
            "teacher_id", "wave_id", "kind"
        )
    )
    grouped: dict[tuple[int, int, str], list[ClassWaveState]] = {}
    teachers: dict[int, User] = {}
    for state in wave_states(waves, classes, now).values():
        for kind in ReminderKind:
            if not is_due(state, kind, now):
                continue
            for teacher in _recipients(state.classroom):
                key = (teacher.pk, state.wave.pk, kind.value)
                if key in sent:
                    continue
                teachers[teacher.pk] = teacher
                grouped.setdefault(key, []).append(state)
    waves_by_pk = {wave.pk: wave for wave in waves}
    return [
        DueReminder(
            teacher=teachers[teacher_pk],
            wave=waves_by_pk[wave_pk],
            kind=ReminderKind(kind),
            states=tuple(sorted(states, key=lambda state: state.classroom.label)),
        )
        for (teacher_pk, wave_pk, kind), states in sorted(grouped.items())
    ]


def _candidate_waves(now: dt.datetime) -> list[Wave]:
    # Local dates differ from the UTC date by at most one day, so a margin of one day
    # on each side catches every school's time zone.
    today = now.astimezone(dt.UTC).date()
    one_day = dt.timedelta(days=1)
    opening = (
        today - one_day,
        today + dt.timedelta(days=OPENING_NOTICE_DAYS) + one_day,
    )
    closing = (
        today - one_day,
        today + dt.timedelta(days=CLOSING_NOTICE_DAYS) + one_day,
    )
    return list(
        Wave.objects.filter(
            Q(opens_on__range=opening) | Q(closes_on__range=closing)
        ).select_related("campaign")
    )


def _recipients(classroom: Classroom) -> Iterable[User]:
    return [
        teacher
        for teacher in classroom.teachers.all()
        if teacher.is_active and teacher.email
    ]


def send_reminders(now: dt.datetime | None = None) -> ReminderReport:
    """Send every reminder due at `now`, each at most once, and report the counts."""
    now = now or timezone.now()
    if not settings.IOTA_SITE_URL:
        raise ImproperlyConfigured(
            "IOTA_SITE_URL is empty: set it to the platform's address, such as "
            "https://iota.example.org, so reminders can link to the class pages."
        )
    sent = already_sent = failed = 0
    for reminder in due_reminders(now):
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    teacher=reminder.teacher,
                    wave=reminder.wave,
                    kind=reminder.kind,
                    sent_at=now,
                )
                # NOTE: if the commit fails after the mail server accepted the
                # message, the next run sends the reminder again.
                build_message(reminder).send(using="default")
        except IntegrityError:
            # A concurrent run stored and sent this reminder first.
            already_sent += 1
        except OSError:
            # The row was rolled back with the failed send, so the next run retries.
            failed += 1
            logger.exception(
                "Sending the %s reminder of wave %s to user %s failed.",
                reminder.kind,
                reminder.wave.pk,
                reminder.teacher.pk,
            )
        else:
            sent += 1
            logger.info(
                "Sent the %s reminder of wave %s to user %s.",
                reminder.kind,
                reminder.wave.pk,
                reminder.teacher.pk,
            )
    return ReminderReport(sent=sent, already_sent=already_sent, failed=failed)


def class_page_url(classroom: Classroom) -> str:
    """Return the absolute address of the class's waves page."""
    path = reverse("assessment:class-waves", args=[classroom.pk])
    return f"{settings.IOTA_SITE_URL}{path}"


def build_message(reminder: DueReminder) -> EmailMessage:
    """Return the French e-mail of `reminder`, ready to send."""
    wave = reminder.wave
    with translation.override("fr"):
        context = {
            "teacher": reminder.teacher,
            "wave": wave,
            "campaign": wave.campaign,
            "opens_on": date_format(wave.opens_on, "l j F Y"),
            "closes_on": date_format(wave.closes_on, "l j F Y"),
            "classes": [
                {"state": state, "url": class_page_url(state.classroom)}
                for state in reminder.states
            ],
        }
        if reminder.kind == ReminderKind.OPENING:
            subject = _("IOTA · La vague %(label)s s’ouvre le %(day)s") % {
                "label": wave.label,
                "day": date_format(wave.opens_on, "j F"),
            }
            template = "assessment/email/reminder_opening.txt"
        else:
            subject = _("IOTA · La vague %(label)s se ferme le %(day)s") % {
                "label": wave.label,
                "day": date_format(wave.closes_on, "j F"),
            }
            template = "assessment/email/reminder_closing.txt"
        body = render_to_string(template, context).strip() + "\n"
    address = reminder.teacher.email
    if not address:
        # due_reminders leaves out teachers without an address.
        raise ValueError(f"user {reminder.teacher.pk} has no e-mail address")
    return EmailMessage(subject=subject, body=body, to=[address])
