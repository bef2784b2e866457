"""The ledger exported: one row per entry, for finance's spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
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


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINE_COLUMNS = (
    ("line", "line", 16),
    ("planned_income_minor", "planned income", 16),
    ("income_minor", "income", 16),
    ("in_kind_minor", "in kind", 16),
    ("planned_expense_minor", "planned expense", 16),
    ("committed_minor", "committed", 16),
    ("actual_minor", "spent", 16),
    ("remaining_minor", "remaining", 16),
)


def build_settlement_xlsx(statement: Mapping[str, Any], title: str = "") -> bytes:
    """Two sheets: "settlement" (each line, then the totals and the balance) and
    "payables" (each contract). Amounts in major units, as finance reads them, computed
    from the exact minor units."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    digits = 0 if statement["currency"] in ("JPY", "KRW") else 2
    money = "#,##0.00" if digits else "#,##0"

    def major(minor: int) -> Decimal:  # exact: the cell holds the decimal text
        return Decimal(minor).scaleb(-digits)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "settlement"
    if title:
        workbook.properties.title = title[:255]
    version = statement["budget_version"]
    sheet.append([f"currency: {statement['currency']}", f"budget version {version}"])
    sheet.append([label for _, label, _ in LINE_COLUMNS])
    for line in statement["lines"]:
        sheet.append([line["line"], *(major(line[key]) for key, _, _ in LINE_COLUMNS[1:])])
    sheet.append([])
    for label, key in (
        ("income received", "income_minor"),
        ("received in kind", "in_kind_minor"),
        ("expense", "expense_minor"),
        ("balance", "balance_minor"),
    ):
        sheet.append([label, major(statement[key])])
    sheet.append(["result", statement["result"]])
    for row in sheet.iter_rows(min_row=3):
        for cell in row[1:]:
            if isinstance(cell.value, Decimal):
                cell.number_format = money
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, (_, _, width) in enumerate(LINE_COLUMNS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    payables = workbook.create_sheet("payables")
    payables.append(["contract", "line", "amount", "paid", "cancelled", "settled"])
    for p in statement["payables"]:
        payables.append(
            [
                p["contract_id"],
                p["line"],
                major(p["amount_minor"]),
                major(p["paid_minor"]),
                p["cancelled"],
                p["settled"],
            ]
        )
    for row in payables.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = money
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def settlement_xlsx(statement: Mapping[str, Any], conference_id: str):
    body = build_settlement_xlsx(statement, f"settlement {conference_id}")
    return file_response(body, XLSX_TYPE, f"settlement-{conference_id}.xlsx")
