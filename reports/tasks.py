"""Background tasks of the reports app, run through Django's tasks framework."""

from django.tasks import task

from reports.services import run_analysis


@task()
def analyse_study_task(analysis_id: int) -> str:
    """Compute the queued `StudyAnalysis` and return its final status."""
    return run_analysis(analysis_id).status
