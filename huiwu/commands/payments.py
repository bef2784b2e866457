"""Money coming in from outside: `huiwu payment import`, a bank statement recorded on the
orders its lines name by payment reference (registration service)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import output
from ..client import ServiceError, path_segment
from ..money import from_minor
from . import reconcile
from .context import Context, UsageError
from .plan import XLSX_TYPE, row_error

SERVICE = "registration"
IMPORT_TIMEOUT = 600.0  # ten thousand lines, each order loaded and saved
KINDS = ("recorded", "duplicate", "unmatched", "ambiguous", "invalid")


def payment_import(ctx: Context, args: argparse.Namespace) -> int:
    """Record a bank statement's transfers on the orders their remarks name.

    Each line naming one order's payment reference is recorded on it; every other line
    is printed with why, for finance to settle by hand."""
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError("FILE", f"cannot read {path}: {exc.strerror or exc}") from None
    kind = XLSX_TYPE if content.startswith(b"PK\x03\x04") else "text/csv"
    target = f"/conferences/{path_segment(args.conference)}/payments/bank-statement"
    try:
        answer = ctx.client.upload(
            SERVICE, target, content, kind, query=ctx.caller(), timeout=IMPORT_TIMEOUT
        )
    except ServiceError as exc:
        errors = exc.body.get("errors") if isinstance(exc.body, dict) else None
        if exc.status != 400 or not isinstance(errors, list):
            raise
        if ctx.json:
            output.emit_json(exc.body, ctx.out)
        for error in errors:
            print(f"huiwu payment import: error: {row_error(error)}", file=ctx.err)
        print(f"huiwu payment import: {exc.message}", file=ctx.err)
        return 2
    return ctx.show(answer, statement_text(answer, path.name))


def statement_text(answer: dict[str, Any], name: str) -> str:
    counts = ", ".join(f"{answer.get(kind, 0)} {kind}" for kind in KINDS)
    head = f"{answer.get('lines', 0)} lines of {name}: {counts}"
    rows = [
        (
            line.get("line"),
            line.get("outcome"),
            line.get("transaction_id"),
            _amount(line),
            line.get("order_id") or "",
            line.get("reason") or "",
        )
        for line in answer.get("outcomes") or []
    ]
    lines = output.table(("LINE", "OUTCOME", "TRANSACTION", "AMOUNT", "ORDER", "WHY"), rows)
    return f"{head}\n\n{lines}" if rows else head


def _amount(line: dict[str, Any]) -> str:
    if line.get("amount_minor") is None:
        return ""
    return from_minor(line["amount_minor"], line.get("currency") or "CNY")


def add_parsers(group: Callable, command: Callable) -> None:
    """`huiwu payment import`."""
    payment = group("payment", "money from outside: bank statements (registration service)")
    imported = command(payment, "import", payment_import)
    imported.add_argument(
        "file", metavar="FILE", help="the bank's export: CSV (UTF-8 or GB18030) or XLSX"
    )
    imported.add_argument("--conference", required=True, metavar="ID")
    reconcile.add_payment_parsers(payment, command)
