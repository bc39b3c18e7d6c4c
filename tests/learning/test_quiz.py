"""Quiz attempts: drawing, stored order, saving, idempotent submission, limits, tampering, versions."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from lms import db
from lms.db import utcnow
from lms.learning import services
from lms.learning.models import Attempt, AttemptItem
from tests.learning.factories import answers, load_attempt


def start(client, cv) -> int:
    slug = cv.course.slug
    db.session.commit()
    response = client.post(f"/schulungen/{slug}/quiz")
    assert response.status_code == 302, response.data[:300]
    match = re.search(r"/schulungen/versuch/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def shown_order(html: str) -> list[tuple[str, str]]:
    return re.findall(r'name="(item-\d+)" value="(\d+)"', html)


def test_start_draws_questions_and_keeps_the_order_on_reload(client, login_as, make_course):
    user = login_as()
    cv = make_course(questions=10, per_attempt=5)
    attempt_id = start(client, cv)
    attempt = load_attempt(attempt_id)
    assert attempt.user_id == user.id and attempt.course_version_id == cv.id
    assert len(attempt.items) == 5
    assert len({i.question_id for i in attempt.items}) == 5
    assert {i.question.course_version_id for i in attempt.items} == {cv.id}
    for item in attempt.items:
        assert sorted(item.option_order) == sorted(o.id for o in item.question.options)
    first = client.get(f"/schulungen/versuch/{attempt_id}")
    assert first.status_code == 200
    order = shown_order(first.get_data(as_text=True))
    assert len(order) == sum(len(i.option_order) for i in attempt.items)
    assert order == [(f"item-{i.id}", str(o)) for i in attempt.items for o in i.option_order]
    assert shown_order(client.get(f"/schulungen/versuch/{attempt_id}").get_data(as_text=True)) == order


def test_drawing_is_deterministic_with_an_injected_rng(app, make_user, make_course):
    user = make_user()
    cv = make_course(questions=12, per_attempt=6, attempts_per_day=5)
    orders = []
    for _ in range(2):
        attempt = services.start_attempt(user.id, cv, rng=random.Random(42))
        orders.append([(i.question_id, list(i.option_order)) for i in attempt.items])
        services.submit(attempt, {})
        db.session.commit()
    assert orders[0] == orders[1]
    other = services.start_attempt(user.id, cv, rng=random.Random(43))
    assert [(i.question_id, list(i.option_order)) for i in other.items] != orders[0]


def test_start_twice_resumes_the_open_attempt(client, login_as, make_course):
    login_as()
    cv = make_course()
    assert start(client, cv) == start(client, cv)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_saving_keeps_answers_without_grading(client, login_as, make_course):
    login_as()
    cv = make_course()
    attempt_id = start(client, cv)
    data = answers(load_attempt(attempt_id))
    response = client.post(f"/schulungen/versuch/{attempt_id}/speichern", data=data)
    assert response.status_code == 302
    attempt = load_attempt(attempt_id)
    assert attempt.submitted_at is None and attempt.score is None
    assert {f"item-{i.id}": sorted(i.response) for i in attempt.items} == {
        k: sorted(int(v) for v in vs) for k, vs in data.items()}
    html = client.get(f"/schulungen/versuch/{attempt_id}").get_data(as_text=True)
    assert html.count(" checked") == sum(len(v) for v in data.values())


def test_submit_grades_once_and_a_second_post_changes_nothing(client, login_as, make_course):
    login_as()
    cv = make_course(questions=4, per_attempt=4, pass_mark=75)
    attempt_id = start(client, cv)
    attempt = load_attempt(attempt_id)
    right = answers(attempt, wrong=[1])
    first = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=right)
    assert first.status_code == 303 and first.headers["Location"].endswith(f"/versuch/{attempt_id}/ergebnis")
    graded = load_attempt(attempt_id)
    assert (graded.score, graded.passed) == (75, True)
    submitted_at = graded.submitted_at
    # a resent form with other (all wrong) answers: same result page, no second grading
    wrong = answers(graded, wrong=[1, 2, 3, 4])
    second = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=wrong)
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    again = load_attempt(attempt_id)
    assert (again.score, again.passed, again.submitted_at) == (75, True, submitted_at)
    assert [i.response for i in again.items] == [i.response for i in graded.items]
    result = client.get(first.headers["Location"])
    assert result.status_code == 200 and "75 % richtig" in result.get_data(as_text=True)


def test_submit_service_claims_the_attempt_only_once(app, make_user, make_course):
    user = make_user()
    cv = make_course(questions=4, per_attempt=4)
    attempt = services.start_attempt(user.id, cv)
    db.session.commit()
    stale = load_attempt(attempt.id)  # a second request that loaded the attempt before the first commit
    assert services.submit(attempt, {}) is True
    db.session.commit()
    assert services.submit(stale, {i.id: [i.option_order[0]] for i in stale.items}) is False
    db.session.commit()
    assert load_attempt(attempt.id).score == 0


def test_limit_per_24_hours_with_the_time_of_the_next_attempt(client, login_as, make_course):
    user = login_as()
    cv = make_course(attempts_per_day=2)
    now = utcnow()
    oldest = now - timedelta(hours=20)
    for started in (oldest, now - timedelta(hours=2)):
        db.session.add(Attempt(user_id=user.id, course_version_id=cv.id, started_at=started,
                               submitted_at=started + timedelta(minutes=5), score=10, passed=False))
    db.session.add(Attempt(user_id=user.id, course_version_id=cv.id, started_at=now - timedelta(hours=30),
                           submitted_at=now - timedelta(hours=29), score=10, passed=False))
    db.session.commit()
    slug = cv.course.slug
    db.session.commit()
    response = client.post(f"/schulungen/{slug}/quiz", follow_redirects=True)
    html = response.get_data(as_text=True)
    expected = (oldest + timedelta(hours=24)).astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y, %H:%M")
    assert "erlaubten 2 Versuche in 24 Stunden" in html
    assert f"ab {expected} Uhr" in html
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 3


def test_limit_counts_attempts_on_every_version_of_the_course(app, make_user, make_course):
    user = make_user()
    old = make_course(attempts_per_day=1)
    attempt = services.start_attempt(user.id, old)
    services.submit(attempt, {})
    db.session.commit()
    new = make_course(version="1.1.0", course=old.course, attempts_per_day=1)
    try:
        services.start_attempt(user.id, new)
    except services.LimitReached as exc:
        assert exc.limit == 1
    else:
        raise AssertionError("the limit must count the attempt on the older version")


def _state(attempt_id: int):
    attempt = load_attempt(attempt_id)
    return (attempt.submitted_at, attempt.score, [i.response for i in attempt.items])


def test_tampered_option_or_question_is_refused_and_changes_nothing(client, login_as, make_course):
    login_as()
    cv = make_course(questions=6, per_attempt=3)
    attempt_id = start(client, cv)
    attempt = load_attempt(attempt_id)
    item = attempt.items[0]
    not_drawn = next(q for q in cv.questions if q.id not in {i.question_id for i in attempt.items})
    not_drawn_option = not_drawn.options[0].id
    other_item_option = attempt.items[1].option_order[0]
    before = _state(attempt_id)  # ends the test's transaction (SQLite lock) before the requests
    bad_forms = [
        {f"item-{item.id}": [str(not_drawn_option)]},  # an option of a question not drawn
        {f"item-{item.id}": [str(other_item_option)]},  # an option of another item
        {f"item-{item.id + 1000}": [str(item.option_order[0])]},  # an item not in this attempt
        {f"item-{item.id}": ["x"]},
        {"item-abc": ["1"]},
    ]
    if item.question.type != "multiple":
        bad_forms.append({f"item-{item.id}": [str(o) for o in item.option_order[:2]]})
    for form in bad_forms:
        for action in ("speichern", "abgeben"):
            response = client.post(f"/schulungen/versuch/{attempt_id}/{action}", data=form)
            assert response.status_code == 400, (form, action)
            assert "passen nicht zu diesem Versuch" in response.get_data(as_text=True)
            assert _state(attempt_id) == before


def test_another_users_attempt_is_404(client, make_user, login_as, make_course):
    owner = make_user()
    cv = make_course()
    attempt = load_attempt(services.start_attempt(owner.id, cv).id)
    login_as()
    data = answers(attempt)
    for method, path in [("GET", ""), ("POST", "/speichern"), ("POST", "/abgeben"), ("GET", "/ergebnis")]:
        response = client.open(f"/schulungen/versuch/{attempt.id}{path}", method=method, data=data)
        assert response.status_code == 404, path
    assert _state(attempt.id)[:2] == (None, None)
    assert all(i.response is None for i in load_attempt(attempt.id).items)


def test_saving_a_finished_attempt_is_400_with_a_message(client, login_as, make_course):
    login_as()
    cv = make_course()
    attempt_id = start(client, cv)
    client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data={"trotzdem": "1"})
    before = _state(attempt_id)
    response = client.post(f"/schulungen/versuch/{attempt_id}/speichern",
                           data=answers(load_attempt(attempt_id)))
    assert response.status_code == 400
    assert "bereits abgegeben" in response.get_data(as_text=True)
    assert _state(attempt_id) == before
    assert client.get(f"/schulungen/versuch/{attempt_id}").status_code == 302  # on to the result


def test_attempt_stays_on_its_version_when_a_new_one_becomes_current(client, login_as, make_course):
    login_as()
    old = make_course(questions=4, per_attempt=4)
    attempt_id = start(client, old)
    data = answers(load_attempt(attempt_id))
    new = make_course(version="1.1.0", course=old.course, questions=4, per_attempt=4)
    assert old.course.current_version_id == new.id
    page = client.get(f"/schulungen/versuch/{attempt_id}")
    assert page.status_code == 200
    client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=data)
    attempt = load_attempt(attempt_id)
    assert attempt.course_version_id == old.id and attempt.score == 100
    assert {i.question.course_version_id for i in attempt.items} == {old.id}
    assert "Version 1.0.0" in client.get(f"/schulungen/versuch/{attempt_id}/ergebnis").get_data(as_text=True)
    # a new attempt is drawn from the new version
    new_attempt = load_attempt(start(client, new))
    assert {i.question.course_version_id for i in new_attempt.items} == {new.id}


def test_result_shows_solutions_as_configured(client, login_as, make_course):
    login_as()
    for policy, passes, shown in [("after_pass", False, False), ("after_pass", True, True),
                                  ("always", False, True), ("never", True, False)]:
        cv = make_course(questions=2, per_attempt=2, pass_mark=100, show_solutions=policy)
        attempt_id = start(client, cv)
        attempt = load_attempt(attempt_id)
        client.post(f"/schulungen/versuch/{attempt_id}/abgeben",
                    data=answers(attempt, wrong=[] if passes else [1]))
        html = client.get(f"/schulungen/versuch/{attempt_id}/ergebnis").get_data(as_text=True)
        assert ("Bestanden" in html) is passes
        assert "Erklärung 1" in html and "Erklärung 2" in html
        assert ("Ihre Wahl, richtig" in html or "nicht gewählt, richtig" in html) is shown, policy


def test_attempt_items_are_stored_not_recomputed(app, make_user, make_course):
    user = make_user()
    cv = make_course(questions=8, per_attempt=4)
    attempt = services.start_attempt(user.id, cv)
    db.session.commit()
    stored = db.session.execute(select(AttemptItem.question_id, AttemptItem.option_order)
                                .where(AttemptItem.attempt_id == attempt.id)
                                .order_by(AttemptItem.position)).all()
    assert [(q, list(o)) for q, o in stored] == [(i.question_id, list(i.option_order)) for i in attempt.items]


def test_unanswered_questions_count_as_wrong(client, login_as, make_course):
    login_as()
    cv = make_course(questions=4, per_attempt=4)
    attempt_id = start(client, cv)
    attempt = load_attempt(attempt_id)
    data = answers(attempt)
    data.pop(f"item-{attempt.items[0].id}")
    client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data={**data, "trotzdem": "1"})
    assert load_attempt(attempt_id).score == 75


def test_submitting_with_unanswered_questions_asks_first_and_keeps_the_answers(client, login_as, make_course):
    login_as()
    cv = make_course(questions=10, per_attempt=10)
    attempt_id = start(client, cv)
    attempt = load_attempt(attempt_id)
    data = answers(attempt)
    for item in attempt.items[3:]:
        data.pop(f"item-{item.id}")
    response = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "7 Fragen sind noch nicht beantwortet." in html
    assert "Offen: 4, 5, 6, 7, 8, 9, 10." in html
    assert 'name="trotzdem" value="1"' in html and "Trotzdem abgeben" in html
    after = load_attempt(attempt_id)
    assert after.submitted_at is None and after.score is None  # nothing graded, no attempt used
    assert [bool(i.response) for i in after.items] == [True] * 3 + [False] * 7  # the three answers kept
    # answered after all: no question asked
    client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data=answers(after))
    assert load_attempt(attempt_id).score == 100


def test_trotzdem_abgeben_grades_with_the_unanswered_as_wrong(client, login_as, make_course):
    login_as()
    cv = make_course(questions=10, per_attempt=10)
    attempt_id = start(client, cv)
    response = client.post(f"/schulungen/versuch/{attempt_id}/abgeben", data={"trotzdem": "1"})
    assert response.status_code == 303
    assert load_attempt(attempt_id).score == 0
