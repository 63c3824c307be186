"""Services of the learning app: class plans, pupils' activities and accommodations.

Views call these functions and never change the models themselves. Dates are read in
the school's time zone, because an overseas class's "today" is not Paris's.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities import engine
from activities.crcn import competencies
from activities.models import Activity, ActivityVersion, Kind
from activities.quiz_scoring import QuizAnswerError, QuizScore, score_quiz
from activities.schemas import CodingContent, QuizContent
from activities.services import content_of, published_version
from assessment.services import school_zone
from iota.errors import RuleError
from learning.models import (
    SUCCESS_OUTCOMES,
    Assignment,
    Attempt,
    Completion,
    Outcome,
    PupilProfile,
)
from learning.quiz_layout import QuizLayout
from schools.display_names import sorted_by_display_name
from schools.models import Classroom, Pupil

logger = logging.getLogger(__name__)


class LearningError(RuleError):
    """A request the assignment and attempt rules reject."""


def school_today(classroom: Classroom, now: dt.datetime | None = None) -> dt.date:
    """Return today's date in the time zone of the classroom's académie."""
    return (now or timezone.now()).astimezone(school_zone(classroom)).date()


# Class plans.


def assign_activity(
    activity: Activity,
    classroom: Classroom,
    *,
    starts_on: dt.date,
    due_on: dt.date | None,
    pupils: Iterable[Pupil] = (),
    assigned_by: User | None,
) -> Assignment:
    """Add `activity` at the end of the class plan, for the class or a group of it.

    Raises LearningError when the activity has no published version, when the due
    date comes before the start date, or when a pupil of the group is not enrolled
    in the class.
    """
    if activity.current_version_id is None:
        raise LearningError(
            _(
                "L’activité « %(activity)s » n’a pas de version publiée : elle ne "
                "peut pas encore être attribuée."
            )
            % {"activity": activity},
            code="not_published",
        )
    if due_on is not None and due_on < starts_on:
        raise LearningError(
            _(
                "La date de fin (%(due)s) est avant la date de début (%(start)s) : "
                "choisissez une date de fin au plus tôt le jour du début."
            )
            % {"due": due_on.isoformat(), "start": starts_on.isoformat()},
            code="invalid_dates",
        )
    group = list(pupils)
    outsiders = [
        pupil.pk
        for pupil in group
        if pupil.classroom_id != classroom.pk or pupil.has_left
    ]
    if outsiders:
        raise LearningError(
            _("Ces élèves ne sont pas inscrits dans la classe : %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in outsiders)},
            code="pupil_not_in_class",
        )
    with transaction.atomic():
        # Locking the class serialises two teachers adding to the same plan, so
        # positions stay unique on PostgreSQL. SQLite's IMMEDIATE transactions
        # serialise writers already.
        Classroom.objects.select_for_update().filter(pk=classroom.pk).first()
        last = Assignment.objects.filter(classroom=classroom).aggregate(
            last=Max("position")
        )["last"]
        assignment = Assignment.objects.create(
            activity=activity,
            classroom=classroom,
            starts_on=starts_on,
            due_on=due_on,
            position=(last or 0) + 1,
            assigned_by=assigned_by,
        )
        if group:
            assignment.pupils.set(group)
    logger.info(
        "Activity %s assigned to class %s as assignment %s by user %s.",
        activity.key,
        classroom.pk,
        assignment.pk,
        assigned_by.pk if assigned_by else None,
    )
    return assignment


def class_plan(classroom: Classroom) -> QuerySet[Assignment]:
    """Return the class's assignments in plan order, with what the plan page shows."""
    return (
        Assignment.objects.filter(classroom=classroom)
        .select_related("activity")
        .prefetch_related("pupils")
        .order_by("position", "pk")
    )


