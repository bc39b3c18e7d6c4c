"""Reminders by e-mail (``lms reminders send``) and the coordinators' weekly digest.

A reminder run first opens renewal cycles (:func:`lms.training.services.open_renewals`), then sends the
learner of every running obligation that is not fulfilled one reminder per stage and cycle: 14, 7 and 1
days before the due date, and once when it is overdue. When a run was missed and several stages passed,
only the latest reached stage is sent. Each sent stage is recorded as a :class:`Notification` with the
dedupe key ``reminder:<assignment id>:<stage>``; a failed send is not recorded and is tried again by the
next run. The digest goes to every active coordinator once per ISO week (``digest:<user id>:<week>``).

Reminders go to the learner. Only where the service agreement says so (``LMS_REMINDERS_COPY_COORDINATOR``,
default off) does the overdue reminder also go, as a copy, to the coordinators responsible for the
person's unit (``reminder_copy:<assignment id>:<coordinator id>``, once per cycle each). The earlier
stages never go to anyone but the learner.

Services flush; the command commits (or, for ``--dry-run``, rolls back).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import db, mail
from lms.audit import services as audit
from lms.auth.models import Role, User
from lms.competence import services as competence_services
from lms.db import utcnow
from lms.org.services import today as berlin_today
from lms.training import queries, rules, services
from lms.training.models import Notification

log = logging.getLogger(__name__)

#: reminder stages before the due date: (stage, days before due)
STAGES = (("d14", 14), ("d7", 7), ("d1", 1))
OVERDUE = "overdue"
HORIZON_DAYS = max(days for _stage, days in STAGES)

STATUS_LABELS = {
    rules.Status.OFFEN: _l("offen"),
    rules.Status.BEGONNEN: _l("begonnen"),
    rules.Status.ABGESCHLOSSEN: _l("abgeschlossen"),
    rules.Status.UEBERFAELLIG: _l("überfällig"),
    rules.Status.ABGELAUFEN: _l("abgelaufen, Auffrischung nötig"),
}


def stage_for(due_on: date, today: date) -> str | None:
    """The latest reminder stage an obligation due on ``due_on`` has reached ``today`` (None: none yet).

    Overdue once the due day has passed; "d1" from one day before (and on the due day), "d7" from
    seven days before, "d14" from fourteen.
    """
    days = (due_on - today).days
    if days < 0:
        return OVERDUE
    for stage, before in sorted(STAGES, key=lambda s: s[1]):
        if days <= before:
            return stage
    return None


def reminder_key(assignment_id: int, stage: str) -> str:
    return f"reminder:{assignment_id}:{stage}"


def digest_key(user_id: int, day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"digest:{user_id}:{year}-W{week:02d}"


def _chunks(items: list[str], size: int = 900) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _already_sent(kind: str, keys: list[str]) -> set[str]:
    sent: set[str] = set()
    for chunk in _chunks(keys):
        sent.update(db.session.scalars(select(Notification.dedupe_key).where(
            Notification.kind == kind, Notification.dedupe_key.in_(chunk))))
    return sent


@dataclass(frozen=True)
class Reminder:
    """One reminder due now."""

    key: str
    assignment_id: int
    user_id: int
    email: str
    locale: str | None
    name: str
    stage: str
    days: int
    due_on: date
    status: str
    slug: str
    title: str


@dataclass(frozen=True)
class Copy:
    """The copy of an overdue reminder to a coordinator of the person's unit."""

    key: str
    assignment_id: int
    user_id: int
    email: str
    locale: str | None
    name: str
    reminder: Reminder


@dataclass
class Outcome:
    """What a run did (or, in a dry run, would do)."""

    renewals_opened: int = 0
    planned: list = field(default_factory=list)
    #: copies of overdue reminders to coordinators (only with LMS_REMINDERS_COPY_COORDINATOR)
    copies: list = field(default_factory=list)
    sent: int = 0
    #: (recipient, reason) of every message that was not sent
    failed: list[tuple[str, str]] = field(default_factory=list)


