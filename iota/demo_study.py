"""The demo's impact study: last school year's four waves in programme and comparison
classes of fictional schools, with simulated answers that carry a known effect.

Each skill of the instrument gets a latent score per pupil and wave, drawn from the
model that `assessment.simulate` states:

    eta = growth * w + effect * programme * w / (W - 1) + u_school + u_class
          + u_pupil + e,

with independent normal terms of variances `icc_school`, `icc_class`,
`pupil_share` and the remainder to 1. The programme effect thus grows linearly to
`effect` latent SDs at the last wave, and two pupils of one class correlate by
`icc_school + icc_class` at a wave. Each item is the latent score times a loading
(0.75 down to 0.55) plus noise, cut at -1, 0 and 1 into the four points, and stored
turned round when the item is reverse-keyed. Some pupils leave the study (no later
waves), miss one wave, skip items, stop halfway, or answer carelessly (too fast, or
the same point all along), so the quality rules and the attrition have something to
report. Every response is stored with `is_simulated`.

The classes come from `iota.fictional` and are imported as ONDE exports, the arms
are drawn by `studies.services.assign_at_random` (stratified by school, with the
recorded seed), and parents' consent is recorded through `record_consents`.
"""

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from assessment.instruments import sync_instruments
from assessment.models import Answer, Instrument, Response, Wave, WaveSession
from assessment.schedule import academies_of, is_school_day, propose_schedule
from assessment.services import WaveSpec, create_campaign, wave_window_for
from iota.fictional import fictional_onde_export, fictional_schools
from schools.models import Classroom, Pupil, School
from schools.services import import_onde_file, school_year_dates
from studies.models import (
    AssignmentRun,
    ConsentSource,
    ConsentStatus,
    Stratification,
    Study,
)
from studies.services import assign_at_random, create_study, record_consents

BATTERY_KEY = "skills-battery"
FALLBACK_KEY = "perseverance-self-report"
STUDY_NAME = "Évaluation IOTA {year} (démo, données simulées)"
STUDY_TEACHER = ("sophie.leroy@iota.example", "Sophie", "Leroy")
# Item loadings on the latent score, from the first item to the last, and the cuts
# of the standardised item into four points, as `assessment.simulate` draws them.
LOADINGS = (0.75, 0.55)
THRESHOLDS = (-1.0, 0.0, 1.0)
# Seconds between two answers of a careful pupil, and of a pupil who rushes.
ANSWER_GAP = (4.0, 12.0)
RUSHED_GAP = (0.4, 1.2)
ANSWER_BATCH = 5000


@dataclass(frozen=True)
class DemoStudyDesign:
    """The parameters of the simulated study; `effect` is in latent SDs at the end."""

    class_counts: tuple[int, ...] = (4, 4, 3, 3, 3, 3)
    pupils_per_class: int = 22
    size_spread: int = 3
    effect: float = 0.25
    growth: float = 0.10
    icc_school: float = 0.05
    icc_class: float = 0.10
    pupil_share: float = 0.45
    # Per wave after the first: the chance a pupil leaves for good, or misses it.
    dropout: float = 0.03
    absence: float = 0.04
    consent_refused: float = 0.06
    consent_unknown: float = 0.04
    item_missing: float = 0.02
    # Per response: the chance it stops halfway, is rushed, or is one long string.
    unfinished: float = 0.01
    rushed: float = 0.01
    long_string: float = 0.005
    seed: int = 20261204

    @property
    def icc(self) -> float:
        """The intraclass correlation of the latent score within a class."""
        return self.icc_school + self.icc_class


@dataclass(frozen=True)
class _Latent:
    """The stable parts of each skill's latent score, by unit."""

    school: dict[tuple[str, int], float]
    classroom: dict[tuple[str, int], float]
    pupil: dict[tuple[str, int], float]


def _previous_school_year(today: dt.date) -> int:
    """Return the first calendar year of the school year before `today`'s."""
    _label, starts_on, _ends_on = school_year_dates(today)
    return starts_on.year - 1


