"""Task sessions, groups, runs and events: the changes the performance views ask for.

A teacher opens a task in a class for a wave, inside the wave's dates read in the
school's time zone. Pupils play it while it is open. Events carry a key made by the
pupil's browser, so a resent event never counts twice. The actions of a pair or group
change the state the server keeps for the group with a compare-and-swap on its
version: an action computed from a state another member changed meanwhile is
recomputed from the new state, and rejected if the rules no longer allow it.
"""

import datetime as dt
import itertools
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessment.models import Wave
from assessment.services import LATE_ANSWER_GRACE, wave_is_open_for
from iota.errors import RuleError
from performance.definitions import TaskDefinition, definition_of
from performance.games import GAMES, GroupGame, SoloGame
from performance.games.base import Event, InvalidEventError, Scores
from performance.models import (
    DeviceMode,
    Group,
    Observation,
    Task,
    TaskEvent,
    TaskRun,
    TaskSession,
)
from schools.display_names import sorted_by_display_name
from schools.models import Classroom, Pupil

logger = logging.getLogger(__name__)

# Attempts at writing a group's new state before giving up. The first reads the
# state without a lock. After a conflict the next ones lock the group's row, so on
# PostgreSQL they wait their turn and cannot conflict again.
MAX_STATE_ATTEMPTS = 3


class PerformanceError(RuleError):
    """A request the performance task rules reject."""


class TaskClosedError(PerformanceError):
    code = "task_closed"


class NotGroupedError(PerformanceError):
    code = "not_grouped"


class EventRejectedError(PerformanceError):
    """An event the game rejects; `code` is the game's (invalid_event, not_allowed)."""


class GroupBusyError(PerformanceError):
    code = "group_busy"


def game_of(task: Task) -> SoloGame | GroupGame:
    return cast(SoloGame | GroupGame, GAMES[task.type])


# Tasks and task sessions.


def current_tasks() -> list[Task]:
    """Return the newest version of each task key, ordered by skill then key."""
    newest: dict[str, Task] = {}
    for task in Task.objects.all():
        known = newest.get(task.key)
        if known is None or _version_tuple(task.version) > _version_tuple(
            known.version
        ):
            newest[task.key] = task
    return sorted(newest.values(), key=lambda task: (task.skill, task.key))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def open_task(
    task: Task,
    wave: Wave,
    classroom: Classroom,
    user: User | None,
    now: dt.datetime | None = None,
) -> TaskSession:
    """Open `task` in `classroom` for `wave`, or reopen it there if it was closed."""
    now = now or timezone.now()
    if not wave.campaign.classes.filter(pk=classroom.pk).exists():
        raise PerformanceError(
            _("La classe « %(label)s » ne fait pas partie de cette campagne.")
            % {"label": classroom.label},
            code="class_not_in_campaign",
        )
    if not wave_is_open_for(wave, classroom, now):
        raise PerformanceError(
            _(
                "La vague %(label)s est fermée pour cette classe : une tâche ne "
                "s’ouvre que pendant les dates de la vague."
            )
            % {"label": wave.label},
            code="wave_not_open",
        )
    other_version = TaskSession.objects.filter(
        wave=wave, classroom=classroom, task__key=task.key
    ).exclude(task=task)
    if other_version.exists():
        raise PerformanceError(
            _(
                "Une autre version de « %(title)s » est déjà ouverte pour cette "
                "vague dans cette classe."
            )
            % {"title": task.title},
            code="other_version_open",
        )
    with transaction.atomic():
        session, created = TaskSession.objects.select_for_update().get_or_create(
            task=task,
            wave=wave,
            classroom=classroom,
            defaults={"opened_by": user, "opened_at": now},
        )
        if not created and session.closed_at is not None:
            session.closed_at = None
            session.save(update_fields=["closed_at"])
    logger.info(
        "Task %s %s in wave %s, class %s, by user %s.",
        task.pk,
        "opened" if created else "reopened",
        wave.pk,
        classroom.pk,
        user.pk if user else None,
    )
    return session


def close_task(
    session: TaskSession, user: User | None, now: dt.datetime | None = None
) -> TaskSession:
    """Close the task session: pupils can no longer start or play it."""
    if session.closed_at is None:
        session.closed_at = now or timezone.now()
        session.save(update_fields=["closed_at"])
        logger.info(
            "Task session %s closed by user %s.", session.pk, user.pk if user else None
        )
    return session


