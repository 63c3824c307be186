"""Longitudinal measurement invariance of a scale across waves.

The same pupils answer the scale at every wave, so the waves are not independent
groups: a multi-group model (`assessment.cfa.fit_invariance`) would treat one
pupil's four answers as four pupils and ignore that an item's residuals correlate
over time. The longitudinal model is one wide model instead, as semTools'
longitudinal approach and Little's (2013) *Longitudinal Structural Equation
Modeling* set it up:

- one factor per wave, measured by that wave's items, the first loading fixed to
  1 (the marker), factors correlated freely;
- the residuals of each item correlated across every pair of waves;
- a mean structure, with the factor means fixed to 0 and every intercept free;
- ``metric``: each loading held equal across waves (one label per item);
- ``scalar``: each intercept held equal too, the factor mean of the first wave
  fixed to 0 and the others free;
- ``strict``: each residual variance held equal too.

Rows are pupils with every item answered at every wave (listwise deletion, as
lavaan's default), so attrition shrinks the sample: `LongitudinalInvariance.n`
says how many pupils the models use.
"""

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from assessment.cfa import (
    INVARIANCE_LEVELS,
    CfaError,
    CfaResult,
    InvarianceResult,
    fit_cfa,
    invariance_record,
)

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


def wide_name(item: str, wave: str) -> str:
    """Return the column of `item` at `wave` in the wide frame: ``item_wave``."""
    return f"{item}_{wave}"


def longitudinal_syntax(
    items: Sequence[str], waves: Sequence[str], level: str, factor: str = "F"
) -> str:
    """Write the lavaan syntax of one invariance level across waves.

    The model has one factor ``{factor}_{wave}`` per wave over the columns
    ``{item}_{wave}``; the module docstring lists what each level constrains.
    The same text fits in R: ``lavaan::cfa(syntax, data = wide)``.

    Raises
    ------
    CfaError
        ``invariance_level`` for an unknown level, ``invalid_name`` for an item,
        wave or factor name that lavaan's syntax cannot carry.
    """
    if level not in INVARIANCE_LEVELS:
        raise CfaError(
            "invariance_level",
            f"unknown invariance level {level!r}; use {', '.join(INVARIANCE_LEVELS)}",
            values=[level],
        )
    for name in [factor, *items, *waves]:
        if not _NAME.match(f"x{name}"):
            raise CfaError(
                "invalid_name",
                f"{name!r} cannot be part of a model variable name: use letters, "
                "digits, '_' and '.' only",
                value=name,
            )
    equal = INVARIANCE_LEVELS[level]
    lines = []
    for wave in waves:
        terms = []
        for index, item in enumerate(items):
            label = f"lambda_{index}*" if index and "loadings" in equal else ""
            terms.append(f"{label}{wide_name(item, wave)}")
        lines.append(f"{factor}_{wave} =~ " + " + ".join(terms))
    for index, item in enumerate(items):
        for first, second in itertools.combinations(waves, 2):
            lines.append(f"{wide_name(item, first)} ~~ {wide_name(item, second)}")
        for wave in waves:
            name = wide_name(item, wave)
            label = f"nu_{index}*" if "intercepts" in equal else ""
            lines.append(f"{name} ~ {label}1")
            if "residuals" in equal:
                lines.append(f"{name} ~~ theta_{index}*{name}")
    if "intercepts" in equal:
        lines.extend(f"{factor}_{wave} ~ 1" for wave in waves[1:])
    return "\n".join(lines)


