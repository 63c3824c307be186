"""Services of the learning app: class plans, pupils' activities and accommodations.

Views call these functions and never change the models themselves. Dates are read in
the school's time zone, because an overseas class's "today" is not Paris's.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Activity, ActivityVersion, Kind
from activities.services import published_version
from assessment.services import school_zone
from learning.models import Assignment, Attempt, PupilProfile
from schools.models import Classroom, Pupil

logger = logging.getLogger(__name__)


class LearningError(Exception):
    """A request the rules forbid. `code` is stable for the API, `message` French."""

    code = "invalid"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


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
        if assignment.attempts.exists():
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
    return [
        TodayActivity(
            assignment=assignment,
            title=assignment.activity.title,
            kind=assignment.activity.kind,
            on_screen=assignment.activity.kind != Kind.UNPLUGGED,
            duration_minutes=assignment.activity.duration_minutes,
            due_on=assignment.due_on,
            done=any(item.succeeded for item in attempts.get(assignment.pk, [])),
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
