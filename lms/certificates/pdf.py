"""The certificate as PDF (WeasyPrint), rendered from a template with DejaVu fonts (fonts-dejavu-core).

Nothing is fetched while rendering: the template is self-contained and the URL fetcher refuses every
request, so no content can make the server load a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, render_template

#: next to the template, so it ships with the package data (templates/**)
STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "certificates" / "certificate.css"


class _NoFetch(Exception):
    pass


def _refuse(url: str, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
    raise _NoFetch(f"certificate rendering fetches nothing ({url})")


def verify_url(code: str) -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/pruefen/" + code


def certificate_html(**context: Any) -> str:
    return render_template("certificates/certificate.html", **context)


#: tagged PDF (structure tree, reading order, ``/Lang`` from ``<html lang>``, title from ``<title>`` and
#: ``DisplayDocTitle``): EN 301 549 ch. 10, WCAG 1.3.1. tests/certificates checks ``pdfinfo`` says "Tagged: yes".
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    """``html`` (with ``<html lang>`` and ``<title>``) as a tagged PDF/UA-1 document."""
    from weasyprint import CSS, HTML  # imported on first use: it is slow to import

    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)
