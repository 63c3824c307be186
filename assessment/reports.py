"""The data of the score reports: per class and wave, and per wave across classes.

A report covers the pupils currently enrolled in its classes (pupils who left are not
counted). Participation is completed responses over enrolled pupils; the statistics
use completed responses only, scored with the instrument's own rules (reverse keying,
mean of answered items, minimum share answered). Each scale gets its mean, SD, a
distribution plot, Cronbach's alpha (pairwise) with its 95% interval and omega total.
A statistic the data cannot support carries a French sentence saying why instead of a
number. Simulated responses are counted in the statistics and flagged, so every page
that shows them can say "données simulées".

Building a report runs a fixed number of queries whatever the class size.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.models import Response, Wave
from assessment.reports_svg import distribution_svg
from assessment.scoring import ScaleSpec, load_answers, reverse_key, scales_of
from assessment.scoring import score_scale as score_items
from assessment.statistics import (
    InsufficientDataError,
    MissingRule,
    cronbach_alpha,
    describe_scores,
    mcdonald_omega,
    participation,
)
from schools.display_names import fold_name
from schools.models import Classroom, Pupil

logger = logging.getLogger(__name__)

# The missing-data rule of the report pages: pupils may skip items, and pairwise
# covariances keep every answer a pupil gave.
REPORT_MISSING_RULE: MissingRule = "pairwise"


def insufficient_reason(error: InsufficientDataError) -> str:
    """Return the French sentence that replaces a statistic the data cannot support."""
    if error.code == "too_few_items":
        return _("Il faut au moins %(needed)d items ; il y en a %(found)d.") % {
            "needed": error.needed,
            "found": error.found,
        }
    if error.code == "too_few_rows":
        return _(
            "Pas assez de réponses complètes : il en faut au moins %(needed)d, "
            "il y en a %(found)d."
        ) % {"needed": error.needed, "found": error.found}
    if error.code == "too_few_pairs":
        return _("Pas assez de réponses : deux items ont moins de 2 réponses communes.")
    if error.code == "no_variance":
        return _("Les réponses ne varient pas assez pour calculer cette valeur.")
    if error.code == "not_converged":
        return _("Le modèle à un facteur n'a pas convergé sur ces réponses.")
    return _("Cette valeur ne peut pas être calculée sur ces réponses.")


@dataclass(frozen=True)
class AlphaSummary:
    """Cronbach's alpha of a scale with its Feldt confidence interval."""

    value: float
    ci_low: float
    ci_high: float
    ci_level: float
    n: int
    n_complete: int
    k: int


@dataclass(frozen=True)
class OmegaSummary:
    """McDonald's omega total of a scale from a one-factor model."""

    value: float
    n: int
    k: int
    heywood: bool


@dataclass(frozen=True)
class ScaleReport:
    """The statistics of one scale over the completed responses of a report."""

    key: str
    title: str
    lowest: int
    highest: int
    n_completed: int
    n_scored: int
    mean: float | None
    sd: float | None
    alpha: AlphaSummary | None
    alpha_reason: str
    omega: OmegaSummary | None
    omega_reason: str
    plot_svg: SafeString


@dataclass(frozen=True)
class PupilRow:
    """One enrolled pupil's status and scale scores, for the pages that show names."""

    pupil_id: int
    display_name: str
    status: str  # "completed", "started" or "not_started"
    simulated: bool
    scores: list[float | None]  # one per scale, None without a score


@dataclass(frozen=True)
class ClassRow:
    """One class's participation and scale means in a report across classes."""

    classroom: Classroom
    enrolled: int
    completed: int
    participation: float | None
    means: list[float | None]
    simulated: int

    @property
    def participation_percent(self) -> float | None:
        return None if self.participation is None else 100 * self.participation


