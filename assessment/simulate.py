"""Simulated programmes with a known effect, for tests, coverage checks and benchmarks.

`simulate_programme` draws a cluster-randomised programme: schools, classes assigned
to the programme or the comparison arm, pupils measured at every wave, dropouts, and
for each skill either the latent score itself or ordinal items and their scale
score. It returns the long frame that `assessment.impact` and
`assessment.psychometrics` take, so their estimates can be compared with the truth.

The latent skill of pupil i in class c of school s at wave w is

    eta = growth * w + effect * programme * w / (W - 1) + u_s + u_c + u_i + e_iw,

with independent normal terms of variances ``icc_school``, ``icc_class``,
``pupil_share`` and the remainder to 1, so eta has variance 1 at every wave, the
intraclass correlation of two pupils of the same class is ``icc_school +
icc_class``, and the programme effect grows linearly to ``effect`` standard
deviations at the last wave (the difference in differences from the first to the
last wave). Items follow a one-factor model of eta cut at fixed thresholds into
``points`` categories.

Every draw comes from one `numpy.random.Generator` seeded by the caller; the
national benchmark draws 1.6 million pupils in a few seconds.
"""

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_WAVES = ("T1", "T2", "T3", "T4")
DEFAULT_SKILLS: Mapping[str, int] = {
    "perseverance": 8,
    "collaboration": 8,
    "communication": 8,
    "cooperation": 8,
}
# Loadings of the items on the latent skill (standardised), from first to last item,
# and the item thresholds on the standardised item scale. With four points and
# eta near 0 the answers spread over the four categories, with about a sixth at the
# floor, as pupils' self-reports of this kind do.
_LOADINGS = (0.75, 0.55)
_THRESHOLDS = (-1.0, 0.0, 1.0)
# Threads drawing skills at once: the machines this runs on have two cores.
_THREADS = 2
# Share of answered items a scale score needs, as the shipped instruments require.
MIN_ANSWERED = 0.75


@dataclass(frozen=True)
class ProgrammeDesign:
    """The parameters of a simulated programme.

    ``skills`` maps each skill to its number of items; 0 items gives the latent
    score itself as the skill's column (a continuous outcome whose true effect and
    ICC are exact). Variances are shares of the latent variance at one wave and
    must leave a positive remainder for the occasion-specific term. ``dropout`` is
    the probability that a pupil present at a wave is absent from every later
    wave, in the comparison arm; ``dropout_programme`` (default: the same) in the
    programme arm.
    """

    n_classes: int = 40
    classes_per_school: int = 2
    pupils_per_class: int = 22
    class_size_spread: int = 4
    waves: tuple[str, ...] = DEFAULT_WAVES
    skills: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SKILLS))
    effect: float = 0.2
    growth: float = 0.1
    icc_school: float = 0.05
    icc_class: float = 0.10
    pupil_share: float = 0.45
    programme_share: float = 0.5
    dropout: float = 0.03
    dropout_programme: float | None = None
    item_missing: float = 0.01
    points: int = 4

    def check(self) -> None:
        """Raise ValueError naming every parameter out of its range."""
        occasion = 1 - self.icc_school - self.icc_class - self.pupil_share
        problems = {
            "n_classes": self.n_classes < 2,
            "classes_per_school": self.classes_per_school < 1,
            "pupils_per_class": self.pupils_per_class < 1,
            "class_size_spread": not 0
            <= self.class_size_spread
            < self.pupils_per_class,
            "waves": len(self.waves) < 2,
            "skills": not self.skills
            or any(count < 0 for count in self.skills.values()),
            "variance shares": min(self.icc_school, self.icc_class, self.pupil_share)
            < 0
            or occasion <= 0,
            "programme_share": not 0 < self.programme_share < 1,
            "dropout": not 0 <= self.dropout < 1,
            "dropout_programme": self.dropout_programme is not None
            and not 0 <= self.dropout_programme < 1,
            "item_missing": not 0 <= self.item_missing < 1,
            "points": self.points != len(_THRESHOLDS) + 1,
        }
        invalid = [name for name, bad in problems.items() if bad]
        if invalid:
            raise ValueError(
                "invalid programme design: "
                + ", ".join(invalid)
                + f" (points must be {len(_THRESHOLDS) + 1}, shares in [0, 1) with "
                "icc_school + icc_class + pupil_share < 1)"
            )


