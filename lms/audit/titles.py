"""Readable titles of audit actions (German source, English in the catalogue).

Every action string passed to :func:`lms.audit.services.record` has a title here; a test finds the
action strings in the code and fails for one without a title. Unknown actions show their raw string.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TITLES = {
    "auth.login": _l("Anmeldung"),
    "auth.login_failed": _l("Anmeldung fehlgeschlagen"),
    "auth.login_locked": _l("Anmeldung gesperrt (zu viele Fehlversuche)"),
    "auth.logout": _l("Abmeldung"),
    "auth.password_changed": _l("Passwort geändert"),
    "auth.user_created": _l("Konto angelegt"),
    "auth.role_changed": _l("Rolle geändert"),
    "auth.invited": _l("Einladung erstellt"),
    "auth.invitation_accepted": _l("Einladung angenommen"),
    "auth.employees_invited": _l("Beschäftigte eingeladen"),
    "auth.login_deactivated": _l("Anmeldung mit deaktiviertem Konto abgewiesen"),
    "auth.login_unlocked": _l("Anmeldesperre aufgehoben"),
    "auth.password_reset_requested": _l("Link „Passwort vergessen“ verschickt"),
    "auth.password_reset": _l("Passwort über „Passwort vergessen“ neu gesetzt"),
    "auth.password_reset_refused": _l("„Passwort vergessen“ abgewiesen"),
    "auth.user_deactivated": _l("Konto deaktiviert"),
    "auth.user_reactivated": _l("Konto reaktiviert"),
    "training.reminders_sent": _l("Erinnerungen verschickt"),
    "training.digests_sent": _l("Wochenübersichten verschickt"),
    "retention.applied": _l("Aufbewahrungsfristen angewendet"),
    "catalog.import": _l("Kurse importiert"),
    "org.import_units": _l("Organisationseinheiten importiert"),
    "org.import_staff": _l("Beschäftigte importiert"),
    "org.view_staff": _l("Beschäftigtenliste angesehen"),
    "training.assign": _l("Pflichtschulung einzeln zugewiesen"),
    "training.rule_created": _l("Zuweisungsregel angelegt"),
    "training.rule_ended": _l("Zuweisungsregel beendet"),
    "report.list": _l("Liste der Pflichtschulungen angesehen"),
    "report.export": _l("Liste der Pflichtschulungen exportiert"),
    "report.view_person": _l("Schulungsstand einer Person angesehen"),
    "audit.log_viewed": _l("Protokoll eingesehen"),
    "audit.security_search": _l("Anmeldeereignisse einer Person durchsucht (mit Begründung)"),
    "audit.council_log_viewed": _l("Protokoll der Datenzugriffe vom Personalrat eingesehen"),
    "competence.target_created": _l("Kompetenzziel angelegt"),
    "competence.target_ended": _l("Kompetenzziel beendet"),
    "learning.my_data_export": _l("Eigene Daten heruntergeladen („Meine Daten“)"),
}

OBJECT_TYPES = {
    "user": _l("Konto"),
    "account": _l("Konto"),
    "employee": _l("Beschäftigte/r"),
    "org_unit": _l("Organisationseinheit"),
    "rule": _l("Zuweisungsregel"),
    "course": _l("Kurs"),
    "catalog": _l("Kurskatalog"),
    "import": _l("Importdatei"),
    "report": _l("Bericht"),
    "target": _l("Kompetenzziel"),
}


def title(action: str) -> str:
    found = TITLES.get(action)
    return str(found) if found is not None else action


def object_type_label(object_type: str | None) -> str:
    if not object_type:
        return ""
    found = OBJECT_TYPES.get(object_type)
    return str(found) if found is not None else object_type
