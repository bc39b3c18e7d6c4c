"""Signals the catalogue sends so that layers above it react in the same transaction."""

from blinker import Namespace

_signals = Namespace()

#: sent (sender: the app) after a course version was imported, before the commit; keywords ``course``,
#: ``version`` and ``previous`` (None for a new course)
version_imported = _signals.signal("version-imported")

#: sent (sender: the app) by a course import before it writes any course version, with the keyword
#: ``framework`` (the linted competence framework, :class:`lms.catalog.loader.FrameworkSource`): the
#: competence layer brings its areas and levels up to it, so that new questions can refer to them
framework_imported = _signals.signal("framework-imported")
