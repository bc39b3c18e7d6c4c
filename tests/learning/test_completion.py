"""Completion: all modules read, all acknowledgements given, a passed attempt; one per version."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from lms import db
from lms.learning import rules, services
from lms.learning.models import Acknowledgement, Completion, ModuleProgress
from tests.learning.factories import load_attempt, read_all


def pass_quiz(user_id, cv, now=None):
    attempt = load_attempt(services.start_attempt(user_id, cv, now=now).id)
    correct = {i.id: [o.id for o in i.question.options if o.is_correct] for i in attempt.items}
    services.submit(attempt, correct, now=now)
    db.session.commit()
    return attempt


def completions(user_id):
    return db.session.scalars(select(Completion).where(Completion.user_id == user_id)).all()


def test_passing_alone_does_not_complete(app, make_user, make_course):
    user = make_user()
    cv = make_course(acknowledge=(2,))
    assert load_attempt(pass_quiz(user.id, cv).id).passed
    assert completions(user.id) == []


def test_reading_without_the_acknowledgement_does_not_complete(app, make_user, make_course):
    user = make_user()
    cv = make_course(acknowledge=(2,))
    for module in cv.modules:
        services.mark_read(user.id, module)
    pass_quiz(user.id, cv)
    assert completions(user.id) == []
    services.acknowledge(user.id, cv.modules[1])
    created = services.complete_if_done(user.id, cv)
    db.session.commit()
    assert created is not None and completions(user.id) == [created]


def test_the_last_step_completes_whatever_the_order(app, make_user, make_course):
    user = make_user()
    cv = make_course(modules=2)
    services.mark_read(user.id, cv.modules[0])
    pass_quiz(user.id, cv)
    assert completions(user.id) == []
    services.mark_read(user.id, cv.modules[1])
    services.complete_if_done(user.id, cv)
    db.session.commit()
    assert len(completions(user.id)) == 1


def test_completion_records_version_awards_validity_and_code(app, make_user, make_course):
    user = make_user()
    cv = make_course(validity_months=24, awards={"grundlagen": 3})
    read_all(user.id, cv)
    now = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    attempt = pass_quiz(user.id, cv, now=now)
    (completion,) = completions(user.id)
    assert completion.course_version_id == cv.id and completion.course_id == cv.course_id
    assert completion.attempt_id == attempt.id
    assert completion.awards == {"grundlagen": 3}
    assert completion.completed_at == now
    assert completion.valid_until == datetime(2028, 1, 31, 10, 0, tzinfo=UTC)
    code = completion.certificate_code
    assert len(code) == 26 and set(code) <= set(rules.CODE_ALPHABET)


def test_one_completion_per_version_and_reading_is_idempotent(app, make_user, make_course):
    user = make_user()
    cv = make_course(attempts_per_day=5, acknowledge=(1,))
    read_all(user.id, cv)
    read_all(user.id, cv)
    assert services.mark_read(user.id, cv.modules[1]) is False
    assert services.acknowledge(user.id, cv.modules[0]) is False
    pass_quiz(user.id, cv)
    pass_quiz(user.id, cv)
    assert services.complete_if_done(user.id, cv) is None
    db.session.commit()
    assert len(completions(user.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 3
    assert db.session.scalar(select(func.count()).select_from(Acknowledgement)) == 1


def test_acknowledgement_records_the_version(app, make_user, make_course):
    user = make_user()
    cv = make_course(acknowledge=(1,))
    services.acknowledge(user.id, cv.modules[0])
    db.session.commit()
    ack = db.session.scalar(select(Acknowledgement))
    assert (ack.user_id, ack.module_id, ack.course_version_id) == (user.id, cv.modules[0].id, cv.id)


def test_a_new_version_needs_its_own_reading(app, make_user, make_course):
    user = make_user()
    old = make_course()
    read_all(user.id, old)
    pass_quiz(user.id, old)
    new = make_course(version="2.0.0", course=old.course)
    pass_quiz(user.id, new)
    assert [c.course_version_id for c in completions(user.id)] == [old.id]
    read_all(user.id, new)
    services.complete_if_done(user.id, new)
    db.session.commit()
    assert sorted(c.course_version_id for c in completions(user.id)) == [old.id, new.id]


def test_completion_through_the_pages(client, login_as, make_course):
    login_as()
    cv = make_course(modules=2, acknowledge=(2,), questions=4, per_attempt=4)
    slug = cv.course.slug
    db.session.commit()
    response = client.post(f"/schulungen/{slug}/module/1/gelesen")
    assert response.headers["Location"].endswith(f"/schulungen/{slug}/module/2")
    refused = client.post(f"/schulungen/{slug}/module/2/bestaetigen", data={})
    assert refused.status_code == 400
    assert "Bitte bestätigen Sie" in refused.get_data(as_text=True)
    response = client.post(f"/schulungen/{slug}/module/2/bestaetigen", data={"confirm": "y"})
    assert response.headers["Location"].endswith(f"/schulungen/{slug}")
    start = client.post(f"/schulungen/{slug}/quiz")
    attempt = load_attempt(int(start.headers["Location"].rsplit("/", 1)[1]))
    data = {f"item-{i.id}": [str(o.id) for o in i.question.options if o.is_correct] for i in attempt.items}
    client.post(f"/schulungen/versuch/{attempt.id}/abgeben", data=data)
    html = client.get(f"/schulungen/versuch/{attempt.id}/ergebnis").get_data(as_text=True)
    assert "Sie haben die Schulung abgeschlossen" in html
    (completion,) = db.session.scalars(select(Completion)).all()
    db.session.commit()
    assert f"/zertifikate/{completion.certificate_code}.pdf" in html
    page = client.get(f"/schulungen/{slug}").get_data(as_text=True)
    assert "Zertifikat herunterladen" in page and 'value="100"' in page
