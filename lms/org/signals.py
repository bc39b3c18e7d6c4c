"""Signals org sends so that layers above it can react in the same transaction without org importing them."""

from blinker import Namespace

_signals = Namespace()

#: sent (sender: the app) after a staff import was applied, before the commit, with the keyword
#: arguments ``created``, ``changed`` (unit or position changed) and ``left``: lists of employee ids
staff_changed = _signals.signal("staff-changed")
