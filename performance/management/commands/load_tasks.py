"""Load a folder of task files into the database: `iota load-tasks [DIR]`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from performance.definitions import TASKS_DIR, TaskSyncError, sync_tasks


class Command(BaseCommand):
    help = _(
        "Charge chaque fichier de tâche *.yaml du dossier DIR (par défaut, les tâches "
        "livrées) et crée ou met à jour les tâches, repérées par leur clé et leur "
        "version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(TASKS_DIR),
            help=_("dossier des fichiers de tâche (par défaut : %(default)s)"),
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = sync_tasks(str(options["directory"]))
        except TaskSyncError as error:
            raise CommandError(
                _("Rien n’a été chargé :\n%(error)s") % {"error": error}
            ) from error
        for label, names in (
            (_("créée"), report.created),
            (_("mise à jour"), report.updated),
            (_("inchangée"), report.unchanged),
        ):
            for name in names:
                self.stdout.write(f"{label} : {name}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(created)s créée(s), %(updated)s mise(s) à jour, "
                    "%(unchanged)s inchangée(s)"
                )
                % {
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                }
            )
        )
