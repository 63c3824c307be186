"""Bases of the commands that check and load definition files.

`iota check-instrument` and `iota check-task` validate files without touching
the database; `iota load-instruments` and `iota load-tasks` sync a folder. Each
command names its kind of file and words its messages, and the bases do the
rest.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from iota.definition_sync import DefinitionSyncError, SyncReport
from iota.yaml_schema import SchemaFileError


class CheckDefinitionsCommand(BaseCommand):
    """A command that validates the files it is given and exits 1 if one is invalid."""

    # The check reads files only, so a project check failing elsewhere must not stop it.
    requires_system_checks: list[str] = []

    def load(self, path: str) -> Any:
        """Return the validated definition in `path`, raising SchemaFileError."""
        raise NotImplementedError

    def describe(self, path: str, definition: Any) -> str:
        """Return the line printed for a valid file."""
        raise NotImplementedError

    def invalid_message(self, count: int) -> str:
        """Return the final error when `count` files are invalid."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help=_("fichiers YAML à vérifier")
        )

    def handle(self, *args: object, **options: Any) -> None:
        failed = 0
        for path in options["files"]:
            try:
                definition = self.load(path)
            except SchemaFileError as error:
                failed += 1
                self.stderr.write(str(error))
                continue
            self.stdout.write(self.style.SUCCESS(self.describe(path, definition)))
        if failed:
            raise CommandError(self.invalid_message(failed))


class LoadDefinitionsCommand(BaseCommand):
    """A command that syncs a folder of definition files, all or nothing."""

    def default_directory(self) -> str:
        raise NotImplementedError

    def directory_help(self) -> str:
        """Return the help of the DIR argument, which may use %(default)s."""
        raise NotImplementedError

    def sync(self, directory: str) -> SyncReport:
        raise NotImplementedError

    def labels(self) -> tuple[str, str, str]:
        """Return the words for created, updated and unchanged, agreeing in gender."""
        raise NotImplementedError

    def totals(self, report: SyncReport) -> str:
        """Return the closing line that counts each outcome."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            default=self.default_directory(),
            help=self.directory_help(),
        )

    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = self.sync(str(options["directory"]))
        except DefinitionSyncError as error:
            raise CommandError(
                _("Rien n’a été chargé :\n%(error)s") % {"error": error}
            ) from error
        outcomes = (report.created, report.updated, report.unchanged)
        for label, names in zip(self.labels(), outcomes, strict=True):
            for name in names:
                self.stdout.write(f"{label} : {name}")
        self.stdout.write(self.style.SUCCESS(self.totals(report)))