def move_assignment(assignment: Assignment, offset: int) -> None:
    """Swap the assignment with its neighbour `offset` places away (-1 up, +1 down)."""
    with transaction.atomic():
        plan = list(
            Assignment.objects.select_for_update()
            .filter(classroom_id=assignment.classroom_id)
            .order_by("position", "pk")
        )
        index = next(i for i, item in enumerate(plan) if item.pk == assignment.pk)
        target = index + offset
        if not 0 <= target < len(plan):
            return
        plan[index], plan[target] = plan[target], plan[index]
        # Renumbering the whole plan also repairs gaps left by removed assignments.
        for position, item in enumerate(plan, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def remove_assignment(assignment: Assignment) -> None:
    """Delete an assignment that no pupil has started, or raise LearningError."""
    with transaction.atomic():
        if assignment.attempts.exists() or assignment.completions.exists():
            raise LearningError(
                _(
                    "Des élèves ont déjà fait cette activité : elle reste dans le "
                    "plan pour garder leurs résultats."
                ),
                code="has_attempts",
            )
        assignment.delete()


# The pupil's side.


def assignments_for_pupil(pupil: Pupil) -> QuerySet[Assignment]:
    """Return every assignment of the pupil's class meant for the pupil."""
    if pupil.classroom_id is None or pupil.has_left:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(classroom_id=pupil.classroom_id)
        .filter(Q(pupils=None) | Q(pupils=pupil))
        .distinct()
        .select_related("activity__current_version")
        .order_by("position", "pk")
    )


def get_pupil_assignment(pupil: Pupil, assignment_pk: int) -> Assignment | None:
    """Return the assignment if it is meant for the pupil, else None."""
    return assignments_for_pupil(pupil).filter(pk=assignment_pk).first()


def is_open_today(assignment: Assignment, today: dt.date) -> bool:
    due_on = assignment.due_on
    return assignment.starts_on <= today and (due_on is None or today <= due_on)


@dataclass(frozen=True)
class TodayActivity:
    assignment: Assignment
    title: str
    kind: str
    on_screen: bool
    duration_minutes: int | None
    due_on: dt.date | None
    done: bool
    attempts: int


def today_activities(
    pupil: Pupil | None, now: dt.datetime | None = None
) -> list[TodayActivity]:
    """Return the activities the pupil may do today, in class plan order.

    The pupils' "today" page of the assessment app lists them under the pupil's
    questionnaires.
    """
    if pupil is None or pupil.classroom is None:
        return []
    today = school_today(pupil.classroom, now)
    assignments = [
        assignment
        for assignment in assignments_for_pupil(pupil)
        if is_open_today(assignment, today)
        and assignment.activity.current_version_id is not None
    ]
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(pupil=pupil, assignment__in=assignments).only(
        "assignment_id", "outcome"
    ):
        attempts.setdefault(attempt.assignment_id, []).append(attempt)
    completed = set(
        Completion.objects.filter(pupil=pupil, assignment__in=assignments).values_list(
            "assignment_id", flat=True
        )
    )
    return [
        TodayActivity(
            assignment=assignment,
            title=assignment.activity.title,
            kind=assignment.activity.kind,
            on_screen=assignment.activity.kind != Kind.UNPLUGGED,
            duration_minutes=assignment.activity.duration_minutes,
            due_on=assignment.due_on,
            done=assignment.pk in completed
            or any(item.succeeded for item in attempts.get(assignment.pk, [])),
            attempts=len(attempts.get(assignment.pk, [])),
        )
        for assignment in assignments
    ]


def version_to_play(assignment: Assignment) -> ActivityVersion | None:
    """Return the published version pupils play: the activity's latest one."""
    return published_version(assignment.activity)


# Accommodations.

ACCOMMODATION_FIELDS = ("read_aloud", "larger_text", "dyslexia_font")


def accommodations_of(pupil: Pupil | None) -> PupilProfile:
    """Return the pupil's profile, or an unsaved one with every accommodation off."""
    if pupil is None:
        return PupilProfile()
    profile = PupilProfile.objects.filter(pupil=pupil).first()
    return profile if profile is not None else PupilProfile(pupil=pupil)


