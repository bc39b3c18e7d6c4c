"""Scores and behaviour stay with the learner: every GET route and every export, requested as every role
but the learner, contains none of her scores, answers, number of attempts, times of day or time on task,
and nothing of the course she took voluntarily.

The learner (tests/seeded.py) has distinctive values: results of 41 %, 58 % and 87 % (passed) in a
mandatory course and 92 % in a voluntary one, answers whose option texts carry a random token, three
attempts, reads, a submission and a completion at clock times hours away from now, 26 minutes on task.

Every GET rule of ``app.url_map`` is requested: rules without parameters by themselves (a new page is
checked without any change here), rules with parameters by the URLs :data:`PARAMS` builds from the seeded
learner. A rule with parameters that is in neither :data:`PARAMS` nor :data:`NOT_BUILDABLE` fails
:func:`test_every_get_route_is_checked`. HTML, JSON and CSV are read as text, XLSX cell by cell
(openpyxl), PDF with ``pdftotext`` where installed.

With ``LMS_HR_SEES_SCORES`` on, exactly the agreed field (lms/reports/individual/scores.py) appears, where
agreed, for those who see named people: 87 % on the employee page, in the obligation list and in its
exports; nothing else changes.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess  # nosec B404 # pdftotext on a PDF the test itself received
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from lms.reports.individual import scores
from tests.access.matrix import ROLES
from tests.seeded import FAILED_SCORES, MINUTES_ON_TASK, PASSED_SCORE, VOLUNTARY_SCORE, Seeded, seed_learner

#: the URLs of every GET rule with parameters, built from the seeded learner ``s``. A new rule with
#: parameters: add a line (the URLs that show the most about the learner), or to NOT_BUILDABLE with why.
PARAMS: dict[str, Callable[[Seeded], list[str]]] = {
    "admin.edit_user": lambda s: [f"/admin/konten/{s.user_id}"],
    "admin.account": lambda s: [f"/admin/konten/{s.user_id}/verwalten"],
    "reports.employee": lambda s: [f"/berichte/beschaeftigte/{s.employee_id}"],
    "reports.export": lambda s: [f"/berichte/pflichtschulungen.{fmt}{query}" for fmt in ("csv", "xlsx")
                                 for query in ("", "?q=Lernwerk", f"?einheit={s.unit.code}")],
    "training.assign": lambda s: [f"/pflichtschulungen/zuweisen/{s.employee_id}"],
    "training.end_rule": lambda s: [f"/pflichtschulungen/{s.rule_id}/beenden"],
    "catalog.statistics": lambda s: [f"/katalog/{s.course.course.slug}/statistik",
                                     f"/katalog/{s.voluntary.course.slug}/statistik"],
    "catalog.asset": lambda s: [f"/kurse/{s.course.course.slug}/img/nicht-vorhanden.png"],
    "learning.course": lambda s: [f"/schulungen/{s.course.course.slug}", f"/schulungen/{s.voluntary.course.slug}"],
    "learning.module": lambda s: [f"/schulungen/{s.course.course.slug}/module/2"],
    # her attempts: a 404 for everyone else
    "learning.attempt": lambda s: [f"/schulungen/versuch/{a.id}" for a in s.attempts],
    "learning.result": lambda s: [f"/schulungen/versuch/{a.id}/ergebnis" for a in s.attempts],
    "certificates.pdf": lambda s: [f"/zertifikate/{c.certificate_code}.pdf"
                                   for c in (s.completion, s.voluntary_completion)],
    # public by design for whoever holds the code (she hands it on); no score, no time of day on it
    "certificates.verify": lambda s: [f"/pruefen/{c.certificate_code}"
                                      for c in (s.completion, s.voluntary_completion)],
    # a token only its owner has: an unknown one shows nothing about anyone
    "auth.accept_invitation": lambda s: ["/einladung/unbekannt"],
    "auth.reset_password": lambda s: ["/passwort-neu/unbekannt"],
    "static": lambda s: ["/static/css/app.css"],
    "dv.annex": lambda s: [f"/dienstvereinbarung/anlage-{n}" for n in (1, 2, 3)],
    "dv.annex_pdf": lambda s: [f"/dienstvereinbarung/anlage-{n}.pdf" for n in (1, 2, 3)],
}
#: GET rules with parameters that cannot be built here, with the reason
NOT_BUILDABLE: dict[str, str] = {
    "admin.target_end": "a competence target (area, level, scope, counts of people): the seed has none, and "
                        "the page names no one (tests/competence/test_targets.py)",
}
#: filters that find the learner, for pages without parameters
QUERIES: dict[str, list[str]] = {
    "reports.obligations": ["?q=Lernwerk", "?einheit=MRK.1", "?status=abgeschlossen"],
    "org.staff": ["?q=Lernwerk"],
}
#: where the agreed field may appear with LMS_HR_SEES_SCORES on, and for whom
AGREED_ENDPOINTS = ("reports.employee", "reports.obligations", "reports.export")
SEES_NAMED_PEOPLE = ("coordinator", "hr", "admin")
#: the person views of HR and coordinators: a voluntary course has no place there at all
PERSON_VIEWS = ("reports.employee", "reports.obligations", "reports.export")

SPACE = r"(?:[ \u00a0\u202f]|&nbsp;|&#160;)?"
UNIT = r"(?:%|&#37;|Prozent|percent|Punkte|points)"


def _score_pattern(values) -> re.Pattern[str]:
    return re.compile(r"(?<![\d.,])(?:" + "|".join(str(v) for v in values) + r")" + SPACE + UNIT)


def _markers(s: Seeded, *, allow_passed: bool) -> list[tuple[str, re.Pattern[str]]]:
    """(what, pattern) of everything that must not appear."""
    hidden = [*FAILED_SCORES, VOLUNTARY_SCORE] + ([] if allow_passed else [PASSED_SCORE])
    attempts = len([a for a in s.attempts if a.course_version_id == s.course.id])
    counts = "|".join(str(n) for n in (attempts, len(s.attempts)))
    return [
        ("a score", _score_pattern(hidden)),
        ("her answers", re.compile(re.escape(s.answer_token))),
        ("a number of attempts", re.compile(
            rf"(?<![\d.]){'(?:' + counts + ')'}\.?{SPACE}(?:Versuch|Quizversuch|attempt)"
            rf"|(?:Versuche|attempts)\s*:?\s*(?:{counts})(?!\d)", re.IGNORECASE)),
        ("a time on task", re.compile(rf"(?<!\d){MINUTES_ON_TASK}{SPACE}(?:Min|min)")),
        ("the voluntary course's certificate", re.compile(re.escape(s.voluntary_completion.certificate_code))),
        *[(f"a time of day ({clock})", re.compile(re.escape(clock))) for clock in s.clocks],
    ]


def _rows(body: bytes, kind: str) -> list[list[str]]:
    """The rows of a CSV or XLSX export, each cell as a string."""
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(body), read_only=True)
        return [["" if v is None else str(v) for v in row] for ws in sheet.worksheets
                for row in ws.iter_rows(values_only=True)]
    text = body.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _cells(body: bytes, kind: str) -> list[str]:
    return [cell for row in _rows(body, kind) for cell in row]


def _read(response) -> tuple[str, list[str] | None]:
    """The response as text, and for an export its cells."""
    body = response.get_data()
    mimetype = response.mimetype or ""
    if mimetype.endswith("spreadsheetml.sheet"):
        cells = _cells(body, "xlsx")
        return "\n".join(cells), cells
    if mimetype == "text/csv":
        return body.decode("utf-8-sig"), _cells(body, "csv")
    if mimetype == "application/pdf":
        tool = shutil.which("pdftotext")
        if tool is None:  # the raw bytes: weaker (compressed streams), but the PDF is not skipped
            return body.decode("latin-1"), None
        done = subprocess.run([tool, "-", "-"], input=body, capture_output=True, check=True)  # nosec B603
        return done.stdout.decode("utf-8", "replace"), None
    if mimetype.startswith(("text/", "application/json", "application/javascript", "image/svg")):
        return body.decode("utf-8", "replace"), None
    return "", None  # fonts, images: no text of anyone


def urls(app, s: Seeded) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET rule: parameterless rules as they are (plus QUERIES), the others from
    PARAMS. Unknown rules with parameters are left to :func:`test_every_get_route_is_checked`."""
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if "GET" not in rule.methods:
            continue
        if not rule.arguments:
            path = rule.rule
            out += [(rule.endpoint, path)] + [(rule.endpoint, path + q) for q in QUERIES.get(rule.endpoint, [])]
        elif rule.endpoint in PARAMS:
            out += [(rule.endpoint, url) for url in PARAMS[rule.endpoint](s)]
    return list(dict.fromkeys(out))


