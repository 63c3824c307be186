"""Campaigns, waves and answers: the changes the assessment views ask for.

Wave windows are calendar dates read in each school's time zone, so a wave opening on
2 March opens at midnight in Saint-Denis for a school of La Réunion, hours before it
opens for a school in Paris. A teacher starts a wave in a class only inside that window.
After the class's session closes, a teacher or coordinator may reopen it for a few days
for the pupils who have not finished (absent pupils): those who finished before the
reopening cannot change their answers.
Answers carry a key made by the pupil's browser: a resent key never counts twice, and a
new key for the same item replaces the earlier answer when it was given later.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessment.instruments import InstrumentDefinition, definition_of
from assessment.models import (
    Answer,
    Campaign,
    Instrument,
    Response,
    Wave,
    WaveReopening,
    WaveSession,
)
from iota.errors import RuleError
from iota.permissions import sees_every_class
from schools.display_names import sorted_by_display_name
from schools.models import Classroom, Pupil, SchoolYear

logger = logging.getLogger(__name__)

# Answers queued on a tablet while the network was down may arrive after the teacher
# closed the wave. They are still stored when they were given before the close and
# arrive within this delay.
# NOTE: "given before the close" trusts the device's clock, which may be wrong.
LATE_ANSWER_GRACE = dt.timedelta(hours=24)
# A reopening lasts at most this many days after today, so that a late pupil's answers
# stay close in time to their classmates'.
MAX_REOPENING_DAYS = 7


class AssessmentError(RuleError):
    """A request the campaign and wave rules reject."""


class WaveNotOpenError(AssessmentError):
    code = "wave_not_open"


class WaveNotStartedError(AssessmentError):
    code = "wave_not_started"


class WaveClosedError(AssessmentError):
    code = "wave_closed"


class InvalidAnswerError(AssessmentError):
    code = "invalid_answer"


class AnswerKeyConflictError(AssessmentError):
    code = "key_conflict"


# Campaigns and their visibility.


@dataclass(frozen=True)
class WaveSpec:
    label: str
    opens_on: dt.date
    closes_on: dt.date


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Return the campaigns `user` may list: teachers see those with their classes."""
    campaigns = Campaign.objects.select_related("instrument", "school_year")
    if sees_every_class(user):
        return campaigns.all()
    if user.role == Role.TEACHER:
        return campaigns.filter(classes__teachers=user).distinct()
    return campaigns.none()


def create_campaign(
    *,
    name: str,
    instrument: Instrument,
    school_year: SchoolYear,
    classes: Iterable[Classroom],
    waves: Sequence[WaveSpec],
    created_by: User | None,
    completion_target: int | None = None,
) -> Campaign:
    """Create a campaign measuring `classes` with `instrument` in `waves`."""
    classes = list(classes)
    if not waves:
        raise AssessmentError(_("Ajoutez au moins une vague."))
    for classroom in classes:
        if classroom.school_year_id != school_year.pk:
            raise AssessmentError(
                _(
                    "La classe « %(label)s » est de l’année %(year)s, pas de "
                    "%(wanted)s. Retirez-la ou changez l’année scolaire."
                )
                % {
                    "label": classroom.label,
                    "year": classroom.school_year,
                    "wanted": school_year,
                }
            )
    for spec in waves:
        if spec.closes_on < spec.opens_on:
            raise AssessmentError(
                _("La vague %(label)s se ferme avant de s’ouvrir.")
                % {"label": spec.label}
            )
    fields = (
        {} if completion_target is None else {"completion_target": completion_target}
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            instrument=instrument,
            school_year=school_year,
            created_by=created_by,
            **fields,
        )
        campaign.classes.set(classes)
        Wave.objects.bulk_create(
            Wave(
                campaign=campaign,
                label=spec.label,
                opens_on=spec.opens_on,
                closes_on=spec.closes_on,
            )
            for spec in waves
        )
    logger.info(
        "Campaign %s created by user %s with instrument %s, %d classes, %d waves.",
        campaign.pk,
        created_by.pk if created_by else None,
        instrument.pk,
        len(classes),
        len(waves),
    )
    return campaign


# Wave windows, in each school's time zone.


def school_zone(classroom: Classroom) -> ZoneInfo:
    return ZoneInfo(classroom.school.academie.time_zone)


