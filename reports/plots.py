"""Plots of the study reports: growth curves per arm and the attrition flow.

Each plot is a matplotlib figure drawn from the stored analysis tables. Pages get
it as inline SVG cleaned by `assessment.reports_svg.sanitise_svg` (no style
element, script or external reference, so the CSP accepts it); the PDF report
gets the same SVG as a reportlab vector drawing through svglib.
"""

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from reportlab.graphics.shapes import Drawing
from svglib.svglib import svg2rlg

from assessment.reports_svg import sanitise_svg

ARM_COLOURS = {"programme": "#2b6cb0", "comparison": "#c05621"}
ARM_MARKERS = {"programme": "o", "comparison": "s"}
SIMULATED_COLOUR = "#b7791f"


def arm_label(arm: str) -> str:
    return _("programme") if arm == "programme" else _("comparaison")


def _simulated_mark(figure: Figure) -> None:
    figure.text(
        0.99,
        0.99,
        _("données simulées"),
        ha="right",
        va="top",
        fontsize=8,
        color=SIMULATED_COLOUR,
    )


def growth_figure(
    rows: Sequence[dict[str, Any]],
    skill: str,
    title: str,
    *,
    simulated: bool = False,
) -> Figure:
    """Draw one skill's mean per arm and wave with its 95 % interval.

    `rows` are the analysis's ``growth`` records; a wave without an interval shows
    its mean alone.
    """
    figure = Figure(figsize=(5.0, 2.8), dpi=72)
    axes = figure.add_subplot()
    waves: list[str] = []
    for row in rows:
        if row["skill"] == skill and row["wave"] not in waves:
            waves.append(row["wave"])
    positions = {wave: index for index, wave in enumerate(waves)}
    for offset, arm in ((-0.04, "programme"), (0.04, "comparison")):
        points = [
            row
            for row in rows
            if row["skill"] == skill and row["arm"] == arm and row["mean"] is not None
        ]
        if not points:
            continue
        x = [positions[row["wave"]] + offset for row in points]
        means = [row["mean"] for row in points]
        low = [
            row["mean"] - row["ci_low"] if row["ci_low"] is not None else 0.0
            for row in points
        ]
        high = [
            row["ci_high"] - row["mean"] if row["ci_high"] is not None else 0.0
            for row in points
        ]
        axes.errorbar(
            x,
            means,
            yerr=[low, high],
            color=ARM_COLOURS[arm],
            marker=ARM_MARKERS[arm],
            capsize=3,
            linewidth=1.6,
            label=arm_label(arm),
        )
    axes.set_xticks(range(len(waves)), waves)
    axes.set_xlim(-0.3, max(len(waves) - 0.7, 0.3))
    axes.set_ylabel(_("Score moyen"))
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(frameon=False, fontsize=8, loc="lower right")
    if simulated:
        _simulated_mark(figure)
    figure.tight_layout()
    return figure


def flow_figure(
    rows: Sequence[dict[str, Any]], waves: Sequence[str], *, simulated: bool = False
) -> Figure:
    """Draw the pupils of each arm at each stage: randomised, consented, analysed."""
    stages = [("randomised", ""), ("consented", "")] + [
        ("analysed", wave) for wave in waves
    ]
    labels = [_("tirés au sort"), _("consentement")] + [
        _("analysés %(wave)s") % {"wave": wave} for wave in waves
    ]
    figure = Figure(figsize=(5.6, 2.8), dpi=72)
    axes = figure.add_subplot()
    width = 0.38
    for shift, arm in ((-width / 2, "programme"), (width / 2, "comparison")):
        counts = {
            (row["stage"], row["wave"]): row["pupils"]
            for row in rows
            if row["arm"] == arm
        }
        values = [counts.get(stage, 0) for stage in stages]
        axes.bar(
            [index + shift for index in range(len(stages))],
            values,
            width=width,
            color=ARM_COLOURS[arm],
            label=arm_label(arm),
        )
    axes.set_xticks(range(len(stages)), labels, rotation=20, ha="right", fontsize=8)
    axes.set_ylabel(_("Élèves"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=8)
    if simulated:
        _simulated_mark(figure)
    figure.tight_layout()
    return figure


def _svg_text(figure: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "iota", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def figure_svg(figure: Figure, prefix: str, label: str) -> SafeString:
    """Return the figure as inline SVG that the pages' CSP accepts."""
    # Safe to mark: sanitise_svg keeps only drawing elements and escapes the label.
    return mark_safe(sanitise_svg(_svg_text(figure), prefix, label))  # noqa: S308


def figure_drawing(figure: Figure, width: float) -> Drawing:
    """Return the figure as a reportlab vector drawing `width` points wide."""
    svg = sanitise_svg(_svg_text(figure), "pdf", "")
    drawing = svg2rlg(io.BytesIO(svg.encode("utf-8")))
    if drawing is None:
        raise ValueError("matplotlib's SVG could not be read by svglib")
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width *= scale
    drawing.height *= scale
    return drawing
