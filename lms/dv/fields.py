"""Annex 2 of the Dienstvereinbarung: every stored column, with its purpose, who sees it, how long it
is kept and on which legal basis.

One mapping per table (:data:`FIELDS`): the table's audience and legal basis, and one sentence per
column. ``tests/dv/test_annexes.py`` reflects ``Base.metadata`` and fails, naming the column, when a
column has no description here (or a description names a column that no longer exists). Retention comes
from the privacy notice's table list (:data:`lms.main.privacy.TABLES`), so both always agree.

The texts are German only: the annex is part of a German legal text (the Dienstvereinbarung).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableFields:
    #: who can see the table's personal data in the application (in words)
    who: str
    #: a key of :data:`BASES`
    basis: str
    #: column name -> purpose
    columns: dict[str, str]


#: legal bases by key; "training" is the configured ``LMS_PRIVACY_LEGAL_BASIS``
BASES = {
    "training": None,
    "security": "Art. 6 Abs. 1 Buchst. c und Art. 32 DSGVO (Sicherheit der Verarbeitung: Schutz der Konten "
                "vor Missbrauch)",
    "logging": "Art. 5 Abs. 2 und Art. 32 DSGVO (Nachweis, wer auf personenbezogene Daten zugegriffen hat) "
               "in Verbindung mit der Dienstvereinbarung",
    "content": "keine personenbezogenen Daten",
}

SELF = "die Person selbst (Meine Daten)"
STAFF_SEEN = ("die Person selbst; Personalstelle und Administration; die Koordination nur für ihre "
              "Organisationseinheiten")
ADMIN_ONLY = "nur die Administration (technisch); nicht in der Oberfläche angezeigt"
NOBODY = "niemand in der Oberfläche (technisch)"
EVERYONE = "alle angemeldeten Personen (Kursinhalte)"

FIELDS: dict[str, TableFields] = {
    "employees": TableFields(STAFF_SEEN, "training", {
        "id": "technischer Schlüssel",
        "personnel_no": "Personalnummer aus dem Personalsystem, verknüpft Importe mit der Person",
        "first_name": "Vorname, für Listen, Zertifikat und Anrede",
        "last_name": "Nachname, für Listen, Zertifikat und Anrede",
        "email": "dienstliche E-Mail-Adresse, verknüpft Konto und Person, für Erinnerungen",
        "org_unit_id": "Organisationseinheit, bestimmt Pflichtschulungen und Zuständigkeit der Koordination",
        "position": "Funktion, bestimmt Pflichtschulungen über Zuweisungsregeln",
        "hired_on": "Eintrittsdatum, bestimmt Fristen neuer Beschäftigter",
        "left_on": "Austrittsdatum, beendet Pflichtschulungen und startet die Frist bis zum Anonymisieren",
        "is_active": "ob die Person beschäftigt ist",
        "anonymised_at": "Zeitpunkt des Anonymisierens nach dem Ausscheiden",
        "created_at": "Zeitpunkt der ersten Übernahme aus dem Personalsystem",
        "updated_at": "Zeitpunkt der letzten Änderung durch einen Import",
    }),
    "users": TableFields("die Person selbst; Administration (alle Konten); Personalstelle (Konten von "
                         "Beschäftigten)", "training", {
        "id": "technischer Schlüssel",
        "email": "Anmeldename",
        "display_name": "angezeigter Name von Konten ohne Personaldatensatz",
        "password_hash": "Passwort nur als Argon2id-Hash; niemand kann es lesen",
        "role": "Rolle, bestimmt die Zugriffsrechte (Anlage 1)",
        "employee_id": "Verknüpfung mit dem Personaldatensatz",
        "external_issuer": "für eine spätere Anmeldung über einen Identitätsdienst (derzeit ungenutzt)",
        "external_subject": "für eine spätere Anmeldung über einen Identitätsdienst (derzeit ungenutzt)",
        "is_active": "ob das Konto sich anmelden kann",
        "session_version": "beendet alle Sitzungen bei Abmeldung, Passwort- oder Rollenwechsel",
        "locale": "gewählte Sprache der Oberfläche",
        "created_at": "Zeitpunkt der Anlage des Kontos",
        "last_login_at": "letzte Anmeldung, für die Kontenverwaltung (inaktive Konten erkennen)",
        "password_changed_at": "letzter Passwortwechsel",
    }),
    "user_scopes": TableFields("Administration; die Koordination selbst", "training", {
        "id": "technischer Schlüssel",
        "user_id": "das Konto der Koordination",
        "org_unit_id": "die Organisationseinheit, für die sie zuständig ist",
    }),
    "invitations": TableFields(NOBODY, "training", {
        "id": "technischer Schlüssel",
        "user_id": "das eingeladene Konto",
        "token_hash": "der Einladungslink nur als SHA-256-Hash",
        "created_at": "Zeitpunkt der Einladung",
        "expires_at": "Ablauf des Links",
        "used_at": "Zeitpunkt der Nutzung",
        "purpose": "Einladung oder „Passwort vergessen“",
    }),
    "login_throttles": TableFields(ADMIN_ONLY, "security", {
        "key": "Konto (E-Mail-Adresse) oder IP-Adresse, deren Fehlversuche gezählt werden",
        "failures": "Zahl der Fehlversuche",
        "last_failure_at": "Zeitpunkt des letzten Fehlversuchs",
        "locked_until": "Ende einer vorübergehenden Sperre",
    }),
    "module_progress": TableFields(SELF, "training", {
        "id": "technischer Schlüssel",
        "user_id": "das Konto der lernenden Person",
        "module_id": "das gelesene Modul",
        "course_id": "der Kurs",
        "module_key": "stabiler Schlüssel des Moduls über Kursversionen hinweg",
        "read_at": "Zeitpunkt, zu dem das Modul als gelesen markiert wurde",
    }),
    "acknowledgements": TableFields(SELF, "training", {
        "id": "technischer Schlüssel",
        "user_id": "das Konto der bestätigenden Person",
        "module_id": "das bestätigte Modul",
        "course_version_id": "die Kursversion",
        "course_id": "der Kurs",
        "module_key": "stabiler Schlüssel des Moduls",
        "text_hash": "Hash des bestätigten Textes (Nachweis, welcher Wortlaut bestätigt wurde)",
        "acknowledged_at": "Zeitpunkt der Bestätigung",
    }),
    "attempts": TableFields(SELF + "; andere nur, wenn LMS_HR_SEES_SCORES eingeschaltet ist (die "
                            "Punktzahl für die Personalstelle)", "training", {
        "id": "technischer Schlüssel",
        "user_id": "das Konto der lernenden Person",
        "course_version_id": "die Kursversion des Quiz",
        "started_at": "Beginn des Versuchs (für die Zahl der Versuche je Tag)",
        "submitted_at": "Abgabe des Versuchs",
        "score": "erreichte Punktzahl in Prozent",
        "passed": "bestanden oder nicht",
        "details_removed_at": "Zeitpunkt, zu dem die einzelnen Antworten gelöscht wurden",
    }),
    "attempt_items": TableFields(SELF, "training", {
        "id": "technischer Schlüssel",
        "attempt_id": "der Quizversuch",
        "position": "Reihenfolge der Frage im Versuch",
        "question_id": "die gestellte Frage",
        "option_order": "Reihenfolge der Antwortmöglichkeiten",
        "response": "die gegebene Antwort",
        "is_correct": "ob die Antwort richtig war",
    }),
    "completions": TableFields(STAFF_SEEN + "; die Prüfseite zeigt zu einem Prüfcode Initiale und "
                               "Nachname", "training", {
        "id": "technischer Schlüssel",
        "user_id": "das Konto der Person",
        "course_id": "der abgeschlossene Kurs",
        "course_version_id": "die abgeschlossene Kursversion",
        "attempt_id": "der bestandene Quizversuch",
        "completed_at": "Abschlussdatum",
        "valid_until": "Gültigkeit bis (Auffrischung)",
        "awards": "bescheinigte Kompetenzstufen",
        "certificate_code": "Prüfcode des Zertifikats",
        "holder_name": "Name auf dem Zertifikat",
        "holder_short": "Initiale und Nachname für die öffentliche Prüfseite",
    }),
    "assignments": TableFields(STAFF_SEEN, "training", {
        "id": "technischer Schlüssel",
        "employee_id": "die verpflichtete Person",
        "course_id": "der Pflichtkurs",
        "cycle": "Durchgang (Erstschulung, Auffrischungen)",
        "reason": "warum zugewiesen (Regel, einzeln, Auffrischung)",
        "opened_on": "Beginn der Pflicht",
        "due_on": "Frist",
        "assigned_at": "Zeitpunkt der Zuweisung",
        "assigned_by_id": "wer einzeln zugewiesen hat",
        "rule_id": "die Zuweisungsregel",
        "note": "Vermerk zur Zuweisung",
        "completion_id": "der Abschluss, der die Pflicht erfüllt",
        "is_current": "ob es der laufende Durchgang ist",
        "ended_at": "Ende der Pflicht",
        "ended_reason": "Grund des Endes (Austritt, Regel beendet, Wechsel)",
    }),
    "assignment_rules": TableFields("Koordination (für ihre Einheiten), Personalstelle, Administration",
                                    "training", {
        "id": "technischer Schlüssel",
        "course_id": "der Pflichtkurs",
        "org_unit_id": "die Organisationseinheit, für die die Regel gilt",
        "position_pattern": "Funktionen, für die die Regel gilt",
        "due_days": "Frist in Tagen",
        "due_on": "feste Frist",
        "note": "Vermerk zur Regel",
        "created_at": "Zeitpunkt der Anlage",
        "created_by_id": "wer die Regel angelegt hat",
        "ended_at": "Zeitpunkt des Endes",
        "ended_by_id": "wer die Regel beendet hat",
    }),
    "notifications": TableFields(NOBODY, "training", {
        "id": "technischer Schlüssel",
        "kind": "Art der Nachricht (Erinnerung, Wochenübersicht)",
        "dedupe_key": "verhindert doppelten Versand",
        "user_id": "Empfängerin oder Empfänger",
        "assignment_id": "die Pflichtschulung, an die erinnert wurde",
        "sent_at": "Zeitpunkt des Versands",
    }),
    "audit_events": TableFields("Administration (alles, die Anmeldeereignisse einer Person nur mit "
                                "protokollierter Begründung); Personalrat (Aufrufe und Exporte von Daten "
                                "namentlich genannter Personen und Einsichten in das Protokoll)", "logging", {
        "id": "technischer Schlüssel",
        "occurred_at": "Zeitpunkt",
        "actor_id": "das handelnde Konto",
        "actor_label": "wer gehandelt hat (E-Mail-Adresse zum Zeitpunkt, „cli“ für Befehle)",
        "action": "was geschah (Anlage 1 nennt die protokollierten Aktionen)",
        "object_type": "Art des betroffenen Objekts",
        "object_id": "das betroffene Objekt (z. B. die angesehene Person)",
        "ip": "IP-Adresse des Aufrufs",
        "detail": "Einzelheiten: Filter, Zahl der Zeilen, Begründung",
    }),
    "staged_imports": TableFields("Personalstelle und Administration bis zur Bestätigung", "training", {
        "id": "technischer Schlüssel",
        "token": "Kennung des vorbereiteten Imports",
        "kind": "Art des Imports",
        "filename": "Name der hochgeladenen Datei",
        "content": "Inhalt der Datei bis zur Bestätigung",
        "is_full": "vollständige Übernahme oder nur Änderungen",
        "created_by_id": "wer hochgeladen hat",
        "created_at": "Zeitpunkt des Hochladens",
    }),
    "competence_contributions": TableFields(NOBODY + "; nur in Zahlen je Einheit ab der Mindestgruppengröße",
                                            "training", {
        "employee_id": "die Person, deren Beitrag zu den Zählungen ihrer Einheit festgehalten ist",
        "org_unit_id": "die Einheit, in der der Beitrag gezählt ist",
        "changes": "die gezählten Stufen und Abschlüsse",
        "updated_at": "letzte Änderung",
    }),
    "competence_targets": TableFields("Personalstelle und Administration", "training", {
        "id": "technischer Schlüssel",
        "area_key": "Kompetenzbereich",
        "level": "angestrebte Stufe",
        "org_unit_id": "Organisationseinheit des Ziels",
        "position_pattern": "Funktionen des Ziels",
        "note": "Vermerk",
        "created_at": "Zeitpunkt der Anlage",
        "created_by_id": "wer das Ziel angelegt hat",
        "ended_at": "Zeitpunkt des Endes",
        "ended_by_id": "wer das Ziel beendet hat",
    }),
    # no personal data
    "org_units": TableFields("alle, die Berichte oder die Organisation sehen", "content", {
        "id": "technischer Schlüssel",
        "code": "Kennung der Einheit",
        "name": "Bezeichnung",
        "parent_id": "übergeordnete Einheit",
        "path": "Pfad im Organisationsbaum (für Untereinheiten)",
        "depth": "Ebene im Organisationsbaum",
        "is_active": "ob die Einheit besteht",
    }),
    "courses": TableFields(EVERYONE, "content", {
        "id": "technischer Schlüssel",
        "slug": "Kennung des Kurses",
        "current_version_id": "die aktuelle Version",
        "is_active": "ob der Kurs angeboten wird",
        "created_at": "Zeitpunkt des ersten Imports",
    }),
    "course_versions": TableFields(EVERYONE, "content", {
        "id": "technischer Schlüssel",
        "course_id": "der Kurs",
        "version": "Versionsnummer",
        "major": "Hauptversion",
        "content_hash": "Prüfsumme des Inhalts",
        "title": "Titel",
        "summary": "Zusammenfassung",
        "minutes": "Dauer in Minuten",
        "audience": "Zielgruppe",
        "awards": "bescheinigte Kompetenzstufen",
        "validity_months": "Gültigkeit eines Abschlusses in Monaten",
        "pass_mark": "Bestehensgrenze",
        "questions_per_attempt": "Fragen je Versuch",
        "attempts_per_day": "Versuche je Tag",
        "show_solutions": "wann Lösungen gezeigt werden",
        "facts_as_of": "Stand der Fakten",
        "changes_html": "Änderungen gegenüber der Vorversion",
        "requires_renewal": "ob die Version eine Auffrischung verlangt",
        "renewal_major": "Hauptversion, ab der aufgefrischt werden muss",
        "imported_at": "Zeitpunkt des Imports",
    }),
    "modules": TableFields(EVERYONE, "content", {
        "id": "technischer Schlüssel",
        "course_version_id": "die Kursversion",
        "position": "Reihenfolge",
        "slug": "Kennung",
        "key": "stabiler Schlüssel über Versionen",
        "text_hash": "Prüfsumme des Textes",
        "title": "Titel",
        "minutes": "Dauer",
        "acknowledge": "ob der Text bestätigt werden muss",
        "html": "Inhalt",
    }),
    "questions": TableFields(EVERYONE, "content", {
        "id": "technischer Schlüssel",
        "course_version_id": "die Kursversion",
        "key": "stabiler Schlüssel",
        "position": "Reihenfolge",
        "type": "Fragetyp",
        "area_key": "Kompetenzbereich",
        "prompt_html": "Fragetext",
        "explanation_html": "Erklärung",
        "source": "Quelle",
    }),
    "question_options": TableFields(EVERYONE, "content", {
        "id": "technischer Schlüssel",
        "question_id": "die Frage",
        "position": "Reihenfolge",
        "text_html": "Antworttext",
        "is_correct": "ob die Antwort richtig ist",
    }),
    "competence_areas": TableFields(EVERYONE, "content", {
        "key": "Kennung", "position": "Reihenfolge", "name_de": "Name (deutsch)", "name_en": "Name (englisch)",
        "description_de": "Beschreibung (deutsch)", "description_en": "Beschreibung (englisch)",
    }),
    "competence_levels": TableFields(EVERYONE, "content", {
        "level": "Stufe", "key": "Kennung", "name_de": "Name (deutsch)", "name_en": "Name (englisch)",
        "description_de": "Beschreibung (deutsch)", "description_en": "Beschreibung (englisch)",
    }),
    "competence_unit_changes": TableFields("Ausschuss, Personalstelle, Administration: nur Gruppen ab der "
                                           "Mindestgruppengröße", "content", {
        "org_unit_id": "Organisationseinheit", "measure": "gezählte Größe", "key": "Bereich oder Kurs",
        "level": "Stufe", "day": "Tag", "delta": "Änderung der Zahl an diesem Tag",
    }),
    "competence_unit_checkpoints": TableFields("Ausschuss, Personalstelle, Administration: nur Gruppen ab der "
                                               "Mindestgruppengröße", "content", {
        "org_unit_id": "Organisationseinheit", "measure": "gezählte Größe", "key": "Bereich oder Kurs",
        "level": "Stufe", "month": "Monatsanfang", "total": "Zahl zum Monatsanfang",
    }),
    "competence_generation": TableFields("niemand (technisch: Zwischenspeicher der Ausschusszahlen)", "content", {
        "id": "technischer Schlüssel (immer 1)",
        "generation": "Zähler, der bei jeder Änderung der Zahlen des Ausschusses steigt",
    }),
}


def missing(tables: dict[str, list[str]]) -> list[str]:
    """``table.column`` for every column of ``tables`` (name -> column names) without a description."""
    return [f"{table}.{column}" for table, columns in tables.items() for column in columns
            if table not in FIELDS or column not in FIELDS[table].columns]


def stale(tables: dict[str, list[str]]) -> list[str]:
    """``table.column`` described here that the schema does not have."""
    return [f"{table}.{column}" for table, info in FIELDS.items() for column in info.columns
            if column not in tables.get(table, [])]
