"""The researcher export: a study's data set as Parquet or CSV, with its codebook.

The export is the long frame of `reports.dataset` (pseudonymised ids only, research
pupils only) in one of three formats:

- Parquet (pyarrow), with typed columns: the wave is a string, flags are booleans;
- CSV: UTF-8 without BOM, ``,`` between fields, ``.`` as decimal mark;
- CSV for Excel in French: UTF-8 with BOM, ``;`` between fields, ``,`` as decimal
  mark, which Excel on a French system opens in columns without an import step.

In both CSVs a flag is written 1 or 0 and a missing value is an empty field. The
codebook lists every column with its type and meaning. Every export is logged in
`ExportLog` with the user, format and size, and in the application log.
"""

import io
import logging
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from reports.dataset import (
    ID_COLUMNS,
    STATUS_COLUMNS,
    StudyDataset,
    study_dataset,
)
from reports.models import ExportFormat, ExportLog
from studies.models import Study

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.EXCEL_CSV: "text/csv; charset=utf-8",
}
EXTENSIONS = {
    ExportFormat.PARQUET: "parquet",
    ExportFormat.CSV: "csv",
    ExportFormat.EXCEL_CSV: "csv",
}
FLAG_COLUMNS = ("simulated", "excluded")
_DESCRIPTIONS = {
    "pupil": gettext_lazy(
        "pseudonyme de l’élève : hachage à clé de l’INE, le même à chaque vague"
    ),
    "class": gettext_lazy("pseudonyme de la classe d’affectation : hachage à clé"),
    "school": gettext_lazy("pseudonyme de l’école : hachage à clé"),
    "arm": gettext_lazy(
        "programme ou comparison : le groupe de la classe dans l’étude"
    ),
    "wave": gettext_lazy("vague, de T1 à la dernière"),
    "status": gettext_lazy(
        "completed (terminé), started (commencé, pas terminé) ou absent (aucune "
        "réponse)"
    ),
    "simulated": gettext_lazy("1 si la réponse a été générée pour une démonstration"),
    "excluded": gettext_lazy(
        "1 si une règle de qualité exclut la réponse des analyses"
    ),
    "quality_flags": gettext_lazy(
        "les règles de qualité qui excluent la réponse, séparées par ;"
    ),
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def export_frame(dataset: StudyDataset) -> pd.DataFrame:
    """Return the data set as exported: the wave as a string, flags as booleans."""
    frame = dataset.frame.copy()
    frame["wave"] = frame["wave"].astype(str)
    return frame


def write_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, *, excel: bool = False) -> bytes:
    """Write `frame` as CSV; `excel` switches to BOM, `;` and the decimal comma."""
    flags = frame.select_dtypes(include="bool").columns
    frame = frame.astype(dict.fromkeys(flags, "int8"))
    text = frame.to_csv(
        index=False,
        sep=";" if excel else ",",
        decimal="," if excel else ".",
        lineterminator="\r\n" if excel else "\n",
        float_format="%.6g",
    )
    return text.encode("utf-8-sig" if excel else "utf-8")


def codebook(dataset: StudyDataset, definition: dict) -> pd.DataFrame:
    """Describe every column of the export: name, type and meaning."""
    texts = {item["key"]: item for item in definition["items"]}
    rows = [
        {
            "column": column,
            "type": "flag" if column in FLAG_COLUMNS else "text",
            "description": str(_DESCRIPTIONS[column]),
        }
        for column in (*ID_COLUMNS, *STATUS_COLUMNS)
    ]
    for scale, items in dataset.scales.items():
        for item in items:
            reverse = bool(texts[item].get("reverse"))
            text = texts[item]["text"]["fr"]
            description = (
                _("item de %(scale)s, inversé (déjà retourné) : %(text)s")
                if reverse
                else _("item de %(scale)s : %(text)s")
            )
            rows.append(
                {
                    "column": item,
                    "type": f"integer 1-{dataset.points}",
                    "description": description % {"scale": scale, "text": text},
                }
            )
    for scale, items in dataset.scales.items():
        title = dataset.scale_titles[scale].get("fr", scale)
        rows.append(
            {
                "column": scale,
                "type": f"number 1-{dataset.points}",
                "description": _(
                    "score de %(title)s : moyenne des items répondus parmi "
                    "%(items)s, vide sous la part minimale de la règle de score"
                )
                % {"title": title, "items": ", ".join(items)},
            }
        )
    for column in dataset.task_columns:
        rows.append(
            {
                "column": column,
                "type": "number",
                "description": _("score de la tâche de performance terminée"),
            }
        )
    return pd.DataFrame.from_records(rows, columns=["column", "type", "description"])


def export_study(study: Study, user: User, export_format: str) -> ExportFile:
    """Build the study's export in `export_format` and log who took it.

    Raises ValueError for a format outside `ExportFormat`.
    """
    if export_format not in ExportFormat.values:
        raise ValueError(
            f"unknown export format {export_format!r}; use one of "
            + ", ".join(ExportFormat.values)
        )
    chosen = ExportFormat(export_format)
    dataset = study_dataset(study)
    frame = export_frame(dataset)
    if export_format == ExportFormat.PARQUET:
        content = write_parquet(frame)
    else:
        content = write_csv(frame, excel=export_format == ExportFormat.EXCEL_CSV)
    log = ExportLog.objects.create(
        study=study,
        user=user,
        format=export_format,
        rows=len(frame),
        pupils=int(frame["pupil"].nunique()),
        columns=len(frame.columns),
        simulated_rows=int(frame["simulated"].sum()),
    )
    logger.info(
        "Export %s of study %s by user %s: %s, %d rows, %d columns.",
        log.pk,
        study.pk,
        user.pk,
        export_format,
        log.rows,
        log.columns,
    )
    stamp = timezone.localdate().isoformat()
    suffix = "-excel" if export_format == ExportFormat.EXCEL_CSV else ""
    return ExportFile(
        filename=f"iota-etude-{study.pk}-{stamp}{suffix}.{EXTENSIONS[chosen]}",
        content_type=CONTENT_TYPES[chosen],
        content=content,
    )