def plan_reminders(today: date, now: datetime) -> list[Reminder]:
    """The reminders due now: the latest reached stage of each obligation, unless it was sent."""
    planned = []
    for row in db.session.execute(queries.reminder_candidates(today, now, HORIZON_DAYS)):
        stage = stage_for(row.due_on, today)
        if stage is None:
            continue
        planned.append(Reminder(
            key=reminder_key(row.assignment_id, stage), assignment_id=row.assignment_id, user_id=row.user_id,
            email=row.email, locale=row.locale, name=f"{row.first_name} {row.last_name}", stage=stage,
            days=(row.due_on - today).days, due_on=row.due_on, status=row.status, slug=row.slug,
            title=row.title or row.slug))
    sent = _already_sent("reminder", [r.key for r in planned])
    return [r for r in planned if r.key not in sent]


def copies_to_coordinators() -> bool:
    """Whether overdue reminders also go to the coordinators of the person's unit (the DV decides)."""
    return bool(current_app.config.get("LMS_REMINDERS_COPY_COORDINATOR"))


def copy_key(assignment_id: int, coordinator_id: int) -> str:
    return f"reminder_copy:{assignment_id}:{coordinator_id}"


def plan_copies(planned: list[Reminder]) -> list[Copy]:
    """The copies due for the overdue reminders among ``planned``: one to each active coordinator whose
    units include the person's unit, unless sent for that cycle. None unless the setting is on."""
    overdue = [r for r in planned if r.stage == OVERDUE]
    if not overdue or not copies_to_coordinators():
        return []
    paths = dict(db.session.execute(queries.units_of_assignments(r.assignment_id for r in overdue)).tuples().all())
    coordinators = db.session.scalars(queries.active_coordinators()).all()
    copies = []
    for reminder in overdue:
        path = paths.get(reminder.assignment_id, "")
        for user in coordinators:
            if any(path.startswith(s.org_unit.path) for s in user.scopes):
                copies.append(Copy(key=copy_key(reminder.assignment_id, user.id), assignment_id=reminder.assignment_id,
                                   user_id=user.id, email=user.email, locale=user.locale, name=user.name,
                                   reminder=reminder))
    sent = _already_sent("reminder_copy", [c.key for c in copies])
    return [c for c in copies if c.key not in sent]


def _copy_mail(copy: Copy) -> mail.Mail:
    r = copy.reminder
    return mail.render("reminder_copy", to=copy.email, locale=copy.locale, ref=copy.key, name=copy.name,
                       learner=r.name, due_on=r.due_on, title=r.title, days=-r.days)


def _reminder_mail(reminder: Reminder) -> mail.Mail:
    return mail.render(
        "reminder", to=reminder.email, locale=reminder.locale, ref=reminder.key, name=reminder.name,
        stage=reminder.stage, days=reminder.days, due_on=reminder.due_on, title=reminder.title,
        status_label=STATUS_LABELS.get(rules.Status(reminder.status), reminder.status),
        url=mail.absolute_url("learning.course", slug=reminder.slug))


def _record(kind: str, items: dict[str, object]):
    """An ``on_sent`` callback: record the notification of a sent message (by its dedupe key)."""

    def on_sent(message: mail.Mail) -> None:
        item = items[message.ref or ""]
        db.session.add(Notification(kind=kind, dedupe_key=message.ref, user_id=item.user_id,  # type: ignore[attr-defined]
                                    assignment_id=getattr(item, "assignment_id", None), sent_at=utcnow()))
        db.session.flush()

    return on_sent