def set_accommodations(
    classroom: Classroom,
    chosen: dict[str, set[int]],
    updated_by: User,
) -> int:
    """Store the accommodations of every enrolled pupil of the class.

    `chosen` maps each field of ACCOMMODATION_FIELDS to the ids of the pupils who
    have it. A pupil missing from a set has it turned off. Returns how many
    profiles changed.
    """
    changed = 0
    with transaction.atomic():
        pupils = classroom.pupils.filter(left_on__isnull=True)
        profiles = {
            profile.pupil_id: profile
            for profile in PupilProfile.objects.select_for_update().filter(
                pupil__in=pupils
            )
        }
        for pupil in pupils:
            profile = profiles.get(pupil.pk) or PupilProfile(pupil=pupil)
            expected = {
                field: pupil.pk in chosen.get(field, set())
                for field in ACCOMMODATION_FIELDS
            }
            if profile.pk is not None and all(
                getattr(profile, field) == value for field, value in expected.items()
            ):
                continue
            if profile.pk is None and not any(expected.values()):
                continue
            for field, value in expected.items():
                setattr(profile, field, value)
            profile.updated_by = updated_by
            profile.save()
            changed += 1
    logger.info(
        "Accommodations of class %s saved by user %s: %d profiles changed.",
        classroom.pk,
        updated_by.pk,
        changed,
    )
    return changed


# Results for teachers.


def target_pupils(assignment: Assignment) -> list[Pupil]:
    """Return the enrolled pupils the assignment is for: its group or its class."""
    group = list(assignment.pupils.all())
    if group:
        return sorted_by_display_name(pupil for pupil in group if not pupil.has_left)
    return sorted_by_display_name(
        assignment.classroom.pupils.filter(left_on__isnull=True)
    )


@dataclass(frozen=True)
class PupilResult:
    pupil: Pupil
    attempts: int
    done: bool
    best: Attempt | None
    time_spent_seconds: int
    hints_used: int


def assignment_results(assignment: Assignment) -> list[PupilResult]:
    """Return one row per pupil of the assignment, with their best attempt.

    The best attempt is the highest score, then the earliest success. Time spent and
    hints are the maximum over the pupil's attempts, since each attempt reports the
    totals since the pupil opened the activity.
    """
    by_pupil: dict[int, list[Attempt]] = {}
    for attempt in assignment.attempts.order_by("finished_at", "pk"):
        by_pupil.setdefault(attempt.pupil_id, []).append(attempt)
    results = []
    for pupil in target_pupils(assignment):
        attempts = by_pupil.get(pupil.pk, [])
        best = max(
            attempts,
            key=lambda item: (
                item.succeeded,
                _ratio(item),
                -item.finished_at.timestamp(),
            ),
            default=None,
        )
        results.append(
            PupilResult(
                pupil=pupil,
                attempts=len(attempts),
                done=any(item.succeeded for item in attempts),
                best=best,
                time_spent_seconds=max(
                    (item.time_spent_seconds for item in attempts), default=0
                ),
                hints_used=max((item.hints_used for item in attempts), default=0),
            )
        )
    return results


def _ratio(attempt: Attempt) -> float:
    return attempt.score / attempt.max_score if attempt.max_score else 0.0


@dataclass(frozen=True)
class PlanRow:
    assignment: Assignment
    pupil_count: int
    done_count: int


def _done_pupils(
    assignments: list[Assignment], pupil: Pupil | None = None
) -> dict[int, set[int]]:
    """Return who did each assignment, by a succeeded attempt or a completion.

    With `pupil`, only that pupil's attempts and completions are read.
    """
    done: dict[int, set[int]] = {}
    by_pupil = Q(pupil=pupil) if pupil is not None else Q()
    succeeded = Attempt.objects.filter(
        by_pupil, assignment__in=assignments, outcome__in=SUCCESS_OUTCOMES
    ).values_list("assignment_id", "pupil_id")
    completed = Completion.objects.filter(
        by_pupil, assignment__in=assignments
    ).values_list("assignment_id", "pupil_id")
    for assignment_id, pupil_id in [*succeeded, *completed]:
        done.setdefault(assignment_id, set()).add(pupil_id)
    return done