def item_names(skill: str, count: int) -> list[str]:
    """Return the item columns of a simulated skill: ``skill_1`` to ``skill_count``."""
    return [f"{skill}_{index}" for index in range(1, count + 1)]


@dataclass(frozen=True)
class _Layout:
    """Who is where: one entry per pupil, and one per observed pupil-wave row."""

    pupil_class: np.ndarray
    class_school: np.ndarray
    class_programme: np.ndarray
    row_pupil: np.ndarray
    row_wave: np.ndarray


def _layout(design: ProgrammeDesign, rng: np.random.Generator) -> _Layout:
    sizes = rng.integers(
        design.pupils_per_class - design.class_size_spread,
        design.pupils_per_class + design.class_size_spread + 1,
        size=design.n_classes,
    )
    pupil_class = np.repeat(np.arange(design.n_classes), sizes)
    class_school = np.arange(design.n_classes) // design.classes_per_school
    n_programme = round(design.programme_share * design.n_classes)
    class_programme = np.zeros(design.n_classes, dtype=bool)
    class_programme[rng.permutation(design.n_classes)[:n_programme]] = True

    # A pupil's last wave: each wave after the first loses a share of those present.
    programme = class_programme[pupil_class]
    stay = np.where(
        programme,
        1
        - (
            design.dropout
            if design.dropout_programme is None
            else design.dropout_programme
        ),
        1 - design.dropout,
    )
    n_pupils = len(pupil_class)
    last = np.zeros(n_pupils, dtype=np.int64)
    present = np.ones(n_pupils, dtype=bool)
    for wave in range(1, len(design.waves)):
        present &= rng.random(n_pupils) < stay
        last[present] = wave
    row_pupil = np.repeat(np.arange(n_pupils), last + 1)
    starts = np.cumsum(last + 1) - (last + 1)
    row_wave = np.arange(len(row_pupil)) - np.repeat(starts, last + 1)
    return _Layout(pupil_class, class_school, class_programme, row_pupil, row_wave)


def _latent(
    design: ProgrammeDesign, layout: _Layout, rng: np.random.Generator
) -> np.ndarray:
    n_schools = int(layout.class_school.max()) + 1
    n_pupils = len(layout.pupil_class)
    school = rng.normal(0, math.sqrt(design.icc_school), n_schools)
    classes = rng.normal(0, math.sqrt(design.icc_class), design.n_classes)
    pupils = rng.normal(0, math.sqrt(design.pupil_share), n_pupils)
    occasion_sd = math.sqrt(
        1 - design.icc_school - design.icc_class - design.pupil_share
    )
    row_class = layout.pupil_class[layout.row_pupil]
    last_wave = len(design.waves) - 1
    mean = design.growth * layout.row_wave + design.effect * layout.class_programme[
        row_class
    ] * (layout.row_wave / last_wave)
    stable = school[layout.class_school[row_class]] + classes[row_class]
    stable = stable + pupils[layout.row_pupil]
    occasion = rng.standard_normal(len(layout.row_pupil), dtype=np.float32)
    return (mean + stable + occasion_sd * occasion).astype(np.float32)


