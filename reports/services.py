"""Study analyses on demand: when to compute one, and running it in the background.

The analysis of a study fits mixed models, a wild cluster bootstrap and CFAs: tens
of seconds for a pilot. Pages never compute it: they show the latest finished
`StudyAnalysis` and ask for a new one (`request_analysis`) when the data changed
since. The request enqueues `reports.tasks.analyse_study_task` through Django's
tasks framework, which runs `run_analysis` in a worker (`iota db_worker`).

`data_fingerprint` hashes what the analysis reads, so a new answer, consent, arm,
quality threshold or task run makes the stored analysis stale, and a page
requested twice on the same data does not queue the work twice.
"""

import datetime as dt
import hashlib
import json
import logging

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from accounts.models import User
from assessment.models import Response
from performance.models import TaskRun
from reports.analysis import RESULTS_VERSION, AnalysisSettings, analyse_study
from reports.models import AnalysisStatus, StudyAnalysis
from schools.models import Pupil
from studies.models import ClassArm, Consent, Study

logger = logging.getLogger(__name__)

# A queued or running analysis older than this is taken as lost (no worker, or a
# worker that died), and a new request queues another.
STALE_REQUEST = dt.timedelta(minutes=30)


def data_fingerprint(study: Study) -> str:
    """Return a hash of the data and settings the study's analysis depends on.

    Runs five aggregate queries; each counts rows and takes the latest change of
    one table restricted to the study.
    """
    campaign = study.campaign_id
    parts = {
        "version": RESULTS_VERSION,
        "settings": [study.long_string_share, study.min_seconds_per_item],
        # Every stored or replaced answer adds one to its response's
        # answer_changes, so their sum moves with any answer without reading
        # the answers themselves.
        "responses": Response.objects.filter(wave__campaign=campaign).aggregate(
            n=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            last=Max("completed_at"),
            answer_changes=Sum("answer_changes"),
        ),
        "consents": Consent.objects.filter(study=study).aggregate(
            n=Count("pk"), last=Max("recorded_at")
        ),
        "arms": ClassArm.objects.filter(study=study).aggregate(
            n=Count("pk"), last=Max("assigned_at")
        ),
        "pupils": Pupil.objects.filter(classroom__campaigns=campaign).aggregate(
            n=Count("pk"), last=Max("updated_at")
        ),
        "tasks": TaskRun.objects.filter(
            session__wave__campaign=campaign, completed_at__isnull=False
        ).aggregate(n=Count("pk"), last=Max("completed_at")),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_analysis(study: Study) -> StudyAnalysis | None:
    """Return the study's latest finished analysis, done or failed.

    A done analysis whose tables have an older layout than `RESULTS_VERSION` is
    skipped, since the pages cannot read it.
    """
    return (
        StudyAnalysis.objects.filter(study=study)
        .filter(
            Q(status=AnalysisStatus.FAILED)
            | Q(status=AnalysisStatus.DONE, results__version=RESULTS_VERSION)
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def pending_analysis(study: Study, fingerprint: str) -> StudyAnalysis | None:
    """Return an analysis of `fingerprint` still queued or running, if recent."""
    return (
        StudyAnalysis.objects.filter(
            study=study,
            fingerprint=fingerprint,
            status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING],
            requested_at__gte=timezone.now() - STALE_REQUEST,
        )
        .order_by("-requested_at")
        .first()
    )


def request_analysis(
    study: Study,
    user: User | None,
    *,
    fingerprint: str | None = None,
    force: bool = False,
) -> StudyAnalysis:
    """Queue an analysis of the study's current data, unless one is already on it.

    Returns the analysis that covers the current data: a finished one with the
    same fingerprint (unless `force`, to run a failed one again), a pending one,
    or the one this call queued.
    """
    fingerprint = fingerprint or data_fingerprint(study)
    finished = latest_analysis(study)
    if not force and finished is not None and finished.fingerprint == fingerprint:
        return finished
    pending = pending_analysis(study, fingerprint)
    if pending is not None:
        return pending
    analysis = StudyAnalysis.objects.create(
        study=study, fingerprint=fingerprint, requested_by=user
    )
    logger.info(
        "Analysis %s of study %s requested by user %s.",
        analysis.pk,
        study.pk,
        user.pk if user else None,
    )
    # Imported here: the task module imports this one.
    from reports.tasks import analyse_study_task

    transaction.on_commit(lambda: analyse_study_task.enqueue(analysis.pk))
    return analysis


def run_analysis(
    analysis_id: int, settings: AnalysisSettings | None = None
) -> StudyAnalysis:
    """Compute a queued analysis and store its results, or its error.

    An analysis already finished is returned as it is. An unexpected error is
    stored on the analysis and logged, then raised again so that the task is
    marked failed too.
    """
    analysis = StudyAnalysis.objects.select_related("study__campaign").get(
        pk=analysis_id
    )
    if analysis.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED):
        return analysis
    analysis.status = AnalysisStatus.RUNNING
    analysis.started_at = timezone.now()
    analysis.save(update_fields=["status", "started_at"])
    logger.info("Analysis %s of study %s started.", analysis.pk, analysis.study_id)
    try:
        results = analyse_study(analysis.study, settings)
    except Exception as error:
        analysis.status = AnalysisStatus.FAILED
        analysis.error = f"{type(error).__name__}: {error}"
        analysis.finished_at = timezone.now()
        analysis.save(update_fields=["status", "error", "finished_at"])
        logger.exception(
            "Analysis %s of study %s failed.", analysis.pk, analysis.study_id
        )
        raise
    analysis.results = results
    analysis.status = AnalysisStatus.DONE
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["results", "status", "finished_at"])
    logger.info(
        "Analysis %s of study %s done in %.1f s.",
        analysis.pk,
        analysis.study_id,
        results["seconds"],
    )
    return analysis


def analyse_now(
    study: Study, user: User | None = None, settings: AnalysisSettings | None = None
) -> StudyAnalysis:
    """Compute the study's analysis in this process, for commands and the demo."""
    analysis = StudyAnalysis.objects.create(
        study=study, fingerprint=data_fingerprint(study), requested_by=user
    )
    return run_analysis(analysis.pk, settings)