def wave_window_for(
    wave: Wave, classroom: Classroom
) -> tuple[dt.datetime, dt.datetime]:
    """Return the instants the wave opens and closes for `classroom`'s school.

    The window runs from midnight at the start of `opens_on` to midnight at the end
    of `closes_on`, local time. The end is exclusive.
    """
    zone = school_zone(classroom)
    opens_at = dt.datetime.combine(wave.opens_on, dt.time.min, tzinfo=zone)
    closes_at = dt.datetime.combine(
        wave.closes_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone
    )
    return opens_at, closes_at


def wave_is_open_for(
    wave: Wave, classroom: Classroom, now: dt.datetime | None = None
) -> bool:
    """Tell whether today, in the school's time zone, is inside the wave's dates."""
    now = now or timezone.now()
    local_day = now.astimezone(school_zone(classroom)).date()
    return wave.opens_on <= local_day <= wave.closes_on


def _window_text(wave: Wave) -> str:
    return _("du %(start)s au %(end)s") % {
        "start": date_format(wave.opens_on, "j F Y"),
        "end": date_format(wave.closes_on, "j F Y"),
    }


def _check_class_in_campaign(wave: Wave, classroom: Classroom) -> None:
    if not wave.campaign.classes.filter(pk=classroom.pk).exists():
        raise AssessmentError(
            _("La classe « %(label)s » ne fait pas partie de cette campagne.")
            % {"label": classroom.label},
            code="class_not_in_campaign",
        )


def start_wave(
    wave: Wave, classroom: Classroom, user: User, now: dt.datetime | None = None
) -> WaveSession:
    """Start `wave` in `classroom`, or reopen it there if it was closed.

    Raises WaveNotOpenError outside the wave's dates for the school.
    """
    now = now or timezone.now()
    _check_class_in_campaign(wave, classroom)
    if not wave_is_open_for(wave, classroom, now):
        raise WaveNotOpenError(
            _(
                "La vague %(label)s ne peut être lancée que %(window)s (heure de "
                "l’école). Revenez pendant ces dates ou demandez à la coordination "
                "de les changer."
            )
            % {"label": wave.label, "window": _window_text(wave)}
        )
    with transaction.atomic():
        session, created = WaveSession.objects.select_for_update().get_or_create(
            wave=wave,
            classroom=classroom,
            defaults={"started_by": user, "started_at": now},
        )
        if not created and session.closed_at is not None:
            session.closed_at = None
            session.save(update_fields=["closed_at"])
            logger.info(
                "Wave %s reopened in class %s by user %s.",
                wave.pk,
                classroom.pk,
                user.pk,
            )
    if created:
        logger.info(
            "Wave %s started in class %s by user %s.", wave.pk, classroom.pk, user.pk
        )
    return session


def close_wave(
    wave: Wave, classroom: Classroom, user: User, now: dt.datetime | None = None
) -> WaveSession:
    """Close the wave in `classroom`: pupils can no longer start or answer it."""
    now = now or timezone.now()
    session = WaveSession.objects.filter(wave=wave, classroom=classroom).first()
    if session is None:
        raise WaveNotStartedError(
            _("La vague %(label)s n’a pas été lancée dans cette classe.")
            % {"label": wave.label}
        )
    with transaction.atomic():
        if session.closed_at is None:
            session.closed_at = now
            session.save(update_fields=["closed_at"])
            logger.info(
                "Wave %s closed in class %s by user %s.",
                wave.pk,
                classroom.pk,
                user.pk,
            )
        ended = WaveReopening.objects.filter(
            session=session, ended_at=None, closes_at__gt=now
        ).update(ended_at=now)
    if ended:
        logger.info(
            "Reopening of wave %s ended in class %s by user %s.",
            wave.pk,
            classroom.pk,
            user.pk,
        )
    return session


def pupils_without_completed_response(
    wave: Wave, classroom: Classroom
) -> QuerySet[Pupil]:
    """Return the enrolled pupils of `classroom` who have not finished `wave`."""
    finished = Response.objects.filter(wave=wave, completed_at__isnull=False)
    return classroom.pupils.filter(left_on=None).exclude(
        pk__in=finished.values("pupil_id")
    )


