"""`iota send-reminders`: e-mail teachers about the waves opening or closing soon."""

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.reminders import due_reminders, send_reminders
from assessment.tasks import send_reminders_task

logger = logging.getLogger(__name__)

# The shortest interval of --every: reminders are counted in days.
MIN_INTERVAL_SECONDS = 60


def repeat_until_stopped(
    run: Callable[[], None], every: float, stop: threading.Event
) -> None:
    """Call `run` now and then every `every` seconds, until `stop` is set."""
    while not stop.is_set():
        run()
        stop.wait(every)


class Command(BaseCommand):
    help = _(
        "Envoie aux enseignants les rappels des vagues qui s’ouvrent ou se ferment "
        "bientôt. Un rappel déjà envoyé ne part jamais une deuxième fois : lancez "
        "la commande au moins une fois par jour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Met l’envoi dans la file des tâches au lieu de l’exécuter ici."),
        )
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help=_(
                "Recommence toutes les SECONDS secondes jusqu’à l’arrêt (Ctrl-C), "
                "comme le fait make demo."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Affiche les rappels à envoyer sans rien envoyer."),
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["dry_run"]:
            for reminder in due_reminders():
                self.stdout.write(
                    ngettext(
                        "%(kind)s · vague %(wave)s · utilisateur %(user)s · "
                        "%(count)s classe",
                        "%(kind)s · vague %(wave)s · utilisateur %(user)s · "
                        "%(count)s classes",
                        len(reminder.states),
                    )
                    % {
                        "kind": reminder.kind.label,
                        "wave": reminder.wave.pk,
                        "user": reminder.teacher.pk,
                        "count": len(reminder.states),
                    }
                )
            return
        if options["enqueue"]:
            result = send_reminders_task.enqueue()
            self.stdout.write(
                _("Envoi des rappels mis en file : tâche %(id)s.") % {"id": result.id}
            )
            return
        every = options["every"]
        if every is None:
            self._send()
            return
        if not isinstance(every, int) or every < MIN_INTERVAL_SECONDS:
            raise CommandError(
                _("--every %(every)s : donnez au moins %(min)s secondes.")
                % {"every": every, "min": MIN_INTERVAL_SECONDS}
            )
        stop = threading.Event()

        def on_signal(number: int, frame: FrameType | None) -> None:
            stop.set()

        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, on_signal)
        repeat_until_stopped(self._send_logging_failure, every, stop)

    def _send_logging_failure(self) -> None:
        # A database that is briefly down must not stop the next runs.
        try:
            self._send()
        except DatabaseError:
            logger.exception("Sending the reminders failed; retrying at the next run.")

    def _send(self) -> None:
        report = send_reminders()
        self.stdout.write(
            _(
                "Rappels envoyés : %(sent)s · déjà envoyés : %(already)s · en "
                "échec : %(failed)s."
            )
            % {
                "sent": report.sent,
                "already": report.already_sent,
                "failed": report.failed,
            }
        )
