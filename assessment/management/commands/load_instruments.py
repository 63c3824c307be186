"""Load a folder of instrument files into the database: `iota load-instruments DIR`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.instruments import InstrumentSyncError, sync_instruments


class Command(BaseCommand):
    help = _(
        "Charge chaque fichier d’instrument *.yaml du dossier DIR (par défaut, les "
        "instruments livrés) et crée ou met à jour les instruments, repérés par leur "
        "clé et leur version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.IOTA_INSTRUMENTS_DIR),
            help=_("dossier des fichiers d’instrument (par défaut : %(default)s)"),
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = sync_instruments(str(options["directory"]))
        except InstrumentSyncError as error:
            raise CommandError(
                _("Rien n’a été chargé :\n%(error)s") % {"error": error}
            ) from error
        for label, names in (
            (_("créé"), report.created),
            (_("mis à jour"), report.updated),
            (_("inchangé"), report.unchanged),
        ):
            for name in names:
                self.stdout.write(f"{label} : {name}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(created)s créé(s), %(updated)s mis à jour, "
                    "%(unchanged)s inchangé(s)"
                )
                % {
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                }
            )
        )