def reopen_wave(
    wave: Wave,
    classroom: Classroom,
    user: User,
    *,
    until: dt.date,
    now: dt.datetime | None = None,
) -> WaveReopening:
    """Reopen `wave` in `classroom` until the end of `until`, in the school's time.

    Only pupils who had not finished when it reopens may answer. A running reopening
    is ended and replaced. Raises AssessmentError when the wave was never started in
    the class, is still open there, has no pupil left to finish, or when `until` is
    in the past or more than MAX_REOPENING_DAYS away.
    """
    now = now or timezone.now()
    _check_class_in_campaign(wave, classroom)
    zone = school_zone(classroom)
    today = now.astimezone(zone).date()
    _check_reopening_end(until, today)
    with transaction.atomic():
        session = (
            WaveSession.objects.select_for_update()
            .filter(wave=wave, classroom=classroom)
            .first()
        )
        if session is None:
            raise WaveNotStartedError(
                _(
                    "La vague %(label)s n’a jamais été lancée dans cette classe : "
                    "elle ne peut pas être rouverte. Demandez à la coordination de "
                    "changer les dates de la vague."
                )
                % {"label": wave.label}
            )
        session.wave, session.classroom = wave, classroom
        if session_is_active(session, now):
            raise AssessmentError(
                _(
                    "La vague %(label)s est encore ouverte dans cette classe : les "
                    "élèves peuvent déjà répondre."
                )
                % {"label": wave.label},
                code="wave_still_open",
            )
        if not pupils_without_completed_response(wave, classroom).exists():
            raise AssessmentError(
                _("Tous les élèves de la classe ont terminé la vague %(label)s.")
                % {"label": wave.label},
                code="nothing_to_reopen",
            )
        WaveReopening.objects.filter(
            session=session, ended_at=None, closes_at__gt=now
        ).update(ended_at=now)
        reopening = WaveReopening.objects.create(
            session=session,
            reopened_by=user,
            reopened_at=now,
            closes_at=dt.datetime.combine(
                until + dt.timedelta(days=1), dt.time.min, tzinfo=zone
            ),
        )
    logger.info(
        "Wave %s reopened in class %s by user %s until %s.",
        wave.pk,
        classroom.pk,
        user.pk,
        reopening.closes_at.isoformat(),
    )
    return reopening


def _check_reopening_end(until: dt.date, today: dt.date) -> None:
    last = today + dt.timedelta(days=MAX_REOPENING_DAYS)
    if until < today:
        raise AssessmentError(
            _(
                "Le %(until)s est déjà passé à l’heure de l’école : choisissez une "
                "date entre aujourd’hui et le %(last)s."
            )
            % {
                "until": date_format(until, "j F Y"),
                "last": date_format(last, "j F Y"),
            },
            code="invalid_reopening_end",
        )
    if until > last:
        raise AssessmentError(
            _(
                "Une vague se rouvre pour %(days)s jours au plus : choisissez une "
                "date de fin au plus tard le %(last)s, pas le %(until)s."
            )
            % {
                "days": MAX_REOPENING_DAYS,
                "until": date_format(until, "j F Y"),
                "last": date_format(last, "j F Y"),
            },
            code="invalid_reopening_end",
        )


def session_is_active(session: WaveSession, now: dt.datetime | None = None) -> bool:
    """Tell whether pupils may start and answer: not closed and inside the dates."""
    return session.closed_at is None and wave_is_open_for(
        session.wave, session.classroom, now
    )


def _session_end(session: WaveSession) -> dt.datetime:
    window_end = wave_window_for(session.wave, session.classroom)[1]
    if session.closed_at is None:
        return window_end
    return min(session.closed_at, window_end)


def active_reopening(
    session: WaveSession, now: dt.datetime | None = None
) -> WaveReopening | None:
    """Return the session's reopening running at `now`, if any.

    Reads `session.reopenings.all()`, so a prefetch of `reopenings` saves the query.
    """
    now = now or timezone.now()
    running = [r for r in session.reopenings.all() if r.is_active(now)]
    return max(running, key=lambda r: r.reopened_at, default=None)


def reopening_admits(reopening: WaveReopening, response: Response | None) -> bool:
    """Tell whether the reopening lets this pupil answer: not finished before it."""
    return (
        response is None
        or response.completed_at is None
        or response.completed_at >= reopening.reopened_at
    )


def pupil_may_answer(
    session: WaveSession, response: Response | None, now: dt.datetime | None = None
) -> bool:
    """Tell whether a pupil with `response` (None before starting) may answer now."""
    now = now or timezone.now()
    if session_is_active(session, now):
        return True
    reopening = active_reopening(session, now)
    return reopening is not None and reopening_admits(reopening, response)


