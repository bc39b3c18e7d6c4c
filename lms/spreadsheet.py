"""Tables for spreadsheets: cells escaped against formula injection, CSV and XLSX written row by row.

Knows no domain (layer 1): the HR exports and ``lms users invite-employees --out`` use it.
Both writers are generators, so a response streams and memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

#: a cell beginning with one of these may be run as a formula by Excel or LibreOffice (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r")

BOM = "\ufeff"
#: bytes read from the temporary XLSX file per chunk of the response
CHUNK = 64 * 1024


def escape_cell(value: Any) -> Any:
    """A text beginning with a formula character gets a leading ``'`` (shown as text, never run).
    Dates and numbers pass unchanged; None becomes an empty text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def csv_rows(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV for German Excel: ``;`` separated, UTF-8 with BOM (in the first chunk), CRLF line ends,
    dates as ``dd.mm.yyyy``. One chunk of text per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def line(cells: Iterable[Any]) -> str:
        writer.writerow([_text(escape_cell(c)) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def xlsx_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]], *, title: str = "Export",
                date_format: str = "DD.MM.YYYY") -> Iterator[bytes]:
    """An XLSX workbook written by openpyxl's write-only mode (rows go to a temporary file, not kept in
    memory), then read back in chunks. The temporary file is removed when the generator ends."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=escape_cell(name))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        out = []
        for value in row:
            value = escape_cell(value)
            if isinstance(value, date | datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = date_format
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def open_private(path: str, *, encoding: str = "utf-8"):
    """Open ``path`` for writing text, readable and writable only by the owner (mode 0600), also when
    the file exists already (its mode is tightened before anything is written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding=encoding, newline="")
