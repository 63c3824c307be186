"""Load a folder of task files into the database: `iota load-tasks [DIR]`."""

from django.utils.translation import gettext as _

from iota.definition_commands import LoadDefinitionsCommand
from iota.definition_sync import SyncReport
from performance.definitions import TASKS_DIR, sync_tasks


class Command(LoadDefinitionsCommand):
    help = _(
        "Charge chaque fichier de tâche *.yaml du dossier DIR (par défaut, les tâches "
        "livrées) et crée ou met à jour les tâches, repérées par leur clé et leur "
        "version."
    )

    def default_directory(self) -> str:
        return str(TASKS_DIR)

    def directory_help(self) -> str:
        return _("dossier des fichiers de tâche (par défaut : %(default)s)")

    def sync(self, directory: str) -> SyncReport:
        return sync_tasks(directory)

    def labels(self) -> tuple[str, str, str]:
        return _("créée"), _("mise à jour"), _("inchangée")

    def totals(self, report: SyncReport) -> str:
        return _(
            "%(created)s créée(s), %(updated)s mise(s) à jour, "
            "%(unchanged)s inchangée(s)"
        ) % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        }
