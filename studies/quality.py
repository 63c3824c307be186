"""Data-quality flags: careless responding, partial completion and missing waves.

`quality_flags` checks every response of a campaign's classes against four rules and
returns one `QualityFlag` per (pupil, wave, rule), each with the threshold it used and
the value it observed:

- long string: the longest run of identical consecutive answers, in the order the
  player shows the items, is at least the study's share of the items (rounded up);
  a skipped item ends a run;
- too fast: the median gap between consecutive answers (`Answer.answered_at`, read
  from one device's clock) is below the study's seconds per item; a response needs
  two answers to have a gap;
- partial completion: a scale's share of answered items is below the minimum of the
  instrument's scoring rule; checked on completed responses and, once the wave has
  closed for the class, on unfinished ones;
- missing wave: a pupil enrolled during the wave's dates has no response although
  the wave has closed for the class.

Flags are for the coordination and for the research report's list of exclusions
(`quality_exclusions`, limited to `research_pupils` and pseudonymised); pupils never
see them and teachers never see them per pupil.
"""

import datetime as dt
import logging
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessment.models import (
    Answer,
    Campaign,
    Response,
    Wave,
    WaveReopening,
    WaveSession,
)
from assessment.scoring import ScaleSpec, scales_of
from assessment.services import school_zone, wave_window_for
from schools.models import Classroom, Pupil
from studies.models import (
    DEFAULT_LONG_STRING_SHARE,
    DEFAULT_MIN_SECONDS_PER_ITEM,
    Study,
)
from studies.pseudonyms import pupil_pseudonym
from studies.services import research_pupils

logger = logging.getLogger(__name__)

# Shares are compared with this tolerance, so that 6 of 8 items reach 0.75 and
# 0.7 of 10 items asks for 7, despite binary floating point.
_SHARE_TOLERANCE = 1e-9

LONG_STRING = "long_string"
TOO_FAST = "too_fast"
PARTIAL_COMPLETION = "partial_completion"
MISSING_WAVE = "missing_wave"
RULES = (LONG_STRING, TOO_FAST, PARTIAL_COMPLETION, MISSING_WAVE)
RULE_LABELS = {
    LONG_STRING: gettext_lazy("réponses identiques à la suite"),
    TOO_FAST: gettext_lazy("réponses trop rapides"),
    PARTIAL_COMPLETION: gettext_lazy("questionnaire incomplet"),
    MISSING_WAVE: gettext_lazy("vague manquée"),
}
RULE_UNITS = {
    LONG_STRING: gettext_lazy("réponses"),
    TOO_FAST: gettext_lazy("s par question (médiane)"),
    PARTIAL_COMPLETION: gettext_lazy("part des questions répondues"),
    MISSING_WAVE: gettext_lazy("réponses"),
}


@dataclass(frozen=True)
class QualityRules:
    """The thresholds of a study, or the defaults for a campaign without one."""

    long_string_share: float = DEFAULT_LONG_STRING_SHARE
    min_seconds_per_item: float = DEFAULT_MIN_SECONDS_PER_ITEM

    @classmethod
    def of(cls, study: Study | None) -> "QualityRules":
        if study is None:
            return cls()
        return cls(study.long_string_share, study.min_seconds_per_item)

    def long_string_run(self, item_count: int) -> int:
        """Return the run length that is flagged: the share of items, rounded up."""
        return max(2, math.ceil(self.long_string_share * item_count - _SHARE_TOLERANCE))


@dataclass(frozen=True)
class QualityFlag:
    """One rule raised on one pupil's data in one wave."""

    pupil_id: int
    classroom_id: int | None
    wave_id: int
    wave_label: str
    rule: str
    threshold: float
    observed: float
    scale: str = ""  # the scale's key, for partial completion only

    @property
    def rule_label(self) -> str:
        return str(RULE_LABELS[self.rule])

    @property
    def unit(self) -> str:
        return str(RULE_UNITS[self.rule])


# Reading the campaign.


