"""Scale scores: reverse keying, the minimum share of answered items, and the mean.

`score_scale` works on plain data (a wide frame of item values, the item keys, the
reverse-keyed keys, the number of points and the minimum share), so the `iota score`
command applies the same rules to any CSV. `scales_of` reads the scales of a stored
instrument definition, and `load_answers` reads a set of responses' answers in one
query and pivots them to the wide frame the scoring and the statistics take.
"""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from assessment.models import Answer, Response

# Tolerance on the share of answered items, so that 6 of 8 items meet a minimum of
# 0.75 despite binary floating point.
_SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ScaleSpec:
    """The scoring rule of one scale of an instrument."""

    key: str
    title: dict[str, str]
    items: tuple[str, ...]
    reverse: frozenset[str]
    points: int
    min_answered: float


def scales_of(definition: dict[str, Any]) -> list[ScaleSpec]:
    """Return the scales of a stored instrument definition, in file order."""
    reverse = frozenset(
        item["key"] for item in definition["items"] if item.get("reverse", False)
    )
    points = int(definition["response_format"]["points"])
    specs = []
    for scale in definition["scales"]:
        items = tuple(scale["items"])
        specs.append(
            ScaleSpec(
                key=scale["key"],
                title=dict(scale["title"]),
                items=items,
                reverse=reverse.intersection(items),
                points=points,
                min_answered=float(scale["scoring"]["min_answered"]),
            )
        )
    return specs


def reverse_key(
    values: pd.DataFrame,
    items: Sequence[str],
    reverse: Collection[str] = (),
    *,
    points: int,
    lowest: int = 1,
) -> pd.DataFrame:
    """Return the `items` columns with reverse-keyed items turned round.

    A reverse-keyed value ``v`` on a scale from ``lowest`` to
    ``highest = lowest + points - 1`` scores ``lowest + highest - v``; with the usual
    ``lowest = 1`` that is ``points + 1 - v``. Missing answers stay NaN.

    Raises
    ------
    KeyError
        When an item or a reverse-keyed item is not a column of `values`, or a
        reverse-keyed item is not one of `items`.
    ValueError
        When a value lies outside ``[lowest, highest]``.
    """
    absent = [item for item in items if item not in values.columns]
    if absent:
        raise KeyError(
            "items not in the answers: "
            + ", ".join(absent)
            + "; columns present: "
            + ", ".join(str(column) for column in values.columns)
        )
    stray = sorted(set(reverse) - set(items))
    if stray:
        raise KeyError("reverse-keyed items not in the scale: " + ", ".join(stray))
    highest = lowest + points - 1
    keyed = values.loc[:, list(items)].astype(float)
    outside = (keyed < lowest) | (keyed > highest)
    if outside.to_numpy().any():
        row, column = next(
            (row, column)
            for column in keyed.columns
            for row in keyed.index[outside[column]]
        )
        raise ValueError(
            f"value {keyed.at[row, column]:g} of item {column} in row {row} is "
            f"outside the scale [{lowest}, {highest}]"
        )
    for item in reverse:
        keyed[item] = lowest + highest - keyed[item]
    return keyed


def score_scale(
    values: pd.DataFrame,
    items: Sequence[str],
    reverse: Collection[str] = (),
    *,
    points: int,
    min_answered: float,
    lowest: int = 1,
) -> pd.DataFrame:
    """Score one scale for each row: the mean of its answered items after keying.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per respondent, one column per item, NaN for a skipped answer.
    items : sequence of str
        The scale's item keys.
    reverse : collection of str
        The reverse-keyed items among `items`.
    points : int
        Number of points of the response scale.
    min_answered : float
        Minimum share of the scale's items answered, from 0 to 1; a row below it
        gets no score (NaN).
    lowest : int
        Value of the lowest point (1 on the platform's scales).

    Returns
    -------
    pandas.DataFrame
        Indexed like `values`, with columns ``n_items``, ``n_answered`` and ``score``.

    Raises
    ------
    KeyError, ValueError
        As `reverse_key` does, and for a `min_answered` outside [0, 1].
    """
    if not 0 <= min_answered <= 1:
        raise ValueError(f"min_answered must be between 0 and 1, not {min_answered}")
    keyed = reverse_key(values, items, reverse, points=points, lowest=lowest)
    n_items = len(items)
    n_answered = keyed.notna().sum(axis=1).astype(int)
    enough = (n_answered > 0) & (
        n_answered >= min_answered * n_items - _SHARE_TOLERANCE
    )
    score = keyed.mean(axis=1, skipna=True).where(enough, math.nan)
    return pd.DataFrame(
        {"n_items": n_items, "n_answered": n_answered, "score": score},
        index=values.index,
    )


def load_answers(responses: QuerySet[Response], items: Sequence[str]) -> pd.DataFrame:
    """Read the answers of `responses` into a wide frame, one row per response.

    Runs two queries whatever the number of responses: one for the response ids and
    one for their answers. A skipped answer and an item never reached are both NaN.

    Returns
    -------
    pandas.DataFrame
        Indexed by response id (named ``response``), one float column per item of
        `items` in that order.
    """
    response_ids = list(responses.order_by("pk").values_list("pk", flat=True))
    rows = Answer.objects.filter(
        response__in=responses.values("pk"), item__in=list(items)
    )
    frame = pd.DataFrame.from_records(
        list(rows.values_list("response_id", "item", "value")),
        columns=["response", "item", "value"],
    )
    wide = frame.pivot(index="response", columns="item", values="value")
    wide = wide.reindex(index=response_ids, columns=list(items)).astype(float)
    wide.index.name = "response"
    wide.columns.name = None
    return wide


def score_responses(definition: dict[str, Any], answers: pd.DataFrame) -> pd.DataFrame:
    """Score every scale of an instrument for each row of `answers`.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per response and scale, with columns ``response``, ``scale``,
        ``n_items``, ``n_answered`` and ``score``.
    """
    parts = []
    for spec in scales_of(definition):
        scored = score_scale(
            answers,
            spec.items,
            spec.reverse,
            points=spec.points,
            min_answered=spec.min_answered,
        )
        scored.insert(0, "scale", spec.key)
        parts.append(scored.rename_axis("response").reset_index())
    columns = ["response", "scale", "n_items", "n_answered", "score"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
