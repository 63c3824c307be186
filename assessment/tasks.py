"""Background tasks of the assessment app, run through Django's tasks framework."""

from django.tasks import task

from assessment.reminders import send_reminders


@task()
def send_reminders_task() -> dict[str, int]:
    """Send the wave reminders due now and return the counts, kept as the result."""
    report = send_reminders()
    return {
        "sent": report.sent,
        "already_sent": report.already_sent,
        "failed": report.failed,
    }
