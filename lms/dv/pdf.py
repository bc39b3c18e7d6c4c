"""The annexes as standalone HTML and as tagged PDF (WeasyPrint), fetching nothing while rendering."""

from __future__ import annotations

from typing import Any

from flask import render_template

from lms.main.privacy import Notice


class _NoFetch(Exception):
    pass


def _refuse(url: str, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    raise _NoFetch(f"annex rendering fetches nothing ({url})")


def document_html(notice: Notice, digest: str) -> str:
    """A self-contained, printable HTML document (inline styles, no scripts, no links to load)."""
    return render_template("dv/document.html", notice=notice, digest=digest)


def render_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF/UA-1 document (as the certificates are made)."""
    from weasyprint import HTML  # imported on first use: it is slow to import

    return HTML(string=html, url_fetcher=_refuse).write_pdf(pdf_variant="pdf/ua-1")
