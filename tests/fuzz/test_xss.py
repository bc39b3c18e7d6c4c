"""XSS: the payload corpus (tests/data/xss-payloads.txt, 200+) through course Markdown (render and
sanitiser), staff-import names and the free-text fields a user can type, on the pages that show them.

A page or fragment is *inert* when it has no script element but the app's own, no event-handler
attribute, no ``javascript:``/``data:``/``vbscript:`` URL, no element that can run or embed code
(iframe, object, embed, svg, math, base, meta, link, form in content), and no payload appears in it
unescaped. The browser test (tests/browser/test_xss.py) then proves in Chromium that no dialog opens.
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from lms import db, markdown
from lms.org import services as org_services
from lms.org.models import Employee
from tests.conftest import PG_URL
from tests.fuzz import strategies as hs
from tests.fuzz.conftest import count_examples, count_payloads

PAYLOADS = hs.xss_payloads()
MARKDOWN_EXAMPLES = int(os.environ.get("LMS_FUZZ_MARKDOWN_EXAMPLES", "3000"))
DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "svg", "math", "base", "meta", "link",
                  "style", "applet", "portal", "template", "noscript", "xml", "isindex", "keygen"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "srcset", "data", "xlink:href",
                  "dynsrc", "lowsrc", "cite"}
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*)\s*:", re.I)


class _Scan(HTMLParser):
    """Collects what could run. The layout's ``<head>`` (its stylesheets, meta tags and own script) is
    the app's; everything else is checked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str | None] = []
        self.in_head = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))
        elif tag in DANGEROUS_TAGS and not self.in_head:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value:
                cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(value))
                scheme = _SCHEME.match(cleaned)
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")
            if name == "style" and value and re.search(r"expression|url\s*\(|javascript", value, re.I):
                self.problems.append(f"<{tag} style={value[:40]}>")

    handle_startendtag = handle_starttag


def inert_problems(page: str, payloads: list[str] = (), own_scripts: tuple[str, ...] = ()) -> list[str]:
    scan = _Scan()
    scan.feed(page)
    scan.close()
    problems = scan.problems + [f"script {src}" for src in scan.scripts if src not in own_scripts]
    problems += [f"unescaped payload {p[:40]!r}" for p in payloads if "<" in p and p in page]
    return problems


# --------------------------------------------------------------------------------------------------
# course Markdown: render + sanitiser (what reaches a module page)

#: rendering Markdown touches no database: the SQLite pass covers it
no_database = pytest.mark.skipif(bool(PG_URL), reason="no database involved; runs in the SQLite pass")


@no_database
@pytest.mark.parametrize("inline", [False, True], ids=["block", "inline"])
def test_every_payload_renders_inert_in_course_markdown(inline):
    render = markdown.render_inline if inline else markdown.render
    failures = {}
    for payload in PAYLOADS:
        for text in (payload, f"Text davor {payload} danach", f"* {payload}\n* zwei", f"> {payload}"):
            out = render(text, base="/kurse/kurs/")
            problems = inert_problems(out)
            if problems:
                failures[text] = (out, problems)
    count_payloads(len(PAYLOADS))
    assert not failures, list(failures.items())[:5]


@st.composite
def markdown_document(draw: st.DrawFn) -> str:
    """Markdown structure (headings, lists, links, images, code, tables, raw HTML) around payloads."""
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        payload = draw(st.sampled_from(PAYLOADS))
        text = draw(hs.hostile_text(60))
        template = draw(st.sampled_from([
            "# {p}", "{t} {p}", "* {p}\n* {t}", "1. {p}", "[{t}]({p})", "![{t}]({p})", "[{p}]({t})", "`{p}`",
            "```\n{p}\n```", "| a | b |\n|---|---|\n| {p} | {t} |", "<div>{p}</div>", "<p title=\"{t}\">{p}</p>",
            "{t}\n\n{p}", "**{p}**", "<{p}>", "[x][r]\n\n[r]: {p}", "{p}{{: .x }}",
        ]))
        parts.append(template.format(p=payload, t=text))
    return "\n\n".join(parts)


