"""Reminders against a real SMTP server (aiosmtpd): stages once per cycle, the latest missed stage only,
dry run, a broken server, the learner's language; and the pure stage decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms import db
from lms.learning.models import Completion
from lms.training import reminders
from lms.training.models import Notification
from tests.smtp import free_port, html_part, smtp_config, smtp_server, text_part  # noqa: F401

TODAY = date(2027, 3, 1)


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, **smtp_config(smtp_server.port), "LMS_BASE_URL": "https://lernen.example.org",
            "LMS_DIGEST_WEEKDAY": 7}


def run(runner, *args: str, today: date = TODAY):
    return runner.invoke(args=["reminders", "send", "--today", today.isoformat(), *args])


def notifications() -> list[str]:
    return sorted(db.session.scalars(select(Notification.dedupe_key)))


# --- the pure decision --------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "stage"), [
    (30, None), (15, None), (14, "d14"), (8, "d14"), (7, "d7"), (2, "d7"), (1, "d1"), (0, "d1"),
    (-1, "overdue"), (-400, "overdue"),
])
def test_stage_for(days, stage):
    assert reminders.stage_for(TODAY + timedelta(days=days), TODAY) == stage


# --- against the SMTP server ------------------------------------------------------------------------


def test_stages_once_each(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    user = make_user("employee")
    cv = make_course(title="KI-Grundlagen für alle")
    assignment = oblige(user.employee, cv, TODAY + timedelta(days=14), today=TODAY - timedelta(days=1))
    box = smtp_server.mailbox

    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "reminders: 1 sent, 0 failed" in result.output
    [message] = box.to(user.email)
    assert message["Subject"] == "Erinnerung: KI-Grundlagen für alle bis 15. März 2027"
    assert message["From"] == "KI-Kompetenz <lernen@stadt.example>"
    text = text_part(message)
    assert "in 14 Tagen fällig" in text and "Stand: offen" in text
    assert f"https://lernen.example.org/schulungen/{cv.course.slug}" in text
    assert "Punkte" not in text and "%" not in text  # no scores
    assert f'href="https://lernen.example.org/schulungen/{cv.course.slug}"' in html_part(message)
    assert notifications() == [f"reminder:{assignment.id}:d14"]

    # the same day again, and the days until the next stage: nothing new
    for day in (TODAY, TODAY + timedelta(days=6)):
        assert run(runner, today=day).exit_code == 0
    assert len(box.to(user.email)) == 1

    assert run(runner, today=TODAY + timedelta(days=7)).exit_code == 0
    assert run(runner, today=TODAY + timedelta(days=13)).exit_code == 0
    assert run(runner, today=TODAY + timedelta(days=15)).exit_code == 0
    assert run(runner, today=TODAY + timedelta(days=40)).exit_code == 0
    subjects = [m["Subject"] for m in box.to(user.email)]
    assert len(subjects) == 4
    assert subjects[3] == "Überfällig: KI-Grundlagen für alle"
    assert "morgen fällig" in text_part(box.to(user.email)[2])
    assert notifications() == sorted(f"reminder:{assignment.id}:{s}" for s in ("d14", "d7", "d1", "overdue"))


def test_missed_stages_send_only_the_latest(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    user = make_user("employee")
    cv = make_course()
    assignment = oblige(user.employee, cv, TODAY - timedelta(days=2), today=TODAY - timedelta(days=30))
    result = run(runner)
    assert result.exit_code == 0, result.output
    [message] = smtp_server.mailbox.to(user.email)
    assert message["Subject"].startswith("Überfällig")
    assert notifications() == [f"reminder:{assignment.id}:overdue"]


def test_completed_far_and_inactive_get_nothing(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    cv = make_course()
    done, far, deactivated, left = (make_user("employee") for _ in range(4))
    a_done = oblige(done.employee, cv, TODAY + timedelta(days=3), today=TODAY)
    completion = Completion(user_id=done.id, course_id=cv.course_id, course_version_id=cv.id,
                            completed_at=datetime(2027, 2, 1, tzinfo=UTC),
                            valid_until=datetime(2029, 2, 1, tzinfo=UTC), certificate_code="C1",
                            holder_name="x")
    db.session.add(completion)
    db.session.flush()
    a_done.completion_id = completion.id
    oblige(far.employee, cv, TODAY + timedelta(days=15), today=TODAY)
    oblige(deactivated.employee, cv, TODAY + timedelta(days=3), today=TODAY)
    deactivated.is_active = False
    oblige(left.employee, cv, TODAY + timedelta(days=3), today=TODAY)
    left.employee.is_active = False
    db.session.commit()
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "reminders: 0 sent" in result.output or "0 would" in result.output or result.output == ""
    assert smtp_server.mailbox.messages == []
    assert notifications() == []


def test_dry_run_sends_and_records_nothing(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    users = [make_user("employee") for _ in range(2)]
    cv = make_course()
    a1 = oblige(users[0].employee, cv, TODAY + timedelta(days=5), today=TODAY)
    oblige(users[1].employee, cv, TODAY - timedelta(days=1), today=TODAY - timedelta(days=9))
    result = run(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "reminders: 2 would be sent" in result.output
    assert f"{users[0].email}\t{cv.course.slug}\td7\tdue {(TODAY + timedelta(days=5)).isoformat()}\toffen" \
        in result.output
    assert f"{users[1].email}\t{cv.course.slug}\toverdue" in result.output
    assert smtp_server.mailbox.messages == []
    db.session.expire_all()
    assert notifications() == []
    # a real run afterwards sends both
    assert run(runner).exit_code == 0
    assert len(smtp_server.mailbox.messages) == 2
    assert f"reminder:{a1.id}:d7" in notifications()


def test_smtp_down_fails_loudly_records_nothing_and_retries(app, runner, smtp_server, make_user,  # noqa: F811
                                                            make_course, oblige, caplog):
    users = [make_user("employee") for _ in range(3)]
    cv = make_course()
    for u in users:
        oblige(u.employee, cv, TODAY + timedelta(days=1), today=TODAY)
    app.config["LMS_SMTP_PORT"] = free_port()  # nobody listens there
    result = run(runner)
    assert result.exit_code == 1
    assert "3 e-mail(s) could not be sent" in result.output
    assert "the next run tries again" in result.output
    assert any("not sent" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert notifications() == []
    app.config["LMS_SMTP_PORT"] = smtp_server.port
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "reminders: 3 sent, 0 failed" in result.output
    assert len(notifications()) == 3


def test_one_refused_recipient_does_not_stop_the_batch(app, runner, smtp_server, make_user, make_course,  # noqa: F811
                                                       oblige):
    users = [make_user("employee") for _ in range(3)]
    cv = make_course()
    made = [oblige(u.employee, cv, TODAY + timedelta(days=7), today=TODAY) for u in users]
    smtp_server.mailbox.refuse.add(users[1].email)
    result = run(runner)
    assert result.exit_code == 1
    assert f"not sent to {users[1].email}" in result.output
    assert {m["To"] for m in smtp_server.mailbox.messages} == {users[0].email, users[2].email}
    assert notifications() == sorted(f"reminder:{a.id}:d7" for a in (made[0], made[2]))
    smtp_server.mailbox.refuse.clear()
    assert run(runner).exit_code == 0
    assert len(smtp_server.mailbox.to(users[1].email)) == 1


def test_english_for_users_who_chose_it(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    user = make_user("employee")
    user.locale = "en"
    db.session.commit()
    cv = make_course(title="KI-Grundlagen")
    oblige(user.employee, cv, TODAY + timedelta(days=7), today=TODAY)
    assert run(runner).exit_code == 0
    [message] = smtp_server.mailbox.to(user.email)
    assert message["Subject"] == "Reminder: KI-Grundlagen by March 8, 2027"
    text = text_part(message)
    assert "is due in 7 days" in text and "Status: open" in text
    assert "Dear" in html_part(message)


def test_renewals_open_before_reminders(app, runner, smtp_server, make_user, make_course, oblige):  # noqa: F811
    user = make_user("employee")
    cv = make_course()
    first = oblige(user.employee, cv, date(2025, 1, 1), today=date(2024, 12, 1))
    completion = Completion(user_id=user.id, course_id=cv.course_id, course_version_id=cv.id,
                            completed_at=datetime(2024, 12, 10, tzinfo=UTC),
                            valid_until=datetime(2027, 2, 5, tzinfo=UTC), certificate_code="C2", holder_name="x")
    db.session.add(completion)
    db.session.flush()
    first.completion_id = completion.id
    db.session.commit()
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "renewals: 1 cycle(s) opened" in result.output
    # the renewal cycle opened on the day the validity ended (5 Feb), due 30 days later (7 Mar): stage d7
    [message] = smtp_server.mailbox.to(user.email)
    assert "abgelaufen" in text_part(message)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_planning_takes_two_queries_whatever_the_number_of_people(app, make_unit, make_employee, make_user,
                                                                 make_course, oblige):
    unit = make_unit()
    cv = make_course()
    for n in range(25):
        user = make_user("employee", employee=make_employee(unit))
        oblige(user.employee, cv, TODAY + timedelta(days=n % 20 - 3), today=TODAY - timedelta(days=30))
    with db.count_queries(app) as queries:
        planned = reminders.plan_reminders(TODAY, datetime(2027, 3, 1, 11, tzinfo=UTC))
    assert len(planned) == 23  # due within 14 days or overdue: n % 20 - 3 <= 14
    assert len(queries) == 2, queries


# --- to the learner; to coordinators only where the service agreement says so ------------------------


def _overdue_with_coordinators(make_unit, make_user, make_course, oblige):
    """An overdue learner in unit B (below A); coordinators of A (responsible), of another unit, and HR."""
    a = make_unit("A", "Amt A")
    b = make_unit("B", "Sachgebiet B", parent=a)
    elsewhere = make_unit("X", "Anderswo")
    learner = make_user("employee")
    learner.employee.org_unit_id = b.id
    db.session.commit()
    responsible = make_user("coordinator", units=[a])
    other = make_user("coordinator", units=[elsewhere])
    hr = make_user("hr")
    cv = make_course(title="KI-Grundlagen für alle")
    assignment = oblige(learner.employee, cv, TODAY - timedelta(days=2), today=TODAY - timedelta(days=30))
    return learner, responsible, other, hr, assignment


def test_reminders_go_to_the_learner_only_by_default(app, runner, smtp_server, make_unit, make_user,  # noqa: F811
                                                     make_course, oblige):
    learner, responsible, other, hr, assignment = _overdue_with_coordinators(make_unit, make_user, make_course,
                                                                             oblige)
    assert app.config["LMS_REMINDERS_COPY_COORDINATOR"] is False
    assert run(runner).exit_code == 0
    assert [m["To"] for m in smtp_server.mailbox.messages] == [learner.email]
    assert notifications() == [f"reminder:{assignment.id}:overdue"]


def test_overdue_copy_to_the_coordinators_of_the_unit_when_agreed(app, runner, smtp_server, make_unit,  # noqa: F811
                                                                   make_user, make_course, oblige):
    app.config["LMS_REMINDERS_COPY_COORDINATOR"] = True
    learner, responsible, other, hr, assignment = _overdue_with_coordinators(make_unit, make_user, make_course,
                                                                             oblige)
    dry = run(runner, "--dry-run")
    assert f"copy to {responsible.email}" in dry.output and other.email not in dry.output
    assert smtp_server.mailbox.messages == []
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert "reminders: 2 sent, 0 failed" in result.output
    assert sorted(m["To"] for m in smtp_server.mailbox.messages) == sorted([learner.email, responsible.email])
    [copy] = smtp_server.mailbox.to(responsible.email)
    name = f"{learner.employee.first_name} {learner.employee.last_name}"
    assert copy["Subject"] == f"Kopie: KI-Grundlagen für alle von {name} überfällig"
    text = text_part(copy)
    assert "Dienstvereinbarung" in text and "%" not in text  # no scores, no progress
    assert notifications() == sorted([f"reminder:{assignment.id}:overdue",
                                      f"reminder_copy:{assignment.id}:{responsible.id}"])
    # once per cycle
    assert run(runner, today=TODAY + timedelta(days=1)).exit_code == 0
    assert len(smtp_server.mailbox.messages) == 2


def test_earlier_stages_never_go_to_a_coordinator(app, runner, smtp_server, make_unit, make_user,  # noqa: F811
                                                  make_course, oblige):
    app.config["LMS_REMINDERS_COPY_COORDINATOR"] = True
    a = make_unit("A", "Amt A")
    learner = make_user("employee")
    learner.employee.org_unit_id = a.id
    db.session.commit()
    make_user("coordinator", units=[a])
    oblige(learner.employee, make_course(), TODAY + timedelta(days=7), today=TODAY - timedelta(days=1))
    assert run(runner).exit_code == 0
    assert [m["To"] for m in smtp_server.mailbox.messages] == [learner.email]


def test_nothing_ranks_people():
    """No page, query or export orders people by score, speed or attempts, or names a ranking."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "lms"
    order_by_score = re.compile(r"order_by\([^)]*\b(score|passed_score|submitted_at\s*-\s*started_at)\b", re.S)
    sql_order = re.compile(r"ORDER BY[^;\"]{0,80}\bscore\b")
    words = re.compile(r"Rangliste|Bestenliste|Top[- ]?(Lernende|learners|10)|leaderboard|ranking of people", re.I)
    found = []
    for path in [*root.rglob("*.py"), *root.rglob("*.html"), *root.rglob("*.txt")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (order_by_score, sql_order, words):
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(root.parent)}: {match.group(0)!r}")
    assert not found, found
