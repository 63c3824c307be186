"""`iota check-task FILE...`: validate task files without loading them."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from performance.definitions import TaskFileError, load_task_file


class Command(BaseCommand):
    help = _(
        "Vérifie des fichiers de tâche selon le schéma et affiche chaque problème avec "
        "son fichier, sa ligne et son champ ; sort avec le code 1 si un fichier est "
        "invalide."
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
                definition = load_task_file(path)
            except TaskFileError as error:
                failed += 1
                self.stderr.write(str(error))
                continue
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(path)s : valide (%(key)s %(version)s, %(type)s, %(skill)s)")
                    % {
                        "path": path,
                        "key": definition.key,
                        "version": definition.version,
                        "type": definition.type,
                        "skill": definition.skill,
                    }
                )
            )
        if failed:
            raise CommandError(
                _("%(count)s fichier(s) de tâche invalide(s)") % {"count": failed}
            )