@dataclass
class _ResponseData:
    pupil_id: int
    wave_id: int
    completed: bool
    values: dict[str, int | None]
    answered_at: list[dt.datetime]


def _target(target: Study | Campaign) -> tuple[Campaign, Study | None]:
    if isinstance(target, Study):
        return target.campaign, target
    return target, Study.objects.filter(campaign=target).first()


def _responses(waves: Sequence[Wave], class_ids: list[int]) -> list[_ResponseData]:
    """Read the responses and answers of the classes' pupils, in two queries."""
    responses = {
        pk: _ResponseData(pupil_id, wave_id, completed_at is not None, {}, [])
        for pk, pupil_id, wave_id, completed_at in Response.objects.filter(
            wave__in=waves, pupil__classroom__in=class_ids
        ).values_list("pk", "pupil_id", "wave_id", "completed_at")
    }
    answers = Answer.objects.filter(response__in=list(responses)).values_list(
        "response_id", "item", "value", "answered_at"
    )
    for response_id, item, value, answered_at in answers:
        data = responses[response_id]
        data.values[item] = value
        data.answered_at.append(answered_at)
    return list(responses.values())


def _closed_waves(
    waves: Sequence[Wave], classes: Sequence[Classroom], now: dt.datetime
) -> set[tuple[int, int]]:
    """Return the (wave id, class id) pairs in which pupils can no longer answer.

    A wave has closed for a class when its dates are over in the school's time zone
    or its teacher closed the session, and no reopening is still running.
    """
    sessions = {
        (wave_id, class_id): closed_at
        for wave_id, class_id, closed_at in WaveSession.objects.filter(
            wave__in=waves, classroom__in=classes
        ).values_list("wave_id", "classroom_id", "closed_at")
    }
    reopened_until: dict[tuple[int, int], dt.datetime] = {}
    for reopening in WaveReopening.objects.filter(
        session__wave__in=waves, session__classroom__in=classes
    ).select_related("session"):
        key = (reopening.session.wave_id, reopening.session.classroom_id)
        reopened_until[key] = max(reopening.end, reopened_until.get(key, reopening.end))
    closed = set()
    for wave in waves:
        for classroom in classes:
            key = (wave.pk, classroom.pk)
            window_end = wave_window_for(wave, classroom)[1]
            session_closed = sessions.get(key)
            over = now >= window_end or session_closed is not None
            until = reopened_until.get(key)
            if over and (until is None or until <= now):
                closed.add(key)
    return closed


# The rules, on one response.


def longest_run(values: Sequence[int | None]) -> int:
    """Return the longest run of equal answers; a skipped item (None) ends a run."""
    longest = current = 0
    previous: int | None = None
    for value in values:
        if value is None:
            current = 0
        elif value == previous:
            current += 1
        else:
            current = 1
        previous = value
        longest = max(longest, current)
    return longest


def median_gap_seconds(answered_at: Iterable[dt.datetime]) -> float | None:
    """Return the median gap between consecutive answer times, or None below two."""
    times = sorted(answered_at)
    gaps = [
        (later - earlier).total_seconds()
        for earlier, later in zip(times, times[1:], strict=False)
    ]
    return statistics.median(gaps) if gaps else None


def _response_flags(
    data: _ResponseData,
    *,
    item_keys: Sequence[str],
    specs: Sequence[ScaleSpec],
    rules: QualityRules,
    closed: bool,
    base: dict[str, Any],
) -> list[QualityFlag]:
    """Apply the three answer rules to one response."""
    flags = []
    run_needed = rules.long_string_run(len(item_keys))
    run = longest_run([data.values.get(key) for key in item_keys])
    if run >= run_needed:
        flags.append(
            QualityFlag(**base, rule=LONG_STRING, threshold=run_needed, observed=run)
        )
    median = median_gap_seconds(data.answered_at)
    if median is not None and median < rules.min_seconds_per_item:
        flags.append(
            QualityFlag(
                **base,
                rule=TOO_FAST,
                threshold=rules.min_seconds_per_item,
                observed=median,
            )
        )
    if not (data.completed or closed):
        # The pupil may still finish: an unfinished response is judged at the close.
        return flags
    for spec in specs:
        answered = sum(1 for item in spec.items if data.values.get(item) is not None)
        share = answered / len(spec.items)
        if share < spec.min_answered - _SHARE_TOLERANCE:
            flags.append(
                QualityFlag(
                    **base,
                    rule=PARTIAL_COMPLETION,
                    threshold=spec.min_answered,
                    observed=share,
                    scale=spec.key,
                )
            )
    return flags