def _answering_end(session: WaveSession, response: Response) -> dt.datetime:
    """Return when the pupil's last chance to answer ended, reopenings included."""
    end = _session_end(session)
    latest = session.reopenings.order_by("-reopened_at").first()
    if latest is not None and reopening_admits(latest, response):
        end = max(end, latest.end)
    return end


def active_sessions_for_pupil(
    pupil: Pupil, now: dt.datetime | None = None
) -> list[WaveSession]:
    """Return the wave sessions of the pupil's class the pupil may answer now."""
    now = now or timezone.now()
    if pupil.classroom_id is None or pupil.has_left:
        return []
    # A class has a few sessions a year, so all of them are checked in Python.
    sessions = (
        WaveSession.objects.filter(classroom_id=pupil.classroom_id)
        .select_related("wave__campaign__instrument", "classroom__school__academie")
        .prefetch_related("reopenings")
        .filter(wave__campaign__classes=pupil.classroom_id)
        .order_by("wave__opens_on", "pk")
    )
    responses = {
        response.wave_id: response
        for response in Response.objects.filter(
            pupil=pupil, wave__in=[session.wave_id for session in sessions]
        )
    }
    return [
        session
        for session in sessions
        if pupil_may_answer(session, responses.get(session.wave_id), now)
    ]


def _session_for(wave: Wave, pupil: Pupil) -> WaveSession:
    """Return the session of `wave` in the pupil's class, if it was started."""
    session = None
    if pupil.classroom_id is not None and not pupil.has_left:
        session = (
            WaveSession.objects.select_related("wave", "classroom__school__academie")
            .filter(
                wave=wave,
                classroom_id=pupil.classroom_id,
                classroom__campaigns=wave.campaign_id,
            )
            .first()
        )
    if session is None:
        raise WaveNotStartedError(
            _("Ce questionnaire n’est pas encore ouvert dans ta classe.")
        )
    return session


# Pupils' responses and answers.


def start_response(
    wave: Wave, pupil: Pupil, now: dt.datetime | None = None
) -> Response:
    """Return the pupil's response to `wave`, creating it on the first visit."""
    now = now or timezone.now()
    session = _session_for(wave, pupil)
    existing = Response.objects.filter(wave=wave, pupil=pupil).first()
    if not pupil_may_answer(session, existing, now):
        raise WaveClosedError(_("Ce questionnaire est fermé."))
    response, created = Response.objects.get_or_create(
        wave=wave, pupil=pupil, defaults={"started_at": now}
    )
    if created:
        logger.info("Response %s started in wave %s.", response.pk, wave.pk)
    return response


@dataclass(frozen=True)
class AnswerOutcome:
    # "created" is a new answer. "replaced" means this later answer replaced the
    # stored one. "duplicate" means the key was stored already. "superseded" means
    # a later answer to the item was stored already, so this one was not kept.
    status: Literal["created", "replaced", "duplicate", "superseded"]
    answer: Answer
    completed: bool


def answered_items(response: Response) -> dict[str, int | None]:
    """Return the stored value of each answered item (None for a skipped one)."""
    return dict(response.answers.values_list("item", "value"))


def record_answer(
    response: Response,
    *,
    key: uuid.UUID,
    item: str,
    value: int | None,
    answered_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> AnswerOutcome:
    """Store one answer of `response`, idempotently by `key`.

    The same key sent again returns the stored answer. A new key for an item already
    answered replaces it when its `answered_at` is later, so answers resent out of
    order from a queue still end on the pupil's last choice. `answered_at` comes from
    the pupil's device: it is capped at the server's time, and only compared with
    other answers from the same pupil, which share that device's clock.
    """
    now = now or timezone.now()
    answered_at = min(answered_at or now, now)
    definition = definition_of(response.wave.campaign.instrument)
    _validate_answer(definition, item, value)
    try:
        return _store_answer(response, definition, key, item, value, answered_at, now)
    except IntegrityError:
        # Another request stored the same key at the same moment: read it back.
        logger.info("Answer key collided on response %s, retrying once.", response.pk)
        return _store_answer(response, definition, key, item, value, answered_at, now)


def _validate_answer(
    definition: InstrumentDefinition, item: str, value: int | None
) -> None:
    if item not in definition.item_keys():
        raise InvalidAnswerError(
            _("La question « %(item)s » n’existe pas dans ce questionnaire.")
            % {"item": item}
        )
    points = definition.response_format.points
    if value is None:
        if not definition.response_format.allow_skip:
            raise InvalidAnswerError(_("Ce questionnaire demande une réponse."))
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= points
    ):
        raise InvalidAnswerError(
            _("La réponse %(value)r n’est pas entre 1 et %(points)s.")
            % {"value": value, "points": points}
        )


