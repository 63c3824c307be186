"""`iota check-instrument FILE...`: validate instrument files without loading them."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.instruments import InstrumentFileError, load_instrument_file


class Command(BaseCommand):
    help = _(
        "Vérifie des fichiers d’instrument selon le schéma et affiche chaque problème "
        "avec son fichier, sa ligne et son champ ; sort avec le code 1 si un fichier "
        "est invalide."
    )
    # The check reads files only, so a project check failing elsewhere must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help=_("fichiers YAML à vérifier")
        )

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
                    _(
                        "%(path)s : valide (%(key)s %(version)s, %(items)s items, "
                        "%(scales)s échelle(s))"
                    )
                    % {
                        "path": path,
                        "key": definition.key,
                        "version": definition.version,
                        "items": len(definition.items),
                        "scales": len(definition.scales),
                    }
                )
            )
        if failed:
            raise CommandError(
                _("%(count)s fichier(s) d’instrument invalide(s)") % {"count": failed}
            )