def _enrolled_during(pupil: Pupil, wave: Wave, classroom: Classroom) -> bool:
    """Tell whether `pupil` was on the class list at some point of the wave's dates.

    NOTE: `Pupil.created_at` (the first import) stands for the day the pupil joined.
    """
    joined_on = pupil.created_at.astimezone(school_zone(classroom)).date()
    if joined_on > wave.closes_on:
        return False
    return pupil.left_on is None or pupil.left_on > wave.opens_on


def _missing_wave_flags(
    waves: Sequence[Wave],
    pupils: Iterable[Pupil],
    class_by_id: dict[int, Classroom],
    closed: set[tuple[int, int]],
    answered: set[tuple[int, int]],
) -> list[QualityFlag]:
    """Flag each pupil enrolled during a closed wave who has no response in it."""
    flags = []
    for wave in waves:
        for pupil in pupils:
            classroom = class_by_id.get(pupil.classroom_id or 0)
            if classroom is None or (wave.pk, classroom.pk) not in closed:
                continue
            if (pupil.pk, wave.pk) in answered:
                continue
            if not _enrolled_during(pupil, wave, classroom):
                continue
            flags.append(
                QualityFlag(
                    pupil_id=pupil.pk,
                    classroom_id=classroom.pk,
                    wave_id=wave.pk,
                    wave_label=wave.label,
                    rule=MISSING_WAVE,
                    threshold=1,
                    observed=0,
                )
            )
    return flags


