"""`iota score FILE.csv --items Q1,Q2,...`: scale statistics for any response CSV."""

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.reports_csv import (
    CsvInputError,
    ScaleRange,
    read_item_csv,
    summarise_item_table,
)
from assessment.statistics import MISSING_RULES


def _key_list(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def _display(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


class Command(BaseCommand):
    # The command reads a file and never the database, so a project check that
    # fails elsewhere should not stop a researcher scoring their data.
    requires_system_checks: list[str] = []
    help = _(
        "Calcule le score d’une échelle, l’alpha de Cronbach avec son IC à 95 %, "
        "l’oméga total et les statistiques des items pour un fichier CSV de réponses "
        "(une ligne par répondant, une colonne par item)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier CSV à lire"))
        parser.add_argument(
            "--items",
            required=True,
            help=_("colonnes des items de l’échelle, séparées par des virgules"),
        )
        parser.add_argument(
            "--reverse",
            default="",
            help=_(
                "items inversés, séparés par des virgules : notés min + max - valeur "
                "(demande --min et --max)"
            ),
        )
        parser.add_argument(
            "--min", type=int, dest="lowest", help=_("point le plus bas de l’échelle")
        )
        parser.add_argument(
            "--max", type=int, dest="highest", help=_("point le plus haut de l’échelle")
        )
        parser.add_argument(
            "--missing",
            choices=MISSING_RULES,
            default="pairwise",
            help=_(
                "réponses manquantes dans l’alpha : pairwise (toutes les paires "
                "disponibles, par défaut) ou listwise (lignes complètes seulement)"
            ),
        )
        parser.add_argument(
            "--min-answered",
            type=float,
            default=0.75,
            help=_(
                "part minimale des items répondus pour avoir un score, de 0 à 1 "
                "(0.75 par défaut, comme les questionnaires de la plateforme)"
            ),
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help=_("format de sortie (text par défaut)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items = _key_list(options["items"])
        reverse = _key_list(options["reverse"])
        scale = self._scale_range(options["lowest"], options["highest"], reverse)
        self._check_keys(items, reverse, options["min_answered"])
        try:
            values = read_item_csv(options["file"], items, scale)
        except CsvInputError as error:
            raise CommandError(str(error)) from error
        summary = summarise_item_table(
            values,
            items,
            reverse,
            scale,
            options["missing"],
            options["min_answered"],
        )
        summary = {"file": str(options["file"]), **summary}
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self._write_text(summary)

    def _scale_range(
        self, lowest: int | None, highest: int | None, reverse: list[str]
    ) -> ScaleRange | None:
        if (lowest is None) != (highest is None):
            raise CommandError(_("Donnez --min et --max ensemble, ou aucun des deux."))
        if lowest is None or highest is None:
            if reverse:
                raise CommandError(
                    _(
                        "--reverse demande --min et --max : un item inversé est noté "
                        "min + max - valeur."
                    )
                )
            return None
        if lowest >= highest:
            raise CommandError(
                _("--min (%(lowest)d) doit être plus petit que --max (%(highest)d).")
                % {"lowest": lowest, "highest": highest}
            )
        return ScaleRange(lowest, highest)

    def _check_keys(
        self, items: list[str], reverse: list[str], min_answered: float
    ) -> None:
        if not items:
            raise CommandError(_("--items est vide : donnez les colonnes des items."))
        repeated = sorted({item for item in items if items.count(item) > 1})
        if repeated:
            raise CommandError(
                _("--items cite plusieurs fois : %(items)s.")
                % {"items": ", ".join(repeated)}
            )
        stray = [item for item in reverse if item not in items]
        if stray:
            raise CommandError(
                _("--reverse cite des items absents de --items : %(items)s.")
                % {"items": ", ".join(stray)}
            )
        if not 0 <= min_answered <= 1:
            raise CommandError(
                _("--min-answered doit être entre 0 et 1, pas %(value)s.")
                % {"value": min_answered}
            )

    def _write_text(self, summary: dict[str, Any]) -> None:
        write = self.stdout.write
        write(
            ngettext(
                "Fichier %(file)s : %(rows)d ligne, %(k)d items",
                "Fichier %(file)s : %(rows)d lignes, %(k)d items",
                summary["rows"],
            )
            % {
                "file": summary["file"],
                "rows": summary["rows"],
                "k": len(summary["items"]),
            }
        )
        if summary["reverse"]:
            write(
                _("Items inversés : %(items)s")
                % {"items": ", ".join(summary["reverse"])}
            )
        score = summary["score"]
        write(
            _("Score de l’échelle : n = %(n)s, moyenne = %(mean)s, écart-type = %(sd)s")
            % {
                "n": score["n"],
                "mean": _display(score["mean"]),
                "sd": _display(score["sd"]),
            }
        )
        alpha = summary["alpha"]
        if alpha["available"]:
            write(
                _(
                    "Alpha de Cronbach (%(missing)s) : %(alpha)s, IC à %(level)s %% "
                    "[%(low)s ; %(high)s], n = %(n)s, lignes complètes = %(complete)s"
                )
                % {
                    "missing": summary["missing"],
                    "alpha": _display(alpha["alpha"]),
                    "level": _display(100 * alpha["ci_level"], 0),
                    "low": _display(alpha["ci_low"]),
                    "high": _display(alpha["ci_high"]),
                    "n": alpha["n"],
                    "complete": alpha["n_complete"],
                }
            )
        else:
            write(_("Alpha de Cronbach : %(reason)s") % {"reason": alpha["message"]})
        omega = summary["omega"]
        if omega["available"]:
            write(
                _("Oméga total : %(omega)s, n = %(n)s")
                % {"omega": _display(omega["omega"]), "n": omega["n"]}
            )
            if omega["heywood"]:
                write(
                    _(
                        "Attention : un item a une variance résiduelle nulle (cas de "
                        "Heywood), l’oméga est surestimé."
                    )
                )
        else:
            write(_("Oméga total : %(reason)s") % {"reason": omega["message"]})
        write(_("item\tn\tmoyenne\técart-type\tr item-reste\talpha sans l’item"))
        for row in summary["item_statistics"]:
            write(
                "\t".join(
                    [
                        row["item"],
                        str(row["n"]),
                        _display(row["mean"]),
                        _display(row["sd"]),
                        _display(row["item_rest_r"]),
                        _display(row["alpha_if_deleted"]),
                    ]
                )
            )
