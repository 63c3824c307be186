"""`iota check-instrument FILE...`: validate instrument files without loading them."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.instruments import InstrumentFileError, load_instrument_file


class Command(BaseCommand):
    help = (
        "Check instrument files against the schema and print every problem with its "
        "file, line and field; exit with status 1 when a file is invalid."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: object, **options: object) -> None:
        failed = 0
        for path in options["files"]:  # type: ignore[attr-defined]
            try:
                definition = load_instrument_file(path)
            except InstrumentFileError as error:
                failed += 1
                self.stderr.write(str(error))
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    f"{path}: valid ({definition.key} {definition.version}, "
                    f"{len(definition.items)} items, {len(definition.scales)} scales)"
                )
            )
        if failed:
            raise CommandError(f"{failed} invalid instrument file(s)")
