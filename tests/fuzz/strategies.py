"""Hypothesis strategies for hostile input, and what the app offers to attack: every route of the URL map,
every field of every form, every query parameter the code reads.

The inventory is read from the app and its source, so a new route, form field or query parameter is
fuzzed without touching these tests.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from pathlib import Path

from flask_wtf import FlaskForm
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import lms

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS_FILE = ROOT / "tests" / "data" / "xss-payloads.txt"

#: far beyond what any id column holds (32 bits on PostgreSQL, 64 on SQLite): such ids in paths and
#: ``?page=`` values must be a 404, never a 500 (finding 5 of the security issue, fixed)
MAX_ID = 2**70


@functools.cache
def xss_payloads() -> list[str]:
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ") and line != "#"]


# --------------------------------------------------------------------------------------------------
# what the app offers

def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass in ``lms.<domain>.forms``."""
    found: list[type[FlaskForm]] = []
    for info in pkgutil.walk_packages(lms.__path__, "lms."):
        if not info.name.endswith(".forms"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm) and value is not FlaskForm \
                    and value.__module__ == module.__name__:
                found.append(value)
    return found


def form_fields() -> dict[str, list[str]]:
    """{field name: static choice values (may be empty)} over all forms; file fields end in ``:file``."""
    fields: dict[str, list[str]] = {}
    for cls in form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            kind = unbound.field_class.__name__
            key = f"{name}:file" if "File" in kind else name
            choices = unbound.kwargs.get("choices") or []
            values = []
            if not callable(choices):
                for choice in choices:
                    values.append(str(getattr(choice, "value", choice[0] if isinstance(choice, tuple) else choice)))
            fields.setdefault(key, []).extend(values)
    return fields


_READS = re.compile(r"request\.(form|args)\.get\(\s*[\"']([\w-]+)[\"']")


def request_params() -> dict[str, set[str]]:
    """Names the code reads directly: {"form": {...}, "args": {...}} (``request.form.get("x")`` etc.)."""
    out: dict[str, set[str]] = {"form": set(), "args": set()}
    for path in (ROOT / "lms").rglob("*.py"):
        for kind, name in _READS.findall(path.read_text(encoding="utf-8")):
            out[kind].add(name)
    return out


# --------------------------------------------------------------------------------------------------
# hostile values

INTERESTING = [
    "", " ", "0", "-1", "1", "2", "3", "00001", "1.5", "1e309", "-0", "NaN", "inf", "0x10", str(MAX_ID),
    str(-MAX_ID - 1), "9" * 18, "\x00", "\x00abc", "\t", "%00", "%0d%0a", "\u202eevil", "\ufeff", "é" * 300,
    "A" * 5000, "ß", "İ", "🙂", "\U0001f600" * 50, "a\u0301", "../../etc/passwd", "..\\..\\boot.ini", "/",
    "//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "data:text/html,x",
    "null", "undefined", "true", "false", "[]", "{}", '{"a":1}', "' OR '1'='1", "1; DROP TABLE users;--",
    "%s%s%s%n", "{0}", "{{7*7}}", "${7*7}", "=1+1", "@SUM(A1)", "de", "en", "fr", "on", "1 ", "y",
    "admin@musterstadt.example", "nobody@stadt.example", "a@b", "@", "a" * 250 + "@x.example",
    "31.02.2026", "2026-13-01", "01.01.0001", "31.12.9999",
]


@functools.cache
def hostile_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Arbitrary text (no surrogates: a browser cannot send them), payloads, and edge values."""
    return st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size),
        st.sampled_from(INTERESTING),
        st.sampled_from(xss_payloads()),
        st.integers(min_value=-MAX_ID - 1, max_value=MAX_ID).map(str),
    )


@functools.cache
def path_segment() -> st.SearchStrategy[str]:
    """A value for a ``<string>`` or ``<path>`` converter: text without '/' (quoted by the client)."""
    return hostile_text(80).map(lambda s: s.replace("/", "_").replace("?", "_").replace("#", "_") or "x")


@functools.cache
def csv_cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        st.sampled_from(INTERESTING[:40]),
        st.sampled_from(xss_payloads()),
        st.sampled_from(["U1", "U2", "ROOT", "OB", "11", "01.01.2020", "2020-01-01", "x@stadt.example",
                         "Sachbearbeitung", ";", ",", '"', '""', "\n", "\r\n", "sep=;"]),
    )


HEADERS = {
    "units": ["Kennung;Bezeichnung;Übergeordnet", "code,name,parent", "Kennung;Bezeichnung", "code;name;parent;extra",
              "sep=;\nKennung;Bezeichnung;Übergeordnet", "", "Kennung;Kennung;Bezeichnung"],
    "staff": ["Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt;Austritt",
              "personnel_no,last_name,first_name,email,org_unit,position,hired_on,left_on",
              "Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit",
              "Personalnummer;Nachname;Vorname", "", "E-Mail;E-Mail;Nachname;Vorname;Personalnummer;Organisationseinheit"],
}


@functools.cache
def _name_cell() -> st.SearchStrategy[str]:
    """A name a real file could carry: anything but the delimiter, quotes and line breaks (payloads too)."""
    return st.one_of(st.sampled_from(xss_payloads()), st.text(st.characters(exclude_categories=("Cs", "Cc")),
                                                               min_size=1, max_size=40)) \
        .map(lambda v: re.sub(r'[;"\r\n\u2028\u2029\x85]', "", v).strip()[:100]).filter(bool)


@st.composite
def plausible_file(draw: st.DrawFn, kind: str) -> bytes:
    """A well-formed file (German header, ``;``) with hostile names: a file an import may accept."""
    n = draw(st.integers(1, 5))
    if kind == "units":
        rows = ["Kennung;Bezeichnung;Übergeordnet"]
        for i in range(n):
            rows.append(f"F{i};{draw(_name_cell())};{draw(st.sampled_from(['', 'U1', 'U2']))}")
    else:
        rows = ["Personalnummer;Nachname;Vorname;E-Mail;Organisationseinheit;Funktion;Eintritt"]
        for i in range(n):
            rows.append(f"Z{i:04d};{draw(_name_cell())};{draw(_name_cell())};z{i}@stadt.example;"
                        f"{draw(st.sampled_from(['U1', 'U2']))};{draw(_name_cell())};01.02.2020")
    return ("\n".join(rows) + "\n").encode("utf-8")


@st.composite
def import_file(draw: st.DrawFn, kind: str) -> bytes:
    """A master-data file: well-formed with hostile names, or a real or broken header with rows of
    hostile cells in one of several encodings, or plain random bytes."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.binary(max_size=400))
    if choice <= 3:
        return draw(plausible_file(kind))
    header = draw(st.sampled_from(HEADERS[kind]))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    if delimiter != ";":
        header = header.replace(";", delimiter)
    width = max(1, header.split("\n")[-1].count(delimiter) + 1)
    rows = draw(st.lists(st.lists(csv_cell(), min_size=0, max_size=width + 2), max_size=6))
    text = header + "\n" + "\n".join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")
