"""Markdown to sanitised HTML, done once at course import (pages never render Markdown).

Python-Markdown passes raw HTML through, so its output is cleaned by nh3 (ammonia) against an explicit
allow-list: no script, style, iframe, object, embed, SVG or MathML; no event handlers or inline styles;
URLs only http, https, mailto and relative. Relative link and image URLs (``img/chart.png``) are
rewritten to the course asset route (``/kurse/<slug>/img/chart.png``); protocol-relative URLs
(``//host/…``) are dropped. Every link gets ``rel="noopener noreferrer"``.

The functions here are pure: text in, HTML out.
"""

from __future__ import annotations

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
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "small",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
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
        return value

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={t: {a: set(v) for a, v in av.items()} for t, av in ALLOWED_ATTRIBUTE_VALUES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(text: str, *, base: str | None = None) -> str:
    """Markdown ``text`` as sanitised HTML (block level: paragraphs, lists, tables …)."""
    return sanitise(_html(text), base=base).strip()


_SINGLE_PARAGRAPH = re.compile(r"\A<p>((?:(?!</?p>).)*)</p>\Z", re.S)


def render_inline(text: str, *, base: str | None = None) -> str:
    """Like :func:`render`, without the ``<p>`` around a single paragraph (quiz options)."""
    html = render(text, base=base)
    match = _SINGLE_PARAGRAPH.match(html)
    return match.group(1) if match else html


def raw_html(text: str) -> str:
    """The unsanitised HTML Python-Markdown makes of ``text``; for lint checks, never for pages."""
    return _html(text)
