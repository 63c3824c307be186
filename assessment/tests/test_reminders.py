"""Reminder e-mails to teachers: when they are due, what they say, sent once."""

import datetime as dt
import socket
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessment import reminders
from assessment.management.commands.send_reminders import repeat_until_stopped
from assessment.models import Reminder, ReminderKind, Response, Wave, WaveSession
from assessment.reminders import due_reminders, send_reminders
from assessment.tasks import send_reminders_task
from assessment.tests.conftest import make_pupil
from conftest import make_user

UTC = dt.UTC
# The wave runs from Monday 8 to Friday 19 March 2027. Paris is at UTC+1 then.
OPENING_DUE = dt.datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
CLOSING_DUE = dt.datetime(2027, 3, 17, 9, 0, tzinfo=UTC)


@pytest.fixture
def march_wave(campaign) -> Wave:
    return Wave.objects.create(
        campaign=campaign,
        label="T2",
        opens_on=dt.date(2027, 3, 8),
        closes_on=dt.date(2027, 3, 19),
    )


@pytest.fixture
def two_pupils(classroom):
    return make_pupil(classroom, "Léa"), make_pupil(classroom, "Noé")


def class_url(classroom) -> str:
    path = reverse("assessment:class-waves", args=[classroom.pk])
    return f"{settings.IOTA_SITE_URL}{path}"


@pytest.mark.django_db
class TestOpeningReminder:
    def test_sent_three_days_before(self, march_wave, classroom, teacher):
        report = send_reminders(OPENING_DUE)
        assert report.sent == 1
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [teacher.email]
        assert message.subject == "IOTA · La vague T2 s’ouvre le 8 mars"

    def test_body_names_window_and_link(self, march_wave, classroom):
        send_reminders(OPENING_DUE)
        body = mail.outbox[0].body
        assert body.startswith("Bonjour Claire,")
        assert "s’ouvre le lundi 8 mars 2027" in body
        assert "se ferme le vendredi 19 mars 2027" in body
        assert f"- {classroom.label} : {class_url(classroom)}" in body

    def test_not_sent_four_days_before(self, march_wave, classroom):
        report = send_reminders(OPENING_DUE - dt.timedelta(days=1))
        assert report.sent == 0
        assert mail.outbox == []

    def test_not_sent_once_wave_opened(self, march_wave, classroom):
        send_reminders(dt.datetime(2027, 3, 8, 9, 0, tzinfo=UTC))
        assert not any("s’ouvre" in message.subject for message in mail.outbox)

    def test_rerun_sends_nothing(self, march_wave, classroom):
        send_reminders(OPENING_DUE)
        second = send_reminders(OPENING_DUE + dt.timedelta(hours=6))
        third = send_reminders(OPENING_DUE + dt.timedelta(days=1))
        assert second.sent == 0
        assert third.sent == 0
        assert len(mail.outbox) == 1
        assert Reminder.objects.count() == 1

    def test_sent_reminder_recorded(self, march_wave, classroom, teacher):
        send_reminders(OPENING_DUE)
        reminder = Reminder.objects.get()
        assert reminder.teacher == teacher
        assert reminder.wave == march_wave
        assert reminder.kind == ReminderKind.OPENING
        assert reminder.sent_at == OPENING_DUE

    def test_one_email_for_two_classes(
        self, march_wave, campaign, classroom, other_classroom, teacher
    ):
        other_classroom.teachers.add(teacher)
        campaign.classes.add(other_classroom)
        send_reminders(OPENING_DUE)
        mine = [m for m in mail.outbox if m.to == [teacher.email]]
        assert len(mine) == 1
        assert class_url(classroom) in mine[0].body
        assert class_url(other_classroom) in mine[0].body

    def test_each_teacher_of_class_gets_one(self, march_wave, classroom, colleague):
        classroom.teachers.add(colleague)
        send_reminders(OPENING_DUE)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            ["enseignante@example.org", "collegue@example.org"]
        )

    def test_inactive_teacher_skipped(self, march_wave, classroom, teacher):
        teacher.is_active = False
        teacher.save(update_fields=["is_active"])
        assert send_reminders(OPENING_DUE).sent == 0

    def test_reunion_day_comes_first(
        self, march_wave, campaign, classroom, reunion_classroom, teacher
    ):
        reunion_teacher = make_user(Role.TEACHER, "payet@example.org")
        reunion_classroom.teachers.set([reunion_teacher])
        campaign.classes.add(reunion_classroom)
        # 21:00 UTC on 4 March is 22:00 in Paris but 01:00 on 5 March in Saint-Denis.
        send_reminders(dt.datetime(2027, 3, 4, 21, 0, tzinfo=UTC))
        assert [message.to for message in mail.outbox] == [["payet@example.org"]]