def session_is_open(session: TaskSession, now: dt.datetime | None = None) -> bool:
    """Tell whether pupils may play: not closed and inside the wave's dates."""
    return session.closed_at is None and wave_is_open_for(
        session.wave, session.classroom, now
    )


def open_sessions_for_pupil(
    pupil: Pupil, now: dt.datetime | None = None
) -> list[TaskSession]:
    """Return the open task sessions of the pupil's class."""
    if pupil.classroom_id is None or pupil.has_left:
        return []
    sessions = (
        TaskSession.objects.filter(classroom_id=pupil.classroom_id, closed_at=None)
        .select_related("task", "wave", "classroom__school__academie")
        .order_by("task__skill", "task__key", "pk")
    )
    return [session for session in sessions if session_is_open(session, now)]


# Runs.


def start_run(
    session: TaskSession, pupil: Pupil, now: dt.datetime | None = None
) -> TaskRun:
    """Return the pupil's run of the session, creating it on the first visit.

    A pupil playing alone gets the run's material drawn now. A pupil of a pair or
    group task needs the group the teacher formed, else NotGroupedError.
    """
    now = now or timezone.now()
    if pupil.classroom_id != session.classroom_id or pupil.has_left:
        raise PerformanceError(
            _("Cette tâche n’est pas proposée à ta classe."), code="not_in_class"
        )
    if not session_is_open(session, now):
        raise TaskClosedError(_("Cette tâche est fermée."))
    game = game_of(session.task)
    if isinstance(game, GroupGame):
        run = TaskRun.objects.filter(
            session=session, pupil=pupil, group__isnull=False
        ).first()
        if run is None:
            raise NotGroupedError(
                _(
                    "Ton équipe n’est pas encore formée. Attends que ton enseignant "
                    "ou ton enseignante la forme."
                )
            )
        if run.started_at is None:
            run.started_at = now
            run.save(update_fields=["started_at"])
        return run
    run = TaskRun.objects.filter(session=session, pupil=pupil).first()
    if run is not None:
        return run
    definition = definition_of(session.task)
    seed = random.SystemRandom().randrange(2**31)
    material = {"seed": seed, **game.prepare(definition.content, random.Random(seed))}
    try:
        with transaction.atomic():
            run = TaskRun.objects.create(
                session=session, pupil=pupil, material=material, started_at=now
            )
    except IntegrityError:
        # The pupil's second tab started the run at the same moment.
        return TaskRun.objects.get(session=session, pupil=pupil)
    logger.info("Task run %s started in task session %s.", run.pk, session.pk)
    return run


def _check_accepts_events(
    session: TaskSession, occurred_at: dt.datetime, now: dt.datetime
) -> None:
    """Let events in while the session is open, and late ones made before it shut.

    Events queued on a tablet while the network was down may arrive after the
    teacher closed the task. They count when they happened before the close.
    """
    if session_is_open(session, now):
        return
    end = session.closed_at or now
    if occurred_at < end <= now <= end + LATE_ANSWER_GRACE:
        return
    raise TaskClosedError(_("Cette tâche est fermée."))


@dataclass(frozen=True)
class EventOutcome:
    # "created" is a new event; "duplicate" means the key was stored already.
    status: Literal["created", "duplicate"]
    event: TaskEvent
    completed: bool
    # For a pair or group: what the member may now see, and the state's version.
    view: dict[str, Any] | None = None


