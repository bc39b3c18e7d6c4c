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


def completion_status(valid_until: datetime, completed_major: int, renewal_major: int | None,
                      now: datetime) -> str:
    """``expired`` once ``valid_until`` has passed; ``renewal_due`` when the course has since had a
    major version that requires renewal (``renewal_major`` is the lowest major whose completions still
    count: patch and minor versions, and major versions without ``requires_renewal``, keep it);
    otherwise ``valid``. Expiry wins when both apply."""
    if valid_until <= now:
        return "expired"
    if renewal_major is not None and completed_major < renewal_major:
        return "renewal_due"
    return "valid"


@dataclass(frozen=True)
class ModuleFacts:
    """A module of the current version as progress sees it: by key, never by position."""

    key: str
    acknowledge: bool
    text_hash: str


@dataclass(frozen=True)
class LatestCompletion:
    completed_at: datetime
    valid_until: datetime
    major: int


@dataclass(frozen=True)
class Progress:
    """A learner's progress on the current version of one course, recomputed from the history."""

    #: keys of the current modules the learner has read (on any version)
    read: frozenset[str]
    #: keys of the current ``acknowledge`` modules confirmed for their current text
    acknowledged: frozenset[str]
    #: keys of acknowledge modules confirmed for an older text only: a new confirmation is asked
    reacknowledge: frozenset[str]
    #: a passed attempt that counts (a major not below ``renewal_major``, after the last completion
    #: that no longer counts)
    has_passed: bool
    #: valid | expired | renewal_due | None (never completed)
    completion_status: str | None
    #: every requirement is met (the completion exists or is due now)
    requirements_met: bool
    percent: int

    def is_done(self, module: ModuleFacts) -> bool:
        return module.key in self.read and (not module.acknowledge or module.key in self.acknowledged)


def progress(modules: Iterable[ModuleFacts], read_keys: Iterable[str], acked: Iterable[tuple[str, str]],
             passes: Iterable[tuple[int, datetime]], latest: LatestCompletion | None, renewal_major: int,
             now: datetime) -> Progress:
    """Progress from the history alone.

    - ``read_keys``: keys of every module the learner read, on any version of the course: a read is
      never lost, and it counts for a later version's module with the same key;
    - ``acked``: (key, text hash) of every confirmation: it counts while the module's text is the same;
    - ``passes``: (major, submitted at) of every passed attempt on the course;
    - ``latest``: the latest completion. While it is valid the course is complete. When it expired or a
      major version requires renewal, a new cycle begins: only a pass after it counts (reads and
      confirmations of the current text carry over).

    Percent: one step per module done (read, and confirmed where the module asks for it), one for the
    quiz; a valid completion is 100.
    """
    modules = list(modules)
    keys = {m.key for m in modules}
    read = frozenset(keys & set(read_keys))
    acked_pairs = set(acked)
    acked_keys = {key for key, _hash in acked_pairs}
    ack_modules = [m for m in modules if m.acknowledge]
    acknowledged = frozenset(m.key for m in ack_modules if (m.key, m.text_hash) in acked_pairs)
    reacknowledge = frozenset(m.key for m in ack_modules if m.key not in acknowledged and m.key in acked_keys)
    status = (completion_status(latest.valid_until, latest.major, renewal_major, now)
              if latest is not None else None)
    cycle_start = latest.completed_at if latest is not None and status != "valid" else None
    has_passed = any(major >= renewal_major and (cycle_start is None or submitted > cycle_start)
                     for major, submitted in passes)
    met = has_passed and read == keys and acknowledged == {m.key for m in ack_modules}
    result = Progress(read, acknowledged, reacknowledge, has_passed, status, met, 0)
    done = sum(1 for m in modules if result.is_done(m))
    percent = 100 if status == "valid" else (done + (1 if has_passed else 0)) * 100 // (len(modules) + 1)
    return Progress(read, acknowledged, reacknowledge, has_passed, status, met, percent)


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
class CourseState:
    section: str
    #: valid | expired | renewal_due | None (never completed)
    completion: str | None
    is_overdue: bool
    percent: int


def course_state(progress: Progress, is_started: bool, due_on: date | None, today: date) -> CourseState:
    """Place a course in "Meine Schulungen".

    - a valid completion: ``completed`` (mandatory or not);
    - otherwise assigned: ``mandatory`` (ordered by due date by the caller; overdue when the due day
      has passed);
    - otherwise started (anything done on any version: a module read, a confirmation, an attempt):
      ``in_progress``;
    - otherwise an expired or renewal-due completion: ``completed`` (shown with that state);
    - otherwise: ``catalogue``.
    """
    status = progress.completion_status
    overdue = due_on is not None and due_on < today
    if status == "valid":
        section = "completed"
    elif due_on is not None:
        section = "mandatory"
    elif is_started:
        section = "in_progress"
    elif status is not None:
        section = "completed"
    else:
        section = "catalogue"
    return CourseState(section, status, overdue and section == "mandatory", progress.percent)


def attempt_counts(attempt_major: int, renewal_major: int) -> bool:
    """An attempt's pass counts for the current version when its major still counts."""
    return attempt_major >= renewal_major


CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CODE_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalise_code(text: str) -> str:
    """A certificate code as typed from paper: case, spaces and hyphens do not matter, and the digits
    that do not occur in base32 (0, 1, 8) are read as the letters they resemble (O, I, B)."""
    return "".join(ch for ch in text.upper() if ch not in " -").translate(_CODE_FIXES)


def format_code(code: str) -> str:
    """Groups of four for print: ``ABCD-EFGH-...``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
