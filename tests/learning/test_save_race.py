"""Finding 4 (medium, PostgreSQL): saving answers could overwrite an attempt already graded.

16 saves racing one submit left stored answers that disagreed with the grade in 13 of 28 runs: a save
that had read "not submitted yet" wrote its answers after the submit had graded and committed.
``save_answers`` now locks the attempt row and re-reads ``submitted_at`` under the lock.
"""

from __future__ import annotations

import threading

import pytest

from lms import db
from lms.learning import grading, services
from tests.conftest import PASSWORD, PG_URL
from tests.learning.factories import answers, load_attempt
from tests.learning.test_quiz import start


def as_ids(form: dict[str, list[str]]) -> dict[int, list[int]]:
    return {int(k.removeprefix("item-")): sorted(int(v) for v in vs) for k, vs in form.items()}


def assert_consistent(attempt_id: int) -> None:
    """The stored answers are the ones that were graded: grading them again gives the stored result."""
    attempt = load_attempt(attempt_id)
    assert attempt.submitted_at is not None
    grades = [grading.grade(services.question_data(i.question), i.response) for i in attempt.items]
    assert [i.is_correct for i in attempt.items] == [g.is_correct for g in grades], attempt_id
    assert attempt.score == grading.score(grades), attempt_id


def test_a_save_that_loaded_the_attempt_before_the_submit_does_not_overwrite_it(app, make_user, make_course):
    """The race, step by step (any database): the save request checked "not submitted" before the
    submit committed, and writes after it."""
    user = make_user()
    cv = make_course(questions=4, per_attempt=4)
    attempt_id = services.start_attempt(user.id, cv).id
    db.session.commit()
    stale = load_attempt(attempt_id)  # the save request has loaded the attempt: not submitted
    right = as_ids(answers(stale))
    wrong = as_ids(answers(stale, wrong=[1, 2, 3, 4]))
    with app.app_context():  # meanwhile another request submits (its own session) and commits
        services.submit(load_attempt(attempt_id), right)
        db.session.commit()
    assert services.save_answers(stale, wrong) is False
    db.session.commit()
    stored = load_attempt(attempt_id)
    assert {i.id: i.response for i in stored.items} == right
    assert_consistent(attempt_id)


def test_save_answers_stores_while_the_attempt_is_open(app, make_user, make_course):
    user = make_user()
    cv = make_course(questions=4, per_attempt=4)
    attempt = services.start_attempt(user.id, cv)
    db.session.commit()
    given = as_ids(answers(load_attempt(attempt.id)))
    assert services.save_answers(attempt, given) is True
    db.session.commit()
    assert {i.id: i.response for i in load_attempt(attempt.id).items} == given


def test_the_save_page_refuses_an_attempt_submitted_meanwhile(client, login_as, make_course, monkeypatch):
    """The view answers 400 (not 500) when the service finds the attempt submitted under its lock."""
    login_as()
    cv = make_course(questions=4, per_attempt=4)
    attempt_id = start(client, cv)
    data = answers(load_attempt(attempt_id))
    monkeypatch.setattr(services, "save_answers", lambda attempt, given: False)
    response = client.post(f"/schulungen/versuch/{attempt_id}/speichern", data=data)
    assert response.status_code == 400
    assert "bereits abgegeben" in response.get_data(as_text=True)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="SQLite runs every writing request in BEGIN IMMEDIATE: no race there")
def test_saves_racing_a_submit_never_change_a_graded_attempt(app, make_user, make_course):
    """16 threads save all-wrong answers while one submits all-right ones, 10 rounds."""
    user = make_user()
    cv = make_course(questions=4, per_attempt=4, attempts_per_day=100)
    clients = []
    for _ in range(17):
        c = app.test_client()
        assert c.post("/anmelden", data={"email": user.email, "password": PASSWORD}).status_code == 302
        clients.append(c)
    statuses: list[int] = []
    for _round in range(10):
        attempt_id = start(clients[0], cv)
        attempt = load_attempt(attempt_id)
        right, wrong = answers(attempt), answers(attempt, wrong=[1, 2, 3, 4])
        barrier = threading.Barrier(len(clients))
        lock = threading.Lock()

        def post(c, url, data, barrier=barrier, lock=lock):
            barrier.wait()
            response = c.post(url, data=data)
            with lock:
                statuses.append(response.status_code)

        threads = [threading.Thread(target=post, args=(clients[0], f"/schulungen/versuch/{attempt_id}/abgeben",
                                                       right))]
        threads += [threading.Thread(target=post, args=(c, f"/schulungen/versuch/{attempt_id}/speichern", wrong))
                    for c in clients[1:]]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert_consistent(attempt_id)
        assert all(i.response == sorted(int(v) for v in right[f"item-{i.id}"])
                   for i in load_attempt(attempt_id).items)
    assert set(statuses) <= {302, 303, 400}, statuses