def record_event(
    run: TaskRun,
    *,
    key: uuid.UUID,
    kind: str,
    payload: Mapping[str, Any],
    seq: int,
    occurred_at: dt.datetime | None = None,
    seat: int | None = None,
    now: dt.datetime | None = None,
) -> EventOutcome:
    """Store one event of `run`, idempotently by `key`.

    For a pupil alone, `seq` is the browser's order of the event. For a group,
    the event is an action applied to the group's state; on one shared device
    `seat` names the member who acts. `occurred_at` comes from the device and is
    capped at the server's time. Raises EventRejectedError when the game rejects
    the event, TaskClosedError once the task is closed.
    """
    now = now or timezone.now()
    occurred_at = min(occurred_at or now, now)
    if run.group_id is not None:
        return apply_group_action(
            run.group,  # type: ignore[arg-type]
            run=run,
            key=key,
            kind=kind,
            payload=payload,
            seat=seat,
            occurred_at=occurred_at,
            now=now,
        )
    game = game_of(run.session.task)
    if not isinstance(game, SoloGame):
        raise NotGroupedError(_("Ton équipe n’est pas encore formée."))
    definition = definition_of(run.session.task)
    try:
        game.check_event(definition.content, run.material, Event(kind, payload))
    except InvalidEventError as error:
        raise EventRejectedError(error.message, code=error.code) from error
    try:
        return _store_solo_event(
            run, definition, key, kind, payload, seq, occurred_at, now
        )
    except IntegrityError:
        logger.info("Event key collided on task run %s, retrying once.", run.pk)
        return _store_solo_event(
            run, definition, key, kind, payload, seq, occurred_at, now
        )


def _duplicate_of(key: uuid.UUID, run: TaskRun) -> TaskEvent | None:
    same_key = TaskEvent.objects.filter(client_key=key).first()
    if same_key is not None and same_key.run_id != run.pk:
        raise PerformanceError(
            _("Cette clé d’événement est déjà utilisée ailleurs."),
            code="key_conflict",
        )
    return same_key


def _store_solo_event(
    run: TaskRun,
    definition: TaskDefinition,
    key: uuid.UUID,
    kind: str,
    payload: Mapping[str, Any],
    seq: int,
    occurred_at: dt.datetime,
    now: dt.datetime,
) -> EventOutcome:
    game = cast(SoloGame, game_of(run.session.task))
    with transaction.atomic():
        # Locking the run serialises one pupil's events on PostgreSQL, so the
        # completion check sees every earlier event.
        locked = TaskRun.objects.select_for_update().get(pk=run.pk)
        same_key = _duplicate_of(key, locked)
        if same_key is not None:
            return EventOutcome("duplicate", same_key, locked.completed_at is not None)
        _check_accepts_events(run.session, occurred_at, now)
        event = TaskEvent.objects.create(
            run=locked,
            seq=seq,
            kind=kind,
            payload=dict(payload),
            client_key=key,
            occurred_at=occurred_at,
        )
        if locked.completed_at is None and game.is_complete(
            definition.content, locked.material, solo_events(locked)
        ):
            locked.completed_at = now
            locked.save(update_fields=["completed_at"])
            logger.info("Task run %s completed.", locked.pk)
    run.completed_at = locked.completed_at
    return EventOutcome("created", event, locked.completed_at is not None)


def solo_events(run: TaskRun) -> list[Event]:
    """Return the stored events of a pupil playing alone, in the browser's order."""
    return [
        Event(kind, payload)
        for kind, payload in run.events.order_by("seq", "pk").values_list(
            "kind", "payload"
        )
    ]


def stored_events(run: TaskRun) -> list[dict[str, Any]]:
    """Return the run's events as the player resumes from them."""
    return [
        {"key": str(key), "kind": kind, "payload": payload, "seq": seq}
        for key, kind, payload, seq in run.events.order_by("seq", "pk").values_list(
            "client_key", "kind", "payload", "seq"
        )
    ]


# Groups.


class _StaleStateError(Exception):
    """Another action changed the group's state between the read and the write."""


