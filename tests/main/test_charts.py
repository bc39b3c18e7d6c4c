"""Charts: accessible SVG that the Content-Security-Policy lets render, always with its table."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405 # parses the app's own SVG only

import pytest

from lms.charts import SVG_NS, Table, bar_chart

NAMES = ["nicht erreicht", "1 Kennen", "2 Anwenden", "3 Bewerten", "4 Gestalten"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # nosec B314 # the app's own SVG


TABLE = Table("Daten", ("Bereich", "Stufe"), (("A", "2"),))


def chart(bars=(("Grundlagen und Funktionsweise", 2), ("Recht", 0), ("Ethik", 4))):
    return bar_chart("profil-chart", "Mein Profil", "Zwei von drei Bereichen.", list(bars), maximum=4,
                     value_label=NAMES.__getitem__, table=TABLE)


def test_svg_is_an_image_labelled_by_its_title_and_description():
    root = parse(str(chart().svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "profil-chart-title profil-chart-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{{{SVG_NS}}}title", "profil-chart-title", "Mein Profil")
    assert (desc.tag, desc.get("id"), desc.text) == (f"{{{SVG_NS}}}desc", "profil-chart-desc",
                                                     "Zwei von drei Bereichen.")
    assert len(list(root.iter(f"{{{SVG_NS}}}title"))) == 1


def test_nothing_the_csp_would_block_and_no_fixed_size():
    svg = str(chart().svg)
    for forbidden in ("<script", "<style", "style=", "<!--"):
        assert forbidden not in svg
    root = parse(svg)
    assert root.get("viewBox") and root.get("width") is None


def test_every_value_is_written_on_its_bar_first_bar_on_top():
    root = parse(str(chart().svg))
    values = [t for t in root.iter(f"{{{SVG_NS}}}text") if "value" in (t.get("class") or "").split()]
    by_height = sorted(values, key=lambda t: float(t.get("y")))
    assert [t.text for t in by_height] == ["2 Anwenden", "nicht erreicht", "4 Gestalten"]
    labels = [t.text for t in root.iter(f"{{{SVG_NS}}}text") if t.text and t.text.startswith(("Grund", "Recht"))]
    assert labels == ["Recht", "Grundlagen und Fu…"]  # bottom to top; shortened in the picture only


def test_a_chart_needs_bars_and_a_safe_id():
    with pytest.raises(ValueError):
        chart(bars=())
    with pytest.raises(ValueError):
        bar_chart("x\" onload=\"", "t", "s", [("a", 1)], maximum=4, value_label=str, table=TABLE)


def test_labels_and_texts_are_escaped():
    svg = str(bar_chart("c", "<b>t</b>", "<script>alert(1)</script>", [("<img src=x onerror=alert(1)>", 1)],
                        maximum=4, value_label=NAMES.__getitem__, table=TABLE).svg)
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_plain_svg_whatever_prefix_another_module_registered():
    ET.register_namespace("svg", SVG_NS)  # as a library in the same process may do
    svg = str(chart().svg)
    assert svg.startswith("<svg ") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "svg:" not in svg
    assert parse(svg).tag == f"{{{SVG_NS}}}svg"
