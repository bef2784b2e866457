"""A bank statement as the bank exports it (CSV in UTF-8 or GB18030, or XLSX), read into
incoming payments, one per line. Pure: bytes in, payments and the lines that cannot be
read out; which order a payment is for is matching's (domain/payment_matching.py).

The header row names the columns, in English or as Chinese banks name them, in any
order; rows above it (the account, the period) and columns it does not know (balance,
account numbers) are passed over. Lines are numbered as the spreadsheet numbers them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.common.fields import CURRENCIES, FIRST_DAY, LAST_DAY
from services.common.imports import RowError

from .domain.payment_matching import IncomingPayment
from .domain.payment_reference import references_in

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 10_000
HEADER_WITHIN = 20  # rows a bank puts above its header
XLSX_MAGIC = b"PK\x03\x04"
SOURCE = "bank"
METHOD = "bank_transfer"

# Each column and the names banks give it (compared without case, spaces or _).
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "value_date", "transaction_date", "booking_date", "交易日期", "记账日期",
             "入账日期", "交易时间", "日期"),
    "amount": ("amount", "credit", "credit_amount", "交易金额", "贷方金额", "贷方发生额",
               "收入金额", "入账金额", "收入", "金额"),
    "currency": ("currency", "币种", "货币", "币别"),
    "payer": ("payer", "payer_name", "counterparty", "对方户名", "对方账户名称", "对方名称",
              "付款人", "付款人名称", "付款方户名"),
    "reference": ("reference", "remark", "memo", "purpose", "附言", "交易附言", "用途",
                  "附言/用途", "摘要", "备注"),
    "transaction_id": ("transaction_id", "bank_transaction_id", "交易流水号", "银行流水号",
                       "流水号", "交易参考号"),
}  # fmt: skip
REQUIRED = ("date", "amount", "reference", "transaction_id")
# Several columns may hold the remark (摘要 and 附言): references are looked for in all.
MANY = ("reference",)
CURRENCY_NAMES = {"人民币": "CNY", "RMB": "CNY", "美元": "USD", "港币": "HKD", "欧元": "EUR"}
NO_MINOR_UNIT = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG"})
_ALIASES = {
    re.sub(r"[\s_]", "", name.casefold()): column
    for column, names in COLUMNS.items()
    for name in names
}
_AMOUNT = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?$")
_DATE = re.compile(r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?(?:[ T].*)?$")
_TRANSACTION = re.compile(r"^[\x21-\x7e]{1,64}$")


@dataclass(frozen=True)
class Unreadable:
    """A line that cannot be a payment, and why."""

    line: int
    column: str | None
    reason: str
    transaction_id: str | None = None


@dataclass
class Statement:
    payments: list[IncomingPayment] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the file's: nothing is read
    payers: dict[int, str] = field(default_factory=dict)  # line -> the payer's name


def read(data: bytes, currency: str) -> Statement:
    """The statement's lines as payments; a line without a currency is in `currency`."""
    if len(data) > MAX_BYTES:
        return _failed(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        return _failed("the file is empty")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, currency)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return _failed("neither a CSV file (UTF-8 or GB18030) nor an XLSX workbook")
    if "\x00" in text:
        return _failed("neither a CSV file (UTF-8 or GB18030) nor an XLSX workbook")
    try:
        return read_rows(csv.reader(io.StringIO(text, newline="")), currency)
    except csv.Error as exc:
        return _failed(f"not a readable CSV file: {exc}")


def _read_xlsx(data: bytes, currency: str) -> Statement:
    from openpyxl import load_workbook

    unreadable = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        return _failed(f"not a readable XLSX workbook: {exc}")
    try:
        return read_rows(workbook.worksheets[0].iter_rows(values_only=True), currency)
    except unreadable as exc:
        return _failed(f"not a readable XLSX workbook: {exc}")
    finally:
        workbook.close()


