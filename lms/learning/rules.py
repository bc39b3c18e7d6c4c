"""Pure decisions of the learner's journey: course state, validity, attempt limits.

No database and no app: the services and views pass plain values in; tests call these directly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

#: the window of the attempt limit ("attempts per 24 hours"): rolling, not per calendar day
ATTEMPT_WINDOW = timedelta(hours=24)

#: sections of "Meine Schulungen", in display order
SECTIONS = ("mandatory", "in_progress", "completed", "catalogue")


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months; the day is clamped (31 Jan + 1 month = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def completion_status(valid_until: datetime, completed_major: int, current_major: int | None,
                      now: datetime) -> str:
    """``expired`` once ``valid_until`` has passed; ``renewal_due`` when the course had a major
    version bump since (learners must take the new content); otherwise ``valid``.
    Expiry wins when both apply."""
    if valid_until <= now:
        return "expired"
    if current_major is not None and completed_major < current_major:
        return "renewal_due"
    return "valid"


def next_attempt_at(started: Iterable[datetime], limit: int, now: datetime) -> datetime | None:
    """When the next attempt may start, or None if one may start now.

    ``started``: start times of the learner's attempts on the course (any version). The limit counts
    attempts started in the rolling 24 hours before ``now``; when it is reached, the next attempt is
    possible once enough of them have left the window.
    """
    recent = sorted(t for t in started if t > now - ATTEMPT_WINDOW)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + ATTEMPT_WINDOW


@dataclass(frozen=True)
class CourseFacts:
    """What is known about one course for one learner (current version unless stated)."""

    modules_total: int
    modules_read: int
    has_passed: bool
    #: anything done on the current version: a module read, an acknowledgement, an attempt
    is_started: bool
    current_major: int
    due_on: date | None = None
    #: the latest completion of the course (any version): (valid_until, major)
    completion: tuple[datetime, int] | None = None


@dataclass(frozen=True)
class CourseState:
    section: str
    #: valid | expired | renewal_due | None (never completed)
    completion: str | None
    is_overdue: bool
    percent: int


def course_state(facts: CourseFacts, now: datetime, today: date) -> CourseState:
    """Place a course in "Meine Schulungen".

    - a valid completion: ``completed`` (mandatory or not);
    - otherwise assigned: ``mandatory`` (ordered by due date by the caller; overdue when the due day
      has passed);
    - otherwise started on the current version: ``in_progress``;
    - otherwise an expired or renewal-due completion: ``completed`` (shown with that state);
    - otherwise: ``catalogue``.

    Progress: every module read counts one step, the passed quiz one more; a valid completion is 100.
    """
    status = None
    if facts.completion is not None:
        status = completion_status(facts.completion[0], facts.completion[1], facts.current_major, now)
    steps = facts.modules_total + 1
    done = min(facts.modules_read, facts.modules_total) + (1 if facts.has_passed else 0)
    percent = 100 if status == "valid" else done * 100 // steps
    overdue = facts.due_on is not None and facts.due_on < today
    if status == "valid":
        section = "completed"
    elif facts.due_on is not None:
        section = "mandatory"
    elif facts.is_started:
        section = "in_progress"
    elif status is not None:
        section = "completed"
    else:
        section = "catalogue"
    return CourseState(section, status, overdue and section == "mandatory", percent)


def is_complete(module_ids: Iterable[int], read_ids: Iterable[int], ack_module_ids: Iterable[int],
                acked_ids: Iterable[int], has_passed: bool) -> bool:
    """A version is completed when every module is read, every acknowledgement given and a quiz
    attempt on that version passed. The quiz may be taken at any time; completion needs all three."""
    return (has_passed and set(module_ids) <= set(read_ids)
            and set(ack_module_ids) <= set(acked_ids))


CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalise_code(text: str) -> str:
    """A certificate code as typed from paper: case, spaces and hyphens do not matter, and the digits
    that do not occur in base32 (0, 1, 8) are read as the letters they resemble (O, I, B)."""
    return "".join(ch for ch in text.upper() if ch not in " -").translate(_CODE_FIXES)


def format_code(code: str) -> str:
    """Groups of four for print: ``ABCD-EFGH-...``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
