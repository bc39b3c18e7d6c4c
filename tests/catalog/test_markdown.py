"""Sanitising: malicious Markdown never reaches a page. Pure, no app."""

from __future__ import annotations

import re

import pytest

from lms.markdown import asset_base, render, render_inline, valid_lang, wrap_tables

BASE = asset_base("testkurs")

#: nothing of these may survive in any rendered output
FORBIDDEN = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|form|input|textarea|base|meta|link|frame)\b"
    r"|\son\w+\s*="
    r"|\sstyle\s*="
    r"|(javascript|vbscript|data)\s*:"
    r"|\ssrcdoc\s*=|\sformaction\s*=",
    re.I,
)

MALICIOUS = {
    "script tag": "<script>alert(1)</script>Text",
    "script in paragraph": "Hallo <script src=https://evil.example/x.js></script> Welt",
    "img onerror": '<img src="x.png" onerror="alert(1)">',
    "img onerror unquoted": "<img src=x onerror=alert(1)>",
    "event handler on div": '<div onmouseover="alert(1)">Text</div>',
    "event handler on link": '<a href="https://example.org" onclick="alert(1)">x</a>',
    "javascript link markdown": "[klick](javascript:alert(1))",
    "javascript link mixed case": "[klick](JaVaScRiPt:alert(1))",
    "javascript link with spaces": "[klick]( javascript:alert(1))",
    "javascript link html": '<a href="javascript:alert(1)">x</a>',
    "javascript entity encoded": '<a href="jav&#x61;script:alert(1)">x</a>',
    "javascript decimal entities": '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    "javascript tab inside": '<a href="jav\tascript:alert(1)">x</a>',
    "javascript reference link": "[klick][1]\n\n[1]: javascript:alert(1)",
    "vbscript link": '<a href="vbscript:msgbox(1)">x</a>',
    "data url image markdown": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "data url link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg with script": "<svg><script>alert(1)</script></svg>",
    "math": "<math><mtext><script>alert(1)</script></mtext></math>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object and embed": '<object data="x.swf"></object><embed src="x.swf">',
    "style tag": "<style>body{display:none}</style>Text",
    "style attribute": '<p style="position:fixed;top:0">Text</p>',
    "style attribute on span": '<span style="background:url(javascript:alert(1))">x</span>',
    "form": '<form action="https://evil.example"><input name="pw"><button formaction="x">go</button></form>',
    "base tag": '<base href="https://evil.example/">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "entities that decode to a tag": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "comment hiding a tag": "<!--><script>alert(1)</script>-->",
    "nested quotes breaking out": '<img src="x" alt="a" title=\'"><script>alert(1)</script>\'>',
    "protocol-relative link": "[x](//evil.example/a)",
    "link escaping the course folder": "[x](../anderer-kurs/img/a.png)",
    "table cell style from alignment": "| a |\n|:-:|\n| b |",
}


@pytest.mark.parametrize("source", MALICIOUS.values(), ids=MALICIOUS.keys())
def test_malicious_markdown_is_neutralised(source: str) -> None:
    for html in (render(source, base=BASE), render_inline(source, base=BASE), render(source)):
        assert not FORBIDDEN.search(html), html
        assert "evil.example" not in html or 'href="' not in html