def quality_flags(
    target: Study | Campaign,
    wave: Wave | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[QualityFlag]:
    """Check the data of a study's or campaign's classes against the quality rules.

    `target` is a study, or a campaign (with its study's thresholds if it has one,
    else the defaults). With `wave`, only that wave is checked. Returns one flag per
    (pupil, wave, rule), and for partial completion per scale, ordered by wave,
    class, pupil and rule. Covers every pupil of the campaign's classes, consent or
    not: filter by `research_pupils` before showing flags to researchers.
    Runs a fixed number of queries whatever the number of pupils.
    """
    now = now or timezone.now()
    campaign, study = _target(target)
    rules = QualityRules.of(study)
    waves = list(campaign.waves.all())
    if wave is not None:
        if wave.campaign_id != campaign.pk:
            raise ValueError(f"wave {wave.pk} is not a wave of campaign {campaign.pk}")
        waves = [existing for existing in waves if existing.pk == wave.pk]
    classes = list(campaign.classes.select_related("school__academie"))
    class_by_id = {classroom.pk: classroom for classroom in classes}
    pupils = {
        pupil.pk: pupil
        for pupil in Pupil.objects.filter(classroom__in=classes).only(
            "pk", "classroom_id", "left_on", "created_at"
        )
    }
    definition = campaign.instrument.definition
    item_keys = [item["key"] for item in definition["items"]]
    specs = scales_of(definition)
    closed = _closed_waves(waves, classes, now)
    wave_by_id = {existing.pk: existing for existing in waves}

    flags: list[QualityFlag] = []
    answered: set[tuple[int, int]] = set()
    for data in _responses(waves, list(class_by_id)):
        answered.add((data.pupil_id, data.wave_id))
        class_id = pupils[data.pupil_id].classroom_id
        base = {
            "pupil_id": data.pupil_id,
            "classroom_id": class_id,
            "wave_id": data.wave_id,
            "wave_label": wave_by_id[data.wave_id].label,
        }
        flags.extend(
            _response_flags(
                data,
                item_keys=item_keys,
                specs=specs,
                rules=rules,
                closed=(data.wave_id, class_id) in closed,
                base=base,
            )
        )
    flags.extend(
        _missing_wave_flags(waves, pupils.values(), class_by_id, closed, answered)
    )
    wave_order = {existing.pk: index for index, existing in enumerate(waves)}
    flags.sort(
        key=lambda flag: (
            wave_order[flag.wave_id],
            flag.classroom_id or 0,
            flag.pupil_id,
            RULES.index(flag.rule),
            flag.scale,
        )
    )
    logger.info(
        "Quality check of campaign %s (%d waves, %d classes): %d flags.",
        campaign.pk,
        len(waves),
        len(classes),
        len(flags),
    )
    return flags


# The research report's exclusions.


@dataclass(frozen=True)
class ExclusionRow:
    """One flag as the research report lists it, with the pupil's pseudonym."""

    pseudonym: str
    wave_id: int
    wave_label: str
    rule: str
    rule_label: str
    threshold: float
    observed: float
    unit: str
    scale: str


@dataclass(frozen=True)
class RuleCount:
    rule: str
    label: str
    flags: int
    pupils: int


@dataclass(frozen=True)
class ExclusionReport:
    """The quality exclusions of a study's research sample.

    `excluded_responses` contains the (pupil id, wave id) pairs whose response a long
    string, too-fast or partial-completion flag marks: analyses leave these
    responses out. `missing_waves` contains the pairs with no response at all, which
    the report lists as attrition. `counts` has one row per rule, zero included.
    """

    study_id: int
    research_pupils: int
    rows: list[ExclusionRow]
    counts: list[RuleCount]
    excluded_responses: frozenset[tuple[int, int]]
    missing_waves: frozenset[tuple[int, int]]


def quality_exclusions(
    study: Study, wave: Wave | None = None, *, now: dt.datetime | None = None
) -> ExclusionReport:
    """Return the quality flags of the study's `research_pupils`, pseudonymised."""
    sample = dict(research_pupils(study).values_list("pk", "ine_hash"))
    flags = [
        flag for flag in quality_flags(study, wave, now=now) if flag.pupil_id in sample
    ]
    pseudonyms = {pupil_id: pupil_pseudonym(ine) for pupil_id, ine in sample.items()}
    rows = [
        ExclusionRow(
            pseudonym=pseudonyms[flag.pupil_id],
            wave_id=flag.wave_id,
            wave_label=flag.wave_label,
            rule=flag.rule,
            rule_label=flag.rule_label,
            threshold=flag.threshold,
            observed=flag.observed,
            unit=flag.unit,
            scale=flag.scale,
        )
        for flag in flags
    ]
    rows.sort(key=lambda row: (row.wave_id, row.pseudonym, RULES.index(row.rule)))
    return ExclusionReport(
        study_id=study.pk,
        research_pupils=len(sample),
        rows=rows,
        counts=count_by_rule(flags),
        excluded_responses=frozenset(
            (flag.pupil_id, flag.wave_id) for flag in flags if flag.rule != MISSING_WAVE
        ),
        missing_waves=frozenset(
            (flag.pupil_id, flag.wave_id) for flag in flags if flag.rule == MISSING_WAVE
        ),
    )


def count_by_rule(flags: Iterable[QualityFlag]) -> list[RuleCount]:
    """Count the flags and the distinct pupils of each rule, in `RULES` order."""
    flag_counts: Counter[str] = Counter()
    pupils: defaultdict[str, set[int]] = defaultdict(set)
    for flag in flags:
        flag_counts[flag.rule] += 1
        pupils[flag.rule].add(flag.pupil_id)
    return [
        RuleCount(rule, str(RULE_LABELS[rule]), flag_counts[rule], len(pupils[rule]))
        for rule in RULES
    ]
