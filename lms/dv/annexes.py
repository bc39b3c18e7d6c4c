"""The annexes of the Dienstvereinbarung (DV), generated from the code and the configuration.

- Annex 1: the permitted pages, reports and exports per role, from the permission catalogue
  (:data:`lms.main.permissions.CATALOGUE`) and the logged actions (``AUDIT_ACTIONS``), with a version
  hash over a canonical serialisation of both. ``docs/dv/annex-hash.txt`` holds the hash the council
  agreed to; ``tests/dv/test_annexes.py`` fails when the code's hash differs, so a new report, export or
  permission is a visible change that needs a regenerated annex (and the council's consent).
- Annex 2: every stored column with its purpose, audience, retention and legal basis (:mod:`lms.dv.fields`).
- Annex 3: a draft record of processing activities (Art. 30 GDPR) and the technical and organisational
  measures (Art. 32 GDPR), filled from settings and code facts.

Each annex is a :class:`lms.main.privacy.Notice`, the structure the privacy notice uses, so the page,
the PDF and the Markdown say the same. The annexes are German (part of a German legal text): callers
build them under ``force_locale("de")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lms.audit.titles import title as action_title
from lms.db import Base
from lms.dv.fields import BASES, FIELDS
from lms.main import permissions
from lms.main.navigation import role_label
from lms.main.privacy import TABLES, Notice, Section, Table, retention_texts

#: the annexes by number: (short title, file stem)
ANNEXES = {
    1: ("Berechtigungen, Auswertungen und Exporte je Rolle", "anlage-1-berechtigungen"),
    2: ("Datenkatalog: jedes gespeicherte Feld", "anlage-2-datenkatalog"),
    3: ("Verzeichnis der Verarbeitungstätigkeiten und technische und organisatorische Maßnahmen",
        "anlage-3-verarbeitung-und-toms"),
}
#: characters of the hash shown as the short version
SHORT = permissions.SHORT_HASH


canonical = permissions.canonical
catalogue_hash = permissions.catalogue_hash


def short_hash(value: str | None = None) -> str:
    return (value or catalogue_hash())[:SHORT]


def _yes_no(value: bool) -> str:
    return "ja" if value else "nein"


def _roles(roles: Iterable[str]) -> str:
    return ", ".join("alle, auch ohne Anmeldung" if r == permissions.ANONYMOUS else role_label(r)
                     for r in roles)


def _addresses(rules: Mapping[str, list[str]], endpoint: str) -> str:
    return ", ".join(rules.get(endpoint, [])) or "–"


def annex_catalogue(config: Mapping[str, Any], rules: Mapping[str, list[str]]) -> Notice:
    """Annex 1. ``rules``: endpoint -> its URL rules (from ``app.url_map``)."""
    digest = catalogue_hash()
    present = [p for p in permissions.CATALOGUE if p.endpoint in rules]
    sections = [Section("version", "Version und Änderungsverfahren", paragraphs=[
        f"Versionskennung dieser Anlage: {short_hash(digest)} (SHA-256 über den Berechtigungskatalog und "
        f"die protokollierten Aktionen: {digest}).",
        "Die Anlage wird aus dem Berechtigungskatalog der Software erzeugt (lms/main/permissions.py). Jede "
        "neue Seite, Auswertung oder Exportmöglichkeit und jede Änderung daran, wer sie nutzen darf oder was "
        "protokolliert wird, ändert die Versionskennung. Die Software kann ohne neue Versionskennung nicht "
        "geändert werden: der Test tests/dv/test_annexes.py::test_annex_hash_is_the_agreed_one vergleicht "
        "sie mit der vereinbarten Kennung in docs/dv/annex-hash.txt.",
    ])]
    for role in permissions.LOGGED_IN:
        rows = [(_addresses(rules, p.endpoint), str(permissions.DATA[p.data]), _yes_no(p.audited))
                for p in present if role in p.roles and p.data not in (None, "own")
                and permissions.ANONYMOUS not in p.roles]
        scope = permissions.SCOPES.get(role)
        paragraphs = [f"Jede angemeldete Person sieht {permissions.DATA['own']}."]
        if scope:
            paragraphs.append(f"Daten anderer Personen: {scope}.")
        if not rows:
            paragraphs.append("Keine Seiten mit Daten anderer Personen.")
        sections.append(Section(
            f"rolle-{role}", f"Rolle: {role_label(role)}", paragraphs=paragraphs,
            table=Table(f"Seiten mit Daten anderer Personen: {role_label(role)}",
                        ("Adresse", "Daten", "Jeder Aufruf protokolliert"), rows) if rows else None))
    sections.append(Section("protokoll", "Protokollierte Aktionen", paragraphs=[
        "Diese Aktionen schreibt die Software in das Protokoll. Der Personalrat sieht die Arten "
        + ", ".join(f"„{permissions.AUDIT_KINDS[k]}“" for k in permissions.COUNCIL_KINDS)
        + " unter /personalrat/protokoll."],
        table=Table("Protokollierte Aktionen", ("Aktion", "Bezeichnung", "Art"),
                    [(action, action_title(action), str(permissions.AUDIT_KINDS[kind]))
                     for action, kind in sorted(permissions.AUDIT_ACTIONS.items())])))
    sections.append(Section("katalog", "Vollständiger Katalog aller Seiten", table=Table(
        "Alle Seiten mit den Rollen, die sie nutzen dürfen",
        ("Adresse", "Rollen", "Daten anderer Personen", "Protokolliert"),
        [(_addresses(rules, p.endpoint), _roles(p.roles),
          str(permissions.DATA[p.data]) if p.data else "–", _yes_no(p.audited)) for p in present])))
    sections.append(Section("einstellungen", "Einstellungen, die diese Anlage betreffen", items=[
        f"Kleinste gezeigte Gruppe in zusammengefassten Zahlen (LMS_MIN_GROUP_SIZE): "
        f"{config['LMS_MIN_GROUP_SIZE']} Personen",
        f"Personalstelle sieht Quiz-Punktzahlen (LMS_HR_SEES_SCORES): {_yes_no(config['LMS_HR_SEES_SCORES'])}",
    ]))
    return Notice(title=f"Anlage 1: {ANNEXES[1][0]}",
                  intro=f"Stand der Software: Versionskennung {short_hash(digest)}. {config['LMS_ORG_NAME']}, "
                        "Lernplattform „KI-Kompetenz“.", sections=sections)


def schema_columns() -> dict[str, list[str]]:
    """Every table of the schema with its columns, in the schema's order."""
    return {table.name: [c.name for c in table.columns] for table in Base.metadata.sorted_tables}