def plan_progress(classroom: Classroom, plan: list[Assignment]) -> list[PlanRow]:
    """Return each assignment of the plan with how many of its pupils finished it."""
    enrolled = set(
        classroom.pupils.filter(left_on__isnull=True).values_list("pk", flat=True)
    )
    finished = _done_pupils(plan)
    rows = []
    for assignment in plan:
        group = {pupil.pk for pupil in assignment.pupils.all()} or enrolled
        group &= enrolled
        rows.append(
            PlanRow(
                assignment=assignment,
                pupil_count=len(group),
                done_count=len(finished.get(assignment.pk, set()) & group),
            )
        )
    return rows


# Unplugged activities done in class.


@dataclass(frozen=True)
class CompletionRow:
    pupil: Pupil
    done_on: dt.date | None  # None: not recorded as done


def completion_rows(assignment: Assignment) -> list[CompletionRow]:
    """Return each pupil of the assignment with the day they did it, if recorded."""
    days = dict(assignment.completions.values_list("pupil_id", "done_on"))
    return [
        CompletionRow(pupil=pupil, done_on=days.get(pupil.pk))
        for pupil in target_pupils(assignment)
    ]


def record_completions(
    assignment: Assignment,
    done_by: Iterable[Pupil],
    *,
    done_on: dt.date,
    recorded_by: User,
    now: dt.datetime | None = None,
) -> int:
    """Record which pupils did an unplugged assignment in class.

    The pupils of `done_by` are recorded as done on `done_on`, except those already
    recorded, who keep their day. The assignment's other pupils lose their record,
    so the teacher unticks the absent. Returns how many pupils are recorded as done.
    Raises LearningError when the activity is played on screen, when `done_on` is
    before the start or after the school's today, or when a pupil of `done_by` is
    not among the assignment's pupils.
    """
    if assignment.activity.kind != Kind.UNPLUGGED:
        raise LearningError(
            _(
                "« %(activity)s » se fait sur écran : elle est finie quand l’élève "
                "la réussit, pas quand l’enseignant le note."
            )
            % {"activity": assignment.activity},
            code="not_unplugged",
        )
    today = school_today(assignment.classroom, now)
    if not assignment.starts_on <= done_on <= today:
        raise LearningError(
            _(
                "Le jour « %(day)s » n’est pas possible : choisissez un jour entre le "
                "début de l’activité (%(start)s) et aujourd’hui (%(today)s)."
            )
            % {
                "day": done_on.isoformat(),
                "start": assignment.starts_on.isoformat(),
                "today": today.isoformat(),
            },
            code="invalid_dates",
        )
    allowed = {pupil.pk for pupil in target_pupils(assignment)}
    chosen = {pupil.pk for pupil in done_by}
    outsiders = sorted(chosen - allowed)
    if outsiders:
        raise LearningError(
            _("Ces élèves ne font pas partie de cette activité : %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in outsiders)},
            code="pupil_not_in_assignment",
        )
    with transaction.atomic():
        # Locking the assignment serialises two adults saving the same list.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        recorded = set(assignment.completions.values_list("pupil_id", flat=True))
        # Pupils who left the class are not on the list and keep their record.
        removed, _counts = (
            assignment.completions.filter(pupil_id__in=allowed)
            .exclude(pupil_id__in=chosen)
            .delete()
        )
        Completion.objects.bulk_create(
            Completion(
                assignment=assignment,
                pupil_id=pupil_pk,
                done_on=done_on,
                recorded_by=recorded_by,
            )
            for pupil_pk in sorted(chosen - recorded)
        )
    logger.info(
        "Completions of assignment %s saved by user %s: %d pupils done, %d added, "
        "%d removed.",
        assignment.pk,
        recorded_by.pk,
        len(chosen),
        len(chosen - recorded),
        removed,
    )
    return len(chosen)


# The pupil's progress per CRCN competency.

# Activities done in a competency to earn each badge, from the first to the last.
BADGE_THRESHOLDS = (("bronze", 1), ("silver", 3), ("gold", 5))


@dataclass(frozen=True)
class CompetencyProgress:
    code: str
    name: str
    domain_name: str
    done: int
    assigned: int
    badge: str  # "", "bronze", "silver" or "gold"
    next_badge_at: int | None  # activities done to earn the next badge


def badge_for(done: int) -> tuple[str, int | None]:
    """Return the badge earned with `done` activities and the count for the next."""
    earned = ""
    for badge, threshold in BADGE_THRESHOLDS:
        if done < threshold:
            return earned, threshold
        earned = badge
    return earned, None


def pupil_progress(pupil: Pupil) -> list[CompetencyProgress]:
    """Return the pupil's own progress in each CRCN competency of their activities.

    An activity counts once for each competency it works on, as assigned when it is
    in the pupil's plan, and as done once an attempt succeeded or, for an unplugged
    activity, once the teacher recorded that the pupil did it in class. Nothing here
    compares the pupil with classmates.
    """
    assignments = list(assignments_for_pupil(pupil))
    done_ids = {
        assignment_id
        for assignment_id, pupils in _done_pupils(assignments, pupil).items()
        if pupil.pk in pupils
    }
    assigned: dict[str, set[int]] = {}
    done: dict[str, set[int]] = {}
    for assignment in assignments:
        activity = assignment.activity
        for code in activity.crcn:
            assigned.setdefault(code, set()).add(activity.pk)
            if assignment.pk in done_ids:
                done.setdefault(code, set()).add(activity.pk)
    rows = []
    for code, competency in competencies().items():
        if code not in assigned:
            continue
        count = len(done.get(code, set()))
        badge, next_at = badge_for(count)
        rows.append(
            CompetencyProgress(
                code=code,
                name=competency.name,
                domain_name=competency.domain_name,
                done=count,
                assigned=len(assigned[code]),
                badge=badge,
                next_badge_at=next_at,
            )
        )
    return rows


# Attempts.


class AttemptRejectedError(LearningError):
    code = "attempt_rejected"


class AttemptKeyConflictError(LearningError):
    code = "key_conflict"


@dataclass(frozen=True)
class AttemptSubmission:
    """One attempt as the player sent it, already checked for types."""

    key: uuid.UUID
    started_at: dt.datetime
    finished_at: dt.datetime
    time_spent_seconds: int
    hints_used: int
    answers: dict[str, Any] | None = None  # quizzes, in the ids of the page's layout
    seed: int | None = None  # quizzes: the seed of the page's QuizLayout
    program: dict[str, Any] | None = None  # coding challenges


@dataclass(frozen=True)
class AttemptOutcome:
    status: str  # "created" or "duplicate"
    attempt: Attempt


def record_attempt(
    assignment: Assignment,
    pupil: Pupil,
    submission: AttemptSubmission,
    now: dt.datetime | None = None,
) -> AttemptOutcome:
    """Score an attempt on the server and store it once per key.

    A quiz is scored from its answers, and a coding program is run by
    `activities.engine` on the challenge's grid, so the browser's own result never
    counts. Raises AttemptRejectedError when the assignment is not yet open or its
    activity cannot be played on screen, and AttemptKeyConflictError when the key
    belongs to another pupil's attempt.
    """
    known = Attempt.objects.filter(client_key=submission.key).first()
    if known is not None:
        return _duplicate(known, assignment, pupil)
    today = school_today(assignment.classroom, now)
    if assignment.starts_on > today:
        raise AttemptRejectedError(
            _("Cette activité commence le %(day)s.")
            % {"day": assignment.starts_on.isoformat()},
            code="not_started",
        )
    version = version_to_play(assignment)
    if version is None or assignment.activity.kind == Kind.UNPLUGGED:
        raise AttemptRejectedError(
            _("Cette activité se fait en classe, sans écran."), code="not_playable"
        )
    scored = _score(assignment, pupil, version, submission)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                assignment=assignment,
                pupil=pupil,
                version=version,
                client_key=submission.key,
                started_at=min(submission.started_at, submission.finished_at),
                finished_at=submission.finished_at,
                time_spent_seconds=submission.time_spent_seconds,
                hints_used=submission.hints_used,
                **scored,
            )
    except IntegrityError:
        # A resend that raced the first copy finds it stored by now: the unique key
        # makes it a duplicate, not an error.
        return _duplicate(
            Attempt.objects.get(client_key=submission.key), assignment, pupil
        )
    logger.info(
        "Attempt %s stored for assignment %s: %s, %s of %s.",
        attempt.pk,
        assignment.pk,
        attempt.outcome,
        attempt.score,
        attempt.max_score,
    )
    return AttemptOutcome("created", attempt)