def _store_answer(
    response: Response,
    definition: InstrumentDefinition,
    key: uuid.UUID,
    item: str,
    value: int | None,
    answered_at: dt.datetime,
    now: dt.datetime,
) -> AnswerOutcome:
    with transaction.atomic():
        # Locking the response serialises the answers of one pupil on PostgreSQL.
        # SQLite needs no lock, because IMMEDIATE transactions serialise all writers.
        locked = Response.objects.select_for_update().get(pk=response.pk)
        same_key = Answer.objects.filter(client_key=key).first()
        if same_key is not None:
            if same_key.response_id != locked.pk:
                raise AnswerKeyConflictError(
                    _("Cette clé de réponse est déjà utilisée ailleurs.")
                )
            return AnswerOutcome("duplicate", same_key, locked.completed_at is not None)
        _check_accepts_answers(locked, answered_at, now)
        stored = Answer.objects.filter(response=locked, item=item).first()
        if stored is None:
            answer = Answer.objects.create(
                response=locked,
                item=item,
                value=value,
                client_key=key,
                answered_at=answered_at,
            )
            status: Literal["created", "replaced", "superseded"] = "created"
        elif answered_at > stored.answered_at:
            stored.value = value
            stored.client_key = key
            stored.answered_at = answered_at
            stored.save(update_fields=["value", "client_key", "answered_at"])
            answer, status = stored, "replaced"
        else:
            answer, status = stored, "superseded"
        if status != "superseded":
            Response.objects.filter(pk=locked.pk).update(
                answer_changes=F("answer_changes") + 1
            )
        completed = _complete_if_done(locked, definition, now)
    return AnswerOutcome(status, answer, completed)


def _check_accepts_answers(
    response: Response, answered_at: dt.datetime, now: dt.datetime
) -> None:
    session = _session_for(response.wave, response.pupil)
    if pupil_may_answer(session, response, now):
        return
    end = _answering_end(session, response)
    if answered_at < end <= now <= end + LATE_ANSWER_GRACE:
        return
    raise WaveClosedError(_("Ce questionnaire est fermé."))


def _complete_if_done(
    response: Response, definition: InstrumentDefinition, now: dt.datetime
) -> bool:
    if response.completed_at is not None:
        return True
    answered = response.answers.filter(item__in=definition.item_keys()).count()
    if answered < len(definition.items):
        return False
    response.completed_at = now
    response.save(update_fields=["completed_at"])
    logger.info("Response %s completed in wave %s.", response.pk, response.wave_id)
    return True


# The teacher's view of a wave in a class.


@dataclass(frozen=True)
class PupilProgress:
    pupil: Pupil
    status: Literal["not_started", "in_progress", "finished"]
    answered: int


@dataclass(frozen=True)
class WaveProgress:
    pupils: list[PupilProgress]
    item_count: int

    def count(self, status: str) -> int:
        return sum(1 for row in self.pupils if row.status == status)

    @property
    def not_started_count(self) -> int:
        return self.count("not_started")

    @property
    def in_progress_count(self) -> int:
        return self.count("in_progress")

    @property
    def finished_count(self) -> int:
        return self.count("finished")


def wave_progress(wave: Wave, classroom: Classroom) -> WaveProgress:
    """Return each enrolled pupil's progress through `wave`, in two queries."""
    definition = definition_of(wave.campaign.instrument)
    pupils = sorted_by_display_name(classroom.pupils.filter(left_on=None))
    responses = {
        row["pupil_id"]: row
        for row in Response.objects.filter(wave=wave, pupil__in=pupils)
        .values("pupil_id", "completed_at")
        .annotate(
            answered=Count(
                "answers", filter=Q(answers__item__in=definition.item_keys())
            )
        )
    }
    rows = []
    for pupil in pupils:
        row = responses.get(pupil.pk)
        if row is None:
            rows.append(PupilProgress(pupil, "not_started", 0))
        elif row["completed_at"] is not None:
            rows.append(PupilProgress(pupil, "finished", row["answered"]))
        else:
            rows.append(PupilProgress(pupil, "in_progress", row["answered"]))
    return WaveProgress(rows, len(definition.items))
