"""Markdown to sanitised HTML, done once at course import (pages never render Markdown).

Python-Markdown passes raw HTML through, so its output is cleaned by nh3 (ammonia) against an explicit
allow-list: no script, style, iframe, object, embed, SVG or MathML; no event handlers or inline styles;
URLs only http, https, mailto and relative. Relative link and image URLs (``img/chart.png``) are
rewritten to the course asset route (``/kurse/<slug>/img/chart.png``); protocol-relative URLs
(``//host/…``) are dropped. Every link gets ``rel="noopener noreferrer"``. A passage in another language
than the course is marked ``<span lang="en">…</span>`` (WCAG 3.1.2); ``lang`` must be a known ISO 639-1
code with optional subtags, anything else is dropped (and reported by ``lms courses lint``).

After sanitising, :func:`wrap_tables` puts every table in a focusable, named scroll region (WCAG 1.4.10,
2.1.1), gives it a caption (the preceding heading, visually hidden) and ``scope`` on its header cells.

The functions here are pure: text in, HTML out.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import threading
from urllib.parse import urlsplit

import markdown as _markdown
import nh3
from markdown.extensions.tables import TableExtension

#: tags that may reach a page; everything else is stripped (its text kept)
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
#: tags removed together with their content
CLEAN_CONTENT_TAGS = frozenset({
    "script", "style", "svg", "math", "iframe", "object", "embed", "template", "noscript",
    "textarea", "select", "title", "frame", "frameset", "applet",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
#: attributes every allowed element may carry; ``lang`` marks a passage in another language (WCAG 3.1.2)
GENERIC_ATTRIBUTES = frozenset({"lang", "title"})

#: ISO 639-1 language codes: the primary subtag of a ``lang`` value must be one of them
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii
ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi
mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw
sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk
ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
_LANG = re.compile(r"([A-Za-z]{2})((?:-[A-Za-z0-9]{1,8})*)")


def valid_lang(value: str) -> bool:
    """True for a BCP 47 tag whose primary subtag is an ISO 639-1 code (``en``, ``en-GB``, ``fr``)."""
    match = _LANG.fullmatch(value.strip())
    return bool(match) and match.group(1).lower() in ISO_639_1
#: table column alignment from Markdown tables (``align`` instead of a forbidden ``style``)
ALLOWED_ATTRIBUTE_VALUES = {
    "td": {"align": {"left", "center", "right"}},
    "th": {"align": {"left", "center", "right"}},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"
#: the course asset route; the catalog blueprint serves it (see lms/catalog/views.py)
ASSET_URL = "/kurse/{slug}/"

_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}


def asset_base(slug: str) -> str:
    """The URL prefix for files of the course ``slug``."""
    return ASSET_URL.format(slug=slug)


def is_relative(url: str) -> bool:
    """True for a path relative to the course folder (no scheme, host, leading ``/`` or ``#``)."""
    url = url.strip()
    if not url or url.startswith(("/", "#", "\\")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _rewrite_url(url: str, base: str | None) -> str | None:
    """The URL to keep for a link or image, or None to drop the attribute."""
    stripped = url.strip()
    if stripped.startswith(("//", "\\")) or "\\" in stripped:
        return None  # protocol-relative or Windows-style: ambiguous, never needed
    if not is_relative(stripped):
        return stripped
    if base is None:
        return stripped
    path = posixpath.normpath(urlsplit(stripped).path)
    if path.startswith("../") or path == "..":
        return None  # outside the course folder
    fragment = urlsplit(stripped).fragment
    return base + path + (f"#{fragment}" if fragment else "")


_local = threading.local()


def _html(text: str) -> str:
    # A Markdown instance is costly to build (~0.3 ms) and not thread-safe: one per thread, reset per use.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _markdown.Markdown(
            extensions=[TableExtension(use_align_attribute=True), "fenced_code", "sane_lists"],
            output_format="html",
        )
    return md.reset().convert(text)


def sanitise(html: str, *, base: str | None = None) -> str:
    """Clean ``html`` against the allow-list; rewrite relative URLs onto ``base`` when given."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if (tag, attr) in _URL_ATTRIBUTES:
            return _rewrite_url(value, base)
        if attr in ("width", "height", "colspan", "rowspan", "start"):
            return value if re.fullmatch(r"\d{1,4}", value.strip()) else None
        if attr == "lang":
            return value.strip() if valid_lang(value) else None
        return value

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={"*": set(GENERIC_ATTRIBUTES), **{tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()}},
        tag_attribute_values={t: {a: set(v) for a, v in av.items()} for t, av in ALLOWED_ATTRIBUTE_VALUES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(text: str, *, base: str | None = None) -> str:
    """Markdown ``text`` as sanitised HTML (block level: paragraphs, lists, tables …)."""
    return wrap_tables(sanitise(_html(text), base=base).strip())


# --- tables -----------------------------------------------------------------------------------------

#: the scroll box around a content table; the UI tables use the same class (see static/js/app.js)
TABLE_BOX = '<div class="kern-table-responsive" role="region" tabindex="0" aria-labelledby="{id}">'
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_BOX_BEFORE = re.compile(r'<div class="kern-table-responsive"[^>]*>\s*\Z')
_HEADING = re.compile(r"<h([2-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_CAPTION = re.compile(r"<caption\b([^>]*)>", re.I)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_SECTION = re.compile(r"<(thead|tbody|tfoot)\b[^>]*>.*?</\1>", re.S | re.I)
_TH_WITHOUT_SCOPE = re.compile(r"<th\b(?![^>]*\bscope=)", re.I)


def _top_level_tables(html: str) -> list[tuple[int, int]]:
    """(start, end) of every table not nested in another one."""
    spans, depth, start = [], 0, 0
    for match in _TABLE_TAG.finditer(html):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
    return spans


def _with_scope(table: str) -> str:
    """``scope="col"`` on header cells in the head, ``scope="row"`` on those in the body."""

    def section(match: re.Match[str]) -> str:
        scope = "col" if match.group(1).lower() == "thead" else "row"
        return _TH_WITHOUT_SCOPE.sub(f'<th scope="{scope}"', match.group(0))

    return _SECTION.sub(section, table)


def wrap_tables(html: str) -> str:
    """Every top-level table in a focusable scroll region named by the table's caption.

    A table without caption gets one (visually hidden): the text of the nearest heading above it, or
    "Tabelle N". Header cells get ``scope``. Idempotent: HTML stored before this existed is upgraded by
    calling it again (a table already in its box keeps it; a caption with an id is reused). Pure.
    """
    out: list[str] = []
    position = 0
    used: dict[str, int] = {}
    for number, (start, end) in enumerate(_top_level_tables(html), start=1):
        before = html[position:start]
        table = _with_scope(html[start:end])
        boxed = _BOX_BEFORE.search(html, 0, start) is not None
        caption = _CAPTION.search(table)
        if caption and _ID.search(caption.group(1)):
            caption_id = _ID.search(caption.group(1)).group(1)
        else:
            caption_id = "content-table-" + hashlib.sha256(f"{number}:{table}".encode()).hexdigest()[:8]
            if caption:
                table = table[:caption.end() - 1] + f' id="{caption_id}"' + table[caption.end() - 1:]
            else:
                headings = _HEADING.findall(html, 0, start)
                label = " ".join(_TAG.sub("", headings[-1][1]).split()) if headings else ""
                label = label or f"Tabelle {number}"
                used[label] = used.get(label, 0) + 1
                if used[label] > 1:
                    label = f"{label} ({used[label]})"
                opening = _TABLE_TAG.match(table)
                assert opening is not None
                table = (table[:opening.end()] + f'<caption class="kern-sr-only" id="{caption_id}">{label}</caption>'
                         + table[opening.end():])
        out.append(before)
        out.append(table if boxed else TABLE_BOX.format(id=caption_id) + table + "</div>")
        position = end
    out.append(html[position:])
    return "".join(out)


_SINGLE_PARAGRAPH = re.compile(r"\A<p>((?:(?!</?p>).)*)</p>\Z", re.S)


def render_inline(text: str, *, base: str | None = None) -> str:
    """Like :func:`render`, without the ``<p>`` around a single paragraph (quiz options)."""
    html = render(text, base=base)
    match = _SINGLE_PARAGRAPH.match(html)
    return match.group(1) if match else html


def raw_html(text: str) -> str:
    """The unsanitised HTML Python-Markdown makes of ``text``; for lint checks, never for pages."""
    return _html(text)