@no_database
def test_generated_markdown_documents_render_inert():
    @settings(max_examples=MARKDOWN_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document=markdown_document())
    def fuzz(document):
        count_examples(1)
        out = markdown.render(document, base="/kurse/kurs/")
        assert inert_problems(out) == [], (document, out)

    fuzz()


# --------------------------------------------------------------------------------------------------
# staff-import names and free-text fields, on the pages that show them

def _csv_safe(payload: str) -> str:
    return payload.replace(";", ",").replace('"', "'").replace("\r", " ").replace("\n", " ")[:100]


OWN_SCRIPTS = ("/static/js/app.js",)


def test_payload_names_from_the_staff_import_are_inert_on_every_staff_page(app, client, login_as, make_unit):
    make_unit(code="X1", name="XSS-Amt")
    rows = ["Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt"]
    for n, payload in enumerate(PAYLOADS):
        safe = _csv_safe(payload)
        rows.append(f"X{n:04d};{safe};{safe};x{n}@stadt.example;X1;{safe};01.02.2020")
    result = org_services.import_file("staff", ("\n".join(rows) + "\n").encode(), filename="xss.csv",
                                      actor_label="test")
    # names are free text in the HR system: the import takes them as they are
    assert result.ok, result.problems[:5]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Employee)) == len(PAYLOADS)
    count_payloads(len(PAYLOADS))
    login_as("hr")
    stored = [_csv_safe(p) for p in PAYLOADS]
    pages = [f"/organisation/beschaeftigte?page={n}" for n in range(1, len(PAYLOADS) // 50 + 2)]
    pages += ["/organisation/einheiten", "/organisation/beschaeftigte?q=%3Cscript"]
    shown = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        shown += sum(1 for p in stored if str(escape(p.strip())) in page)
        assert inert_problems(page, stored, OWN_SCRIPTS) == [], path
    assert shown >= len(PAYLOADS), shown  # every name appeared (escaped) on some page


def test_payloads_in_free_text_fields_are_inert(app, client, login_as):
    """Every third payload typed by a user: search fields (reflected), the e-mail and ``next`` on the
    login form (reflected), an admin's display name for an account (stored, shown in the account list
    and the audit log)."""
    payloads = PAYLOADS[::3]
    anonymous = app.test_client()
    elsewhere = {"REMOTE_ADDR": "192.0.2.1"}  # its failed logins must not lock the admin's address
    for payload in payloads:
        reflected = [
            anonymous.post("/anmelden", data={"email": payload, "password": "x", "next": payload},
                           environ_base=elsewhere),
            anonymous.get("/anmelden", query_string={"next": payload.replace("\r", "").replace("\n", "")},
                          environ_base=elsewhere),
        ]
        for response in reflected:
            assert response.status_code in (200, 429), payload
            assert inert_problems(response.get_data(as_text=True), [payload], OWN_SCRIPTS) == [], payload
    login_as("admin")
    for n, payload in enumerate(payloads):
        created = client.post("/admin/konten/neu", data={
            "email": f"xss{n}@stadt.example", "role": "author", "display_name": payload[:200]})
        assert created.status_code in (200, 302), payload
        for path, query in (("/admin/konten", {"q": payload}), ("/admin/protokoll", {"actor": payload}),
                            ("/organisation/beschaeftigte", {"q": payload})):
            response = client.get(path, query_string=query)
            assert response.status_code == 200, path
            assert inert_problems(response.get_data(as_text=True), [payload], OWN_SCRIPTS) == [], (path, payload)
    for path in ("/admin/konten", "/admin/protokoll"):  # every stored display name at once
        page = client.get(path).get_data(as_text=True)
        assert inert_problems(page, payloads, OWN_SCRIPTS) == [], path
    count_payloads(len(payloads))
