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
    created = services.complete_if_done(user.id, cv.course)
    db.session.commit()
    assert created is not None and completions(user.id) == [created]


def test_the_last_step_completes_whatever_the_order(app, make_user, make_course):
    user = make_user()
    cv = make_course(modules=2)
    services.mark_read(user.id, cv.modules[0])
    pass_quiz(user.id, cv)
    assert completions(user.id) == []
    services.mark_read(user.id, cv.modules[1])
    services.complete_if_done(user.id, cv.course)
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
    assert services.complete_if_done(user.id, cv.course) is None
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


def test_a_renewal_major_needs_a_new_pass_but_keeps_what_was_read(app, make_user, make_course):
    user = make_user()
    old = make_course(acknowledge=(2,))
    read_all(user.id, old)
    pass_quiz(user.id, old)
    new = make_course(version="2.0.0", course=old.course, acknowledge=(2,))  # renewal_major 2
    assert services.complete_if_done(user.id, old.course) is None  # the pass on major 1 no longer counts
    pass_quiz(user.id, new)
    # modules are the same keys with the same text: nothing to read or confirm again
    assert sorted(c.course_version_id for c in completions(user.id)) == [old.id, new.id]
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 3


def test_a_minor_version_keeps_the_pass_and_the_reads(app, make_user, make_course):
    user = make_user()
    old = make_course(modules=3)
    services.mark_read(user.id, old.modules[0])
    pass_quiz(user.id, old)
    new = make_course(version="1.1.0", course=old.course, modules=3)
    for module in new.modules[1:]:
        services.mark_read(user.id, module)
    created = services.complete_if_done(user.id, new.course)
    db.session.commit()
    assert created is not None and created.course_version_id == new.id


def test_a_renewal_after_expiry_adds_a_completion_on_the_same_version(app, make_user, make_course):
    user = make_user()
    cv = make_course(validity_months=1)
    read_all(user.id, cv)
    first_at = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    pass_quiz(user.id, cv, now=first_at)
    (first,) = completions(user.id)
    later = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert services.complete_if_done(user.id, cv.course, now=later) is None  # the old pass is used up
    pass_quiz(user.id, cv, now=later)
    both = sorted(completions(user.id), key=lambda c: c.completed_at)
    assert [c.id for c in both][0] == first.id and len(both) == 2
    assert both[1].course_version_id == cv.id and both[1].completed_at == later


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
