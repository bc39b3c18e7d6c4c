"""The privacy notice, built from the running configuration, the permission catalogue and the schema.

One structure (:class:`Notice`: sections of paragraphs, lists and tables) feeds both the page
``/datenschutz`` and ``docs/privacy.md`` (``lms docs privacy``), so the two always say the same.
Every statement comes from something the code enforces or the settings decide:

- what is stored: every table of the schema (``tests/main/test_privacy.py`` fails when a table is not
  described in :data:`TABLES`), with its columns read from the schema itself;
- who sees what: :mod:`lms.main.permissions`, limited to the endpoints the app really has;
- what is logged: the audit actions the code records (:data:`lms.main.permissions.AUDIT_ACTIONS`);
- how long: the ``LMS_RETENTION_*`` settings that ``lms retention apply`` enforces;
- controller, data-protection officer, legal basis, supervisory authority: settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.db import Base
from lms.main import permissions
from lms.main.navigation import role_label
from lms.org.services import STAGED_LIFETIME
from lms.reports.individual import scores


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    table: Table | None = None
    #: paragraphs after the list or table
    after: list[str] = field(default_factory=list)


@dataclass
class Notice:
    title: str
    intro: str
    sections: list[Section]


@dataclass(frozen=True)
class TableInfo:
    """What a table holds about people, in words, and which retention rule applies (None: no
    personal data)."""

    label: Any
    retention: str | None


#: every table of the schema; ``retention`` is a key of :func:`retention_texts`
TABLES: dict[str, TableInfo] = {
    "employees": TableInfo(_l("Stammdaten aus dem Personalsystem"), "leavers"),
    "users": TableInfo(_l("Konten: Anmeldename, Rolle, Sprache, letzte Anmeldung, Passwort (nur als "
                          "Hash)"), "accounts"),
    "user_scopes": TableInfo(_l("Zuständigkeit einer Koordination für Organisationseinheiten"), "account"),
    "invitations": TableInfo(_l("Einladungslinks (nur als Hash)"), "invitations"),
    "login_throttles": TableInfo(_l("Zähler fehlgeschlagener Anmeldungen je Konto und IP-Adresse"),
                                 "throttle"),
    "module_progress": TableInfo(_l("gelesene Module mit Zeitpunkt"), "record"),
    "acknowledgements": TableInfo(_l("Bestätigungen (z. B. der Dienstanweisung) mit Zeitpunkt und "
                                     "bestätigtem Text"), "record"),
    "attempts": TableInfo(_l("Quizversuche: Beginn, Abgabe, Punktzahl, bestanden"), "record"),
    "attempt_items": TableInfo(_l("die einzelnen Antworten eines Quizversuchs"), "answers"),
    "completions": TableInfo(_l("Abschlüsse und Zertifikate mit dem Namen zum Zeitpunkt der Ausstellung"),
                             "certificates"),
    "assignments": TableInfo(_l("Pflichtschulungen je Person: Fristen, Zyklen, Erfüllung"), "record"),
    "assignment_rules": TableInfo(_l("Zuweisungsregeln und wer sie angelegt hat"), "record"),
    "notifications": TableInfo(_l("versandte Erinnerungen (Art und Zeitpunkt)"), "record"),
    "audit_events": TableInfo(_l("Protokoll: wer wann was getan hat"), "audit"),
    "staged_imports": TableInfo(_l("hochgeladene Stammdaten-Dateien bis zur Bestätigung"), "staged"),
    "competence_contributions": TableInfo(_l("abgeleitet: der Beitrag einer Person zu den Zählungen ihrer "
                                             "Einheit (Stufen und Abschlüsse über die Zeit), nie angezeigt"),
                                          "record"),
    "competence_targets": TableInfo(_l("Kompetenzziele und wer sie angelegt hat"), "record"),
    # no personal data
    "org_units": TableInfo(_l("Organisationseinheiten"), None),
    "courses": TableInfo(_l("Kurse"), None),
    "course_versions": TableInfo(_l("Kursversionen"), None),
    "modules": TableInfo(_l("Kursmodule"), None),
    "questions": TableInfo(_l("Quizfragen"), None),
    "question_options": TableInfo(_l("Antwortmöglichkeiten"), None),
    "competence_areas": TableInfo(_l("Kompetenzbereiche"), None),
    "competence_levels": TableInfo(_l("Kompetenzstufen"), None),
    "competence_unit_changes": TableInfo(_l("Zählungen je Organisationseinheit und Tag (ohne Personenbezug)"),
                                         None),
    "competence_unit_checkpoints": TableInfo(_l("Zählungen je Organisationseinheit zum Monatsanfang (ohne "
                                                "Personenbezug)"), None),
    "competence_generation": TableInfo(_l("Änderungszähler der Ausschusszahlen (ohne Personenbezug)"), None),
}

#: the settings the notice shows, in this order
SETTINGS = ("LMS_RETENTION_ATTEMPT_DAYS", "LMS_RETENTION_LEAVERS_DAYS", "LMS_RETENTION_AUDIT_DAYS",
            "LMS_RETENTION_SECURITY_DAYS", "LMS_HR_SEES_SCORES", "LMS_REMINDERS_COPY_COORDINATOR",
            "LMS_MIN_GROUP_SIZE")


def retention_texts(config: Mapping[str, Any]) -> dict[str, str]:
    leavers = config["LMS_RETENTION_LEAVERS_DAYS"]
    return {
        "leavers": _("solange die Person beschäftigt ist; %(d)d Tage nach dem Ausscheiden anonymisiert "
                     "(Name, E-Mail-Adresse, Personalnummer, Funktion und Daten ersetzt, Konto "
                     "deaktiviert)", d=leavers),
        "accounts": _("Konten von Beschäftigten: %(d)d Tage nach dem Ausscheiden deaktiviert und "
                      "anonymisiert (E-Mail-Adresse und Name ersetzt, Passwort gelöscht, Sitzungen "
                      "beendet); andere Konten, solange die Administration sie führt", d=leavers),
        "account": _("solange das Konto besteht"),
        "invitations": _("bis zur Nutzung, höchstens %(d)d Tage gültig; beim Anonymisieren gelöscht",
                         d=config["LMS_INVITATION_DAYS"]),
        "throttle": _("bis %(m)d Minuten nach dem letzten Fehlversuch",
                      m=config["LMS_LOGIN_LOCK_MINUTES"]),
        "record": _("als Schulungsnachweis; nach dem Anonymisieren ohne Bezug zu einem Namen"),
        "answers": _("%(d)d Tage nach der Abgabe gelöscht; das Ergebnis des Versuchs bleibt",
                     d=config["LMS_RETENTION_ATTEMPT_DAYS"]),
        "certificates": _("dauerhaft als Nachweis; der auf dem Zertifikat gedruckte Name bleibt auch nach "
                          "dem Anonymisieren, damit Ihr Zertifikat gültig und prüfbar bleibt"),
        "audit": _("%(d)d Tage; Anmeldungen, Abmeldungen und abgewiesene Anmeldeversuche %(s)d Tage",
                   d=config["LMS_RETENTION_AUDIT_DAYS"], s=config["LMS_RETENTION_SECURITY_DAYS"]),
        "staged": _("bis zur Bestätigung, höchstens %(m)d Minuten",
                    m=int(STAGED_LIFETIME.total_seconds() // 60)),
    }


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nein")


def build(config: Mapping[str, Any], endpoints: Iterable[str]) -> Notice:
    """The notice for this configuration and the endpoints the app has."""
    present = permissions.present(endpoints)
    have = {p.endpoint for p in present}
    k = config["LMS_MIN_GROUP_SIZE"]
    sections = [
        Section("verantwortlich", _("Verantwortliche Stelle und Datenschutzbeauftragte"), paragraphs=[
            _("Verantwortlich: %(name)s, %(address)s", name=config["LMS_CONTROLLER_NAME"],
              address=config["LMS_CONTROLLER_ADDRESS"]),
            _("Kontakt zur oder zum Datenschutzbeauftragten: %(dpo)s", dpo=config["LMS_DPO_CONTACT"]),
        ]),
        Section("zweck", _("Zweck und Rechtsgrundlage"), paragraphs=[
            _("Die Plattform dient der Schulung der Beschäftigten im verantwortungsvollen Umgang mit "
              "künstlicher Intelligenz und dem Nachweis dieser Schulungen. Verarbeitet wird, was dafür "
              "nötig ist: wer welche Schulung wann abgeschlossen hat und bis wann sie gilt."),
            _("Rechtsgrundlage: %(basis)s", basis=config["LMS_PRIVACY_LEGAL_BASIS"]),
        ]),
        _stored(config),
        _who_sees(config, present, k),
        _logging(present),
        _retention(config),
        _rights(config, have),
        _settings(config),
    ]
    return Notice(
        title=_("Datenschutzhinweise"),
        intro=_("Diese Hinweise beschreiben die Lernplattform „KI-Kompetenz“ (%(org)s). Sie werden aus "
                "der Konfiguration und den Zugriffsregeln der Software erzeugt und ändern sich mit ihnen.",
                org=config["LMS_ORG_NAME"]),
        sections=sections)


def _stored(config: Mapping[str, Any]) -> Section:
    retention = retention_texts(config)
    rows = []
    for name, info in TABLES.items():
        table = Base.metadata.tables.get(name)
        if info.retention is None or table is None:
            continue
        columns = ", ".join(c.name for c in table.columns if c.name != "id")
        rows.append((str(info.label), columns, retention[info.retention]))
    return Section(
        "gespeichert", _("Was gespeichert wird"),
        paragraphs=[_("Stammdaten kommen aus dem Personalsystem der Verwaltung, alles andere entsteht bei "
                      "der Nutzung der Plattform. Je Datenart: die gespeicherten Felder und wie lange sie "
                      "bleiben.")],
        table=Table(_("Gespeicherte Daten je Datenart"), (_("Daten"), _("Felder"), _("Aufbewahrung")), rows),
        after=[_("Kursinhalte, Organisationseinheiten und Kompetenzbereiche enthalten keine "
                 "personenbezogenen Daten.")])


def _who_sees(config: Mapping[str, Any], present: list[permissions.Permission], k: int) -> Section:
    items = []
    public = permissions.data_seen_by(permissions.ANONYMOUS, present)
    if public:
        items.append(_("Alle, auch ohne Anmeldung: %(what)s.",
                       what="; ".join(str(permissions.DATA[key]) for key in public)))
    for role in permissions.LOGGED_IN:
        kinds = permissions.data_seen_by(role, present)
        if kinds:
            text = "; ".join(str(permissions.DATA[key]) for key in kinds)
            if role in permissions.SCOPES:
                text += " – " + str(permissions.SCOPES[role])
            items.append(_("%(role)s: %(what)s.", role=role_label(role), what=text))
        else:
            items.append(_("%(role)s: nur die eigenen Daten.", role=role_label(role)))
    paragraphs = [_("Jede angemeldete Person sieht %(own)s. Wer darüber hinaus was sieht, ergibt sich aus "
                    "der Rolle:", own=permissions.DATA["own"])]
    after = []
    if scores.sees_scores(config):
        after.append(_("Eingestellt ist (LMS_HR_SEES_SCORES), dass die Personalstelle und die Koordination "
                       "von Ihren Quiz-Ergebnissen genau dies sehen: %(what)s. Ihre Antworten, nicht "
                       "bestandene Versuche, die Zahl Ihrer Versuche, Uhrzeiten und Bearbeitungsdauer sieht "
                       "niemand außer Ihnen; freiwillige Schulungen sieht niemand außer Ihnen.",
                       what="; ".join(str(f.description) for f in scores.AGREED_FIELDS)))
    else:
        after.append(_("Ihre Antworten, Punktzahlen, die Zahl Ihrer Versuche, Uhrzeiten und Bearbeitungsdauer "
                       "sieht niemand außer Ihnen; andere sehen höchstens, ob und an welchem Tag Sie eine "
                       "Pflichtschulung abgeschlossen haben. Freiwillige Schulungen sieht niemand außer "
                       "Ihnen."))
    if config.get("LMS_REMINDERS_COPY_COORDINATOR"):
        after.append(_("Erinnerungen an Pflichtschulungen gehen an Sie. Eingestellt ist "
                       "(LMS_REMINDERS_COPY_COORDINATOR), dass die Koordination Ihrer Organisationseinheit eine "
                       "Kopie erhält, wenn eine Pflichtschulung überfällig ist."))
    else:
        after.append(_("Erinnerungen an Pflichtschulungen gehen nur an Sie."))
    if any(p.data == "aggregate" for p in present):
        after.append(_("Zusammengefasste Zahlen zeigen keine Gruppe mit weniger als %(k)d Personen, auch "
                       "nicht durch Abziehen anderer Zahlen.", k=k))
    else:
        after.append(_("Zusammengefasste Auswertungen gibt es noch nicht. Sobald es sie gibt, zeigen sie "
                       "keine Gruppe mit weniger als %(k)d Personen.", k=k))
    return Section("wer-sieht-was", _("Wer was sieht"), paragraphs=paragraphs, items=items, after=after)


def _logging(present: list[permissions.Permission]) -> Section:
    items = [str(permissions.AUDIT_KINDS[key]) for key in permissions.audit_kinds()]
    after = []
    watched = permissions.audited(present)
    if watched:
        after.append(_("Außerdem wird jeder Aufruf dieser Daten protokolliert: %(what)s.",
                       what="; ".join(str(permissions.DATA[key]) for key in watched)))
    else:
        after.append(_("Das Ansehen von Seiten wird nicht protokolliert."))
    readers = permissions.roles_seeing("audit", present)
    if readers:
        after.append(_("Das Protokoll sehen: %(roles)s.", roles=", ".join(role_label(r) for r in readers)))
        after.append(_("Anmeldungen, Fehlversuche und Sperren einer bestimmten Person werden nur mit einer "
                       "Begründung durchsucht; die Suche wird mit Begründung protokolliert."))
    council = [r for r in permissions.roles_seeing("access_log", present) if r not in readers]
    if council:
        after.append(_("Die Aufrufe und Exporte von Daten namentlich genannter Personen (ohne Anmeldungen) "
                       "sieht außerdem: %(roles)s.", roles=", ".join(role_label(r) for r in council)))
    after.append(_("Der Webserver schreibt eigene technische Protokolle (Zeit, IP-Adresse, aufgerufene "
                   "Adresse); wie lange sie bleiben, legt der Betrieb fest."))
    return Section("protokoll", _("Was protokolliert wird"),
                   paragraphs=[_("Im Protokoll wird festgehalten:")], items=items, after=after)


def _retention(config: Mapping[str, Any]) -> Section:
    return Section("fristen", _("Wie lange gespeichert wird"), items=[
        _("Einzelne Quiz-Antworten: %(d)d Tage nach der Abgabe gelöscht. Punktzahl, Ergebnis und Datum "
          "bleiben als Nachweis.", d=config["LMS_RETENTION_ATTEMPT_DAYS"]),
        _("Nach dem Ausscheiden: %(d)d Tage nach dem Austrittsdatum (ohne Austrittsdatum: nach der "
          "letzten Änderung des inaktiven Datensatzes) werden Name, E-Mail-Adresse, Personalnummer, "
          "Funktion und Daten durch Platzhalter ersetzt und das Konto deaktiviert. Abschlüsse und "
          "Pflichtschulungen bleiben ohne Namen erhalten, damit Zahlen stimmen; Ihr Zertifikat behält "
          "den Namen, auf den es ausgestellt ist.", d=config["LMS_RETENTION_LEAVERS_DAYS"]),
        _("Protokoll: %(d)d Tage; Anmeldungen, Abmeldungen und abgewiesene Anmeldeversuche: %(s)d Tage. "
          "Die Protokolleinträge der Löschläufe selbst bleiben.", d=config["LMS_RETENTION_AUDIT_DAYS"],
          s=config["LMS_RETENTION_SECURITY_DAYS"]),
    ], after=[_("Die Fristen setzt der Betrieb täglich automatisch um (lms retention apply).")])


def _rights(config: Mapping[str, Any], have: set[str]) -> Section:
    paragraphs = []
    if "learning.my_data" in have:
        paragraphs.append(_("Unter „Meine Daten“ sehen Sie, was über Sie gespeichert ist, und können es "
                            "als Datei herunterladen."))
    paragraphs += [
        _("Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung und "
          "Widerspruch (Art. 15 bis 21 DSGVO). Falsche Stammdaten berichtigt die Personalstelle im "
          "Personalsystem; die nächste Übernahme korrigiert sie hier."),
        _("Beschwerden über die Verarbeitung Ihrer Daten richten Sie an die Aufsichtsbehörde: "
          "%(authority)s.", authority=config["LMS_PRIVACY_AUTHORITY"]),
    ]
    return Section("rechte", _("Ihre Rechte"), paragraphs=paragraphs)


def _settings(config: Mapping[str, Any]) -> Section:
    labels = {
        "LMS_RETENTION_ATTEMPT_DAYS": _("Frist für einzelne Quiz-Antworten (Tage)"),
        "LMS_RETENTION_LEAVERS_DAYS": _("Frist bis zum Anonymisieren nach dem Ausscheiden (Tage)"),
        "LMS_RETENTION_AUDIT_DAYS": _("Frist für Protokolleinträge (Tage)"),
        "LMS_RETENTION_SECURITY_DAYS": _("Frist für Anmeldeereignisse (Tage)"),
        "LMS_HR_SEES_SCORES": _("Personalstelle sieht Punktzahlen"),
        "LMS_REMINDERS_COPY_COORDINATOR": _("Kopie überfälliger Erinnerungen an die Koordination"),
        "LMS_MIN_GROUP_SIZE": _("Kleinste gezeigte Gruppe in Auswertungen (Personen)"),
    }
    rows = []
    for key in SETTINGS:
        value = config[key]
        rows.append((labels[key], key, _yes_no(value) if isinstance(value, bool) else str(value)))
    digest = permissions.catalogue_hash()
    rows.append((_("Versionskennung der Zugriffsrechte (Anlage 1 der Dienstvereinbarung)"),
                 _("SHA-256, Kurzform"), digest[:permissions.SHORT_HASH]))
    return Section("einstellungen", _("Aktuelle Einstellungen"),
                   table=Table(_("Einstellungen, die den Datenschutz betreffen"),
                               (_("Einstellung"), _("Name"), _("Wert")), rows))


GENERATED = ("<!-- Generated by `lms docs privacy --out docs/privacy.md` from lms/main/privacy.py with the "
             "default settings. Do not edit: change the code or the settings and generate it again "
             "(tests/main/test_privacy.py fails when this file differs). -->")


def markdown(notice: Notice, header: str = GENERATED) -> str:
    """The notice as Markdown (``docs/privacy.md``); ``header``: the comment on top (the DV annexes
    use the same structure with their own)."""
    lines = [header, "", f"# {notice.title}", "", notice.intro, ""]
    for section in notice.sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.items:
            lines += [f"- {item}" for item in section.items] + [""]
        if section.table is not None:
            table = section.table
            lines.append("| " + " | ".join(table.header) + " |")
            lines.append("|" + "---|" * len(table.header))
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table.rows]
            lines.append("")
        for paragraph in section.after:
            lines += [paragraph, ""]
    return "\n".join(lines).rstrip("\n") + "\n"
