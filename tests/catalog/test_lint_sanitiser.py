"""Finding 5 (low): lint accepted constructs the sanitiser then changed silently (CDATA, a
non-numeric ``start``, an invalid ``align``).

Lint now compares, for HTML that passed its element and attribute checks, what the sanitiser keeps:
attribute values it drops or alters, markup sections it removes, text it loses or adds.
Pure: no app, no database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lms import markdown
from lms.catalog.lint import _parse, lint, sanitiser_changes
from tests.catalog.tree import Tree

M1 = "testkurs/01-einfuehrung.md"
ANCHOR = "## Ein Abschnitt"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("snippet,needle,message", [
    ("Text <![CDATA[ geheim ]]> weiter", "CDATA", "samt Inhalt entfernt"),
    ('<ol start="a"><li>eins</li></ol>', "start=", "„start=\"a\"“ an <ol>"),
    ('<table><tr><td align="middle">x</td></tr></table>', "align=", "„align=\"middle\"“ an <td>"),
    ('<p align="center">Mitte</p>', "align=", "„align=\"center\"“ an <p>"),
    ('![Diagramm](img/diagramm.png){width=abc}\n\n<img src="img/diagramm.png" alt="Bild" width="breit">',
     "width=", "„width=\"breit\"“ an <img>"),
    ("Vorher <?php echo 1 ?> nachher", "<?php", "„<?…“"),
], ids=["cdata", "start", "td-align", "p-align", "width", "processing-instruction"])
def test_silent_changes_are_reported_with_their_line(snippet, needle, message, tree: Tree):
    tree.replace(M1, ANCHOR, snippet + "\n\n" + ANCHOR)
    problems = lint(tree.root).problems
    assert problems, "nothing reported"
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    line = tree.line_of(M1, needle)
    assert any(p.line == line for p in problems), ([str(p) for p in problems], line)


def test_text_the_sanitiser_loses_is_reported():
    """The general net: text that reaches the sanitiser but not the page (here inside <xmp>, whose
    content the HTML parser reads as plain text)."""
    html = "<p>vorher</p><xmp><b>fett</b></xmp>"
    problems = sanitiser_changes(html, html, "f.md", 1, _parse(html))
    assert problems and "Die HTML-Bereinigung entfernt beim Import diesen Text: „fett“" in problems[0].message


@pytest.mark.parametrize("snippet", [
    '<ol start="3"><li>drei</li></ol>',
    "| a | b |\n|:-:|--:|\n| 1 | 2 |",
    '<table><tr><th scope="col" align="left">Kopf</th></tr><tr><td colspan="2">x</td></tr></table>',
    "<b>fett <i>kursiv</b> danach</i>",
    "Text mit <!-- Notiz für die Redaktion --> Kommentar",
    "a &amp; b &lt; c, `<script>` als Code",
    '<abbr title="Künstliche Intelligenz">KI</abbr> und <img src="img/diagramm.png" alt="Bild" width="40">',
])
def test_what_the_sanitiser_keeps_is_not_reported(snippet, tree: Tree):
    tree.replace(M1, ANCHOR, snippet + "\n\n" + ANCHOR)
    assert lint(tree.root).problems == []


def test_forbidden_elements_are_reported_once_not_twice(tree: Tree):
    tree.replace(M1, ANCHOR, "<script>alert(1)</script>\n\n" + ANCHOR)
    problems = lint(tree.root).problems
    assert len(problems) == 1 and "<script>" in problems[0].message


def test_the_real_courses_pass_through_the_sanitiser_unchanged():
    """What lint accepts in courses/ reaches the pages as written: the comparison finds nothing."""
    result = lint(ROOT / "courses")
    assert result.problems == []
    checked = 0
    for course in result.catalog.courses:
        for module in course.modules:
            html = markdown.raw_html(module.body)
            assert sanitiser_changes(module.body, html, module.file, 1, _parse(html)) == [], module.file
            checked += 1
    assert checked >= 10
