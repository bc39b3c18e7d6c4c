"""Fingerprints of content whose meaning matters to learners' records.

An acknowledgement is given for a text, so a module records the SHA-256 of its *visible* text (title and
body, markup ignored): a new table wrapper, a ``lang`` attribute, a caption the renderer generates for
screen readers (class ``kern-sr-only``, which authors cannot set) or another renderer changes nothing, a
changed word does. The same idea compares questions between versions. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")


#: elements the renderer adds for screen readers (a table's generated caption): not the author's text
_GENERATED = "kern-sr-only"
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # depth inside a generated element

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.hidden:
            self.hidden += tag not in _VOID
        elif tag not in _VOID and _GENERATED in (dict(attrs).get("class") or "").split():
            self.hidden = 1
        self.parts.append(" ")  # block and inline boundaries separate words

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            self.hidden -= 1
        self.parts.append(" ")


def visible_text(html: str) -> str:
    """The text a reader sees in ``html``, whitespace collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return _SPACE.sub(" ", "".join(parser.parts)).strip()


def text_hash(title: str, html: str) -> str:
    """SHA-256 (hex) of a module's title and visible text."""
    data = (_SPACE.sub(" ", title or "").strip() + "\n" + visible_text(html)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def question_hash(kind: str, prompt_html: str, explanation_html: str,
                  options: Iterable[tuple[str, bool]]) -> str:
    """SHA-256 (hex) of what a question asks and accepts: type, prompt, options with their correctness
    (in authored order) and explanation, markup ignored."""
    lines = [kind, visible_text(prompt_html), visible_text(explanation_html)]
    lines += [f"{'+' if correct else '-'} {visible_text(text)}" for text, correct in options]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
