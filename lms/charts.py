"""Charts as server-rendered, accessible SVG, each with its data as a table.

A :class:`Chart` cannot be built without its :class:`Table`: the template macro
``_macros/charts.html`` renders the figure (SVG with ``role="img"``, a title and a description), the
text summary and the table together. The SVG comes from pygal (see docs/decisions.md) and is cleaned
for the Content-Security-Policy (no inline script or style: the look is in ``static/css/app.css``)
and for screen readers (one title and one description, the library's tooltips and helper texts
removed). Knows no domain: the pages that use it pass labels and numbers in.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET  # nosec B405 # parses pygal's own output only
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal
from markupsafe import Markup
from pygal.style import Style

# pygal appends a legacy import hook for its map plugins (``pygal.maps``, unused here) to
# ``sys.meta_path``; it has no ``find_spec``, so every failed import elsewhere warns (ImportWarning, an
# error under pytest) on Python 3.11. Upstream: Kozea/pygal pull request #532. Remove it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]

SVG_NS = "http://www.w3.org/2000/svg"

#: the picture's own width and font size (user units): scaled to 290 px on a 320 px screen, text
#: stays at about 11 px
WIDTH = 400
FONT = 16
LABEL_CHARS = 18
#: room right of the plot for the value that follows the longest bar ("4 Gestalten")
VALUE_ROOM = 110

_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Table:
    """The chart's data: column headings and rows of display texts (the first cell heads the row)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    #: unique on the page; the SVG's title and description ids derive from it
    id: str
    title: str
    #: one or two sentences that say what the chart shows (shown as text and as the SVG's description)
    summary: str
    svg: Markup
    table: Table


def bar_chart(chart_id: str, title: str, summary: str, bars: Sequence[tuple[str, int]], *, maximum: int,
              value_label: Callable[[int], str], table: Table) -> Chart:
    """Horizontal bars, one per ``(label, value)`` from top to bottom, on a scale 0..``maximum`` whose
    ticks are named by ``value_label``. Each bar carries its value as text: nothing is in colour only."""
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: lower case letters, digits and hyphens")
    if not bars:
        raise ValueError("a chart needs at least one bar")
    chart = pygal.HorizontalBar(
        js=[], css=[], disable_xml_declaration=True, no_prefix=True, explicit_size=False,
        width=WIDTH, height=40 * len(bars) + 16, margin=8, margin_right=VALUE_ROOM, spacing=12, show_legend=False,
        range=(0, maximum), y_labels=list(range(maximum + 1)), show_x_guides=False, show_x_labels=False,
        value_formatter=lambda v: value_label(int(v)), print_values=True, print_zeroes=True,
        style=Style(label_font_size=FONT, value_font_size=FONT, font_family="Fira Sans, sans-serif"))
    # pygal draws the first label at the bottom: reverse so that the first bar is on top; long labels
    # are shortened in the picture only (the table and the description have them in full)
    chart.x_labels = [_short(label) for label, _value in reversed(bars)]
    chart.add(title, [value for _label, value in reversed(bars)])
    return Chart(chart_id, title, summary, _clean(chart.render(is_unicode=True), chart_id, title, summary),
                 table)


def _clean(svg: str, chart_id: str, title: str, summary: str) -> Markup:
    # pygal's own output, not user input (comments are dropped by the parser)
    root = ET.fromstring(svg)  # noqa: S314  # nosec B314 # pygal's output, not input
    q = f"{{{SVG_NS}}}"
    for parent in list(root.iter()):
        for child in list(parent):
            classes = (child.get("class") or "").split()
            if (child.tag in (q + "script", q + "style", q + "title", q + "desc")
                    or "tooltip-overlay" in classes or "tooltip" in classes):
                parent.remove(child)
    bars = [rect for group in root.iter(q + "g") if group.get("class") == "bar"
            for rect in group.iter(q + "rect")]
    values = [text for text in root.iter(q + "text") if "value" in (text.get("class") or "").split()]
    for rect, text in zip(bars, values, strict=True):
        # the value follows its bar (pygal centres it, which hides it in a short bar)
        end = float(rect.get("x") or 0) + float(rect.get("width") or 0)
        text.set("x", f"{end + 6:.1f}")
        text.set("text-anchor", "start")
    for element in root.iter():
        element.attrib.pop("style", None)
    root.set("id", chart_id)
    root.set("class", "pygal-chart lms-chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("preserveAspectRatio", "xMinYMin meet")
    title_el = ET.Element(q + "title", id=f"{chart_id}-title")
    title_el.text = title
    desc_el = ET.Element(q + "desc", id=f"{chart_id}-desc")
    desc_el.text = summary
    root.insert(0, desc_el)
    root.insert(0, title_el)
    # ElementTree escapes every text and attribute it serialises (labels come from the caller)
    # plain names with the namespace declared on the root, whatever prefix another module registered
    # for it (ElementTree's registry is global; inline SVG in HTML must be a plain <svg>)
    for element in root.iter():
        element.tag = element.tag.removeprefix(q)
    root.set("xmlns", SVG_NS)
    return Markup(ET.tostring(root, encoding="unicode"))  # noqa: S704  # nosec B704 # escaped by ElementTree


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip(" ,") + "…"
