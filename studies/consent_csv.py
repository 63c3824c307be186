"""Consent imported from a spreadsheet: one line per pupil of a class.

The file has a header line and two columns. The first names the pupil, by the number
shown on the class's consent page (`numero`) or by their displayed name (`eleve`).
The second is the consent (`consentement`): donné, refusé or inconnu, or oui and non.
Separators may be semicolons, commas or tabs, and the encodings are those Excel
writes for French text. Every problem is reported with its line number, and nothing
is recorded unless the whole file is valid.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from schools.display_names import fold_name
from schools.models import Classroom
from schools.onde import OndeImportError, decode_onde, normalize_header
from studies.models import ConsentSource, ConsentStatus, Study
from studies.services import StudyError, record_consents, study_pupils

# Normalised header (see `normalize_header`) → column key.
_HEADERS = {
    "numero": "number",
    "n°": "number",
    "no": "number",
    "eleve": "name",
    "nom affiche": "name",
    "consentement": "status",
    "statut": "status",
}
# Normalised cell → status.
_STATUSES = {
    "donne": ConsentStatus.GIVEN,
    "oui": ConsentStatus.GIVEN,
    "given": ConsentStatus.GIVEN,
    "refuse": ConsentStatus.REFUSED,
    "non": ConsentStatus.REFUSED,
    "refused": ConsentStatus.REFUSED,
    "inconnu": ConsentStatus.UNKNOWN,
    "unknown": ConsentStatus.UNKNOWN,
}


class ConsentImportError(StudyError):
    """An invalid consent file: `problems` lists one French sentence per problem."""

    code = "invalid_file"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConsentImportResult:
    lines: int
    changed: int


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _HEADERS.get(normalize_header(cell))
        if key is not None and key not in columns:
            columns[key] = index
    return columns


def _delimiter(text: str) -> str:
    """Pick the separator that splits the header into the most known columns."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max(
        (";", ",", "\t"),
        key=lambda candidate: len(_columns(first_line.split(candidate))),
    )


def import_consent_csv(
    study: Study, classroom: Classroom, data: bytes, *, user: User
) -> ConsentImportResult:
    """Record the consent of `classroom`'s pupils listed in a CSV file.

    Raise ConsentImportError, listing every problem by line number, when the file
    cannot be read or lacks a column. A line that names no pupil of the class,
    repeats a pupil or gives an unknown status is a problem too. Nothing is
    recorded unless the file has no problem.
    """
    try:
        text, _encoding = decode_onde(data)
    except OndeImportError as error:
        raise ConsentImportError([error.message]) from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next((row for row in reader if any(cell.strip() for cell in row)), [])
    columns = _columns(header)
    if "status" not in columns or not {"number", "name"} & columns.keys():
        raise ConsentImportError(
            [
                _(
                    "Ligne %(line)d : l’en-tête doit contenir une colonne « numero » "
                    "ou « eleve », et une colonne « consentement »."
                )
                % {"line": reader.line_num}
            ]
        )

    pupils = list(
        study_pupils(study)
        .filter(classroom=classroom)
        .values_list("pk", "display_name")
    )
    by_number = {str(pk): pk for pk, _name in pupils}
    by_name: dict[str, list[int]] = {}
    for pk, name in pupils:
        by_name.setdefault(fold_name(name.strip()), []).append(pk)

    problems: list[str] = []
    statuses: dict[int, str] = {}
    seen_on: dict[int, int] = {}
    lines = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        lines += 1
        line = reader.line_num
        cells = {
            key: row[index].strip() if index < len(row) else ""
            for key, index in columns.items()
        }
        pupil_id, problem = _pupil_of(cells, by_number, by_name)
        if pupil_id is None:
            problems.append(
                _("Ligne %(line)d : %(problem)s") % {"line": line, "problem": problem}
            )
            continue
        status = _STATUSES.get(normalize_header(cells["status"]))
        if status is None:
            problems.append(
                _(
                    "Ligne %(line)d : consentement « %(value)s » inconnu ; écrivez "
                    "donné, refusé ou inconnu."
                )
                % {"line": line, "value": cells["status"]}
            )
            continue
        if pupil_id in seen_on:
            problems.append(
                _("Ligne %(line)d : cet élève figure déjà ligne %(first)d.")
                % {"line": line, "first": seen_on[pupil_id]}
            )
            continue
        seen_on[pupil_id] = line
        statuses[pupil_id] = status
    if not lines:
        problems.append(_("Le fichier ne contient aucune ligne d’élève."))
    if problems:
        raise ConsentImportError(problems)
    changed = record_consents(study, statuses, user=user, source=ConsentSource.CSV)
    return ConsentImportResult(lines=lines, changed=changed)


def _pupil_of(
    cells: dict[str, str],
    by_number: dict[str, int],
    by_name: dict[str, list[int]],
) -> tuple[int | None, str]:
    """Return the pupil id a line names, or a French sentence saying why not."""
    number = cells.get("number", "")
    name = cells.get("name", "")
    if number:
        pupil_id = by_number.get(number)
        if pupil_id is None:
            return None, _(
                "aucun élève n° %(number)s dans cette classe ; recopiez le numéro "
                "affiché sur la page de la classe."
            ) % {"number": number}
        return pupil_id, ""
    if not name:
        return None, _("ni numéro ni nom d’élève.")
    matches = by_name.get(fold_name(name), [])
    if not matches:
        return None, _(
            "aucun élève « %(name)s » dans cette classe ; écrivez le nom comme sur "
            "la page de la classe."
        ) % {"name": name}
    if len(matches) > 1:
        return None, _(
            "plusieurs élèves s’appellent « %(name)s » ; utilisez la colonne numero."
        ) % {"name": name}
    return matches[0], ""
