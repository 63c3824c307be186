"""Load a folder of instrument files into the database: `iota load-instruments DIR`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.instruments import InstrumentSyncError, sync_instruments


class Command(BaseCommand):
    help = (
        "Load every *.yaml instrument file of DIR (default: the shipped instruments) "
        "and create or update the instruments, keyed by key and version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.IOTA_INSTRUMENTS_DIR),
            help="folder of instrument files (default: %(default)s)",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = sync_instruments(str(options["directory"]))
        except InstrumentSyncError as error:
            raise CommandError(f"nothing was loaded:\n{error}") from error
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged"
            )
        )