def _instrument() -> Instrument:
    sync_instruments()
    for key in (BATTERY_KEY, FALLBACK_KEY):
        instrument = Instrument.objects.filter(key=key).order_by("-loaded_at").first()
        if instrument is not None:
            return instrument
    raise RuntimeError(
        f"neither {BATTERY_KEY} nor {FALLBACK_KEY} is loaded; run iota load-instruments"
    )


def _import_schools(design: DemoStudyDesign, start_year: int) -> list[Classroom]:
    specs = fictional_schools(
        list(design.class_counts),
        pupils_per_class=design.pupils_per_class,
        size_spread=design.size_spread,
        seed=design.seed,
    )
    classes: list[Classroom] = []
    for index, spec in enumerate(specs):
        export = fictional_onde_export(
            spec.classes,
            school_year_start=start_year,
            seed=design.seed + index,
            first_serial=100_000 * (index + 1),
        )
        import_onde_file(
            export,
            uai=spec.uai,
            school_name=f"{spec.name} (démo)",
            today=dt.date(start_year, 9, 15),
        )
        school = School.objects.get(uai=spec.uai)
        classes.extend(
            school.classes.filter(school_year__label__startswith=str(start_year))
            .select_related("school__academie", "school_year")
            .order_by("label")
        )
    return classes


def _wave_specs(classes: Sequence[Classroom], start_year: int) -> list[WaveSpec]:
    """Plan four waves eight weeks apart from October, around every zone's holidays."""
    proposal = propose_schedule(
        start_on=dt.date(start_year, 10, 1),
        academies=academies_of(classes),
        last_day=dt.date(start_year + 1, 6, 30),
    )
    specs = []
    for wave in proposal.waves:
        if wave.opens_on is None or wave.closes_on is None:
            raise RuntimeError(f"no window found for demo wave {wave.label}")
        specs.append(WaveSpec(wave.label, wave.opens_on, wave.closes_on))
    return specs


def _record_consent(
    study: Study,
    pupils: Sequence[Pupil],
    design: DemoStudyDesign,
    user: User,
    recorded_at: dt.datetime,
) -> None:
    rng = random.Random(f"{design.seed}:consent")
    statuses = {}
    for pupil in pupils:
        draw = rng.random()
        if draw < design.consent_refused:
            statuses[pupil.pk] = ConsentStatus.REFUSED
        elif draw < design.consent_refused + design.consent_unknown:
            statuses[pupil.pk] = ConsentStatus.UNKNOWN
        else:
            statuses[pupil.pk] = ConsentStatus.GIVEN
    record_consents(
        study, statuses, user=user, source=ConsentSource.BULK, now=recorded_at
    )


def _latent_parts(
    skills: Sequence[str],
    classes: Sequence[Classroom],
    pupils: Sequence[Pupil],
    design: DemoStudyDesign,
    rng: random.Random,
) -> _Latent:
    school_ids = sorted({classroom.school_id for classroom in classes})
    return _Latent(
        school={
            (skill, school): rng.gauss(0.0, math.sqrt(design.icc_school))
            for skill in skills
            for school in school_ids
        },
        classroom={
            (skill, classroom.pk): rng.gauss(0.0, math.sqrt(design.icc_class))
            for skill in skills
            for classroom in classes
        },
        pupil={
            (skill, pupil.pk): rng.gauss(0.0, math.sqrt(design.pupil_share))
            for skill in skills
            for pupil in pupils
        },
    )


def _item_value(eta: float, loading: float, rng: random.Random) -> int:
    latent = loading * eta + math.sqrt(1 - loading**2) * rng.gauss(0.0, 1.0)
    return 1 + sum(latent > cut for cut in THRESHOLDS)


