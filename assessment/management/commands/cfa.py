"""`iota cfa FILE.csv --model '...'`: confirmatory factor analysis of a CSV file."""

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.cfa import (
    INVARIANCE_LEVELS,
    CfaError,
    CfaResult,
    InvarianceResult,
    ModelSyntaxError,
    fit_cfa,
    fit_invariance,
    read_csv_table,
)


def display_value(value: Any, digits: int = 3) -> str:
    """Return `value` for a text table: floats to `digits` places, a dash if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _syntax_reason(error: ModelSyntaxError) -> str:
    reasons = {
        "empty_model": _("le modèle ne contient aucune instruction"),
        "no_factor": _("le modèle ne définit aucun facteur (f =~ x1 + x2 + x3)"),
        "no_operator": _("aucun opérateur =~ ou ~~ dans cette instruction"),
        "unsupported_operator": _(
            "opérateur non pris en charge : un modèle de mesure n’accepte que =~, ~~ "
            "et « x ~ 1 »"
        ),
        "unsupported_modifier": _(
            "modificateur non pris en charge : utilisez un nombre (0.5*x), NA*x, une "
            "étiquette (a*x) ou start(0.5)*x"
        ),
        "invalid_term": _(
            "terme invalide : écrivez des noms de colonnes séparés par +"
        ),
        "duplicate": _("ce paramètre est déjà défini plus haut"),
        "higher_order": _(
            "un facteur sert d’indicateur à un autre : les modèles d’ordre supérieur "
            "ne sont pas pris en charge"
        ),
        "unknown_variable": _("ce nom n’est ni un facteur ni un indicateur du modèle"),
    }
    return reasons.get(error.code, str(error))


def describe_cfa_error(error: CfaError) -> str:
    """Word a `CfaError` in French for the command line, with the fix."""
    details = error.details
    if isinstance(error, ModelSyntaxError):
        if not details.get("statement"):
            return _("Modèle invalide : %(reason)s.") % {
                "reason": _syntax_reason(error)
            }
        return _("Modèle, ligne %(line)d (« %(statement)s ») : %(reason)s.") % {
            "line": details["line"],
            "statement": details["statement"],
            "reason": _syntax_reason(error),
        }
    if error.code == "missing_column":
        return _(
            "Colonne(s) absente(s) : %(columns)s. Colonnes du fichier : %(present)s."
        ) % {
            "columns": ", ".join(details["columns"]),
            "present": ", ".join(details["present"]),
        }
    if error.code == "non_numeric":
        return _(
            "Ligne %(line)s, colonne %(column)s : « %(value)s » n’est pas un nombre ; "
            "corrigez la valeur ou laissez la case vide si elle manque."
        ) % {
            "line": details["row"],
            "column": details["column"],
            "value": details["value"],
        }
    if error.code == "too_few_rows":
        return _(
            "%(where)s%(found)d lignes complètes, il en faut au moins %(needed)d pour "
            "estimer la matrice de covariance des indicateurs."
        ) % {
            "where": _group_prefix(details.get("group")),
            "found": details["found"],
            "needed": details["needed"],
        }
    if error.code == "singular_covariance":
        return _(
            "%(where)sla matrice de covariance est singulière (colonnes constantes : "
            "%(constant)s) ; retirez les items constants ou redondants."
        ) % {
            "where": _group_prefix(details.get("group")),
            "constant": ", ".join(details["constant"])
            or _("aucune, items colinéaires"),
        }
    if error.code == "one_group":
        return _(
            "La colonne %(column)s ne contient qu’un groupe parmi les lignes complètes."
        ) % {"column": details["column"]}
    if error.code == "not_identified":
        return _(
            "Modèle non identifié : %(free)d paramètres libres pour %(moments)d "
            "moments ; fixez ou contraignez des paramètres."
        ) % {"free": details["free"], "moments": details["moments"]}
    if error.code == "empty_file":
        return _("Le fichier %(file)s est vide.") % {"file": details["file"]}
    return str(error)


def _group_prefix(group: Any) -> str:
    if group is None:
        return ""
    return _("Groupe %(group)s : ") % {"group": group}


def _levels(text: str) -> list[str]:
    levels = [level.strip() for level in text.split(",") if level.strip()]
    unknown = [level for level in levels if level not in INVARIANCE_LEVELS]
    if unknown or not levels:
        raise CommandError(
            _(
                "--invariance : niveau(x) inconnu(s) %(levels)s ; choisissez parmi "
                "%(known)s."
            )
            % {
                "levels": ", ".join(unknown) or "—",
                "known": ", ".join(INVARIANCE_LEVELS),
            }
        )
    return levels


class Command(BaseCommand):
    help = _(
        "Analyse factorielle confirmatoire (maximum de vraisemblance, comme lavaan) "
        "d’un fichier CSV, avec la syntaxe de modèle de lavaan, et invariance de "
        "mesure entre groupes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier CSV à lire"))
        parser.add_argument(
            "--model",
            required=True,
            help=_(
                "modèle en syntaxe lavaan, instructions séparées par ; ou des retours "
                "à la ligne : 'visuel =~ x1 + x2 + x3; verbal =~ x4 + x5 + x6'"
            ),
        )
        parser.add_argument(
            "--group", help=_("colonne des groupes, pour une analyse multigroupe")
        )
        parser.add_argument(
            "--invariance",
            help=_(
                "niveaux d’invariance à tester dans l’ordre, séparés par des "
                "virgules : configural,metric,scalar (strict possible) ; demande "
                "--group"
            ),
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help=_("format de sortie (text par défaut)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        group = options["group"]
        levels = _levels(options["invariance"]) if options["invariance"] else None
        if levels and not group:
            raise CommandError(
                _("--invariance demande --group : la colonne des groupes.")
            )
        try:
            table = read_csv_table(path)
        except OSError as error:
            raise CommandError(
                _("Impossible de lire %(file)s : %(reason)s.")
                % {"file": path, "reason": error.strerror}
            ) from error
        try:
            result: CfaResult | InvarianceResult
            if levels:
                result = fit_invariance(table, options["model"], group, levels)
            else:
                result = fit_cfa(table, options["model"], group=group)
        except CfaError as error:
            raise CommandError(describe_cfa_error(error)) from error
        if options["format"] == "json":
            payload = {"file": str(path), **result.as_dict()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        elif isinstance(result, InvarianceResult):
            self._write_invariance(path, result)
        else:
            self._write_fit(path, result)

    def _write_fit(self, path: Path, result: CfaResult) -> None:
        write = self.stdout.write
        fit = result.fit
        write(
            _(
                "Fichier %(file)s : %(n)d lignes utilisées, %(dropped)d écartées "
                "(valeur manquante)"
            )
            % {"file": path, "n": fit.n, "dropped": result.n_dropped}
        )
        if result.group:
            sizes = ", ".join(
                f"{row.group} = {row.n}" for row in result.groups.itertuples()
            )
            write(
                _("Groupes (%(column)s) : %(sizes)s")
                % {"column": result.group, "sizes": sizes}
            )
        self._write_measures(fit)
        for message in result.warnings:
            write(_("Attention : %(message)s") % {"message": message})
        write(_("Paramètres (estimation, erreur type, z, p, solution standardisée) :"))
        write(
            "\t".join(["lhs", "op", "rhs", "groupe", "est", "se", "z", "p", "std_all"])
        )
        for row in result.estimates.itertuples():
            write(
                "\t".join(
                    [
                        row.lhs,
                        row.op,
                        row.rhs,
                        display_value(row.group),
                        display_value(row.est),
                        display_value(row.se),
                        display_value(row.z, 2),
                        display_value(row.p_value),
                        display_value(row.std_all),
                    ]
                )
            )

    def _write_measures(self, fit: Any) -> None:
        write = self.stdout.write
        write(
            _(
                "Khi² = %(chi)s, ddl = %(df)d, p = %(p)s ; modèle de base : "
                "khi² = %(base)s, ddl = %(base_df)d"
            )
            % {
                "chi": display_value(fit.chi_square),
                "df": fit.df,
                "p": display_value(fit.p_value),
                "base": display_value(fit.baseline_chi_square),
                "base_df": fit.baseline_df,
            }
        )
        write(
            _(
                "CFI = %(cfi)s, TLI = %(tli)s, RMSEA = %(rmsea)s "
                "[IC à 90 %% : %(low)s ; %(high)s], SRMR = %(srmr)s"
            )
            % {
                "cfi": display_value(fit.cfi),
                "tli": display_value(fit.tli),
                "rmsea": display_value(fit.rmsea),
                "low": display_value(fit.rmsea_ci_low),
                "high": display_value(fit.rmsea_ci_high),
                "srmr": display_value(fit.srmr),
            }
        )
        write(
            _(
                "Log-vraisemblance = %(loglik)s, AIC = %(aic)s, BIC = %(bic)s, "
                "%(q)d paramètres libres"
            )
            % {
                "loglik": display_value(fit.loglik),
                "aic": display_value(fit.aic),
                "bic": display_value(fit.bic),
                "q": fit.free_parameters,
            }
        )

    def _write_invariance(self, path: Path, result: InvarianceResult) -> None:
        write = self.stdout.write
        first = next(iter(result.fits.values()))
        sizes = ", ".join(f"{row.group} = {row.n}" for row in first.groups.itertuples())
        write(
            _(
                "Fichier %(file)s : invariance de mesure entre les groupes de "
                "%(column)s (%(sizes)s)"
            )
            % {"file": path, "column": result.group, "sizes": sizes}
        )
        header = [
            "modèle",
            "khi2",
            "ddl",
            "p",
            "CFI",
            "RMSEA",
            "SRMR",
            "Δkhi2",
            "Δddl",
            "p(Δ)",
            "ΔCFI",
        ]
        write("\t".join(header))
        for row in result.table.itertuples():
            write(
                "\t".join(
                    [
                        row.model,
                        display_value(row.chi_square),
                        str(row.df),
                        display_value(row.p_value),
                        display_value(row.cfi),
                        display_value(row.rmsea),
                        display_value(row.srmr),
                        display_value(row.delta_chi_square),
                        display_value(row.delta_df, 0),
                        display_value(row.delta_p_value),
                        display_value(row.delta_cfi),
                    ]
                )
            )
        for level, fit in result.fits.items():
            for message in fit.warnings:
                write(
                    _("Attention (%(level)s) : %(message)s")
                    % {"level": level, "message": message}
                )
