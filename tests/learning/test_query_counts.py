"""No page of the learner's journey issues more than 12 SQL queries, however much data there is."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms import db
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Attempt, AttemptItem
from lms.training.models import Assignment
from tests.learning.factories import load_attempt, read_all

LIMIT = 12
#: "Meine Daten" holds everything stored about the person: one query per kind of data (attempts, answers,
#: reads, obligations, e-mails, targets, the audit log, ...), still a fixed number however much there is
MY_DATA_LIMIT = 20


counting = db.count_queries


@pytest.fixture
def journey(app, client, login_as, make_course):
    """Eight courses of six modules; the learner has read, acknowledged, completed some, and made
    60 attempts of 10 questions each."""
    user = login_as()
    versions = [make_course(title=f"Kurs {n}", modules=6, acknowledge=(2,), questions=15, per_attempt=10,
                            attempts_per_day=100) for n in range(8)]
    for n, cv in enumerate(versions[:5]):
        read_all(user.id, cv)
        db.session.add(Assignment(employee_id=user.employee_id, course_id=cv.course_id,
                                  due_on=utcnow().date() + timedelta(days=n * 10 - 20)))
    db.session.commit()
    now = utcnow()
    for n in range(60):
        cv = versions[n % 5]
        attempt = Attempt(user_id=user.id, course_version_id=cv.id, started_at=now - timedelta(days=n + 2),
                          submitted_at=now - timedelta(days=n + 2), score=90, passed=True)
        for pos, question in enumerate(cv.questions[:10], 1):
            attempt.items.append(AttemptItem(position=pos, question_id=question.id,
                                             option_order=[o.id for o in question.options],
                                             response=[question.options[0].id], is_correct=True))
        db.session.add(attempt)
    db.session.commit()
    for cv in versions[:3]:
        services.complete_if_done(user.id, cv.course)
    db.session.commit()
    open_attempt = services.start_attempt(user.id, versions[0])
    db.session.commit()
    done = load_attempt(db.session.scalars(
        select(Attempt.id).where(Attempt.submitted_at.is_not(None)).limit(1)).one())
    return {"slug": versions[0].course.slug, "open": open_attempt.id, "done": done.id}


PAGES = {
    "my_courses": lambda j: "/schulungen",
    "course": lambda j: f"/schulungen/{j['slug']}",
    "module": lambda j: f"/schulungen/{j['slug']}/module/2",
    "quiz": lambda j: f"/schulungen/versuch/{j['open']}",
    "result": lambda j: f"/schulungen/versuch/{j['done']}/ergebnis",
    "my_data": lambda j: "/meine-daten",
    "competence_profile": lambda j: "/kompetenzprofil",
    "my_data_json": lambda j: "/meine-daten.json",
}


@pytest.mark.parametrize("name", PAGES)
def test_queries_per_page(name, app, client, journey):
    path = PAGES[name](journey)
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    limit = MY_DATA_LIMIT if name.startswith("my_data") else LIMIT
    assert len(statements) <= limit, f"{path}: {len(statements)} queries\n" + "\n".join(statements)
    assert len(statements) >= 3  # the counter sees the queries (the user, the page's data)


def test_pages_render_no_markdown(app, client, journey, monkeypatch):
    import markdown

    def refuse(*_args, **_kwargs):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(markdown, "markdown", refuse)
    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    for make_path in PAGES.values():
        assert client.get(make_path(journey)).status_code == 200


def test_verify_and_certificate_pages_are_cheap(app, client, journey):
    html = client.get("/meine-daten").get_data(as_text=True)
    code = re.search(r"<td class=\"kern-table__cell\">([A-Z2-7]{26})</td>", html).group(1)
    for path in (f"/pruefen/{code}", f"/zertifikate/{code}.pdf"):
        with counting(app) as statements:
            assert client.get(path).status_code == 200
        assert len(statements) <= LIMIT, path


@pytest.fixture
def busy_learner(app, login_as, make_course):
    """A learner with 250 submitted attempts spread over seven courses."""
    user = login_as()
    versions = [make_course(title=f"Schulung mit einem längeren Titel {n}", questions=3, per_attempt=3)
                for n in range(7)]
    now = utcnow()
    for n in range(250):
        db.session.add(Attempt(user_id=user.id, course_version_id=versions[n % 7].id,
                               started_at=now - timedelta(hours=n + 1, minutes=10),
                               submitted_at=now - timedelta(hours=n + 1), score=n % 101, passed=n % 101 >= 80))
    db.session.commit()
    return user


def test_my_data_stays_small_and_cheap_with_250_attempts(app, client, busy_learner):
    with counting(app) as statements:
        response = client.get("/meine-daten")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 40_000, f"{len(response.data)} bytes"
    assert len(statements) <= MY_DATA_LIMIT, f"{len(statements)} queries\n" + "\n".join(statements)
    section = html[html.index('id="quiz-versuche"'):html.index(">Abschlüsse<")]
    assert section.count('<tr class="kern-table__row"><td') == 20
    assert "Versuche 1 bis 20 von 250, die neuesten zuerst." in html
    assert 'href="/meine-daten?page=2#quiz-versuche"' in html and 'rel="prev"' not in html


def test_my_data_pages_through_every_attempt_once(app, client, busy_learner):
    """The pages together show each attempt once, newest first; the JSON download holds all of them."""
    data = client.get("/meine-daten.json").get_json()
    assert len(data["attempts"]) == 250
    started = [a["started_at"] for a in data["attempts"]]
    assert started == sorted(started, reverse=True)
    shown = []
    for page in range(1, 14):
        html = client.get(f"/meine-daten?page={page}").get_data(as_text=True)
        section = html[html.index('id="quiz-versuche"'):html.index(">Abschlüsse<")]
        shown += re.findall(r'<td class="kern-table__cell">(\d+) %</td>', section)
    assert shown == [str(a["score"]) for a in data["attempts"]]
    last = client.get("/meine-daten?page=13").get_data(as_text=True)
    assert "Versuche 241 bis 250 von 250" in last and 'rel="next"' not in last
    # out of range or malformed: the nearest page
    assert "Versuche 241 bis 250 von 250" in client.get("/meine-daten?page=99").get_data(as_text=True)
    assert "Versuche 1 bis 20 von 250" in client.get("/meine-daten?page=x").get_data(as_text=True)
    assert "Versuche 1 bis 20 von 250" in client.get("/meine-daten?page=-3").get_data(as_text=True)