class _AnswerWriter:
    """Responses and answers of one study, written in a few bulk inserts.

    The answers go in with one `executemany` instead of `bulk_create`, because the
    ORM's per-value preparation of some 45,000 rows took most of the demo's load
    time. Values are prepared for the database as the model fields would.
    """

    def __init__(self, definition: dict, rng: random.Random) -> None:
        self.rng = rng
        self.points = int(definition["response_format"]["points"])
        self.items = [
            (item["key"], bool(item.get("reverse"))) for item in definition["items"]
        ]
        self.item_skill: dict[str, str] = {}
        self.loading: dict[str, float] = {}
        for scale in definition["scales"]:
            count = len(scale["items"])
            for index, item in enumerate(scale["items"]):
                step = index / (count - 1) if count > 1 else 0.0
                self.item_skill[item] = scale["key"]
                self.loading[item] = LOADINGS[0] + (LOADINGS[1] - LOADINGS[0]) * step
        # Each response, and its answers as (item, value, client key, answered at).
        self.pending: list[
            tuple[Response, list[tuple[str, int | None, uuid.UUID, dt.datetime]]]
        ] = []

    def add(
        self,
        wave: Wave,
        pupil: Pupil,
        eta: dict[str, float],
        started_at: dt.datetime,
        design: DemoStudyDesign,
    ) -> None:
        rng = self.rng
        draw = rng.random()
        unfinished = draw < design.unfinished
        draw -= design.unfinished
        rushed = 0 <= draw < design.rushed
        draw -= design.rushed
        long_string = 0 <= draw < design.long_string
        gap = RUSHED_GAP if rushed else ANSWER_GAP
        items = self.items[: len(self.items) // 2] if unfinished else self.items
        same_point = rng.randint(1, self.points)
        moment = started_at
        answers = []
        for key, reverse in items:
            moment += dt.timedelta(seconds=rng.uniform(*gap))
            value: int | None
            if long_string:
                value = same_point
            else:
                value = _item_value(eta[self.item_skill[key]], self.loading[key], rng)
                if reverse:
                    value = self.points + 1 - value
                if rng.random() < design.item_missing:
                    value = None
            client_key = uuid.UUID(int=rng.getrandbits(128), version=4)
            answers.append((key, value, client_key, moment))
        response = Response(
            wave=wave,
            pupil=pupil,
            started_at=started_at,
            completed_at=None if unfinished else moment,
            answer_changes=len(answers),
            is_simulated=True,
        )
        self.pending.append((response, answers))

    def write(self) -> int:
        """Insert every pending response and its answers; return the answer count."""
        responses = Response.objects.bulk_create(
            [response for response, _answers in self.pending]
        )
        key_field = Answer._meta.get_field("client_key")
        table = connection.ops.quote_name(Answer._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(column)
            for column in ("response_id", "item", "value", "client_key", "answered_at")
        )
        received = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = [
            (
                response.pk,
                item,
                value,
                key_field.get_db_prep_value(client_key, connection),
                connection.ops.adapt_datetimefield_value(answered_at),
                received,
            )
            for response, (_pending, answers) in zip(
                responses, self.pending, strict=True
            )
            for item, value, client_key, answered_at in answers
        ]
        sql = (
            f"INSERT INTO {table} ({columns}, "  # noqa: S608 - names from the model
            f"{connection.ops.quote_name('received_at')}) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), ANSWER_BATCH):
                cursor.executemany(sql, rows[start : start + ANSWER_BATCH])
        self.pending = []
        return len(rows)


def _answer_time(wave: Wave, classroom: Classroom, rng: random.Random) -> dt.datetime:
    """Return a moment on a school day of the wave's window, in the morning."""
    opens_at, closes_at = wave_window_for(wave, classroom)
    zones = [classroom.school.academie.holiday_zone]
    days = [
        day
        for offset in range((wave.closes_on - wave.opens_on).days + 1)
        if is_school_day(day := wave.opens_on + dt.timedelta(days=offset), zones)
    ] or [wave.opens_on]
    day = rng.choice(days)
    moment = opens_at + dt.timedelta(days=(day - wave.opens_on).days)
    return moment + dt.timedelta(hours=9, minutes=rng.randint(0, 150))


def _simulate_answers(
    waves: Sequence[Wave],
    classes: Sequence[Classroom],
    arms: dict[int, str],
    definition: dict,
    design: DemoStudyDesign,
) -> None:
    rng = random.Random(f"{design.seed}:answers")
    skills = [scale["key"] for scale in definition["scales"]]
    pupils = list(Pupil.objects.filter(classroom__in=classes).order_by("pk"))
    latent = _latent_parts(skills, classes, pupils, design, rng)
    occasion_sd = math.sqrt(
        1 - design.icc_school - design.icc_class - design.pupil_share
    )
    writer = _AnswerWriter(definition, rng)
    last = len(waves) - 1
    class_by_id = {classroom.pk: classroom for classroom in classes}
    for pupil in pupils:
        classroom = class_by_id[cast(int, pupil.classroom_id)]
        programme = arms[classroom.pk] == "programme"
        for index, wave in enumerate(waves):
            if index > 0 and rng.random() < design.dropout:
                break
            if index > 0 and rng.random() < design.absence:
                continue
            shift = design.growth * index
            if programme:
                shift += design.effect * index / last
            eta = {
                skill: shift
                + latent.school[(skill, classroom.school_id)]
                + latent.classroom[(skill, classroom.pk)]
                + latent.pupil[(skill, pupil.pk)]
                + occasion_sd * rng.gauss(0.0, 1.0)
                for skill in skills
            }
            writer.add(wave, pupil, eta, _answer_time(wave, classroom, rng), design)
    writer.write()


def _close_sessions(
    waves: Sequence[Wave], classes: Sequence[Classroom], teacher: User
) -> None:
    """Store each class's wave session as started and closed by the end of the wave."""
    taught = set(teacher.classes.values_list("pk", flat=True))
    sessions = []
    for wave in waves:
        for classroom in classes:
            opens_at, closes_at = wave_window_for(wave, classroom)
            sessions.append(
                WaveSession(
                    wave=wave,
                    classroom=classroom,
                    started_by=teacher if classroom.pk in taught else None,
                    started_at=opens_at + dt.timedelta(hours=9),
                    closed_at=closes_at - dt.timedelta(hours=6),
                )
            )
    WaveSession.objects.bulk_create(sessions)


def create_demo_study(
    *,
    coordinator: User,
    password: str,
    design: DemoStudyDesign | None = None,
    today: dt.date | None = None,
) -> Study:
    """Create the demo study of last school year with simulated answers; see above.

    The study's teacher account (`STUDY_TEACHER`, with `password`) teaches the
    first class. Returns the study.
    """
    design = design or DemoStudyDesign()
    today = today or timezone.localdate()
    start_year = _previous_school_year(today)
    with transaction.atomic():
        instrument = _instrument()
        classes = _import_schools(design, start_year)
        email, first_name, last_name = STUDY_TEACHER
        teacher = User.objects.create_user(
            email,
            password,
            role=Role.TEACHER,
            first_name=first_name,
            last_name=last_name,
        )
        classes[0].teachers.add(teacher)
        campaign = create_campaign(
            name=f"Compétences {start_year}-{start_year + 1} (démo)",
            instrument=instrument,
            school_year=classes[0].school_year,
            classes=classes,
            waves=_wave_specs(classes, start_year),
            created_by=coordinator,
        )
        study = create_study(
            name=STUDY_NAME.format(year=f"{start_year}-{start_year + 1}"),
            campaign=campaign,
            created_by=coordinator,
        )
        run = assign_at_random(
            study,
            classes,
            stratify_by=Stratification.SCHOOL,
            user=coordinator,
            seed=design.seed,
        )
        # The demo's draw stands for one made before the first wave.
        drawn_at = dt.datetime(
            start_year, 9, 18, 10, tzinfo=timezone.get_current_timezone()
        )
        AssignmentRun.objects.filter(pk=run.pk).update(performed_at=drawn_at)
        run.arms.update(assigned_at=drawn_at)
        arms = dict(run.arms.values_list("classroom_id", "arm"))
        pupils = list(Pupil.objects.filter(classroom__in=classes).order_by("pk"))
        _record_consent(
            study,
            pupils,
            design,
            coordinator,
            dt.datetime(start_year, 9, 20, 17, tzinfo=timezone.get_current_timezone()),
        )
        waves = list(campaign.waves.order_by("opens_on"))
        _close_sessions(waves, classes, teacher)
        _simulate_answers(waves, classes, arms, instrument.definition, design)
    return study
