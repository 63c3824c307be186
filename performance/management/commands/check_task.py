"""`iota check-task FILE...`: validate task files without loading them."""

from django.utils.translation import gettext as _

from iota.definition_commands import CheckDefinitionsCommand
from performance.definitions import TaskDefinition, load_task_file


class Command(CheckDefinitionsCommand):
    help = _(
        "Vérifie des fichiers de tâche selon le schéma et affiche chaque problème avec "
        "son fichier, sa ligne et son champ ; sort avec le code 1 si un fichier est "
        "invalide."
    )

    def load(self, path: str) -> TaskDefinition:
        return load_task_file(path)

    def describe(self, path: str, definition: TaskDefinition) -> str:
        return _("%(path)s : valide (%(key)s %(version)s, %(type)s, %(skill)s)") % {
            "path": path,
            "key": definition.key,
            "version": definition.version,
            "type": definition.type,
            "skill": definition.skill,
        }

    def invalid_message(self, count: int) -> str:
        return _("%(count)s fichier(s) de tâche invalide(s)") % {"count": count}