@dataclass(frozen=True)
class WaveReport:
    """A wave's report over one or several classes."""

    wave: Wave
    classes: list[Classroom]
    enrolled: int
    completed: int
    participation: float | None
    simulated: int
    scales: list[ScaleReport]
    class_rows: list[ClassRow] = field(default_factory=list)
    pupils: list[PupilRow] | None = None

    @property
    def has_simulated(self) -> bool:
        return self.simulated > 0

    @property
    def participation_percent(self) -> float | None:
        return None if self.participation is None else 100 * self.participation


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _localised(texts: dict[str, str]) -> str:
    language = (get_language() or "fr").split("-")[0]
    return texts.get(language) or texts["fr"]


def _alpha_summary(keyed: pd.DataFrame) -> tuple[AlphaSummary | None, str]:
    try:
        row = cronbach_alpha(keyed, missing=REPORT_MISSING_RULE).iloc[0]
    except InsufficientDataError as error:
        return None, insufficient_reason(error)
    summary = AlphaSummary(
        value=float(row["alpha"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        ci_level=float(row["ci_level"]),
        n=int(row["n"]),
        n_complete=int(row["n_complete"]),
        k=int(row["k"]),
    )
    return summary, ""


def _omega_summary(keyed: pd.DataFrame) -> tuple[OmegaSummary | None, str]:
    try:
        row = mcdonald_omega(keyed).iloc[0]
    except InsufficientDataError as error:
        return None, insufficient_reason(error)
    summary = OmegaSummary(
        value=float(row["omega"]),
        n=int(row["n"]),
        k=int(row["k"]),
        heywood=bool(row["heywood"]),
    )
    return summary, ""


def _scale_report(
    spec: ScaleSpec, answers: pd.DataFrame, scores: pd.Series, simulated: bool
) -> ScaleReport:
    """Summarise one scale over the completed responses in `answers`."""
    keyed = reverse_key(answers, spec.items, spec.reverse, points=spec.points)
    described = describe_scores(scores).iloc[0]
    alpha, alpha_reason = _alpha_summary(keyed)
    omega, omega_reason = _omega_summary(keyed)
    title = _localised(spec.title)
    return ScaleReport(
        key=spec.key,
        title=title,
        lowest=1,
        highest=spec.points,
        n_completed=len(answers),
        n_scored=int(described["n"]),
        mean=_number(described["mean"]),
        sd=_number(described["sd"]),
        alpha=alpha,
        alpha_reason=alpha_reason,
        omega=omega,
        omega_reason=omega_reason,
        plot_svg=distribution_svg(
            scores,
            lowest=1,
            highest=spec.points,
            title=title,
            simulated=simulated,
            prefix=f"scale-{spec.key}-plot",
        ),
    )


def _wave_responses(wave: Wave, classes: Sequence[Classroom]) -> QuerySet[Response]:
    return Response.objects.filter(
        wave=wave,
        pupil__classroom__in=[classroom.pk for classroom in classes],
        pupil__left_on__isnull=True,
    )


def _responses(wave: Wave, classes: Sequence[Classroom]) -> pd.DataFrame:
    """Read one row per response of the enrolled pupils of `classes` in `wave`."""
    rows = _wave_responses(wave, classes).values_list(
        "pk", "pupil_id", "pupil__classroom_id", "completed_at", "is_simulated"
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=["response", "pupil", "classroom", "completed_at", "simulated"],
    )
    frame["completed"] = frame["completed_at"].notna()
    return frame.set_index("response")


def _enrolled(classes: Sequence[Classroom]) -> QuerySet[Pupil]:
    return Pupil.objects.filter(
        classroom__in=[classroom.pk for classroom in classes], left_on__isnull=True
    )


def _score_all(specs: list[ScaleSpec], answers: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        spec.key: score_items(
            answers,
            spec.items,
            spec.reverse,
            points=spec.points,
            min_answered=spec.min_answered,
        )["score"]
        for spec in specs
    }


def _pupil_rows(
    enrolled: QuerySet[Pupil],
    responses: pd.DataFrame,
    specs: list[ScaleSpec],
    scores: dict[str, pd.Series],
) -> list[PupilRow]:
    by_pupil = {int(row["pupil"]): (int(key), row) for key, row in responses.iterrows()}
    rows = []
    names = sorted(
        enrolled.values_list("pk", "display_name"),
        key=lambda pair: (fold_name(pair[1]), pair[0]),
    )
    for pupil_id, display_name in names:
        found = by_pupil.get(pupil_id)
        if found is None:
            no_scores: list[float | None] = [None] * len(specs)
            rows.append(
                PupilRow(pupil_id, display_name, "not_started", False, no_scores)
            )
            continue
        response_id, response = found
        completed = bool(response["completed"])
        pupil_scores = [
            _number(scores[spec.key].get(response_id, math.nan)) if completed else None
            for spec in specs
        ]
        rows.append(
            PupilRow(
                pupil_id=pupil_id,
                display_name=display_name,
                status="completed" if completed else "started",
                simulated=bool(response["simulated"]),
                scores=pupil_scores,
            )
        )
    return rows


def build_wave_report(
    wave: Wave, classes: Sequence[Classroom], *, with_names: bool = False
) -> WaveReport:
    """Compute the report of `wave` over `classes`.

    With one class and `with_names`, the report lists every enrolled pupil with their
    scores; across several classes it lists each class's participation and means.
    The caller checks that the user may see these classes and, for names, pupils.
    """
    classes = list(classes)
    definition = wave.campaign.instrument.definition
    specs = scales_of(definition)
    all_items = list(dict.fromkeys(item for spec in specs for item in spec.items))

    enrolled = _enrolled(classes)
    enrolled_by_class = {classroom.pk: 0 for classroom in classes} | dict(
        _count_by_class(enrolled)
    )
    responses = _responses(wave, classes)
    completed = responses[responses["completed"]]
    # Reindexed on the responses read above, so that a pupil finishing between the
    # two queries is counted in neither the participation nor the statistics.
    answers = load_answers(
        _wave_responses(wave, classes).filter(completed_at__isnull=False), all_items
    ).reindex(completed.index)
    scores = _score_all(specs, answers)
    simulated = int(completed["simulated"].sum())
    scale_reports = [
        _scale_report(spec, answers, scores[spec.key], simulated > 0) for spec in specs
    ]

    total_enrolled = sum(enrolled_by_class.values())
    report = WaveReport(
        wave=wave,
        classes=classes,
        enrolled=total_enrolled,
        completed=len(completed),
        participation=_number(participation(len(completed), total_enrolled)),
        simulated=simulated,
        scales=scale_reports,
        class_rows=_class_rows(classes, enrolled_by_class, completed, specs, scores)
        if len(classes) > 1
        else [],
        pupils=_pupil_rows(enrolled, responses, specs, scores)
        if with_names and len(classes) == 1
        else None,
    )
    logger.debug(
        "Built the report of wave %s over %d classes: %d completed responses.",
        wave.pk,
        len(classes),
        len(completed),
    )
    return report


def _count_by_class(enrolled: QuerySet[Pupil]) -> list[tuple[int, int]]:
    counts = pd.Series(list(enrolled.values_list("classroom_id", flat=True)))
    return [(int(key), int(value)) for key, value in counts.value_counts().items()]


def _class_rows(
    classes: list[Classroom],
    enrolled_by_class: dict[int, int],
    completed: pd.DataFrame,
    specs: list[ScaleSpec],
    scores: dict[str, pd.Series],
) -> list[ClassRow]:
    rows = []
    for classroom in classes:
        in_class = completed[completed["classroom"] == classroom.pk]
        means = []
        for spec in specs:
            class_scores = scores[spec.key].reindex(in_class.index)
            means.append(_number(describe_scores(class_scores).at[0, "mean"]))
        enrolled = enrolled_by_class[classroom.pk]
        rows.append(
            ClassRow(
                classroom=classroom,
                enrolled=enrolled,
                completed=len(in_class),
                participation=_number(participation(len(in_class), enrolled)),
                means=means,
                simulated=int(in_class["simulated"].sum()),
            )
        )
    return rows
