"""An uploaded list of attendees, CSV or XLSX, read into rows of text by column name.

Pure: bytes in, rows or errors out. What a row means is the import's (application/imports.py).
The header row names the columns (case-insensitive, in any order); each row after it is
one attendee. Rows are numbered as the spreadsheet numbers them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.common.imports import RowError

REQUIRED = ("name", "email", "ticket_type")
OPTIONAL = (
    "phone",
    "organisation",
    "industry",
    "seniority",
    "country",
    "source_campaign",
    "consents",
    "paid_minor",
    "payment_method",
    "received_on",
)
COLUMNS = REQUIRED + OPTIONAL
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    """The rows (number, {column: text or None}), or the errors that stop reading them."""

    rows: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read(data: bytes) -> Sheet:
    """The rows of a CSV (UTF-8, with or without a BOM) or of an XLSX's first sheet."""
    if len(data) > MAX_BYTES:
        return _failed(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        return _failed("the file is empty: the first row must be the header")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _failed("neither a CSV file in UTF-8 nor an XLSX workbook")
    if "\x00" in text:
        return _failed("neither a CSV file in UTF-8 nor an XLSX workbook")
    try:
        return read_rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return _failed(f"not a readable CSV file: {exc}")


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    unreadable = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        return _failed(f"not a readable XLSX workbook: {exc}")
    try:
        return read_rows(workbook.worksheets[0].iter_rows(values_only=True))
    except unreadable as exc:
        return _failed(f"not a readable XLSX workbook: {exc}")
    finally:
        workbook.close()


def read_rows(values: Iterable[Sequence[Any]]) -> Sheet:
    """The rows of a sheet as cell values, the header first."""
    values = iter(values)
    header = next(values, None)
    if header is None or all(_text(v) is None for v in header):
        return _failed("the file is empty: the first row must be the header", row=1)
    columns, errors = _columns(header)
    if errors:
        return Sheet(errors=errors)
    sheet = Sheet()
    for number, cells in enumerate(values, start=2):
        texts = [_text(v) for v in cells]
        if all(t is None for t in texts):
            continue  # a blank line
        if len(sheet.rows) == MAX_ROWS:
            return _failed(f"more than {MAX_ROWS} attendees: split the file", row=number)
        extra = [t for t in texts[len(header) :] if t is not None]
        if extra:
            sheet.errors.append(RowError(number, None, "more cells than the header has columns"))
            continue
        row = {name: (texts[i] if i < len(texts) else None) for name, i in columns.items()}
        sheet.rows.append((number, row))
    if not sheet.rows and not sheet.errors:
        return _failed("no attendee: the file has a header and no row after it", row=2)
    return sheet


def _columns(header: Sequence[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Each column's index by its name; the header's errors."""
    columns: dict[str, int] = {}
    errors = []
    for i, cell in enumerate(header):
        name = (_text(cell) or "").casefold()
        if not name:
            errors.append(RowError(1, None, f"column {i + 1} has no name"))
        elif name not in COLUMNS:
            known = ", ".join(COLUMNS)
            errors.append(RowError(1, name, f"unknown column; the columns are: {known}"))
        elif name in columns:
            errors.append(RowError(1, name, "named twice"))
        else:
            columns[name] = i
    errors += [
        RowError(1, name, "required column missing") for name in REQUIRED if name not in columns
    ]
    return columns, errors


def _text(value: Any) -> str | None:
    """A cell as the text a person sees: None when blank, whole numbers without `.0`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text.strip() or None


def _failed(reason: str, row: int | None = None) -> Sheet:
    return Sheet(errors=[RowError(row, None, reason)])
