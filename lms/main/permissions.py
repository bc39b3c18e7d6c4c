"""The permission catalogue: every endpoint, the roles that may use it and whose personal data it shows.

This is the part of the route × role matrix the application itself needs: the privacy notice
(``/datenschutz``, ``docs/privacy.md``) derives "who sees what" from it. It cannot drift from the code:

- ``tests/access/test_catalogue.py`` fails when an endpoint of the app has no entry here (or an entry
  names an endpoint that does not exist), when a row of the route × role matrix in ``tests/access/``
  allows other roles than the entry, and when a ``roles_required`` decorator names other roles;
- the matrix itself proves with real requests that exactly those roles get through;
- every audit action recorded anywhere in ``lms/`` must be listed in :data:`AUDIT_ACTIONS`, so the notice
  says what is logged.

Adding a page: add its :class:`Permission` (and its row in ``tests/access/``); a page that shows the
personal data of others names the kind in :data:`DATA` and, when reading it is audited, says so with
``audited=True`` (the notice then says it is logged).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.auth.models import ROLE_VALUES

#: the pseudo-role of a visitor who is not logged in
ANONYMOUS = "anonymous"
LOGGED_IN: tuple[str, ...] = ROLE_VALUES
#: public pages: everyone, logged in or not
EVERYONE: tuple[str, ...] = (ANONYMOUS, *ROLE_VALUES)
HR: tuple[str, ...] = ("hr", "admin")
STAFF_VIEWERS: tuple[str, ...] = ("coordinator", "hr", "admin")
ADMIN: tuple[str, ...] = ("admin",)
AUTHORS: tuple[str, ...] = ("author", "admin")
#: the staff council (Personalrat): the access log and the annexes of the Dienstvereinbarung
COUNCIL: tuple[str, ...] = ("personalrat", "admin")
COMMITTEE: tuple[str, ...] = ("committee", "admin")

#: kinds of personal data a page shows, as the privacy notice names them ("own": only the user's own)
DATA = {
    "own": _l("die eigenen Schulungen, den Lernfortschritt, Quizversuche mit Antworten und Ergebnis, "
              "Zertifikate und die eigenen Stammdaten"),
    "staff": _l("Namen, Personalnummern, Organisationseinheiten und Funktionen von Beschäftigten"),
    "unit_counts": _l("die Organisationseinheiten mit der Zahl ihrer Beschäftigten (ohne Namen)"),
    "staff_import": _l("Stammdaten-Importe mit einer Vorschau aller Änderungen (Namen, Personalnummern, "
                       "E-Mail-Adressen, Organisationseinheiten, Funktionen, Ein- und Austrittsdaten)"),
    "accounts": _l("alle Konten mit E-Mail-Adresse, Name, Rolle, zugeordneten Organisationseinheiten und "
                   "Status"),
    "audit": _l("das Protokoll: wer wann was getan hat, bei Anmeldungen mit E-Mail-Adresse und IP-Adresse"),
    "access_log": _l("das Protokoll der Aufrufe und Exporte von Daten namentlich genannter Personen und der "
                     "Einsichten in das Protokoll (wer, wann, wessen Daten, welcher Filter, Begründung), "
                     "ohne Anmeldungen und ohne Lerndaten"),
    "certificate": _l("zu einem gültigen Prüfcode: Kurs, Version, Abschlussdatum, Gültigkeit und den "
                      "Namen der Inhaberin oder des Inhabers als Initiale und Nachname"),
    # kinds the HR pages of issue 10 use once their entries are added
    "completion": _l("Pflichtschulungen namentlich genannter Beschäftigter: Status, Fristen, "
                     "Abschlussdaten und Zertifikate"),
    "scores": _l("Quiz-Punktzahlen namentlich genannter Beschäftigter"),
    "export": _l("Exporte dieser Listen als Datei (CSV, XLSX)"),
    "rules": _l("Regeln, nach denen Pflichtschulungen zugewiesen werden, mit der Zahl der erreichten "
                "Personen (ohne Namen)"),
    "assign": _l("einzelne Beschäftigte mit Name und Organisationseinheit, um ihnen eine Pflichtschulung "
                 "zuzuweisen"),
    "aggregate": _l("zusammengefasste Zahlen je Organisationseinheit ohne Namen"),
    "training_counts": _l("Zahlen zum Schulungsstand je Organisationseinheit und Kurs (offen, begonnen, "
                          "abgeschlossen, überfällig, abgelaufen); die Personen dahinter zeigt die Liste"),
}


@dataclass(frozen=True)
class Permission:
    endpoint: str
    #: who may use it (:data:`ANONYMOUS` included: a public page); admin is listed where it may
    roles: tuple[str, ...]
    #: key of :data:`DATA`: the personal data the page shows; None: none (or only that it exists)
    data: str | None = None
    #: each use is recorded in the audit log
    audited: bool = False


CATALOGUE: tuple[Permission, ...] = (
    # main, auth: no one's data but the own account's
    Permission("main.index", LOGGED_IN),
    Permission("main.set_language", EVERYONE),
    Permission("main.accessibility", EVERYONE),
    Permission("main.privacy", EVERYONE),
    Permission("main.healthz", EVERYONE),
    Permission("static", EVERYONE),
    Permission("auth.login", EVERYONE),
    Permission("auth.logout", LOGGED_IN),
    Permission("auth.accept_invitation", EVERYONE),
    Permission("auth.forgot_password", EVERYONE),
    Permission("auth.reset_password", EVERYONE),
    Permission("auth.extend_session", LOGGED_IN),
    Permission("auth.change_password", LOGGED_IN),
    # learning and certificates: one's own; someone else's attempt or certificate is a 404 for everyone
    Permission("learning.my_courses", LOGGED_IN, "own"),
    Permission("learning.course", LOGGED_IN, "own"),
    Permission("learning.module", LOGGED_IN, "own"),
    Permission("learning.mark_read", LOGGED_IN, "own"),
    Permission("learning.acknowledge", LOGGED_IN, "own"),
    Permission("learning.start_quiz", LOGGED_IN, "own"),
    Permission("learning.attempt", LOGGED_IN, "own"),
    Permission("learning.save_attempt", LOGGED_IN, "own"),
    Permission("learning.submit_attempt", LOGGED_IN, "own"),
    Permission("learning.result", LOGGED_IN, "own"),
    Permission("learning.my_data", LOGGED_IN, "own"),
    Permission("learning.my_data_json", LOGGED_IN, "own"),
    Permission("learning.competence_profile", LOGGED_IN, "own"),
    Permission("certificates.pdf", LOGGED_IN, "own"),
    Permission("certificates.verify", EVERYONE, "certificate"),
    Permission("certificates.verify_form", EVERYONE),
    # catalogue: course content, no personal data
    Permission("catalog.status", AUTHORS),
    Permission("catalog.run_import", AUTHORS),
    Permission("catalog.asset", LOGGED_IN),
    # item statistics: shares over every answer, no names, nothing below 20 answers
    Permission("catalog.statistics", AUTHORS),
    # organisation: coordinators only in their units' subtrees (scope in lms/org/views.py)
    Permission("org.staff", STAFF_VIEWERS, "staff", audited=True),
    Permission("org.units", HR, "unit_counts"),
    Permission("org.imports", HR, "staff_import"),
    Permission("org.import_confirm", HR, "staff_import"),
    # mandatory training: coordinators only for units in their subtrees (404 elsewhere)
    Permission("training.rules", STAFF_VIEWERS, "rules"),
    Permission("training.new_rule", STAFF_VIEWERS, "rules"),
    Permission("training.end_rule", STAFF_VIEWERS, "rules"),
    Permission("training.assign", STAFF_VIEWERS, "assign"),
    # training status: counts per unit and course; named lists, employee pages and exports are audited
    Permission("reports.units", STAFF_VIEWERS, "training_counts"),
    Permission("reports.courses", STAFF_VIEWERS, "training_counts"),
    Permission("reports.obligations", STAFF_VIEWERS, "completion", audited=True),
    Permission("reports.employee", STAFF_VIEWERS, "completion", audited=True),
    Permission("reports.export", STAFF_VIEWERS, "export", audited=True),
    # the council committee: counts per unit only, small groups suppressed, never a name
    Permission("committee.dashboard", COMMITTEE, "aggregate"),
    Permission("committee.export", COMMITTEE, "aggregate"),
    Permission("committee_report.pdf", COMMITTEE, "aggregate"),
    # administration
    # HR manages the accounts of employees only (404 for other accounts)
    Permission("admin.users", HR, "accounts"),
    Permission("admin.account", HR, "accounts"),
    Permission("admin.deactivate", HR, "accounts"),
    Permission("admin.reactivate", HR, "accounts"),
    Permission("admin.unlock", HR, "accounts"),
    Permission("admin.reinvite", HR, "accounts"),
    Permission("admin.create_user", ADMIN, "accounts"),
    Permission("admin.edit_user", ADMIN, "accounts"),
    # every read of the log is itself logged; a person's security events only with a stated reason
    Permission("audit.log", ADMIN, "audit", audited=True),
    # staff council: who looked at whose data (never logins, never learning data), and the DV annexes
    Permission("council.access_log", COUNCIL, "access_log", audited=True),
    Permission("dv.index", COUNCIL),
    Permission("dv.annex", COUNCIL),
    Permission("dv.annex_pdf", COUNCIL),
    # competence targets: counts of people reached in the preview, no names
    Permission("admin.targets", ADMIN),
    Permission("admin.target_new", ADMIN),
    Permission("admin.target_end", ADMIN),
)

BY_ENDPOINT = {p.endpoint: p for p in CATALOGUE}

#: where a role sees named people only in part of the organisation
SCOPES = {
    "coordinator": _l("nur in den ihr zugeordneten Organisationseinheiten und deren Untereinheiten"),
}

#: every audit action the application records, by the kind the privacy notice names
AUDIT_KINDS = {
    "security": _l("Anmeldungen, Abmeldungen und abgewiesene Anmeldeversuche (Zeit, E-Mail-Adresse, "
                   "IP-Adresse)"),
    "accounts": _l("Änderungen an Konten: angelegt, eingeladen, Einladung angenommen, Passwort oder "
                   "Rolle geändert (wer, wann, welches Konto)"),
    "imports": _l("Stammdaten- und Kursimporte (wer, wann, wie viele Änderungen)"),
    "training": _l("Zuweisungen von Pflichtschulungen und Zuweisungsregeln (wer, wann, wem)"),
    "views": _l("Aufrufe und Exporte der Daten namentlich genannter Personen (wer, wann, welcher Filter, "
                "wie viele Zeilen)"),
    "retention": _l("die Läufe der Aufbewahrungsfristen (nur Anzahlen, keine Namen)"),
    "log_reads": _l("Einsichten in das Protokoll (wer, wann, welcher Filter; bei der Suche nach den "
                    "Anmeldungen einer Person auch die angegebene Begründung)"),
    "targets": _l("Kompetenzziele: angelegt und beendet (wer, wann, für welchen Bereich und wen)"),
    "own_export": _l("das Herunterladen der eigenen Daten („Meine Daten“: wer, wann)"),
}
#: the kinds of audit events the staff council reads (``/personalrat/protokoll``): views and exports of
#: named people's data and reads of the log itself; never security events (logins) or account changes
COUNCIL_KINDS: tuple[str, ...] = ("views", "log_reads")
AUDIT_ACTIONS = {
    "auth.login": "security", "auth.logout": "security", "auth.login_failed": "security",
    "auth.login_locked": "security",
    "auth.user_created": "accounts", "auth.invited": "accounts", "auth.employees_invited": "accounts",
    "auth.invitation_accepted": "accounts", "auth.password_changed": "accounts",
    "auth.role_changed": "accounts",
    "auth.login_deactivated": "security", "auth.login_unlocked": "accounts",
    "auth.password_reset_requested": "accounts", "auth.password_reset": "accounts",
    "auth.password_reset_refused": "accounts",
    "auth.user_deactivated": "accounts", "auth.user_reactivated": "accounts",
    "training.reminders_sent": "training", "training.digests_sent": "training",
    "org.import_staff": "imports", "org.import_units": "imports", "catalog.import": "imports",
    "training.assign": "training", "training.rule_created": "training", "training.rule_ended": "training",
    "retention.applied": "retention",
    "competence.target_created": "targets", "competence.target_ended": "targets",
    "org.view_staff": "views", "report.list": "views", "report.view_person": "views", "report.export": "views",
    "audit.log_viewed": "log_reads", "audit.security_search": "log_reads",
    "audit.council_log_viewed": "log_reads",
    "learning.my_data_export": "own_export",
}


def present(endpoints: Iterable[str]) -> list[Permission]:
    """The catalogue entries of the endpoints the running app has (in catalogue order)."""
    have = set(endpoints)
    return [p for p in CATALOGUE if p.endpoint in have]


def data_seen_by(role: str, permissions: Iterable[Permission]) -> list[str]:
    """The kinds of other people's data (keys of :data:`DATA`, in its order) ``role`` may see beyond
    what everyone may (for :data:`ANONYMOUS`: what everyone may)."""
    permissions = list(permissions)

    def kinds(who: str) -> set[str | None]:
        return {p.data for p in permissions if who in p.roles and p.data not in (None, "own")}

    seen = kinds(role) - (kinds(ANONYMOUS) if role != ANONYMOUS else set())
    return [key for key in DATA if key in seen]


def roles_seeing(kind: str, permissions: Iterable[Permission]) -> list[str]:
    """The logged-in roles that may see the data of ``kind``."""
    permissions = list(permissions)
    return [role for role in LOGGED_IN if any(role in p.roles and p.data == kind for p in permissions)]


def audited(permissions: Iterable[Permission]) -> list[str]:
    """The kinds of data whose every view is recorded in the audit log."""
    kinds = {p.data for p in permissions if p.audited and p.data}
    return [key for key in DATA if key in kinds]


def audit_kinds() -> list[str]:
    """The kinds of audited events, in the order of :data:`AUDIT_KINDS`."""
    used = set(AUDIT_ACTIONS.values())
    return [key for key in AUDIT_KINDS if key in used]


#: characters of :func:`catalogue_hash` shown as the short version
SHORT_HASH = 12


def canonical(catalogue: Iterable[Permission] = CATALOGUE, actions: Mapping[str, str] = AUDIT_ACTIONS) -> str:
    """The catalogue and the logged actions as canonical JSON (sorted, no whitespace, no wording)."""
    entries = sorted(({"endpoint": p.endpoint, "roles": sorted(p.roles), "data": p.data, "audited": p.audited}
                      for p in catalogue), key=lambda e: e["endpoint"])
    return json.dumps({"catalogue": entries, "audit_actions": dict(sorted(actions.items()))},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def catalogue_hash(catalogue: Iterable[Permission] = CATALOGUE, actions: Mapping[str, str] = AUDIT_ACTIONS) -> str:
    """SHA-256 (hex) of :func:`canonical`: the version of annex 1 of the Dienstvereinbarung
    (``lms dv annex``; the agreed value is in ``docs/dv/annex-hash.txt``)."""
    return hashlib.sha256(canonical(catalogue, actions).encode("ascii")).hexdigest()