def annex_fields(config: Mapping[str, Any]) -> Notice:
    """Annex 2: one table per database table, one row per column."""
    retention = retention_texts(config)
    bases = {**BASES, "training": config["LMS_PRIVACY_LEGAL_BASIS"]}
    sections = []
    for name, columns in sorted(schema_columns().items()):
        info = FIELDS.get(name)
        table_info = TABLES.get(name)
        kept = retention[table_info.retention] if table_info and table_info.retention else \
            "keine personenbezogenen Daten; solange benötigt"
        rows = [(column, info.columns.get(column, "NICHT BESCHRIEBEN") if info else "NICHT BESCHRIEBEN")
                for column in columns]
        sections.append(Section(
            f"tabelle-{name}", f"Tabelle {name}" + (f": {table_info.label}" if table_info else ""),
            items=[f"Wer es sieht: {info.who if info else 'NICHT BESCHRIEBEN'}",
                   f"Aufbewahrung: {kept}",
                   f"Rechtsgrundlage: {bases[info.basis] if info else 'NICHT BESCHRIEBEN'}"],
            table=Table(f"Felder der Tabelle {name}", ("Feld", "Zweck"), rows)))
    return Notice(title=f"Anlage 2: {ANNEXES[2][0]}",
                  intro="Jedes Feld, das die Plattform speichert, aus dem Datenbankschema erzeugt "
                        "(lms/dv/fields.py). Ein neues Feld ohne Beschreibung lässt den Test "
                        "tests/dv/test_annexes.py::test_every_column_is_described scheitern.",
                  sections=sections)