def wide_items(
    df: pd.DataFrame,
    items: Sequence[str],
    waves: Sequence[str],
    pupil: str = "pupil",
    wave: str = "wave",
) -> pd.DataFrame:
    """Pivot the long frame to one row per pupil, columns ``{item}_{wave}``.

    Raises
    ------
    CfaError
        ``missing_column`` for an absent column, ``duplicate`` when a pupil has
        two rows for one wave.
    """
    absent = [name for name in (pupil, wave, *items) if name not in df.columns]
    if absent:
        raise CfaError(
            "missing_column",
            f"column(s) not found: {', '.join(absent)}",
            columns=absent,
        )
    rows = df[df[wave].astype(str).isin(list(waves))]
    keys = rows[[pupil, wave]].astype(str)
    duplicated = keys.duplicated()
    if duplicated.any():
        first = keys[duplicated].iloc[0]
        raise CfaError(
            "duplicate",
            f"pupil {first[pupil]} has more than one row for wave {first[wave]}",
            pupil=first[pupil],
        )
    values = rows[list(items)].astype(float)
    values.index = pd.MultiIndex.from_frame(keys)
    wide = values.unstack(wave)
    wide.columns = [wide_name(item, label) for item, label in wide.columns]
    expected = [wide_name(item, label) for label in waves for item in items]
    return wide.reindex(columns=expected)


@dataclass(frozen=True)
class LongitudinalInvariance:
    """Nested longitudinal invariance models of one scale.

    ``result`` has the same ``table`` as `assessment.cfa.fit_invariance` (fit of
    each level, then the chi-square difference and the change in CFI against the
    level before) and each level's fit; ``n`` is the number of pupils with every
    item at every wave, ``syntax`` each level's model text.
    """

    items: tuple[str, ...]
    waves: tuple[str, ...]
    n: int
    result: InvarianceResult
    syntax: dict[str, str]

    @property
    def table(self) -> pd.DataFrame:
        return self.result.table

    @property
    def fits(self) -> dict[str, CfaResult]:
        return self.result.fits


def fit_longitudinal_invariance(
    df: pd.DataFrame,
    items: Sequence[str],
    waves: Sequence[str],
    levels: Sequence[str] = ("configural", "metric", "scalar"),
    pupil: str = "pupil",
    wave: str = "wave",
) -> LongitudinalInvariance:
    """Fit the longitudinal invariance levels of a scale and compare them.

    Parameters
    ----------
    df : pandas.DataFrame
        Long frame: one row per pupil and wave, one column per item.
    items : sequence of str
        The scale's items; the first is the marker of every wave's factor.
    waves : sequence of str
        Wave labels, in time order.
    levels : sequence of str
        Among ``configural``, ``metric``, ``scalar`` and ``strict``, in that
        order; each is tested against the one listed before it.

    Raises
    ------
    CfaError
        As `assessment.cfa.fit_cfa` (``too_few_rows`` when too few pupils have
        every item at every wave), and for the reasons `longitudinal_syntax` and
        `wide_items` give.
    """
    order = list(INVARIANCE_LEVELS)
    positions = [order.index(level) for level in levels if level in order]
    if len(positions) != len(levels) or positions != sorted(set(positions)):
        raise CfaError(
            "invariance_order",
            f"levels must be distinct, among and in the order {', '.join(order)}",
            values=list(levels),
        )
    wide = wide_items(df, items, waves, pupil=pupil, wave=wave)
    complete = wide.dropna()
    fits: dict[str, CfaResult] = {}
    syntax: dict[str, str] = {}
    records = []
    previous = None
    for level in levels:
        syntax[level] = longitudinal_syntax(items, waves, level)
        result = fit_cfa(complete, syntax[level])
        logger.info(
            "Longitudinal invariance %s over %d waves: chi-square %.3f on %d df.",
            level,
            len(waves),
            result.fit.chi_square,
            result.fit.df,
        )
        fits[level] = result
        records.append(
            invariance_record(level, INVARIANCE_LEVELS[level], result.fit, previous)
        )
        previous = result.fit
    table = pd.DataFrame.from_records(records)
    return LongitudinalInvariance(
        items=tuple(items),
        waves=tuple(waves),
        n=len(complete),
        result=InvarianceResult("wave", table, fits),
        syntax=syntax,
    )
