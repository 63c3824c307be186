"""`iota check-instrument FILE...`: validate instrument files without loading them."""

from django.utils.translation import gettext as _

from assessment.instruments import InstrumentDefinition, load_instrument_file
from iota.definition_commands import CheckDefinitionsCommand


class Command(CheckDefinitionsCommand):
    help = _(
        "Vérifie des fichiers d’instrument selon le schéma et affiche chaque problème "
        "avec son fichier, sa ligne et son champ ; sort avec le code 1 si un fichier "
        "est invalide."
    )

    def load(self, path: str) -> InstrumentDefinition:
        return load_instrument_file(path)

    def describe(self, path: str, definition: InstrumentDefinition) -> str:
        return _(
            "%(path)s : valide (%(key)s %(version)s, %(items)s items, "
            "%(scales)s échelle(s))"
        ) % {
            "path": path,
            "key": definition.key,
            "version": definition.version,
            "items": len(definition.items),
            "scales": len(definition.scales),
        }

    def invalid_message(self, count: int) -> str:
        return _("%(count)s fichier(s) d’instrument invalide(s)") % {"count": count}