def read_rows(values: Iterable[Sequence[Any]], currency: str) -> Statement:
    """The lines of a sheet given as cell values, the header somewhere near the top."""
    rows = enumerate(values, start=1)
    columns: dict[str, list[int]] | None = None
    errors: list[RowError] = []
    for number, cells in rows:
        columns, errors = _columns(number, cells)
        if columns is not None or errors or number >= HEADER_WITHIN:
            break
    if errors:
        return Statement(errors=errors)
    if columns is None:
        names = ", ".join(REQUIRED)
        return _failed(f"no header row naming the columns {names} in its first rows", row=1)
    statement = Statement()
    for number, cells in rows:
        texts = [_text(v) for v in cells]
        if all(t is None for t in texts):
            continue
        if len(statement.payments) + len(statement.unreadable) == MAX_LINES:
            return _failed(f"more than {MAX_LINES} lines: split the statement", row=number)
        cell = {
            name: [texts[i] for i in indexes if i < len(texts) and texts[i] is not None]
            for name, indexes in columns.items()
        }
        _line(statement, number, cell, currency)
    if not statement.payments and not statement.unreadable:
        return _failed("no line: the file has a header and nothing after it")
    return statement


def _columns(number: int, header: Sequence[Any]) -> tuple[dict[str, list[int]] | None, list]:
    """The header's columns (each name's indexes) if this row is the header; else None.
    A row naming every required column is the header; one naming a column twice is
    refused (but the remark, which may be in several)."""
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        name = _ALIASES.get(re.sub(r"[\s_]", "", (_text(cell) or "").casefold()))
        if name is not None:
            found.setdefault(name, []).append(i)
    if not all(name in found for name in REQUIRED):
        return None, []
    twice = [name for name, indexes in found.items() if len(indexes) > 1 and name not in MANY]
    errors = [RowError(number, name, "more than one column is this column") for name in twice]
    return (None, errors) if errors else (found, [])


def _line(statement: Statement, number: int, cell: dict[str, list[str]], currency: str) -> None:
    def one(name: str) -> str | None:
        return cell.get(name, [None])[0] if cell.get(name) else None

    transaction_id = one("transaction_id")

    def refuse(column: str, reason: str) -> None:
        statement.unreadable.append(Unreadable(number, column, reason, transaction_id))

    if transaction_id is None:
        return refuse("transaction_id", "empty: the bank's transaction id is required")
    if not _TRANSACTION.match(transaction_id):
        return refuse("transaction_id", "must be 1 to 64 printable ASCII characters")
    code = _currency(one("currency"), currency)
    if code is None:
        return refuse("currency", f"{one('currency')} is not an ISO 4217 currency code")
    amount = parse_amount(one("amount"), code)
    if isinstance(amount, str):
        return refuse("amount", amount)
    day = parse_day(one("date"))
    if day is None:
        return refuse("date", f"{one('date') or 'empty'} is not a day such as 2027-03-02")
    payer = one("payer")
    if payer:
        statement.payers[number] = payer[:200]
    statement.payments.append(
        IncomingPayment(
            line=number,
            source=SOURCE,
            transaction_id=transaction_id,
            method=METHOD,
            amount_minor=amount,
            currency=code,
            references=references_in(" ".join(cell.get("reference", []))),
            received_on=day,
        )
    )


def parse_amount(text: str | None, currency: str) -> int | str:
    """The amount in exact minor units, or why it cannot be: `¥2,800.00` is 280000."""
    if text is None:
        return "empty: no amount received on this line"
    plain = re.sub(r"[\s,¥￥+]", "", text).removeprefix(currency)
    match = _AMOUNT.match(plain)
    if match is None:
        return f"{text} is not an amount such as 2800.00"
    sign, whole, fraction = match[1], match[2], (match[3] or "").rstrip("0")
    digits = 0 if currency in NO_MINOR_UNIT else 2
    if len(fraction) > digits:
        return f"{text} has more decimal places than {currency} has ({digits})"
    minor = int(whole + fraction.ljust(digits, "0"))
    if sign or minor == 0:
        return f"{text} is not money received (a debit or nothing)"
    if minor > 10**15:
        return f"{text} is larger than any payment"
    return minor


def parse_day(text: str | None) -> str | None:
    """`2027-03-02`, `2027/3/2`, `20270302`, `2027年3月2日` (a time after it ignored)."""
    match = _DATE.match(text or "")
    if match is None:
        return None
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day.isoformat() if FIRST_DAY <= day <= LAST_DAY else None


def _currency(text: str | None, default: str) -> str | None:
    if text is None:
        return default
    code = CURRENCY_NAMES.get(text.upper(), text.upper())
    return code if code in CURRENCIES else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text.strip() or None


def _failed(reason: str, row: int | None = None) -> Statement:
    return Statement(errors=[RowError(row, None, reason)])