def _duplicate(known: Attempt, assignment: Assignment, pupil: Pupil) -> AttemptOutcome:
    if known.pupil_id != pupil.pk or known.assignment_id != assignment.pk:
        raise AttemptKeyConflictError(
            _("Cette clé d’essai est déjà utilisée ailleurs : envoie un nouvel essai.")
        )
    return AttemptOutcome("duplicate", known)


def quiz_layout(assignment: Assignment, pupil: Pupil) -> QuizLayout:
    """Return the layout of the pupil's next attempt at a quiz.

    Its seed counts the pupil's stored attempts, so reloading the page keeps the
    layout and each stored attempt moves the next one to a new layout.
    """
    seed = Attempt.objects.filter(assignment=assignment, pupil=pupil).count()
    return QuizLayout(assignment.pk, pupil.pk, seed)


def _score(
    assignment: Assignment,
    pupil: Pupil,
    version: ActivityVersion,
    submission: AttemptSubmission,
) -> dict[str, Any]:
    content = content_of(version)
    if isinstance(content, QuizContent):
        if submission.answers is None:
            raise AttemptRejectedError(
                _("answers is missing: send the quiz answers by question key"),
                code="invalid_request",
            )
        if submission.seed is None:
            raise AttemptRejectedError(
                _("seed is missing: send the seed the quiz page gave with its ids"),
                code="invalid_request",
            )
        layout = QuizLayout(assignment.pk, pupil.pk, submission.seed)
        answers = layout.decode_answers(content.questions, submission.answers)
        try:
            result = score_quiz(content, answers)
        except QuizAnswerError as error:
            raise AttemptRejectedError(str(error), code="invalid_request") from error
        return {
            "score": result.points,
            "max_score": result.max_points,
            "outcome": Outcome.FINISHED,
            "detail": "",
            "blocks_used": None,
            # Stored in the content's keys, so the attempt can be scored again.
            "submission": {"answers": answers, "seed": submission.seed},
        }
    if not isinstance(content, CodingContent):
        raise AttemptRejectedError(
            _("Cette activité se fait en classe, sans écran."), code="not_playable"
        )
    if submission.program is None:
        raise AttemptRejectedError(
            _("program is missing: send the Blockly workspace JSON"),
            code="invalid_request",
        )
    run = engine.run_program(content.grid, submission.program, content.limits())
    succeeded = run["outcome"] == "success"
    return {
        "score": 1 if succeeded else 0,
        "max_score": 1,
        "outcome": Outcome.SUCCESS if succeeded else Outcome.NOT_YET,
        "detail": run["outcome"],
        "blocks_used": run["blocks_used"],
        "submission": {"program": submission.program},
    }


def quiz_feedback(attempt: Attempt) -> QuizScore | None:
    """Score a stored quiz attempt again, for the feedback of each question."""
    answers = attempt.submission.get("answers")
    content = content_of(attempt.version)
    if answers is None or not isinstance(content, QuizContent):
        return None
    return score_quiz(content, answers)


def last_attempt(assignment: Assignment, pupil: Pupil) -> Attempt | None:
    return (
        Attempt.objects.filter(assignment=assignment, pupil=pupil)
        .order_by("-finished_at", "-pk")
        .first()
    )


def has_succeeded(assignment: Assignment, pupil: Pupil) -> bool:
    return Attempt.objects.filter(
        assignment=assignment, pupil=pupil, outcome__in=SUCCESS_OUTCOMES
    ).exists()
