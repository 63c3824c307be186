"""`iota mixed FILE.csv --formula 'y ~ x' --groups COLUMN`: a linear mixed model."""

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.cfa import CfaError, read_csv_table
from assessment.management.commands.cfa import describe_cfa_error, display_value
from assessment.mixed import MixedModelError, MixedResult, fit_mixed


def _p_value(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.3g}" if value < 0.001 else f"{value:.3f}"


def describe_mixed_error(error: MixedModelError) -> str:
    """Word a `MixedModelError` in French for the command line, with the fix."""
    details = error.details
    if error.code in ("missing_column", "non_numeric"):
        return describe_cfa_error(CfaError(error.code, str(error), **details))
    if error.code == "formula":
        return _(
            "Formule invalide (%(formula)s) : %(reason)s. Écrivez « réponse ~ "
            "prédicteur + prédicteur » avec des noms de colonnes du fichier."
        ) % {"formula": details["formula"], "reason": str(error)}
    if error.code == "too_few_groups":
        return _(
            "La colonne des groupes ne contient que %(found)d groupe(s) parmi les "
            "lignes complètes ; un modèle mixte en demande au moins 2."
        ) % {"found": details["found"]}
    return str(error)


class Command(BaseCommand):
    help = _(
        "Modèle linéaire mixte (comme lme4 : effets fixes, effets aléatoires par "
        "groupe) d’un fichier CSV, avec les ddl de Satterthwaite de lmerTest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier CSV à lire"))
        parser.add_argument(
            "--formula",
            required=True,
            help=_("partie fixe, syntaxe patsy : 'score ~ vague + bras'"),
        )
        parser.add_argument(
            "--groups", required=True, help=_("colonne des groupes (classe, élève…)")
        )
        parser.add_argument(
            "--re",
            dest="re_formula",
            help=_(
                "effets aléatoires dans chaque groupe : '~vague' pour une pente "
                "aléatoire corrélée à l’ordonnée ; ordonnée seule par défaut"
            ),
        )
        estimation = parser.add_mutually_exclusive_group()
        estimation.add_argument(
            "--reml",
            dest="reml",
            action="store_true",
            default=True,
            help=_("estimation par maximum de vraisemblance restreint (par défaut)"),
        )
        estimation.add_argument(
            "--ml",
            dest="reml",
            action="store_false",
            help=_("estimation par maximum de vraisemblance"),
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help=_("format de sortie (text par défaut)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = read_csv_table(path)
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(file)s : %(reason)s.")
                % {"file": path, "reason": error.strerror}
            ) from error
        except CfaError as error:
            raise CommandError(describe_cfa_error(error)) from error
        try:
            result = fit_mixed(
                table,
                options["formula"],
                options["groups"],
                re_formula=options["re_formula"],
                reml=options["reml"],
            )
        except MixedModelError as error:
            raise CommandError(describe_mixed_error(error)) from error
        if options["format"] == "json":
            payload = {"file": str(path), **result.as_dict()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self._write_text(path, result)

    def _write_text(self, path: Path, result: MixedResult) -> None:
        write = self.stdout.write
        method = "REML" if result.reml else "ML"
        write(
            _("Fichier %(file)s : %(formula)s, effets aléatoires %(re)s par %(groups)s")
            % {
                "file": path,
                "formula": result.formula,
                "re": result.re_formula or "~1",
                "groups": result.groups,
            }
        )
        write(
            _(
                "%(method)s : %(n)d observations, %(groups)d groupes, %(dropped)d "
                "lignes écartées (valeur manquante)"
            )
            % {
                "method": method,
                "n": result.n_obs,
                "groups": result.n_groups,
                "dropped": result.n_dropped,
            }
        )
        criterion = result.reml_criterion if result.reml else result.deviance
        write(
            _(
                "%(name)s = %(criterion)s, log-vraisemblance = %(loglik)s, "
                "AIC = %(aic)s, BIC = %(bic)s"
            )
            % {
                "name": _("Critère REML") if result.reml else _("Déviance"),
                "criterion": display_value(criterion),
                "loglik": display_value(result.loglik),
                "aic": display_value(result.aic),
                "bic": display_value(result.bic),
            }
        )
        for message in result.warnings:
            write(_("Attention : %(message)s") % {"message": message})
        write(_("Effets fixes (t sur les ddl de Satterthwaite ; p (z) loi normale) :"))
        write("\t".join(["terme", "estimation", "e.-t.", "t", "ddl", "p", "p (z)"]))
        for row in result.fixed_effects.itertuples():
            write(
                "\t".join(
                    [
                        row.term,
                        display_value(row.estimate),
                        display_value(row.se),
                        display_value(row.statistic),
                        display_value(row.df, 2),
                        _p_value(row.p_value),
                        _p_value(row.p_value_z),
                    ]
                )
            )
        write(_("Composantes de la variance :"))
        write("\t".join(["groupe", "terme", "terme 2", "variance", "é.-t. ou corr."]))
        for row in result.variance_components.itertuples():
            write(
                "\t".join(
                    [
                        row.grp,
                        display_value(row.var1),
                        display_value(row.var2),
                        display_value(row.vcov),
                        display_value(row.sdcor),
                    ]
                )
            )