def test_entities_stay_text() -> None:
    html = render("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_script_content_is_removed_not_shown() -> None:
    assert render("<script>alert(1)</script>Text") == "<p>Text</p>"


def test_svg_and_iframe_disappear_with_their_content() -> None:
    assert "alert" not in render("<svg><script>alert(1)</script></svg>")
    assert render('<iframe src="https://evil.example">x</iframe>') == ""


def test_ordinary_markdown_survives() -> None:
    html = render("## Titel\n\nText mit **fett**, *kursiv* und `code`.\n\n- eins\n- zwei\n\n> Hinweis\n")
    assert "<h2>Titel</h2>" in html
    assert "<strong>fett</strong>" in html and "<em>kursiv</em>" in html and "<code>code</code>" in html
    assert "<ul>" in html and "<blockquote>" in html


def test_table_alignment_without_style() -> None:
    html = render("| a | b |\n|:-|-:|\n| 1 | 2 |")
    assert '<th scope="col" align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert "style" not in html


def test_fenced_code_is_escaped_and_loses_its_class() -> None:
    html = render("```html\n<script>alert(1)</script>\n```")
    assert "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>" == html


def test_sane_lists_keep_start_number() -> None:
    assert '<ol start="3">' in render("3. drei\n4. vier")


def test_external_links_get_rel() -> None:
    html = render("[EUR-Lex](https://eur-lex.europa.eu/)")
    assert html == '<p><a href="https://eur-lex.europa.eu/" rel="noopener noreferrer">EUR-Lex</a></p>'


def test_mailto_link_kept() -> None:
    assert 'href="mailto:ki@stadt.example"' in render("[Mail](mailto:ki@stadt.example)")


def test_relative_image_is_rewritten_to_asset_route() -> None:
    html = render("![Ein Diagramm](img/diagramm.png)", base=BASE)
    assert html == '<p><img alt="Ein Diagramm" src="/kurse/testkurs/img/diagramm.png"></p>'


def test_relative_path_is_normalised() -> None:
    assert 'src="/kurse/testkurs/img/a.png"' in render("![a](./img/x/../a.png)", base=BASE)


def test_path_escaping_course_folder_is_dropped() -> None:
    html = render("![a](img/../../geheim.png)", base=BASE)
    assert "src" not in html


def test_absolute_and_anchor_urls_not_rewritten() -> None:
    assert 'href="#abschnitt"' in render("[a](#abschnitt)", base=BASE)
    assert 'href="https://example.org/img/a.png"' in render("[a](https://example.org/img/a.png)", base=BASE)


def test_h1_is_not_allowed() -> None:
    assert "<h1>" not in render("# Titel")


def test_render_inline_unwraps_single_paragraph() -> None:
    assert render_inline("**Antwort** A") == "<strong>Antwort</strong> A"
    assert render_inline("eins\n\nzwei") == "<p>eins</p>\n<p>zwei</p>"


def test_numeric_attributes_must_be_numbers() -> None:
    html = render('<img src="a.png" alt="a" width="100" height="x" onload="y">', base=BASE)
    assert 'width="100"' in html and "height" not in html


# --- language of parts (WCAG 3.1.2) -----------------------------------------------------------------

@pytest.mark.parametrize("value", ["en", "EN", "en-GB", "fr", "pt-BR", "zh-Hant-TW", "de-CH-1996"])
def test_valid_lang(value: str) -> None:
    assert valid_lang(value)


@pytest.mark.parametrize("value", ["", "xx", "english", "e", "en_GB", "en-", '"en"', "en GB", "123"])
def test_invalid_lang(value: str) -> None:
    assert not valid_lang(value)


def test_span_lang_survives_the_sanitiser() -> None:
    html = render('Der Bericht <span lang="en">Energy and AI</span> der IEA.')
    assert html == '<p>Der Bericht <span lang="en">Energy and AI</span> der IEA.</p>'


def test_lang_on_block_elements() -> None:
    assert render('<blockquote lang="en">Quote</blockquote>') == '<blockquote lang="en">Quote</blockquote>'
    assert render('<p lang="fr">Liberté</p>') == '<p lang="fr">Liberté</p>'


def test_invalid_lang_is_dropped_and_other_span_attributes_too() -> None:
    html = render('<span lang="klingonisch" class="x" id="y" style="color:red">Text</span>')
    assert html == "<p><span>Text</span></p>"


def test_lang_on_any_allowed_element_and_invalid_values_dropped() -> None:
    assert render('<h3 lang="en">Digital Omnibus</h3>') == '<h3 lang="en">Digital Omnibus</h3>'
    assert render('<h3 lang="en" onclick="x">A</h3>\n\n<p lang="en x" onclick="x">B</p>') == '<h3 lang="en">A</h3>\n\n<p>B</p>'


# --- tables: scroll region, caption, scope (WCAG 1.4.10, 1.3.1, 2.1.1) -------------------------------

TABLE = "## Fristen der KI-Verordnung\n\n| Seit / ab | Was gilt |\n|---|---|\n| 2. Februar 2025 | Verbote |\n"


def test_table_in_a_focusable_named_region_with_caption_and_scope() -> None:
    html = render(TABLE)
    match = re.search(r'<div class="kern-table-responsive" role="region" tabindex="0" '
                      r'aria-labelledby="(content-table-[0-9a-f]{8})"><table>'
                      r'<caption class="kern-sr-only" id="\1">Fristen der KI-Verordnung</caption>', html)
    assert match, html
    assert html.count('<th scope="col">') == 2
    assert html.endswith("</table></div>")


def test_wrap_tables_is_idempotent_and_upgrades_stored_html() -> None:
    from lms.markdown import _html, sanitise

    stored = sanitise(_html(TABLE)).strip()  # what the import stored before tables were wrapped
    assert "kern-table-responsive" not in stored
    upgraded = wrap_tables(stored)
    assert upgraded == render(TABLE)
    assert wrap_tables(upgraded) == upgraded
    assert wrap_tables(wrap_tables(upgraded)) == upgraded


def test_table_without_heading_and_several_tables_get_distinct_names() -> None:
    row = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = render(row + "\nText\n\n" + row.replace("1", "3") + "\n## Zwei\n\n" + row + "\nMehr\n\n" + row.replace("1", "4"))
    captions = re.findall(r'<caption class="kern-sr-only" id="([^"]+)">([^<]+)</caption>', html)
    assert [c[1] for c in captions] == ["Tabelle 1", "Tabelle 2", "Zwei", "Zwei (2)"]
    ids = [c[0] for c in captions]
    assert len(set(ids)) == 4
    for caption_id in ids:
        assert f'aria-labelledby="{caption_id}"' in html


def test_existing_caption_is_kept_and_named_by_id() -> None:
    html = wrap_tables("<table><caption>Eigene Legende</caption><tbody><tr><th>x</th><td>1</td></tr></tbody></table>")
    match = re.fullmatch(r'<div class="kern-table-responsive" role="region" tabindex="0" aria-labelledby="([^"]+)">'
                         r'<table><caption id="\1">Eigene Legende</caption><tbody><tr><th scope="row">x</th>'
                         r"<td>1</td></tr></tbody></table></div>", html)
    assert match, html


def test_nested_table_is_wrapped_once_and_text_around_is_kept() -> None:
    html = wrap_tables("<p>a</p><table><tbody><tr><td><table><tbody><tr><td>x</td></tr></tbody></table>"
                       "</td></tr></tbody></table><p>b</p>")
    assert html.count("kern-table-responsive") == 1
    assert html.startswith("<p>a</p><div") and html.endswith("</table></div><p>b</p>")


def test_html_without_tables_is_unchanged() -> None:
    assert wrap_tables("<p>Keine Tabelle</p>") == "<p>Keine Tabelle</p>"
    assert wrap_tables("") == ""
