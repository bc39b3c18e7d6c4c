"""Reading and validating master-data CSV files (org units, staff). Pure: no database, no I/O.

A file is decoded (UTF-8 with or without BOM, else Windows-1252), its delimiter detected (``;`` or
``,``), its header mapped (German or English names, any order, any case) and then *every* record is
validated. Every problem is collected as a :class:`Problem` (line, column, reason) so that HR can fix
the whole file in one go. Whatever the database must answer (which unit codes exist, who owns an
e-mail address) is passed in by the caller (``lms.org.services``).

Messages are German (the source language) and English. They are marked with ``N_`` for extraction
and translated when shown: inside a request by Flask-Babel (the user's language), outside a request
(the CLI) by ``LANG``/``LC_ALL``/``LC_MESSAGES``. Until the English catalogue has them, the English
text below is the fallback.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Collection, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask import has_app_context, has_request_context

from lms.org.rules import format_value


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction; it is translated when rendered."""
    return message


#: code -> (German source text, English fallback). Parameters use ``%(name)s`` formatting.
MESSAGES: dict[str, tuple[str, str]] = {
    "not_text": (
        N_("Die Datei ist keine CSV-Textdatei (Binärdaten, z. B. eine Excel-Arbeitsmappe). "
           "Bitte in Excel als „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“ speichern."),
        "The file is not a CSV text file (binary data, e.g. an Excel workbook). "
        "Please save it from Excel as “CSV UTF-8” or “CSV (comma delimited)”."),
    "undecodable": (
        N_("Die Datei ist weder als UTF-8 noch als Windows-1252 lesbar."),
        "The file can be read neither as UTF-8 nor as Windows-1252."),
    "malformed": (
        N_("Die Datei ist keine gültige CSV-Datei (%(detail)s)."),
        "The file is not a valid CSV file (%(detail)s)."),
    "empty_file": (
        N_("Die Datei ist leer."),
        "The file is empty."),
    "no_records": (
        N_("Die Datei enthält nur die Kopfzeile und keine Datensätze."),
        "The file contains only the header line and no records."),
    "missing_column": (
        N_("Pflichtspalte fehlt (erwartet: „%(german)s“ oder „%(english)s“)."),
        "Required column missing (expected: “%(german)s” or “%(english)s”)."),
    "duplicate_column": (
        N_("Die Spalte kommt mehrfach vor."),
        "The column appears more than once."),
    "too_many_rows": (
        N_("Zu viele Datensätze: höchstens %(max)s je Datei."),
        "Too many records: at most %(max)s per file."),
    "too_many_values": (
        N_("Die Zeile hat %(found)s Werte, die Kopfzeile nur %(expected)s Spalten "
           "(Trennzeichen im Wert ohne Anführungszeichen?)."),
        "The line has %(found)s values but the header only %(expected)s columns "
        "(a delimiter inside an unquoted value?)."),
    "required": (
        N_("Pflichtangabe fehlt."),
        "Required value missing."),
    "too_long": (
        N_("Der Wert ist zu lang (höchstens %(max)s Zeichen)."),
        "The value is too long (at most %(max)s characters)."),
    "duplicate_code": (
        N_("Die Kennung %(value)s kommt mehrfach vor (zuerst in Zeile %(first)s)."),
        "The code %(value)s appears more than once (first in line %(first)s)."),
    "duplicate_personnel_no": (
        N_("Die Personalnummer %(value)s kommt mehrfach vor (zuerst in Zeile %(first)s)."),
        "The personnel number %(value)s appears more than once (first in line %(first)s)."),
    "duplicate_email": (
        N_("Die E-Mail-Adresse %(value)s kommt mehrfach vor (zuerst in Zeile %(first)s)."),
        "The e-mail address %(value)s appears more than once (first in line %(first)s)."),
    "invalid_email": (
        N_("Ungültige E-Mail-Adresse: %(value)s"),
        "Invalid e-mail address: %(value)s"),
    "email_taken": (
        N_("Die E-Mail-Adresse %(value)s gehört bereits zur Personalnummer %(owner)s."),
        "The e-mail address %(value)s already belongs to personnel number %(owner)s."),
    "unknown_unit": (
        N_("Unbekannte Organisationseinheit %(value)s (zuerst die Einheiten importieren)."),
        "Unknown org unit %(value)s (import the units first)."),
    "unknown_parent": (
        N_("Unbekannte übergeordnete Einheit %(value)s."),
        "Unknown parent unit %(value)s."),
    "cycle": (
        N_("Zyklus in der Hierarchie: %(path)s."),
        "Cycle in the unit tree: %(path)s."),
    "invalid_date": (
        N_("Ungültiges Datum %(value)s (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)."),
        "Invalid date %(value)s (expected DD.MM.YYYY or YYYY-MM-DD)."),
    "left_before_hired": (
        N_("Der Austritt liegt vor dem Eintritt."),
        "The leaving date is before the hiring date."),
    # --- found when the file is compared with the database (lms.org.services) ---
    "identity_change": (
        N_("Identitätswechsel: Unter der Personalnummer %(personnel_no)s ändern sich Name und E-Mail-Adresse "
           "(bisher %(old)s, neu %(new)s). Das ist vermutlich eine andere Person; ohne ausdrückliche "
           "Bestätigung dieser Zeile wird nichts gespeichert."),
        "Identity change: personnel number %(personnel_no)s changes both name and e-mail address "
        "(was %(old)s, now %(new)s). This is probably another person; nothing is saved unless this row is "
        "explicitly confirmed."),
    "login_taken": (
        N_("Die neue E-Mail-Adresse %(value)s ist bereits die Anmeldung eines anderen Kontos; die Anmeldung "
           "der Person kann nicht darauf umgestellt werden."),
        "The new e-mail address %(value)s is already the login of another account; the person's login "
        "cannot be moved to it."),
}

