"""Reports: the stored impact analysis of a study and the log of research exports.

A `StudyAnalysis` is one run of the full analysis of a study (impact, growth,
attrition, psychometrics), computed in the background because the models take
tens of seconds. Its `fingerprint` names the data it was computed on, so the
dashboard and the PDF report know when an analysis is out of date. An
`ExportLog` row records every research export: who downloaded which study's data,
in which format, with how many rows, and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("en attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminée")
    FAILED = "failed", _("échouée")


class StudyAnalysis(models.Model):
    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="analyses"
    )
    # A hash of what the analysis reads (answers, consent, arms, quality
    # thresholds); a different fingerprint now means the data changed since.
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The tables of `reports.analysis.analyse_study`, as JSON; empty until done.
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["study", "status", "requested_at"])]
        verbose_name = _("analyse d’étude")

    def __str__(self) -> str:
        return f"analysis {self.pk} of study {self.study_id}: {self.status}"


class ExportFormat(models.TextChoices):
    PARQUET = "parquet", _("Parquet")
    CSV = "csv", _("CSV (UTF-8, virgule)")
    EXCEL_CSV = "excel_csv", _("CSV pour Excel (point-virgule, virgule décimale)")


class ExportLog(models.Model):
    """One research export: who took which study's data, how, and when."""

    study = models.ForeignKey(
        "studies.Study", on_delete=models.CASCADE, related_name="export_logs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    rows = models.PositiveIntegerField()
    pupils = models.PositiveIntegerField()
    columns = models.PositiveIntegerField()
    simulated_rows = models.PositiveIntegerField(default=0)
    exported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-exported_at", "-pk"]
        verbose_name = _("export de recherche")

    def __str__(self) -> str:
        return f"export {self.pk} of study {self.study_id} by user {self.user_id}"