def annex_processing(config: Mapping[str, Any], rules: Mapping[str, list[str]]) -> Notice:
    """Annex 3: Art. 30 record (draft) and TOMs, from the settings and the code."""
    present = [p for p in permissions.CATALOGUE if p.endpoint in rules]
    retention = retention_texts(config)
    k = config["LMS_MIN_GROUP_SIZE"]
    recipients = []
    for role in permissions.LOGGED_IN:
        kinds = permissions.data_seen_by(role, present)
        if kinds:
            recipients.append(f"{role_label(role)}: " + "; ".join(str(permissions.DATA[key]) for key in kinds))
    categories = [f"{info.label} ({retention[info.retention]})" for info in TABLES.values() if info.retention]
    art30 = Section("art30", "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO), Entwurf", items=[
        f"Verantwortlicher: {config['LMS_CONTROLLER_NAME']}, {config['LMS_CONTROLLER_ADDRESS']}",
        f"Datenschutzbeauftragte/r: {config['LMS_DPO_CONTACT']}",
        "Bezeichnung: Lernplattform „KI-Kompetenz“ – Schulung der Beschäftigten im Umgang mit künstlicher "
        "Intelligenz und Nachweis der Schulungen (Art. 4 Verordnung (EU) 2024/1689)",
        "Zweck: Schulung und Nachweis, wer welche Pflichtschulung wann abgeschlossen hat und bis wann sie "
        "gilt. Ausgeschlossen: Leistungs- und Verhaltenskontrolle, Rangfolgen, automatisierte Folgen "
        "(Dienstvereinbarung § 2).",
        f"Rechtsgrundlage: {config['LMS_PRIVACY_LEGAL_BASIS']}",
        "Betroffene Personen: Beschäftigte der Verwaltung (aus dem Personalsystem) und die Inhaberinnen "
        "und Inhaber weiterer Konten (Koordination, Personalstelle, Ausschuss, Redaktion, Administration, "
        "Personalrat).",
        "Datenkategorien: " + "; ".join(categories),
        "Empfänger innerhalb der Verwaltung (Anlage 1): " + " | ".join(recipients),
        "Übermittlung an Dritte oder in Drittländer: durch die Software keine; E-Mails (Einladungen, "
        "Erinnerungen) gehen über den Mailserver der Verwaltung.",
        f"Löschfristen: Quiz-Antworten {config['LMS_RETENTION_ATTEMPT_DAYS']} Tage nach der Abgabe; "
        f"Anonymisierung {config['LMS_RETENTION_LEAVERS_DAYS']} Tage nach dem Ausscheiden; Protokoll "
        f"{config['LMS_RETENTION_AUDIT_DAYS']} Tage; Anmeldeereignisse {config['LMS_RETENTION_SECURITY_DAYS']} "
        "Tage (umgesetzt täglich durch lms retention apply).",
    ])
    toms = Section("toms", "Technische und organisatorische Maßnahmen (Art. 32 DSGVO)", items=[
        "Zugriffskontrolle: rollenbasierte Rechte nach Anlage 1 (Versionskennung "
        f"{short_hash()}); jede Seite × jede Rolle wird bei jeder Änderung automatisch geprüft "
        "(tests/access/test_matrix.py::test_access).",
        "Koordination sieht Namen nur in ihren Organisationseinheiten; fremde Datensätze sind für jede "
        "Rolle nicht auffindbar (tests/access/test_objects.py).",
        f"Zusammengefasste Zahlen zeigen keine Gruppe unter {k} Personen, auch nicht durch Abziehen "
        "(LMS_MIN_GROUP_SIZE).",
        "Quiz-Punktzahlen sieht die Personalstelle "
        + ("nur, weil LMS_HR_SEES_SCORES eingeschaltet ist." if config["LMS_HR_SEES_SCORES"]
           else "nicht (LMS_HR_SEES_SCORES ist ausgeschaltet); einzelne Antworten sieht nur die Person."),
        "Protokollierung: jeder Aufruf und Export von Daten namentlich genannter Personen und jede "
        "Einsicht in das Protokoll (tests/access/test_catalogue.py::test_audited_views_record_an_event).",
        "Anmeldeereignisse einer Person (Anmeldungen, Fehlversuche, Sperren) durchsucht die Administration "
        "nur mit einer protokollierten Begründung "
        "(tests/audit/test_council.py::test_admin_person_search_hides_security_events_without_a_reason).",
        "Einsichtsrecht des Personalrats: Zugriffsprotokoll unter /personalrat/protokoll, ohne "
        "Anmeldedaten und ohne Lerndaten.",
        "Passwörter nur als Argon2id-Hash; Einladungs- und Rücksetzlinks nur als SHA-256-Hash.",
        f"Sperre nach {config['LMS_LOGIN_MAX_FAILURES']} Fehlversuchen für "
        f"{config['LMS_LOGIN_LOCK_MINUTES']} Minuten (LMS_LOGIN_MAX_FAILURES, LMS_LOGIN_LOCK_MINUTES).",
        f"Sitzungen enden nach {config['LMS_SESSION_IDLE_MINUTES']} Minuten ohne Aktivität und spätestens "
        f"nach {config['LMS_SESSION_MAX_HOURS']} Stunden (LMS_SESSION_IDLE_MINUTES, LMS_SESSION_MAX_HOURS).",
        "Schutz vor Cross-Site Request Forgery bei jedem Formular; sichere Cookies; Content-Security-Policy "
        "ohne externe Quellen (docs/security.md).",
        "Speicherbegrenzung: Fristen nach Anlage 2, täglich automatisch umgesetzt (lms retention apply).",
        "Datensicherung: lms backup, Sicherungsdateien nur für ihre Eigentümerin lesbar (docs/backup.md).",
    ])
    return Notice(title=f"Anlage 3: {ANNEXES[3][0]}",
                  intro="Entwurf, aus der Konfiguration und dem Code erzeugt; die Verwaltung ergänzt "
                        "die organisatorischen Angaben ihres Betriebs.",
                  sections=[art30, toms])


def url_rules(url_map: Any) -> dict[str, list[str]]:
    """endpoint -> its URL rules, sorted."""
    rules: dict[str, list[str]] = {}
    for rule in url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule.rule)
    return {endpoint: sorted(found) for endpoint, found in rules.items()}


def build(number: int, config: Mapping[str, Any], rules: Mapping[str, list[str]]) -> Notice:
    if number == 1:
        return annex_catalogue(config, rules)
    if number == 2:
        return annex_fields(config)
    if number == 3:
        return annex_processing(config, rules)
    raise KeyError(number)
