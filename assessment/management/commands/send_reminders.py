"""`iota send-reminders`: e-mail teachers about the waves opening or closing soon."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.reminders import due_reminders, send_reminders
from assessment.tasks import send_reminders_task


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
