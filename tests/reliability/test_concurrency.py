"""Concurrency: double submissions racing each other, and many writer processes on one SQLite file.

* 1,000 attempts are each submitted twice at the same moment (two threads meet at a barrier, then
  both send the form): exactly 1,000 results, each graded once, every request answered with the
  redirect to the result. Runs on SQLite and, with ``TEST_DATABASE_URL``, on PostgreSQL.
* 8 processes, each its own app on one SQLite file, write through real requests at the same time
  (quiz start and submission, module read): zero "database is locked", every write stored.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from lms import create_app, db
from lms.auth.models import User
from lms.catalog.models import CourseVersion
from lms.learning import grading
from lms.learning.models import Attempt, AttemptItem, ModuleProgress
from lms.org.models import Employee, OrgUnit
from tests.learning.factories import create_course

PAIRS = int(os.environ.get("LMS_DOUBLE_SUBMISSIONS", "1000"))
pytestmark = pytest.mark.reliability


def make_learners(n: int) -> list[int]:
    """``n`` employees with accounts, inserted in bulk; returns the user ids."""
    unit = OrgUnit(code="C", name="Gleichzeitig", path="/", depth=0)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    now = datetime.now(UTC)
    db.session.execute(insert(Employee), [
        {"personnel_no": f"C{i:05d}", "first_name": "Carla", "last_name": f"Concurrent{i}",
         "email": f"c{i}@gleich.example", "org_unit_id": unit.id, "is_active": True,
         "created_at": now, "updated_at": now} for i in range(n)])
    employees = db.session.execute(select(Employee.id, Employee.email).order_by(Employee.id)).all()
    db.session.execute(insert(User), [
        {"email": email, "role": "employee", "employee_id": eid, "is_active": True, "session_version": 1,
         "created_at": now, "display_name": ""} for eid, email in employees])
    db.session.commit()
    return list(db.session.scalars(select(User.id).order_by(User.id)))


def open_attempts(version: CourseVersion, user_ids: list[int]) -> dict[int, tuple[int, list[dict[str, str]]]]:
    """One open attempt per user on ``version``; returns {user id: (attempt id, [answers A, answers B])}:
    the two submissions of a pair differ (first option of every question against the second)."""
    pool = list(version.questions)
    attempts = []
    for n, uid in enumerate(user_ids):
        attempt = Attempt(user_id=uid, course_version_id=version.id, started_at=datetime.now(UTC))
        for position in range(version.questions_per_attempt):
            question = pool[(n + position) % len(pool)]
            attempt.items.append(AttemptItem(position=position + 1, question_id=question.id,
                                             option_order=[o.id for o in question.options]))
        attempts.append(attempt)
    db.session.add_all(attempts)
    db.session.commit()
    return {a.user_id: (a.id, [{f"item-{i.id}": str(i.option_order[k]) for i in a.items} for k in (0, 1)])
            for a in attempts}


def session_cookie(app: Flask, user_id: int) -> str:
    """The signed session cookie a login would have set (the login itself is tested elsewhere)."""
    now = datetime.now(UTC).timestamp()
    value = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
        {"_user_id": f"{user_id}:1", "_fresh": True, "login_at": now, "seen_at": now})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def test_a_thousand_double_submissions_make_a_thousand_results(app, record_property):
    version = create_course("gleichzeitig", per_attempt=4, questions=8)
    db.session.commit()
    users = make_learners(PAIRS)
    attempts = open_attempts(version, users)
    cookies = {uid: session_cookie(app, uid) for uid in users}

    def submit(uid: int, which: int, barrier: threading.Barrier) -> tuple[int, str]:
        attempt_id, answers = attempts[uid]
        client = app.test_client(use_cookies=False)
        barrier.wait(timeout=60)  # both submissions of this attempt leave together
        response = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=answers[which],
                               headers={"Cookie": cookies[uid]})
        return response.status_code, response.headers.get("Location", "")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = []
        for uid in users:
            barrier = threading.Barrier(2)
            futures += [pool.submit(submit, uid, 0, barrier), pool.submit(submit, uid, 1, barrier)]
        outcomes = [f.result() for f in futures]
    elapsed = time.monotonic() - started

    expected = [(303, f"/schulungen/versuch/{attempts[uid][0]}/ergebnis") for uid in users for _ in (1, 2)]
    assert outcomes == expected
    db.session.expire_all()
    submitted = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_not(None)))
    assert submitted == PAIRS
    # each attempt graded once: the stored answers are entirely one of the two submissions (never a
    # mixture), and the stored grade is the grade of exactly those answers
    rows = db.session.scalars(select(Attempt).where(Attempt.user_id.in_(users))).unique().all()
    winners = [0, 0]
    for attempt in rows:
        stored = [item.response for item in attempt.items]
        sent = [[[int(answers[f"item-{item.id}"])] for item in attempt.items] for answers in attempts[attempt.user_id][1]]
        assert stored in sent, (attempt.id, stored, sent)
        winners[sent.index(stored)] += 1
        grades = [grading.grade(grading.QuestionData(
            item.question.id, item.question.type,
            tuple(grading.OptionData(o.id, o.is_correct) for o in item.question.options)), item.response)
            for item in attempt.items]
        assert attempt.score == grading.score(grades)
    record_property("double_submissions", PAIRS)
    print(f"\n{PAIRS} double submissions ({2 * PAIRS} requests, 16 threads, {db.get_db().dialect}): "
          f"{submitted} results in {elapsed:.1f} s (first/second of a pair stored: {winners})")


# --------------------------------------------------------------------------------------------------
# 8 writer processes on one SQLite file

PROCESSES = 8
ROUNDS = 10


def _writer(url: str, user_id: int, slug: str, out) -> None:
    errors: list[str] = []
    done = 0
    try:
        done = _write(url, user_id, slug, errors)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.append(repr(exc))
    finally:
        out.put((done, errors))


def _write(url: str, user_id: int, slug: str, errors: list[str]) -> int:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", "LMS_DEV": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client(use_cookies=False)
    cookie = {"Cookie": session_cookie(app, user_id)}
    done = 0
    for _ in range(ROUNDS):
        try:
            start = client.post(f"/schulungen/{slug}/quiz", headers=cookie)
            if start.status_code != 302 or "/versuch/" not in start.headers["Location"]:
                errors.append(f"start {start.status_code}")
                continue
            attempt_id = int(start.headers["Location"].rsplit("/", 1)[-1])
            submit = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", headers=cookie,
                                 data={"trotzdem": "1"})  # nothing answered: submit anyway
            read = client.post(f"/schulungen/{slug}/module/1/gelesen", headers=cookie)
            if submit.status_code != 303 or read.status_code != 302:
                errors.append(f"submit {submit.status_code} / read {read.status_code}")
                continue
            done += 1
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            errors.append(repr(exc))
    db.get_db(app).dispose()
    return done


def test_eight_writer_processes_on_sqlite_never_see_database_is_locked(app, database_url, caplog):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite locking behaviour (PostgreSQL has row locks)")
    create_course("acht-schreiber", per_attempt=4, questions=6, attempts_per_day=1000)
    db.session.commit()
    users = make_learners(PROCESSES)
    db.session.close()  # this process must not hold SQLite's write lock (BEGIN IMMEDIATE) meanwhile
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(database_url, uid, "acht-schreiber", out)) for uid in users]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    elapsed = time.monotonic() - started
    errors = [e for _, errs in results for e in errs]
    assert not [e for e in errors if "locked" in e.lower()], errors
    assert errors == []
    assert sum(done for done, _ in results) == PROCESSES * ROUNDS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attempt)
                             .where(Attempt.submitted_at.is_not(None))) == PROCESSES * ROUNDS
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == PROCESSES
    print(f"\n{PROCESSES} writer processes: {PROCESSES * ROUNDS * 3} write requests in {elapsed:.1f} s, "
          f"0 'database is locked'")
