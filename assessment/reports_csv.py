"""Scale statistics for any CSV of item responses, behind the `iota score` command.

A researcher checks an instrument on their own data with the same rules the platform
applies to its waves: reverse keying, the mean of answered items, Cronbach's alpha,
omega and item statistics. `read_item_csv` reads the file (delimiter sniffed, UTF-8
with or without a byte-order mark, or Windows-1252) and raises `CsvInputError` listing
every bad cell by line and column, so a file is fixed in one pass.
"""

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from assessment.reports import insufficient_reason
from assessment.scoring import reverse_key, score_scale
from assessment.statistics import (
    InsufficientDataError,
    MissingRule,
    cronbach_alpha,
    describe_scores,
    item_statistics,
    mcdonald_omega,
)

# Cells read as a missing answer, besides an empty cell: R's and pandas' spellings.
MISSING_MARKERS = frozenset({"", "na", "nan", "n/a", "."})
# Bad cells listed in one error before the rest are only counted.
MAX_LISTED_PROBLEMS = 20
_DELIMITERS = ",;\t|"


class CsvInputError(ValueError):
    """A CSV that cannot be scored; `problems` lists one French sentence per fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > len(shown):
            shown.append(
                _("… et %(count)d autres problèmes.")
                % {"count": len(problems) - len(shown)}
            )
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class ScaleRange:
    """The lowest and highest points of the response scale."""

    lowest: int
    highest: int


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV (séparateur: point-virgule)" on French Windows writes cp1252.
        return raw.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CsvInputError(
            [
                _(
                    "%(file)s : encodage non reconnu (octet %(byte)d) ; enregistrez "
                    "le fichier en UTF-8."
                )
                % {"file": path.name, "byte": error.start}
            ]
        ) from error


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        # A single column has no delimiter to find: any choice reads it the same.
        return ","


def _parse_number(cell: str, delimiter: str) -> float | None:
    text = cell.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    if delimiter != ",":
        # A French spreadsheet writes 3,5 for 3.5 when commas do not split fields.
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def read_item_csv(
    path: Path | str, items: list[str], scale: ScaleRange | None = None
) -> pd.DataFrame:
    """Read the `items` columns of a CSV into a float frame, NaN for a missing answer.

    Rows are indexed by their line number in the file (the header is line 1). Blank
    lines are skipped. Every non-numeric value and every value outside `scale`
    (when given) is reported, with its line and column, in one `CsvInputError`.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CsvInputError(
            [
                _("Impossible de lire %(file)s : %(reason)s.")
                % {"file": path, "reason": error.strerror}
            ]
        ) from error
    text = _decode(raw, path)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise CsvInputError([_("%(file)s est vide.") % {"file": path.name}])

    problems = _header_problems(header, items)
    if problems:
        raise CsvInputError(problems)
    positions = {item: header.index(item) for item in items}

    records: dict[int, list[float | None]] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        values: list[float | None] = []
        for item, position in positions.items():
            cell = row[position] if position < len(row) else ""
            value = _parse_number(cell, delimiter)
            problem = _cell_problem(line, item, cell, value, scale)
            if problem:
                problems.append(problem)
            values.append(value)
        records[line] = values
    if problems:
        raise CsvInputError(problems)
    frame = pd.DataFrame.from_dict(records, orient="index", columns=items, dtype=float)
    frame.index.name = "line"
    return frame


def _header_problems(header: list[str], items: list[str]) -> list[str]:
    problems = []
    found = ", ".join(name for name in header if name)
    for item in items:
        if item not in header:
            problems.append(
                _("Colonne « %(item)s » absente. Colonnes trouvées : %(found)s.")
                % {"item": item, "found": found}
            )
        elif header.count(item) > 1:
            problems.append(
                _(
                    "La colonne « %(item)s » apparaît %(count)d fois dans l’en-tête : "
                    "gardez-en une seule."
                )
                % {"item": item, "count": header.count(item)}
            )
    return problems


def _cell_problem(
    line: int, item: str, cell: str, value: float | None, scale: ScaleRange | None
) -> str | None:
    if value is not None and math.isnan(value):
        return _(
            "Ligne %(line)d, colonne %(item)s : « %(cell)s » n’est pas un nombre ; "
            "laissez la case vide pour une réponse manquante."
        ) % {"line": line, "item": item, "cell": cell.strip()}
    if value is None or scale is None:
        return None
    if not scale.lowest <= value <= scale.highest:
        return _(
            "Ligne %(line)d, colonne %(item)s : la valeur %(value)s est hors de "
            "l’échelle [%(lowest)d, %(highest)d] ; corrigez-la ou changez --min et "
            "--max."
        ) % {
            "line": line,
            "item": item,
            "value": cell.strip(),
            "lowest": scale.lowest,
            "highest": scale.highest,
        }
    return None


def _clean(value: Any) -> Any:
    """Turn NumPy scalars into Python ones and NaN into None, for JSON."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row_dict(frame: pd.DataFrame) -> dict[str, Any]:
    # to_dict keeps each column's type, where iloc[0] would turn counts into floats.
    return {
        str(key): _clean(value) for key, value in frame.to_dict("records")[0].items()
    }


def _statistic(compute: Any, keyed: pd.DataFrame) -> dict[str, Any]:
    try:
        return {"available": True, **_row_dict(compute(keyed))}
    except InsufficientDataError as error:
        return {
            "available": False,
            "reason": error.code,
            "message": insufficient_reason(error),
        }


def summarise_item_table(
    values: pd.DataFrame,
    items: list[str],
    reverse: list[str],
    scale: ScaleRange | None,
    missing: MissingRule,
    min_answered: float,
) -> dict[str, Any]:
    """Compute the scale score, alpha, omega and item statistics of a read CSV.

    The statistics use the items after reverse keying, so that every item counts in
    the direction of the scale. Returns a JSON-ready dict; NaN becomes None.
    """
    if scale is not None:
        lowest, points = scale.lowest, scale.highest - scale.lowest + 1
    else:
        # Without a declared range nothing is reversed (the caller checks), so the
        # observed range only serves the range check, which then always passes.
        observed = values.to_numpy()
        has_values = not pd.isna(observed).all()
        lowest = math.floor(pd.Series(observed.ravel()).min()) if has_values else 0
        highest = math.ceil(pd.Series(observed.ravel()).max()) if has_values else 0
        points = highest - lowest + 1
    keyed = reverse_key(values, items, reverse, points=points, lowest=lowest)
    scores = score_scale(
        values,
        items,
        reverse,
        points=points,
        min_answered=min_answered,
        lowest=lowest,
    )
    score = _row_dict(describe_scores(scores["score"]))
    score["min_answered"] = min_answered
    return {
        "rows": len(values),
        "items": items,
        "reverse": reverse,
        "scale_min": scale.lowest if scale else None,
        "scale_max": scale.highest if scale else None,
        "missing": missing,
        "alpha": _statistic(lambda df: cronbach_alpha(df, missing=missing), keyed),
        "omega": _statistic(mcdonald_omega, keyed),
        "score": score,
        "item_statistics": [
            {str(key): _clean(value) for key, value in row.items()}
            for row in item_statistics(keyed, missing=missing).to_dict("records")
        ],
    }
