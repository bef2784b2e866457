"""The ledger exported: one row per entry, for finance's spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from services.common.http import file_response

CSV_TYPE = "text/csv; charset=utf-8"
COLUMNS = (
    "entry_id",
    "recorded_at",
    "kind",
    "category",
    "amount_minor",
    "currency",
    "source",
    "source_ref",
    "contract_id",
    "vendor_id",
    "fapiao",
    "fapiao_number",
    "event_id",
    "caused_by",
    "actor",
)
FORMULA_START = ("=", "+", "-", "@")  # what a spreadsheet would run as a formula


def build_csv(entries: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows Chinese; amounts in minor units,
    exact. A refund's reversal is its own row (kind `reversal`), never a negative one."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([_cell(entry.get(column)) for column in COLUMNS])
    return text.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def ledger_csv(entries: Iterable[Mapping[str, Any]], conference_id: str):
    return file_response(build_csv(entries), CSV_TYPE, f"ledger-{conference_id}.csv")