def _items(
    eta: np.ndarray, count: int, missing: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw `count` ordinal items from eta; return them (0 = missing) and the score."""
    loadings = np.linspace(*_LOADINGS, count, dtype=np.float32)
    values = np.empty((len(eta), count), dtype=np.int8, order="F")
    latent = np.empty(len(eta), dtype=np.float32)
    for j, loading in enumerate(loadings):
        rng.standard_normal(len(eta), dtype=np.float32, out=latent)
        latent *= math.sqrt(1 - loading**2)
        latent += loading * eta
        column = values[:, j]
        column[:] = 1
        for threshold in _THRESHOLDS:
            column += latent > threshold
    if missing > 0:
        # Positions drawn with replacement: the share missing is 1 - exp(-missing),
        # within 1 % of `missing` for shares up to 2 %, at a hundredth of the draws.
        size = values.size
        where = rng.integers(0, size, size=round(missing * size))
        values.reshape(-1, order="F")[where] = 0
    answered = np.zeros(len(eta), dtype=np.int8)
    totals = np.zeros(len(eta), dtype=np.int16)
    for j in range(count):
        answered += values[:, j] > 0
        totals += values[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = totals / answered.astype(np.float64)
    score[answered < MIN_ANSWERED * count - 1e-9] = np.nan
    return values, score


def simulate_programme(
    design: ProgrammeDesign, seed: int, item_dtype: str = "float64"
) -> pd.DataFrame:
    """Draw one programme and return its long frame, one row per pupil and wave.

    Columns: ``pupil``, ``class`` and ``school`` (integers, classes numbered across
    schools), ``arm`` (``programme`` or ``comparison``), ``wave`` (ordered
    categorical), then for each skill its items (``skill_1`` ...) and its scale
    score (``skill``: the mean of the answered items when at least 75 % are
    answered, else NaN), or only the latent score when the skill has no items.
    A pupil who dropped out has no row for the later waves.

    Parameters
    ----------
    design : ProgrammeDesign
    seed : int
        Seed of the generator; the same seed and design give the same frame.
    item_dtype : {"float64", "Int8"}
        Item columns as floats with NaN, or as pandas' nullable 8-bit integers,
        which take an eighth of the memory at national scale.

    Raises
    ------
    ValueError
        For an invalid design or item dtype.
    """
    design.check()
    if item_dtype not in ("float64", "Int8"):
        raise ValueError(f"item_dtype must be 'float64' or 'Int8', not {item_dtype!r}")
    # One generator for the layout and one per skill, so that the skills can be
    # drawn in parallel threads (numpy releases the GIL while it fills arrays) and
    # still give the same frame for the same seed.
    layout_seed, *skill_seeds = np.random.SeedSequence(seed).spawn(
        1 + len(design.skills)
    )
    layout = _layout(design, np.random.default_rng(layout_seed))
    row_class = layout.pupil_class[layout.row_pupil]
    columns: dict[str, object] = {
        "pupil": layout.row_pupil.astype(np.int32),
        "class": row_class.astype(np.int32),
        "school": layout.class_school[row_class].astype(np.int32),
        "arm": pd.Categorical.from_codes(
            layout.class_programme[row_class].astype(np.int8),
            categories=["comparison", "programme"],
        ),
        "wave": pd.Categorical.from_codes(
            layout.row_wave.astype(np.int8), categories=list(design.waves), ordered=True
        ),
    }

    def draw(skill: str, count: int, skill_seed: np.random.SeedSequence) -> dict:
        rng = np.random.default_rng(skill_seed)
        eta = _latent(design, layout, rng)
        if count == 0:
            return {skill: eta.astype(np.float64)}
        values, score = _items(eta, count, design.item_missing, rng)
        drawn: dict[str, object] = {}
        for j, name in enumerate(item_names(skill, count)):
            column = values[:, j]
            if item_dtype == "Int8":
                drawn[name] = pd.arrays.IntegerArray(column.copy(), column == 0)
            else:
                drawn[name] = np.where(column == 0, np.nan, column.astype(np.float64))
        drawn[skill] = score.astype(np.float64)
        return drawn

    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        futures = [
            pool.submit(draw, skill, count, skill_seed)
            for (skill, count), skill_seed in zip(
                design.skills.items(), skill_seeds, strict=True
            )
        ]
        for future in futures:
            columns.update(future.result())
    return pd.DataFrame(columns)


def programme_scales(design: ProgrammeDesign) -> dict[str, list[str]]:
    """Return each skill's item columns, for skills simulated with items."""
    return {
        skill: item_names(skill, count)
        for skill, count in design.skills.items()
        if count > 0
    }
