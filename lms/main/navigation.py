"""The main navigation: one list, filtered by role and by which endpoints exist."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ALL = ("employee", "coordinator", "hr", "committee", "author", "admin", "personalrat")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...]
    #: endpoints whose pages mark this item as current
    prefix: str


ITEMS = (
    NavItem("main.index", _l("Start"), ALL, "main."),
    NavItem("learning.my_courses", _l("Meine Schulungen"), ALL, "learning."),
    NavItem("learning.competence_profile", _l("Mein Kompetenzprofil"), ALL, "learning.competence_profile"),
    NavItem("learning.my_data", _l("Meine Daten"), ALL, "learning.my_data"),
    NavItem("org.staff", _l("Beschäftigte"), ("coordinator", "hr", "admin"), "org.staff"),
    NavItem("reports.units", _l("Schulungsstand"), ("coordinator", "hr", "admin"), "reports."),
    NavItem("committee.dashboard", _l("Ausschuss-Übersicht"), ("committee", "admin"), "committee."),
    NavItem("org.units", _l("Organisation"), ("hr", "admin"), "org.unit"),
    NavItem("training.rules", _l("Pflichtschulungen"), ("coordinator", "hr", "admin"), "training."),
    NavItem("org.imports", _l("Stammdaten-Import"), ("hr", "admin"), "org.import"),
    NavItem("catalog.status", _l("Kurskatalog"), ("author", "admin"), "catalog."),
    NavItem("admin.users", _l("Konten und Rollen"), ("admin",), "admin."),
    NavItem("admin.users", _l("Konten"), ("hr",), "admin."),
    NavItem("admin.targets", _l("Kompetenzziele"), ("admin",), "admin.target"),
    NavItem("audit.log", _l("Protokoll"), ("admin",), "audit."),
    NavItem("council.access_log", _l("Zugriffsprotokoll"), ("personalrat",), "council."),
    NavItem("dv.index", _l("Dienstvereinbarung"), ("personalrat", "admin"), "dv."),
)

ROLE_LABELS = {
    "employee": _l("Beschäftigte/r"),
    "coordinator": _l("Koordination"),
    "hr": _l("Personalstelle"),
    "committee": _l("Ausschuss"),
    "author": _l("Redaktion"),
    "admin": _l("Administration"),
    "personalrat": _l("Personalrat"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def nav_items() -> list[dict[str, object]]:
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    visible = [item for item in ITEMS
               if current_user.role in item.roles and item.endpoint in current_app.view_functions]
    # the most specific prefix marks the current item ("learning.my_data" before "learning.")
    current = max((item for item in visible if endpoint.startswith(item.prefix)),
                  key=lambda item: len(item.prefix), default=None)
    return [{"url": url_for(item.endpoint), "label": item.label, "active": item is current}
            for item in visible]
