"""Signals org sends so that layers above it can react in the same transaction without org importing them."""

from blinker import Namespace

_signals = Namespace()

#: sent (sender: the app) after a staff import was applied, before the commit, with the keyword
#: arguments ``created``, ``changed`` (unit or position changed) and ``left``: lists of employee ids.
#: Training adjusts obligations; auth switches off the accounts of those who ``left``
staff_changed = _signals.signal("staff-changed")

#: sent (sender: the app) by a staff import before it writes the employees, with the keyword arguments
#: ``detach`` (ids of accounts to switch off and unlink: their employee record now describes another
#: person) and ``logins`` (account id -> new login: the account follows its employee's new e-mail
#: address). Auth applies them; the ids come from :func:`lms.org.services.linked_accounts`
accounts_affected = _signals.signal("accounts-affected")