def test_every_get_route_is_checked(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments and rule.endpoint not in PARAMS | NOT_BUILDABLE:
            missing.append(f"GET {rule.rule} ({rule.endpoint}, parameters {', '.join(sorted(rule.arguments))})")
    assert not missing, (
        "GET routes with parameters that tests/access/test_no_scores.py cannot build: add to PARAMS a function "
        "of the seeded learner (tests/seeded.py: s.user_id, s.employee_id, s.unit.code, s.course.course.slug, "
        "s.attempts, s.completion.certificate_code, ...) returning the URLs that show the most about her, or "
        "add the endpoint to NOT_BUILDABLE with the reason: " + "; ".join(sorted(missing)))
    stale = sorted((set(PARAMS) | set(NOT_BUILDABLE)) - set(app.view_functions))
    assert not stale, f"PARAMS/NOT_BUILDABLE name endpoints the app does not have: {stale}"


@pytest.fixture
def seeded(app, make_unit, make_employee) -> Seeded:
    return seed_learner(make_unit, make_employee)


def _login(role: str, s: Seeded, login_as) -> None:
    if role == "anonymous":
        return
    if role == "coordinator":  # responsible for her unit: sees her by name
        login_as(role, units=[s.parent])
    else:
        login_as(role)


def _sweep(app, client, s: Seeded, role: str, *, flag: bool) -> tuple[list[str], dict[str, list[str]]]:
    """Request every URL; return the leaks found and, per agreed URL, the text and cells seen."""
    leaks: list[str] = []
    seen: dict[str, list[str]] = {}
    agreed_role = flag and role in SEES_NAMED_PEOPLE
    for endpoint, url in urls(app, s):
        response = client.get(url)
        text, cells = _read(response)
        response.close()
        agreed_here = agreed_role and endpoint in AGREED_ENDPOINTS
        for what, pattern in _markers(s, allow_passed=agreed_here):
            if pattern.search(url):
                continue  # the URL holds it (a code she handed on): the page may echo what was asked
            found = pattern.search(text)
            if found:
                start = max(0, found.start() - 60)
                leaks.append(f"{role} GET {url} ({endpoint}, {response.status_code}) shows {what}: "
                             f"…{text[start:found.end() + 40]!r}…")
        if cells is not None:
            hidden = {str(v) for v in (*FAILED_SCORES, VOLUNTARY_SCORE)} | (
                set() if agreed_here else {str(PASSED_SCORE)})
            for cell in cells:
                if cell.strip().rstrip("%").strip() in hidden:
                    leaks.append(f"{role} GET {url} ({endpoint}): a cell holds the score {cell!r}")
        if endpoint in PERSON_VIEWS and s.voluntary.title in text:
            leaks.append(f"{role} GET {url} ({endpoint}): names the course she takes voluntarily")
        if endpoint in AGREED_ENDPOINTS:
            seen[url] = [text, *(cells or [])]
    return leaks, seen


@pytest.mark.parametrize("role", ROLES)
def test_no_scores_answers_or_times_for_anyone_else(role, app, client, seeded, login_as):
    _login(role, seeded, login_as)
    leaks, seen = _sweep(app, client, seeded, role, flag=False)
    assert not leaks, "\n".join(leaks)
    if role in SEES_NAMED_PEOPLE:  # the sweep reached her: her name and obligation are on the pages
        page = seen[f"/berichte/beschaeftigte/{seeded.employee_id}"][0]
        assert "Lernwerk" in page and "Pflichtkurs Marker" in page
        assert "LW-4711" in seen["/berichte/pflichtschulungen.xlsx?q=Lernwerk"]


@pytest.mark.parametrize("role", ROLES)
def test_with_hr_sees_scores_exactly_the_agreed_field(role, app, client, seeded, login_as):
    app.config["LMS_HR_SEES_SCORES"] = True
    _login(role, seeded, login_as)
    leaks, seen = _sweep(app, client, seeded, role, flag=True)
    assert not leaks, "\n".join(leaks)
    if role not in SEES_NAMED_PEOPLE:
        return
    percent = _score_pattern([PASSED_SCORE])
    assert percent.search(seen[f"/berichte/beschaeftigte/{seeded.employee_id}"][0])
    assert str(scores.PASSED_SCORE.label) in seen[f"/berichte/beschaeftigte/{seeded.employee_id}"][0]
    assert percent.search(seen["/berichte/pflichtschulungen?q=Lernwerk"][0])
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/berichte/pflichtschulungen.{fmt}?q=Lernwerk")
        header, *rows = _rows(response.get_data(), fmt)
        assert header[-1] == scores.PASSED_SCORE.export_header, fmt  # the agreed column, last
        assert [row[len(header) - 1] for row in rows if "LW-4711" in row] == [str(PASSED_SCORE)], (fmt, rows)


def test_markers_are_visible_to_the_learner(app, client, seeded, auth):
    """The markers are real: the learner herself sees her scores, answers and times."""
    assert auth.login(seeded.user.email).status_code == 302
    mine = client.get("/meine-daten.json").get_data(as_text=True)
    result = client.get(f"/schulungen/versuch/{seeded.attempts[2].id}/ergebnis").get_data(as_text=True)
    assert seeded.answer_token in result
    assert _score_pattern([PASSED_SCORE]).search(result)
    assert '"score": 87' in mine and '"score": 41' in mine


@pytest.mark.parametrize("flag", [False, True])
@pytest.mark.parametrize("role", SEES_NAMED_PEOPLE)
def test_voluntary_course_is_in_no_person_view(role, flag, app, client, seeded, login_as):
    """A course she takes without an obligation: not on her employee page, not in the list or its exports
    (searched by her name and by the course), not even its completion day, whatever LMS_HR_SEES_SCORES."""
    app.config["LMS_HR_SEES_SCORES"] = flag
    _login(role, seeded, login_as)
    slug = seeded.voluntary.course.slug
    for url in (f"/berichte/beschaeftigte/{seeded.employee_id}", "/berichte/pflichtschulungen?q=Lernwerk",
                "/berichte/pflichtschulungen.csv?q=Lernwerk", "/berichte/pflichtschulungen.xlsx?q=Lernwerk"):
        response = client.get(url)
        text, _cells = _read(response)
        assert response.status_code == 200, url
        assert "Pflichtkurs Marker" in text, url  # her obligation is there
        assert seeded.voluntary.title not in text and slug not in text, url
        assert seeded.voluntary_completion.certificate_code not in text, url
    # filtering the list by the voluntary course is refused: no one has an obligation for it
    assert slug not in client.get("/berichte/pflichtschulungen").get_data(as_text=True)
    assert "0 Pflichtschulungen" in client.get(f"/berichte/pflichtschulungen?kurs={slug}").get_data(as_text=True)