def apply_group_action(
    group: Group,
    *,
    run: TaskRun | None,
    key: uuid.UUID,
    kind: str,
    payload: Mapping[str, Any],
    seat: int | None = None,
    occurred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> EventOutcome:
    """Apply one action to the group's state, idempotently by `key`.

    `run` is the acting pupil's run, or None for the teacher. The new state is
    written only if the group's version is still the one it was computed from.
    Otherwise the action is recomputed on the newer state, this time with the
    group's row locked, because a whole class acting on its pot at once would
    keep an optimistic writer losing.
    """
    now = now or timezone.now()
    occurred_at = min(occurred_at or now, now)
    session = group.session
    game = cast(GroupGame, game_of(session.task))
    content = definition_of(session.task).content
    acting_seat = _acting_seat(group, run, seat)
    for attempt in range(1, MAX_STATE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _apply_once(
                    group, game, content, run, key, kind, payload, acting_seat,
                    occurred_at, now, lock=attempt > 1,
                )  # fmt: skip
        except _StaleStateError:
            logger.info(
                "Group %s changed during an action, attempt %d of %d.",
                group.pk,
                attempt,
                MAX_STATE_ATTEMPTS,
            )
        except IntegrityError:
            # The same key was stored by a concurrent request: read it back.
            same_key = TaskEvent.objects.filter(client_key=key).first()
            if same_key is None:
                raise
            return _duplicate_outcome(group, game, content, run, same_key)
    logger.warning("Group %s stayed busy for an action; rejected.", group.pk)
    raise GroupBusyError(_("Ton équipe joue très vite : réessaie dans un instant."))


def write_group_state(
    group_pk: int, read_version: int, state: dict[str, Any], now: dt.datetime
) -> bool:
    """Write `state` as the next version, only if the version is still `read_version`.

    Returns False, writing nothing, when another action changed the group since the
    state was read. On PostgreSQL the UPDATE waits for a concurrent writer's commit,
    then finds the version moved on.
    """
    written = Group.objects.filter(pk=group_pk, version=read_version).update(
        state=state, version=read_version + 1, updated_at=now
    )
    return written == 1


def _acting_seat(group: Group, run: TaskRun | None, seat: int | None) -> int | None:
    if run is None:
        return None
    if group.device_mode != DeviceMode.SHARED:
        return run.seat
    if seat is None:
        return run.seat
    seats = group.runs.count()
    if isinstance(seat, bool) or not isinstance(seat, int) or not 0 <= seat < seats:
        raise EventRejectedError(
            _("seat %(seat)r n’est pas une place de cette équipe") % {"seat": seat},
            code="invalid_event",
        )
    return seat


def _apply_once(
    group: Group,
    game: GroupGame,
    content: Any,
    run: TaskRun | None,
    key: uuid.UUID,
    kind: str,
    payload: Mapping[str, Any],
    seat: int | None,
    occurred_at: dt.datetime,
    now: dt.datetime,
    *,
    lock: bool,
) -> EventOutcome:
    # Read the group before looking for the key. A concurrent action commits its
    # state and its event together, so if this read returns the new state, the key
    # lookup below finds that action's event too.
    groups = Group.objects.select_related("session__wave", "session__classroom")
    if lock:
        groups = groups.select_for_update(of=("self",))
    fresh = groups.get(pk=group.pk)
    same_key = TaskEvent.objects.filter(client_key=key).first()
    if same_key is not None:
        if same_key.group_id != group.pk:
            raise PerformanceError(
                _("Cette clé d’événement est déjà utilisée ailleurs."),
                code="key_conflict",
            )
        return _duplicate_outcome(group, game, content, run, same_key)
    _check_accepts_events(fresh.session, occurred_at, now)
    try:
        state = game.apply(content, fresh.state, kind, payload, seat)
    except InvalidEventError as error:
        raise EventRejectedError(error.message, code=error.code) from error
    version = fresh.version + 1
    if not write_group_state(group.pk, fresh.version, state, now):
        raise _StaleStateError
    actor = run
    if run is not None and seat != run.seat:
        actor = TaskRun.objects.get(group=group, seat=seat)
    event = TaskEvent.objects.create(
        run=actor,
        group=group,
        seq=version,
        kind=kind,
        payload=dict(payload),
        client_key=key,
        occurred_at=occurred_at,
    )
    finished = game.is_finished(state)
    if finished:
        fresh.runs.filter(completed_at=None).update(completed_at=now)
        logger.info("Group %s finished its task at version %d.", group.pk, version)
    group.state, group.version = state, version
    return EventOutcome("created", event, finished, group_view(group, run, state=state))


def _duplicate_outcome(
    group: Group,
    game: GroupGame,
    content: Any,
    run: TaskRun | None,
    event: TaskEvent,
) -> EventOutcome:
    group.refresh_from_db(fields=["state", "version"])
    return EventOutcome(
        "duplicate", event, game.is_finished(group.state), group_view(group, run)
    )


def group_view(
    group: Group, run: TaskRun | None, state: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return what the member of `run` may see of the group (None: the teacher)."""
    task = group.session.task
    game = cast(GroupGame, game_of(task))
    content = definition_of(task).content
    shared = group.device_mode == DeviceMode.SHARED
    seat = run.seat if run is not None else None
    view = game.view(content, state or group.state, seat, shared=shared)
    return {**view, "version": group.version, "shared": shared}


def close_group_round(group: Group, user: User) -> EventOutcome:
    """End the current round of a group game for the members still to play."""
    state = group.state
    outcome = apply_group_action(
        group,
        run=None,
        key=uuid.uuid4(),
        kind="close_round",
        payload={"round": state.get("round")},
    )
    logger.info("Round closed in group %s by user %s.", group.pk, user.pk)
    return outcome


@dataclass(frozen=True)
class GroupDraft:
    """A group the teacher asks for: its number and its members, seat by seat."""

    number: int
    pupils: Sequence[Pupil]


def form_groups(
    session: TaskSession,
    drafts: Sequence[GroupDraft],
    device_mode: str,
    user: User | None,
) -> list[Group]:
    """Replace the session's groups that have not played yet with `drafts`.

    Groups that have started keep their members; a draft may not take one of them.
    Raises PerformanceError naming the group and the rule when a draft breaks one.
    """
    game = game_of(session.task)
    if not isinstance(game, GroupGame):
        raise PerformanceError(_("Cette tâche se joue seul."), code="solo_task")
    if device_mode not in DeviceMode.values or (
        device_mode == DeviceMode.SHARED and not game.allows_shared_device
    ):
        raise PerformanceError(
            _("Cette tâche se joue avec un appareil par élève."), code="device_mode"
        )
    content = definition_of(session.task).content
    started = Group.objects.filter(session=session, version__gt=0)
    taken_numbers = set(started.values_list("number", flat=True))
    taken_pupils = set(
        TaskRun.objects.filter(group__in=started).values_list("pupil_id", flat=True)
    )
    _check_drafts(session, game, drafts, taken_numbers, taken_pupils)
    with transaction.atomic():
        unstarted = Group.objects.filter(session=session, version=0)
        TaskRun.objects.filter(group__in=unstarted).update(group=None, seat=None)
        unstarted.delete()
        groups = []
        for draft in drafts:
            group = Group.objects.create(
                session=session,
                number=draft.number,
                device_mode=device_mode,
                state=game.initial_state(
                    content, len(draft.pupils), random.Random(uuid.uuid4().int)
                ),
                created_by=user,
            )
            for seat, pupil in enumerate(draft.pupils):
                TaskRun.objects.update_or_create(
                    session=session,
                    pupil=pupil,
                    defaults={"group": group, "seat": seat},
                )
            groups.append(group)
    logger.info(
        "Task session %s: %d groups formed by user %s.",
        session.pk,
        len(groups),
        user.pk if user else None,
    )
    return groups


def _check_drafts(
    session: TaskSession,
    game: GroupGame,
    drafts: Sequence[GroupDraft],
    taken_numbers: set[int],
    taken_pupils: set[int],
) -> None:
    seen: set[int] = set()
    for draft in drafts:
        size = len(draft.pupils)
        if not game.min_size <= size <= game.max_size:
            raise PerformanceError(
                _(
                    "Le groupe %(number)s a %(size)s élève(s) ; cette tâche se joue "
                    "à %(min)s à %(max)s."
                )
                % {
                    "number": draft.number,
                    "size": size,
                    "min": game.min_size,
                    "max": game.max_size,
                },
                code="group_size",
            )
        if draft.number in taken_numbers:
            raise PerformanceError(
                _("Le groupe %(number)s joue déjà : choisissez un autre numéro.")
                % {"number": draft.number},
                code="group_started",
            )
        for pupil in draft.pupils:
            if pupil.classroom_id != session.classroom_id or pupil.has_left:
                raise PerformanceError(
                    _("Un élève du groupe %(number)s n’est pas dans cette classe.")
                    % {"number": draft.number},
                    code="not_in_class",
                )
            if pupil.pk in taken_pupils or pupil.pk in seen:
                raise PerformanceError(
                    _("%(name)s est déjà dans un groupe qui joue ou dans deux groupes.")
                    % {"name": pupil.display_name},
                    code="pupil_taken",
                )
            seen.add(pupil.pk)


def draw_groups(
    session: TaskSession,
    pupils: Sequence[Pupil],
    device_mode: str,
    user: User | None,
    rng: random.Random | None = None,
) -> list[Group]:
    """Form random groups of the game's size from `pupils` (all in one if no size).

    With an odd number of pupils for a pair task, one pupil is left without a
    partner and listed in the logs by id, for the teacher to pair later.
    """
    game = game_of(session.task)
    if not isinstance(game, GroupGame):
        raise PerformanceError(_("Cette tâche se joue seul."), code="solo_task")
    rng = rng or random.Random()
    started = Group.objects.filter(session=session, version__gt=0)
    busy = set(
        TaskRun.objects.filter(group__in=started).values_list("pupil_id", flat=True)
    )
    started_numbers = set(started.values_list("number", flat=True))
    numbers = (n for n in itertools.count(1) if n not in started_numbers)
    free = [pupil for pupil in pupils if pupil.pk not in busy]
    rng.shuffle(free)
    size = game.draw_size or len(free)
    drafts = []
    if size:
        whole = len(free) // size * size
        drafts = [
            GroupDraft(next(numbers), free[start : start + size])
            for start in range(0, whole, size)
        ]
        left_out = free[whole:]
        if left_out:
            logger.info(
                "Task session %s: pupils %s left without a group by the draw.",
                session.pk,
                [pupil.pk for pupil in left_out],
            )
    return form_groups(session, drafts, device_mode, user)


# The teacher's view of a task session.


@dataclass(frozen=True)
class RunProgress:
    pupil: Pupil
    status: Literal["not_started", "in_progress", "finished"]
    group_number: int | None


def task_progress(session: TaskSession) -> list[RunProgress]:
    """Return each enrolled pupil's progress in the session, in two queries."""
    pupils = sorted_by_display_name(session.classroom.pupils.filter(left_on=None))
    runs = {
        row["pupil_id"]: row
        for row in TaskRun.objects.filter(session=session)
        .values("pupil_id", "started_at", "completed_at", "group__number")
        .annotate(event_count=Count("events"))
    }
    rows = []
    for pupil in pupils:
        row = runs.get(pupil.pk)
        status: Literal["not_started", "in_progress", "finished"] = "not_started"
        if row is not None and row["completed_at"] is not None:
            status = "finished"
        elif row is not None and (row["started_at"] is not None or row["event_count"]):
            status = "in_progress"
        rows.append(RunProgress(pupil, status, row["group__number"] if row else None))
    return rows


def save_observation(
    group: Group, ratings: Mapping[str, int], user: User
) -> Observation:
    """Store the teacher's grid for `group`, replacing an earlier one."""
    grid = definition_of(group.session.task).observation_grid
    if grid is None:
        raise PerformanceError(
            _("Cette tâche n’a pas de grille d’observation."), code="no_grid"
        )
    keys = {item.key for item in grid.items}
    for key, value in ratings.items():
        if key not in keys or not 1 <= value <= grid.points:
            raise PerformanceError(
                _("La note %(value)r de %(key)s n’est pas entre 1 et %(points)s.")
                % {"value": value, "key": key, "points": grid.points},
                code="invalid_rating",
            )
    observation, _created = Observation.objects.update_or_create(
        group=group,
        defaults={
            "ratings": dict(ratings),
            "observer": user,
            "observed_at": timezone.now(),
        },
    )
    logger.info("Observation of group %s saved by user %s.", group.pk, user.pk)
    return observation


def run_scores(run: TaskRun) -> Scores:
    """Return the scores of one run, named as the game's `score_names`."""
    task = run.session.task
    game = game_of(task)
    content = definition_of(task).content
    if isinstance(game, SoloGame):
        return game.score(content, run.material, solo_events(run))
    if run.group is None or run.seat is None:
        return dict.fromkeys(game.score_names)
    return game.score(content, run.group.state, run.seat)


def groups_with_members(session: TaskSession) -> list[Group]:
    """Return the session's groups with their runs and pupils, in two queries."""
    return list(
        Group.objects.filter(session=session)
        .prefetch_related("runs__pupil")
        .order_by("number")
    )
