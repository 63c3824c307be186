"""`iota import-onde FILE --school UAI`: import a school's ONDE export."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from schools.import_report import ImportReport
from schools.onde import LineIssue
from schools.services import OndeImportError, import_onde_file


class Command(BaseCommand):
    help = _(
        "Importe l'export ONDE d'une école : crée l'école si elle est nouvelle, ses "
        "classes et ses élèves des niveaux du programme, met à jour les élèves déjà "
        "importés et marque comme partis ceux qui ne sont plus dans la liste."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier CSV exporté d'ONDE"))
        parser.add_argument(
            "--school",
            required=True,
            metavar="UAI",
            help=_("code UAI de l'école, par exemple 0750001U"),
        )
        parser.add_argument(
            "--school-name",
            help=_("nom de l'école, pour une école nouvelle ou pour le changer"),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("affiche ce qui changerait sans rien enregistrer"),
        )
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help=_("format du résumé : texte (par défaut) ou JSON"),
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Impossible de lire le fichier %(path)s : %(error)s")
                % {"path": path, "error": error.strerror}
            ) from None
        try:
            report = import_onde_file(
                data,
                uai=str(options["school"]),
                school_name=str(options["school_name"] or ""),
                dry_run=bool(options["dry_run"]),
            )
        except OndeImportError as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(format_report(report))


def format_report(report: ImportReport) -> str:
    """Return the French text summary the command prints, without pupils' names."""
    lines = _header_lines(report)
    lines.append("")
    lines.extend(_count_lines(report))
    lines.append("")
    lines.append(_("Classes :"))
    for summary in report.classes:
        state = _("nouvelle") if summary.created else _("existante")
        lines.append(
            _("  %(label)s (%(levels)s, %(state)s) : %(count)d élèves")
            % {
                "label": summary.label,
                "levels": ", ".join(summary.levels),
                "state": state,
                "count": summary.pupil_count,
            }
        )
    for heading, issues in (
        (_("Lignes rejetées :"), report.rejections),
        (_("Avertissements :"), report.warnings),
    ):
        if issues:
            lines.append("")
            lines.append(heading)
            lines.extend(_issue_lines(issues))
    return "\n".join(lines)


def _header_lines(report: ImportReport) -> list[str]:
    if report.dry_run:
        title = _("Essai (rien n'est enregistré) : import ONDE de %(school)s")
    else:
        title = _("Import ONDE de %(school)s")
    lines = [title % {"school": f"{report.school_name} ({report.uai})"}]
    if report.school_created:
        lines.append(
            _("École nouvelle, académie %(academie)s.") % {"academie": report.academie}
        )
    lines.append(
        _("Année scolaire %(year)s, %(lines)d lignes d'élèves, encodage %(encoding)s.")
        % {
            "year": report.school_year,
            "lines": report.line_count,
            "encoding": report.encoding,
        }
    )
    return lines


def _count_lines(report: ImportReport) -> list[str]:
    labels = {
        "created": _("élèves créés"),
        "updated": _("élèves mis à jour"),
        "moved": _("élèves changés de classe"),
        "returned": _("élèves revenus"),
        "left": _("élèves partis"),
        "unchanged": _("élèves inchangés"),
        "skipped": _("élèves ignorés (niveau hors programme)"),
        "rejected": _("lignes rejetées"),
    }
    return [f"  {count:6d}  {labels[name]}" for name, count in report.counts.items()]


def _issue_lines(issues: list[LineIssue]) -> list[str]:
    lines = []
    for issue in issues:
        where = _("ligne %(line)d") % {"line": issue.line}
        if issue.column:
            where += _(", colonne « %(column)s »") % {"column": issue.column}
        lines.append(f"  {where} : {issue.reason}")
    return lines
