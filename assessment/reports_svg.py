"""Distribution plots of scale scores as inline SVG that the pages' CSP accepts.

Matplotlib writes SVG with a `<style>` element and `style` attributes, which the
Content Security Policy (style-src without 'unsafe-inline') blocks when the SVG is
inlined in a page. `sanitise_svg` keeps a whitelist of drawing elements, turns each
`style` declaration into the equivalent presentation attribute, drops every script,
event handler and external reference, and prefixes ids so that several plots can
share a page.
"""

import io
import re
import xml.etree.ElementTree as ET  # noqa: N817, S405  # parses only our own matplotlib output

import matplotlib as mpl
import numpy as np
import pandas as pd
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

ALLOWED_ELEMENTS = frozenset(
    {"svg", "g", "defs", "path", "use", "rect", "line", "polyline", "polygon"}
    | {"circle", "ellipse", "clipPath", "title", "desc"}
)
ALLOWED_ATTRIBUTES = frozenset(
    {"id", "d", "x", "y", "width", "height", "viewBox", "transform", "version"}
    | {"clip-path", "points", "cx", "cy", "r", "rx", "ry", "x1", "x2", "y1", "y2"}
    | {"role", "aria-labelledby", "aria-label", "focusable"}
)
# CSS properties that SVG also accepts as presentation attributes of the same name.
PRESENTATION_PROPERTIES = frozenset(
    {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity"}
    | {"stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset"}
    | {"stroke-miterlimit", "opacity", "clip-rule"}
)
_SAFE_VALUE = re.compile(r"^[#\w\s.,%()-]*$")
_URL_REFERENCE = re.compile(r"^url\(#([\w.-]+)\)$")
_HREF = f"{{{XLINK_NS}}}href"

BAR_COLOUR = "#2b6cb0"
SIMULATED_COLOUR = "#b7791f"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _presentation_attributes(style: str) -> dict[str, str]:
    attributes = {}
    for declaration in style.split(";"):
        name, _sep, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION_PROPERTIES and _SAFE_VALUE.match(value):
            attributes[name] = value
    return attributes


def _clean_element(element: ET.Element, prefix: str) -> None:
    for child in list(element):
        if _local(child.tag) not in ALLOWED_ELEMENTS:
            element.remove(child)
    for name, value in list(element.attrib.items()):
        del element.attrib[name]
        if name == "style":
            element.attrib.update(_presentation_attributes(value))
        elif name == _HREF:
            if value.startswith("#"):
                element.attrib[_HREF] = f"#{prefix}-{value[1:]}"
        elif name == "id":
            element.attrib["id"] = f"{prefix}-{value}"
        elif name == "clip-path":
            reference = _URL_REFERENCE.match(value)
            if reference:
                element.attrib["clip-path"] = f"url(#{prefix}-{reference.group(1)})"
        elif (name in ALLOWED_ATTRIBUTES or name in PRESENTATION_PROPERTIES) and (
            name == "d" or _SAFE_VALUE.match(value)
        ):
            element.attrib[name] = value
    for child in element:
        _clean_element(child, prefix)


def sanitise_svg(svg: str, prefix: str, label: str) -> str:
    """Return `svg` reduced to safe drawing markup, labelled for screen readers.

    `prefix` (letters, digits and hyphens) is put before every id and reference,
    and `label` becomes the SVG's accessible title.
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", prefix):
        raise ValueError(f"prefix must be letters, digits and hyphens, not {prefix!r}")
    root = ET.fromstring(svg)  # noqa: S314  # our own matplotlib output, never user input
    if _local(root.tag) != "svg":
        raise ValueError("the document is not an SVG image")
    # The <style> element of matplotlib sets these two on every shape.
    _clean_element(root, prefix)
    root.attrib.update({"stroke-linejoin": "round", "stroke-linecap": "butt"})
    root.attrib.update(
        {"role": "img", "aria-labelledby": f"{prefix}-title", "focusable": "false"}
    )
    title = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}-title"})
    title.text = label
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode")


def distribution_svg(
    scores: pd.Series,
    *,
    lowest: int,
    highest: int,
    title: str,
    simulated: bool = False,
    prefix: str = "plot",
) -> SafeString:
    """Draw the histogram of scale scores from `lowest` to `highest` as safe SVG.

    Bins are half a point wide, so a mean over several items falls between the scale's
    points; the top bin includes the maximum.
    """
    present = scores.dropna().astype(float).to_numpy()
    edges = np.arange(lowest, highest + 0.5, 0.5)
    counts, _edges = np.histogram(present, bins=edges)

    figure = Figure(figsize=(5.0, 2.4), dpi=72)
    axes = figure.add_subplot()
    axes.bar(
        edges[:-1],
        counts,
        width=0.5,
        align="edge",
        color=SIMULATED_COLOUR if simulated else BAR_COLOUR,
        edgecolor="#ffffff",
    )
    axes.set_xlim(lowest, highest)
    axes.set_xticks(range(lowest, highest + 1))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(
        _("Score (de %(lowest)d à %(highest)d)")
        % {"lowest": lowest, "highest": highest}
    )
    axes.set_ylabel(_("Élèves"))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()

    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "iota", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})

    label = _("Répartition des scores, %(title)s : %(count)d élèves") % {
        "title": title,
        "count": len(present),
    }
    if simulated:
        label += " " + _("(données simulées)")
    # Safe to mark: sanitise_svg keeps only drawing elements and escapes the label.
    return mark_safe(sanitise_svg(buffer.getvalue(), prefix, label))  # noqa: S308
