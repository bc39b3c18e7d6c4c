"""Pure decisions of mandatory training: the status of an obligation, due dates, position patterns."""

from __future__ import annotations

import enum
from datetime import date, timedelta

# one matching rule for positions, shared with competence targets (re-exported for training's callers)
from lms.competence.summaries import position_matches  # noqa: F401


class Status(enum.StrEnum):
    OFFEN = "offen"
    BEGONNEN = "begonnen"
    ABGESCHLOSSEN = "abgeschlossen"
    UEBERFAELLIG = "ueberfaellig"
    ABGELAUFEN = "abgelaufen"


#: a renewal cycle is due this many days after it opens when the rule names a fixed date (or none)
DEFAULT_RENEWAL_DAYS = 30

#: why a cycle was opened
INITIAL, EXPIRED, RENEWAL = "initial", "expired", "renewal"


def status(*, due_on: date, today: date, fulfilled: bool, lapsed: bool, renewal_cycle: bool,
           started: bool) -> Status:
    """The status of the current cycle of an obligation.

    ``fulfilled``: the cycle's completion is valid today. ``lapsed``: the cycle has a completion that is
    no longer valid (expired, or a major version requires renewal) and the next cycle is not open yet.
    ``renewal_cycle``: the cycle was opened by an expiry or a renewal. ``started``: the person read,
    confirmed or attempted something of the course in this cycle.

    - abgeschlossen: fulfilled;
    - abgelaufen: the cycle's completion ran out (or must be renewed): the renewal cycle opens with the
      next daily run; or a renewal cycle that is not yet due;
    - überfällig: not fulfilled and the due date has passed;
    - begonnen: started, not yet due; offen: nothing yet, not yet due.
    """
    if fulfilled:
        return Status.ABGESCHLOSSEN
    if lapsed:  # fulfilled in its time; the renewal cycle (with its own due date) opens with the next run
        return Status.ABGELAUFEN
    if today > due_on:
        return Status.UEBERFAELLIG
    if renewal_cycle:
        return Status.ABGELAUFEN
    return Status.BEGONNEN if started else Status.OFFEN


def first_due_on(*, today: date, due_days: int | None, fixed_due_on: date | None,
                 fallback_days: int = DEFAULT_RENEWAL_DAYS) -> date:
    """When the first cycle is due for a person the rule reaches ``today``.

    N days after the rule reaches the person; or the fixed day, unless it has passed (someone who joins
    after it gets ``fallback_days``, never an obligation that is overdue on its first day).
    """
    if due_days is not None:
        return today + timedelta(days=due_days)
    assert fixed_due_on is not None
    return fixed_due_on if fixed_due_on >= today else today + timedelta(days=fallback_days)


def renewal_due_on(*, opened_on: date, due_days: int | None, fallback_days: int = DEFAULT_RENEWAL_DAYS) -> date:
    """A renewal cycle (expiry or a major version) is due the rule's N days after it opens."""
    return opened_on + timedelta(days=due_days if due_days is not None else fallback_days)