def send_reminders(*, today: date | None = None, now: datetime | None = None, dry_run: bool = False,
                   actor_label: str | None = "cli") -> Outcome:
    """Open renewals, then send (or with ``dry_run`` only plan) the reminders due now."""
    today = today or berlin_today()
    now = now or utcnow()
    outcome = Outcome(renewals_opened=services.open_renewals(now=now, today=today))
    if not dry_run:  # the daily run also adds the month's checkpoint of the competence summaries
        competence_services.extend_checkpoints(today)
    outcome.planned = plan_reminders(today, now)
    outcome.copies = plan_copies(outcome.planned)
    if dry_run or not outcome.planned:
        return outcome
    by_key = {r.key: r for r in outcome.planned}
    result = mail.send((_reminder_mail(r) for r in outcome.planned), on_sent=_record("reminder", by_key))
    outcome.sent = len(result.sent)
    outcome.failed = [(m.to, reason) for m, reason in result.failed]
    copies_sent = 0
    if outcome.copies:
        copies = {c.key: c for c in outcome.copies}
        copied = mail.send((_copy_mail(c) for c in outcome.copies), on_sent=_record("reminder_copy", copies))
        copies_sent = len(copied.sent)
        outcome.sent += copies_sent
        outcome.failed += [(m.to, reason) for m, reason in copied.failed]
    audit.record("training.reminders_sent", object_type="reminders", object_id=today.isoformat(),
                 detail={"sent": outcome.sent, "failed": len(outcome.failed), "copies_to_coordinators": copies_sent,
                         "renewals_opened": outcome.renewals_opened}, actor_label=actor_label)
    return outcome


# --- the coordinators' weekly digest ---------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    key: str
    user_id: int
    email: str
    locale: str | None
    name: str
    units: str
    rows: list


def digest_due(today: date) -> bool:
    """Whether ``lms reminders send`` also sends the digest today (``LMS_DIGEST_WEEKDAY``, 1 = Monday)."""
    return today.isoweekday() == current_app.config["LMS_DIGEST_WEEKDAY"]


def plan_digests(today: date, now: datetime) -> list[Digest]:
    """One digest per active coordinator with an e-mail and at least one unit, unless sent this week:
    counts per course (open, overdue, completed) for the coordinator's subtrees, no names."""
    coordinators = db.session.scalars(
        select(User).where(User.role == Role.COORDINATOR.value, User.is_active.is_(True), User.email != "")
        .order_by(User.id)).all()
    keys = {u.id: digest_key(u.id, today) for u in coordinators}
    sent = _already_sent("digest", list(keys.values()))
    planned = []
    for user in coordinators:
        if keys[user.id] in sent or not user.scopes:
            continue
        rows = db.session.execute(queries.status_counts_per_course(
            [s.org_unit.path for s in user.scopes], today, now)).all()
        planned.append(Digest(key=keys[user.id], user_id=user.id, email=user.email, locale=user.locale,
                              name=user.name, units=", ".join(s.org_unit.name for s in user.scopes),
                              rows=[{"title": r.title, "open": r.open, "overdue": r.overdue,
                                     "completed": r.completed} for r in rows]))
    return planned


def send_digests(*, today: date | None = None, now: datetime | None = None, dry_run: bool = False,
                 actor_label: str | None = "cli") -> Outcome:
    today = today or berlin_today()
    now = now or utcnow()
    outcome = Outcome(planned=plan_digests(today, now))
    if dry_run or not outcome.planned:
        return outcome
    year, week, _weekday = today.isocalendar()
    url = mail.absolute_url("org.staff")
    by_key = {d.key: d for d in outcome.planned}
    result = mail.send(
        (mail.render("digest", to=d.email, locale=d.locale, ref=d.key, name=d.name, units=d.units, rows=d.rows,
                     day=today, week=f"{year}-W{week:02d}", url=url) for d in outcome.planned),
        on_sent=_record("digest", by_key))
    outcome.sent = len(result.sent)
    outcome.failed = [(m.to, reason) for m, reason in result.failed]
    audit.record("training.digests_sent", object_type="digests", object_id=f"{year}-W{week:02d}",
                 detail={"sent": outcome.sent, "failed": len(outcome.failed)}, actor_label=actor_label)
    return outcome
