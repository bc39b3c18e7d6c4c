"""Signals learning sends so that layers above it react in the same transaction."""

from blinker import Namespace

_signals = Namespace()

#: sent (sender: the app) after a completion was recorded, before the commit; keyword ``completion``
completion_recorded = _signals.signal("completion-recorded")