@pytest.mark.django_db
class TestClosingReminder:
    def test_sent_when_not_started(self, march_wave, classroom, two_pupils):
        send_reminders(CLOSING_DUE)
        message = mail.outbox[0]
        assert message.subject == "IOTA · La vague T2 se ferme le 19 mars"
        assert f"- {classroom.label} : la vague n’est pas encore lancée." in (
            message.body
        )

    def test_sent_when_incomplete(self, march_wave, classroom, teacher, two_pupils):
        WaveSession.objects.create(wave=march_wave, classroom=classroom)
        Response.objects.create(
            wave=march_wave, pupil=two_pupils[0], completed_at=CLOSING_DUE
        )
        send_reminders(CLOSING_DUE)
        assert "1 élève sur 2 a terminé." in mail.outbox[0].body

    def test_not_sent_when_everyone_finished(self, march_wave, classroom, two_pupils):
        WaveSession.objects.create(wave=march_wave, classroom=classroom)
        for pupil in two_pupils:
            Response.objects.create(
                wave=march_wave, pupil=pupil, completed_at=CLOSING_DUE
            )
        assert send_reminders(CLOSING_DUE).sent == 0

    def test_not_sent_three_days_before_close(self, march_wave, classroom, two_pupils):
        assert send_reminders(CLOSING_DUE - dt.timedelta(days=1)).sent == 0

    def test_not_sent_for_class_without_pupils(self, march_wave, classroom):
        assert send_reminders(CLOSING_DUE).sent == 0

    def test_opening_and_closing_are_separate(self, march_wave, classroom, two_pupils):
        send_reminders(OPENING_DUE)
        send_reminders(CLOSING_DUE)
        send_reminders(CLOSING_DUE + dt.timedelta(days=1))
        kinds = sorted(Reminder.objects.values_list("kind", flat=True))
        assert kinds == ["closing", "opening"]
        assert len(mail.outbox) == 2


def closed_port() -> int:
    """Return a loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
class TestSendingFailures:
    def test_failed_send_retried_next_run(self, march_wave, classroom):
        unreachable = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
            }
        }
        with override_settings(MAILERS=unreachable):
            failed = send_reminders(OPENING_DUE)
        assert failed.failed == 1
        assert not Reminder.objects.exists()
        retried = send_reminders(OPENING_DUE)
        assert retried.sent == 1
        assert len(mail.outbox) == 1

    def test_concurrent_run_counted_as_already_sent(
        self, march_wave, classroom, teacher, monkeypatch
    ):
        stale = due_reminders(OPENING_DUE)
        # Another run stores and sends the reminder after this one listed it.
        Reminder.objects.create(
            teacher=teacher, wave=march_wave, kind=ReminderKind.OPENING
        )
        monkeypatch.setattr(reminders, "due_reminders", lambda now: stale)
        report = send_reminders(OPENING_DUE)
        assert report.already_sent == 1
        assert report.sent == 0
        assert mail.outbox == []

    @pytest.mark.django_db(transaction=True)
    def test_concurrent_runs_send_once(self, march_wave, classroom):
        if connection.vendor == "sqlite":
            # The suite's in-memory SQLite database runs in shared-cache mode, whose
            # table locks fail at once instead of waiting for the busy timeout.
            pytest.skip("concurrent writers need PostgreSQL or a file SQLite database")
        barrier = threading.Barrier(4)
        reports, errors = [], []

        def run() -> None:
            try:
                barrier.wait(timeout=10)
                reports.append(send_reminders(OPENING_DUE))
            except Exception as error:  # reported by the asserts below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert sum(report.sent for report in reports) == 1
        assert len(mail.outbox) == 1
        assert Reminder.objects.count() == 1

    @override_settings(IOTA_SITE_URL="")
    def test_missing_site_url_rejected(self, march_wave, classroom):
        with pytest.raises(ImproperlyConfigured, match="IOTA_SITE_URL"):
            send_reminders(OPENING_DUE)


@pytest.fixture
def wave_opening_soon(campaign) -> Wave:
    """A wave opening in two days, Paris time, so reminders are due today."""
    today = timezone.localdate()
    return Wave.objects.create(
        campaign=campaign,
        label="T1",
        opens_on=today + dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=12),
    )


@pytest.mark.django_db
class TestCommandAndTask:
    def test_command_sends_and_reports(self, wave_opening_soon, classroom):
        output = StringIO()
        call_command("send_reminders", stdout=output)
        assert "Rappels envoyés : 1" in output.getvalue()
        assert len(mail.outbox) == 1

    def test_dry_run_sends_nothing(self, wave_opening_soon, classroom, teacher):
        output = StringIO()
        call_command("send_reminders", "--dry-run", stdout=output)
        assert mail.outbox == []
        assert f"utilisateur {teacher.pk} · 1 classe" in output.getvalue()
        assert not Reminder.objects.exists()

    def test_enqueue_runs_task(self, wave_opening_soon, classroom):
        output = StringIO()
        call_command("send_reminders", "--enqueue", stdout=output)
        assert "mis en file" in output.getvalue()
        assert len(mail.outbox) == 1

    def test_task_returns_counts(self, wave_opening_soon, classroom):
        result = send_reminders_task.enqueue()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == {"sent": 1, "already_sent": 0, "failed": 0}


class TestRepeat:
    def test_runs_until_stopped(self):
        stop = threading.Event()
        runs = []

        def run():
            runs.append(len(runs))
            if len(runs) == 3:
                stop.set()

        repeat_until_stopped(run, 0.01, stop)
        assert runs == [0, 1, 2]

    def test_stopped_before_start_runs_nothing(self):
        stop = threading.Event()
        stop.set()
        repeat_until_stopped(lambda: pytest.fail("ran after the stop"), 0.01, stop)

    @pytest.mark.django_db
    def test_interval_under_a_minute_rejected(self):
        with pytest.raises(CommandError, match="--every 5 : donnez au moins 60"):
            call_command("send_reminders", "--every", "5")
