"""Signals the catalogue sends so that layers above it react in the same transaction."""

from blinker import Namespace

_signals = Namespace()

#: sent (sender: the app) after a course version was imported, before the commit; keywords ``course``,
#: ``version`` and ``previous`` (None for a new course)
version_imported = _signals.signal("version-imported")
