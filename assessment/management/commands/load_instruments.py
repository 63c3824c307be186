"""Load a folder of instrument files into the database: `iota load-instruments DIR`."""

from django.conf import settings
from django.utils.translation import gettext as _

from assessment.instruments import sync_instruments
from iota.definition_commands import LoadDefinitionsCommand
from iota.definition_sync import SyncReport


class Command(LoadDefinitionsCommand):
    help = _(
        "Charge chaque fichier d’instrument *.yaml du dossier DIR (par défaut, les "
        "instruments livrés) et crée ou met à jour les instruments, repérés par leur "
        "clé et leur version."
    )

    def default_directory(self) -> str:
        return str(settings.IOTA_INSTRUMENTS_DIR)

    def directory_help(self) -> str:
        return _("dossier des fichiers d’instrument (par défaut : %(default)s)")

    def sync(self, directory: str) -> SyncReport:
        return sync_instruments(directory)

    def labels(self) -> tuple[str, str, str]:
        return _("créé"), _("mis à jour"), _("inchangé")

    def totals(self, report: SyncReport) -> str:
        return _(
            "%(created)s créé(s), %(updated)s mis à jour, %(unchanged)s inchangé(s)"
        ) % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        }
