"""`iota content check|load|dump DIR`: validate, publish or write activity files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from activities.services import (
    ContentFolderError,
    check_content_folder,
    dump_content_folder,
    load_content_folder,
)

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "content"


class Command(BaseCommand):
    help = _(
        "Vérifie (check), publie (load) ou écrit (dump) les fichiers d’activité "
        "*.yaml d’un dossier. check n’écrit rien et sort avec le code 1 en listant "
        "chaque erreur avec son fichier, sa ligne et son champ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "load", "dump"])
        parser.add_argument(
            "directory",
            nargs="?",
            help=_(
                "dossier des fichiers d’activité ; par défaut %(folder)s pour check "
                "et load, obligatoire pour dump"
            )
            % {"folder": DEFAULT_FOLDER},
        )

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        directory = options["directory"]
        if directory is None and action == "dump":
            # Dumping into the shipped folder would overwrite the hand-written files.
            raise CommandError(
                _("Indiquez le dossier où écrire : iota content dump DIR")
            )
        folder = Path(str(directory)) if directory is not None else DEFAULT_FOLDER
        if action == "check":
            self._check(folder)
        elif action == "load":
            self._load(folder)
        else:
            written = dump_content_folder(folder)
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(count)s fichier(s) écrit(s) dans %(folder)s")
                    % {"count": len(written), "folder": folder}
                )
            )

    def _check(self, folder: Path) -> None:
        check = check_content_folder(folder)
        for error in check.errors:
            self.stderr.write(str(error))
        if check.errors:
            raise CommandError(
                _("%(count)s fichier(s) d’activité invalide(s)")
                % {"count": len(check.errors)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s activité(s) valide(s) dans %(folder)s")
                % {"count": len(check.contents), "folder": folder}
            )
        )

    def _load(self, folder: Path) -> None:
        try:
            report = load_content_folder(folder)
        except ContentFolderError as error:
            raise CommandError(
                _("Rien n’a été chargé :\n%(error)s") % {"error": error}
            ) from error
        for label, names in (
            (_("publiée"), report.created),
            (_("inchangée"), report.unchanged),
        ):
            for name in names:
                self.stdout.write(f"{label} : {name}")
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)s nouvelle(s) version(s), %(unchanged)s inchangée(s)")
                % {"created": len(report.created), "unchanged": len(report.unchanged)}
            )
        )