#: texts of the preview (web and command line): labels, values, consequences; same form as MESSAGES
TEXTS: dict[str, tuple[str, str]] = {
    "field_name": (N_("Bezeichnung"), "Name"),
    "field_parent": (N_("Übergeordnete Einheit"), "Parent unit"),
    "field_personnel_no": (N_("Personalnummer"), "Personnel number"),
    "field_first_name": (N_("Vorname"), "First name"),
    "field_last_name": (N_("Nachname"), "Last name"),
    "field_email": (N_("E-Mail"), "E-mail"),
    "field_org_unit_id": (N_("Organisationseinheit"), "Org unit"),
    "field_position": (N_("Funktion"), "Position"),
    "field_hired_on": (N_("Eintritt"), "Joined"),
    "field_left_on": (N_("Austritt"), "Left"),
    "field_is_active": (N_("Status"), "Status"),
    "value_active": (N_("aktiv"), "active"),
    "value_inactive": (N_("inaktiv"), "inactive"),
    "value_empty": (N_("(leer)"), "(empty)"),
    "login_change": (
        N_("Anmeldung ändert sich: %(old)s → %(new)s (die Person meldet sich künftig mit der neuen Adresse an)"),
        "Login changes: %(old)s → %(new)s (the person will log in with the new address)"),
    "account_deactivated": (
        N_("Konto %(email)s wird deaktiviert (alle Sitzungen enden)"),
        "Account %(email)s is deactivated (all sessions end)"),
    "account_detached": (
        N_("Konto %(email)s gehört zur bisherigen Person: es wird deaktiviert und von dieser Personalnummer "
           "getrennt"),
        "Account %(email)s belongs to the previous person: it is deactivated and detached from this "
        "personnel number"),
    "too_many_deactivations": (
        N_("Der Import würde %(count)s Beschäftigte deaktivieren (mehr als %(threshold)s); nichts geschrieben. "
           "Liste mit --dry-run prüfen, dann mit --yes bestätigen."),
        "The import would deactivate %(count)s employees (more than %(threshold)s); nothing written. "
        "Check the list with --dry-run, then confirm with --yes."),
    "identity_hint": (
        N_("Identitätswechsel werden nur mit --allow-identity-change übernommen."),
        "Identity changes are only applied with --allow-identity-change."),
}


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of messages outside a request: English if the locale variables say so."""
    environ = os.environ if environ is None else environ
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            return "en" if value.lower().startswith("en") else "de"
    return "de"


def _language() -> str:
    if has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        return locale.language if locale is not None else "de"
    return cli_language()


def language() -> str:
    """The language messages are shown in now: the request's, else the command line's."""
    return _language()


def _catalogue_translation(source: str, language: str) -> str:
    """The translation from the Flask-Babel catalogue, or ``source`` when there is none (or no app)."""
    if not has_app_context():
        return source
    from flask_babel import force_locale, gettext

    with nullcontext() if has_request_context() else force_locale(language):
        return gettext(source)


def message(code: str, **params: object) -> str:
    """Render a message (or a text of :data:`TEXTS`) in the current language."""
    source, english = MESSAGES[code] if code in MESSAGES else TEXTS[code]
    language = _language()
    text = source
    if language != "de":
        text = _catalogue_translation(source, language)
        if text == source and language == "en":
            text = english
    return text % params if params else text


def field_label(name: str) -> str:
    """The label of an attribute in the preview, e.g. ``E-Mail`` for ``email``."""
    return message(f"field_{name}") if f"field_{name}" in TEXTS else name


def shown_value(value: object) -> str:
    """A value in the preview, in the current language: dates, status words, "(leer)" for nothing."""
    return format_value(value, _language(), yes=message("value_active"), no=message("value_inactive"),
                        empty=message("value_empty"))


@dataclass
class Problem:
    """One problem of a file: the physical line (1 = header), the column as named in the file."""

    line: int
    column: str
    code: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return message(self.code, **self.params)

    def format(self, filename: str) -> str:
        """``FILE:LINE: column: reason`` (the column is left out for problems of the whole file)."""
        column = f" {self.column}:" if self.column else ""
        return f"{filename}:{self.line}:{column} {self.reason}"


# --- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    german: str
    english: str
    #: the column must be present
    required: bool = True
    max_length: int = 200
    #: every record needs a value (unless False: e.g. the parent of a root unit)
    value_required: bool = True


UNIT_COLUMNS = (
    Column("code", "Kennung", "code", max_length=50),
    Column("name", "Bezeichnung", "name"),
    # required: a misspelt parent header would otherwise turn every unit into a root
    Column("parent", "Übergeordnet", "parent", max_length=50, value_required=False),
)

STAFF_COLUMNS = (
    Column("personnel_no", "Personalnummer", "personnel_no", max_length=50),
    Column("last_name", "Nachname", "last_name", max_length=100),
    Column("first_name", "Vorname", "first_name", max_length=100),
    Column("email", "E-Mail", "email", max_length=254),
    Column("org_unit", "Organisationseinheit", "org_unit", max_length=50),
    Column("position", "Funktion", "position", required=False),
    Column("hired_on", "Eintritt", "hired_on", required=False),
    Column("left_on", "Austritt", "left_on", required=False),
)

#: extra spellings seen in exports (umlaut transcribed, spaces instead of underscores)
EXTRA_ALIASES = {
    "uebergeordnet": "parent",
    "e_mail": "email",
    "personnel_number": "personnel_no",
}


def _normalise_header(name: str) -> str:
    return "_".join(name.strip().lstrip("\ufeff").casefold().replace("-", " ").split()) \
        .replace("e_mail", "email")


def _aliases(columns: tuple[Column, ...]) -> dict[str, tuple[str, str]]:
    """normalised header -> (column key, language)."""
    out: dict[str, tuple[str, str]] = {}
    for col in columns:
        out[_normalise_header(col.german)] = (col.key, "de")
        out[_normalise_header(col.english)] = (col.key, "en")
    keys = {c.key for c in columns}
    for alias, key in EXTRA_ALIASES.items():
        if key in keys:
            out[_normalise_header(alias)] = (key, "de")
    return out


# --- reading ----------------------------------------------------------------------------------

_BINARY_SIGNATURES = (
    b"PK\x03\x04",  # ZIP: .xlsx, .ods, .docx
    b"\xd0\xcf\x11\xe0",  # OLE2: .xls
    b"%PDF",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Bytes to text: UTF-8 (BOM removed) or else Windows-1252. Binary data is refused."""
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data:
        return None, Problem(1, "", "not_text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None, Problem(1, "", "undecodable")
    if _CONTROL.search(text):
        return None, Problem(1, "", "not_text")
    return text, None


def detect_delimiter(header_line: str) -> str:
    """``;`` or ``,``: whichever occurs more often in the header line (``;`` on a tie)."""
    return "," if header_line.count(",") > header_line.count(";") else ";"


@dataclass
class Table:
    """The header and the non-blank records of a file, each with its physical line number."""

    header: list[str]
    header_line: int
    records: list[tuple[int, list[str]]]


def read_table(data: bytes, *, max_rows: int) -> tuple[Table | None, list[Problem]]:
    text, problem = decode(data)
    if problem is not None:
        return None, [problem]
    assert text is not None
    lines = _NEWLINE.split(text)
    offset = 0
    delimiter = None
    if lines and lines[0].strip().lower() in ("sep=;", "sep=,"):  # Excel's delimiter hint line
        delimiter = lines[0].strip()[-1]
        offset = 1
    body = lines[offset:]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is None:
        return None, [Problem(1, "", "empty_file")]
    delimiter = delimiter or detect_delimiter(body[first])
    reader = csv.reader((line + "\n" for line in body), delimiter=delimiter)
    header: list[str] | None = None
    header_line = 0
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            start = previous_end + 1 + offset
            previous_end = reader.line_num
            values = [v.strip() for v in row]
            if not any(values):
                continue  # blank lines and rows of empty cells (Excel) are ignored
            if header is None:
                header, header_line = values, start
                continue
            if len(records) >= max_rows:
                return None, [Problem(start, "", "too_many_rows", {"max": max_rows})]
            records.append((start, values))
    except csv.Error as exc:
        return None, [Problem(previous_end + 1 + offset, "", "malformed", {"detail": str(exc)})]
    if header is None:
        return None, [Problem(1, "", "empty_file")]
    if not records:
        return None, [Problem(header_line + 1, "", "no_records")]
    return Table(header, header_line, records), []


@dataclass
class MappedRecord:
    line: int
    values: dict[str, str]
    #: column key -> header text as written in the file (for problem reports)
    names: dict[str, str]


def map_columns(table: Table, columns: tuple[Column, ...]
                ) -> tuple[list[MappedRecord], frozenset[str], list[Problem]]:
    """Map header names to column keys; report missing, duplicate and overlong columns/rows."""
    aliases = _aliases(columns)
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    languages: list[str] = []
    problems: list[Problem] = []
    for i, raw in enumerate(table.header):
        hit = aliases.get(_normalise_header(raw))
        if hit is None:
            continue  # extra columns of the HR export are ignored
        key, language = hit
        languages.append(language)
        if key in index:
            problems.append(Problem(table.header_line, raw, "duplicate_column"))
            continue
        index[key] = i
        names[key] = raw
    english = languages.count("en") > languages.count("de")
    for col in columns:
        if col.required and col.key not in index:
            problems.append(Problem(table.header_line, col.english if english else col.german,
                                    "missing_column", {"german": col.german, "english": col.english}))
        names.setdefault(col.key, col.english if english else col.german)
    if problems:
        return [], frozenset(index), problems
    width = len(table.header)
    records = []
    for line, values in table.records:
        if len(values) > width and any(values[width:]):
            problems.append(Problem(line, "", "too_many_values", {"found": len(values), "expected": width}))
            continue
        mapped = {key: (values[i] if i < len(values) else "") for key, i in index.items()}
        for col in columns:
            value = mapped.get(col.key, "")
            if col.required and col.value_required and not value:
                problems.append(Problem(line, names[col.key], "required"))
            elif len(value) > col.max_length:
                problems.append(Problem(line, names[col.key], "too_long", {"max": col.max_length}))
        records.append(MappedRecord(line, mapped, names))
    return records, frozenset(index), problems


def parse_date(value: str) -> date | None:
    """``DD.MM.YYYY`` or ``YYYY-MM-DD``; raises ValueError otherwise."""
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(value)


# --- units ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    parent: str | None


@dataclass
class ParsedUnits:
    rows: list[UnitRow]
    problems: list[Problem]


def parse_units(data: bytes, *, existing_parents: Mapping[str, str | None], max_rows: int) -> ParsedUnits:
    """Validate a units file. ``existing_parents`` maps every unit code in the database to its parent code."""
    table, problems = read_table(data, max_rows=max_rows)
    if table is None:
        return ParsedUnits([], problems)
    records, _columns, problems = map_columns(table, UNIT_COLUMNS)
    rows: list[UnitRow] = []
    first_line: dict[str, int] = {}
    for rec in records:
        code, name, parent = rec.values["code"], rec.values["name"], rec.values.get("parent") or None
        if code and code in first_line:
            problems.append(Problem(rec.line, rec.names["code"], "duplicate_code",
                                    {"value": code, "first": first_line[code]}))
            continue
        if code:
            first_line[code] = rec.line
        rows.append(UnitRow(rec.line, code, name, parent))
    names = records[0].names if records else {}
    parents: dict[str, str | None] = dict(existing_parents)
    parents.update({r.code: r.parent for r in rows if r.code})
    for row in rows:
        if row.parent is not None and row.parent not in parents:
            problems.append(Problem(row.line, names["parent"], "unknown_parent", {"value": row.parent}))
    for row in rows:
        cycle = _cycle_through(row.code, parents)
        if cycle:
            problems.append(Problem(row.line, names["parent"], "cycle", {"path": " → ".join(cycle)}))
    problems.sort(key=lambda p: p.line)
    return ParsedUnits(rows if not problems else [], problems)


def _cycle_through(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """The cycle that starts and ends at ``code`` (e.g. ``[A, B, A]``), or [] if its ancestors end at a root."""
    chain = [code]
    seen = {code}
    current = parents.get(code)
    while current is not None:
        chain.append(current)
        if current == code:
            return chain
        if current in seen:
            return []  # a cycle further up, reported at its own members
        seen.add(current)
        current = parents.get(current)
    return []


# --- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    line: int
    personnel_no: str
    last_name: str
    first_name: str
    email: str
    org_unit: str
    position: str | None
    hired_on: date | None
    left_on: date | None


@dataclass
class ParsedStaff:
    rows: list[StaffRow]
    problems: list[Problem]
    #: the column keys present in the file; optional columns that are absent are left as they are
    columns: frozenset[str] = frozenset()
    #: column key -> header text as written in the file (for problems found later)
    names: dict[str, str] = field(default_factory=dict)
    #: the records without a problem of their own, also when others have one (so that the caller can
    #: report what it finds in them together with the file's problems)
    valid_rows: list[StaffRow] = field(default_factory=list)


def parse_staff(data: bytes, *, unit_codes: Collection[str], email_owners: Mapping[str, str],
                max_rows: int) -> ParsedStaff:
    """Validate a staff file.

    ``unit_codes``: the codes of the units in the database. ``email_owners``: e-mail address (lower
    case) -> personnel number for every employee in the database. An address may move to another
    person only if its current owner is in the same file (with another address).
    """
    table, problems = read_table(data, max_rows=max_rows)
    if table is None:
        return ParsedStaff([], problems)
    records, columns, problems = map_columns(table, STAFF_COLUMNS)
    rows: list[StaffRow] = []
    first_pn: dict[str, int] = {}
    first_email: dict[str, int] = {}
    file_pns = {rec.values["personnel_no"] for rec in records}
    for rec in records:
        v, n = rec.values, rec.names
        before = len(problems)
        pn = v["personnel_no"]
        if pn and pn in first_pn:
            problems.append(Problem(rec.line, n["personnel_no"], "duplicate_personnel_no",
                                    {"value": pn, "first": first_pn[pn]}))
        elif pn:
            first_pn[pn] = rec.line
        email = ""
        if v["email"]:
            try:
                email = validate_email(v["email"], check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                problems.append(Problem(rec.line, n["email"], "invalid_email", {"value": v["email"]}))
        if email and email in first_email:
            problems.append(Problem(rec.line, n["email"], "duplicate_email",
                                    {"value": email, "first": first_email[email]}))
        elif email:
            first_email[email] = rec.line
            owner = email_owners.get(email)
            if owner is not None and owner != pn and owner not in file_pns:
                problems.append(Problem(rec.line, n["email"], "email_taken", {"value": email, "owner": owner}))
        if v["org_unit"] and v["org_unit"] not in unit_codes:
            problems.append(Problem(rec.line, n["org_unit"], "unknown_unit", {"value": v["org_unit"]}))
        dates: dict[str, date | None] = {}
        for key in ("hired_on", "left_on"):
            raw = v.get(key, "")
            dates[key] = None
            if raw:
                try:
                    dates[key] = parse_date(raw)
                except ValueError:
                    problems.append(Problem(rec.line, n[key], "invalid_date", {"value": raw}))
        if dates["hired_on"] and dates["left_on"] and dates["left_on"] < dates["hired_on"]:
            problems.append(Problem(rec.line, n["left_on"], "left_before_hired"))
        if len(problems) == before:
            rows.append(StaffRow(rec.line, pn, v["last_name"], v["first_name"], email, v["org_unit"],
                                 v.get("position") or None, dates["hired_on"], dates["left_on"]))
    problems.sort(key=lambda p: p.line)
    names = records[0].names if records else {}
    return ParsedStaff(rows if not problems else [], problems, columns, names, rows)
