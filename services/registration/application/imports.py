"""Attendees imported from a sheet: each row an order of one attendee, built as placing
an order builds it, every row checked before anything is stored, all saved in one save
or nothing (every row's errors listed)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from services.common.domain import CommandContext
from services.common.errors import HuiwuError, about
from services.common.imports import ImportRejected, RowError

from .. import attendee_sheet
from .. import commands as c
from ..domain import Quota, SoldOut, normalise_email
from ..schemas import AttendeeLineSchema, RecordPaymentSchema
from .base import REQUIRED_CONSENT
from .orders import BuiltOrder, OrderCases

CHANNEL = "back_office"
# The consent's wording is not uploaded, only its hash: the schema checks the rest.
WORDING_GIVEN_AS_HASH = "-"
PERSON_COLUMNS = ("name", "email", "phone")
LINE_COLUMNS = (
    "ticket_type",
    "organisation",
    "industry",
    "seniority",
    "country",
    "source_campaign",
)
PAYMENT_COLUMNS = {"method": "payment_method", "amount_minor": "paid_minor"}
ROW_FIELD = "attendees[0]."  # how a built order's refusal names its only attendee
# made once: a schema's construction costs more than loading a row with it
LINE_SCHEMA = AttendeeLineSchema()
PAYMENT_SCHEMA = RecordPaymentSchema()


@dataclass(frozen=True)
class Row:
    """A row that fits the field rules: its attendee and its payment, if paid."""

    number: int
    line: c.AttendeeLine
    payment: c.RecordPayment | None


class ImportCases(OrderCases):
    def import_attendees(
        self, conference_id: str, data: bytes, cmd: c.ImportAttendees, ctx: CommandContext
    ) -> dict[str, Any]:
        """Every row of the sheet an order of one attendee, or none (ImportRejected)."""
        sheet = attendee_sheet.read(data)
        if sheet.errors:
            raise ImportRejected(sheet.errors)
        return self._retrying(lambda: self._import(conference_id, sheet.rows, cmd, ctx))

    def _import(
        self,
        conference_id: str,
        sheet: list[tuple[int, dict[str, str | None]]],
        cmd: c.ImportAttendees,
        ctx: CommandContext,
    ) -> dict[str, Any]:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        meta = ctx.meta(conference.conference_id)
        today = self._today(conference)
        expires_at = self.clock() + dt.timedelta(hours=setup.hold_hours)
        errors: list[RowError] = []
        rows = []
        for number, cells in without_repeated_emails(sheet, errors.append):
            row = read_row(number, cells, cmd.consent_version, setup.currency, errors.append)
            if row is not None:
                rows.append(row)
        quotas: dict[str, Quota] = {}
        over_quota: set[str] = set()
        per_type = Counter(row.line.ticket_type for row in rows)
        placed: Counter[str] = Counter()
        built: list[tuple[BuiltOrder, bool]] = []
        for row in rows:
            try:
                one = self._build_order(
                    conference,
                    setup,
                    order_of(row, conference.conference_id),
                    [cmd.consent_sha256.lower()],
                    expires_at,
                    today,
                    meta,
                    quotas,
                )
                paid = pay(one, row.payment, meta)
            except SoldOut:
                # only the first row over its quota: the rows of that type after it are too
                kind = row.line.ticket_type
                if kind not in over_quota:
                    over_quota.add(kind)
                    errors.append(
                        RowError(
                            row.number,
                            "ticket_type",
                            f"the quota of {kind} had {placed[kind]} places left and the file "
                            f"has {per_type[kind]} rows of it: this row is the first over it",
                        )
                    )
                continue
            except HuiwuError as exc:
                # the row is the order's only attendee: no need to say which
                reason = exc.message.replace(f" ({ROW_FIELD[:-1]})", "")
                errors.append(RowError(row.number, column_of(exc.field), reason))
                continue
            placed[row.line.ticket_type] += 1
            built.append((one, paid))
        if errors:
            raise ImportRejected(sorted(errors, key=lambda e: (e.row or 0, e.column or "")))
        changed = [obj for one, _ in built for obj in (one.order, *one.attendees, *one.claims)]
        self.save(*changed, *quotas.values())
        return {
            "attendees": sum(len(one.attendees) for one, _ in built),
            "orders": len(built),
            "paid": sum(1 for _, paid in built if paid),
            "order_ids": [str(one.order.id) for one, _ in built],
        }


def order_of(row: Row, conference_id: str) -> c.PlaceOrder:
    """A row as an order keyed in by staff, its attendee buying for themselves."""
    return c.PlaceOrder(
        conference_id=uuid.UUID(conference_id),
        buyer_kind="individual",
        buyer_name=row.line.person.name,
        attendees=(row.line,),
        channel=CHANNEL,
        buyer_email=row.line.person.email,
        buyer_phone=row.line.person.phone,
    )


def read_row(
    number: int,
    cells: Mapping[str, str | None],
    consent_version: str,
    currency: str,
    fail: Callable[[RowError], None],
) -> Row | None:
    """The row by the field rules of placing an order and recording a payment; None,
    each error told to `fail`, when it does not fit them."""
    person: dict[str, Any] = {
        key: cells.get(key) for key in PERSON_COLUMNS if cells.get(key) is not None
    }
    consents = cells.get("consents")
    person["consents"] = (
        [part.strip() for part in consents.split(";") if part.strip()]
        if consents
        else [REQUIRED_CONSENT]
    )
    person["consent"] = {"version": consent_version, "wording": WORDING_GIVEN_AS_HASH}
    fields = {key: cells.get(key) for key in LINE_COLUMNS if cells.get(key) is not None}
    ok = True
    try:
        line = LINE_SCHEMA.load({**fields, "person": person})
    except ValidationError as exc:
        ok = False
        for column, reason in flatten(exc.messages):
            fail(RowError(number, column, reason))
    payment = read_payment(number, cells, currency, fail)
    if payment is False:
        ok = False
    if ok and REQUIRED_CONSENT not in line.person.consents:
        fail(RowError(number, "consents", f"must include {REQUIRED_CONSENT}"))
        ok = False
    return Row(number, line, payment or None) if ok else None


def read_payment(
    number: int, cells: Mapping[str, str | None], currency: str, fail: Callable
) -> c.RecordPayment | None | bool:
    """The row's payment; None when it has none; False when it does not fit."""
    given = {
        key: cells.get(column)
        for key, column in (*PAYMENT_COLUMNS.items(), ("received_on", "received_on"))
        if cells.get(column) is not None
    }
    if not given:
        return None
    amount = given.get("amount_minor")
    if amount is not None:
        try:
            given["amount_minor"] = int(amount)
        except ValueError:
            fail(RowError(number, "paid_minor", "must be a whole number of minor units"))
            return False
    try:
        return PAYMENT_SCHEMA.load({**given, "currency": currency})
    except ValidationError as exc:
        for column, reason in flatten(exc.messages):
            fail(RowError(number, column, reason))
        return False


def without_repeated_emails(
    sheet: list[tuple[int, dict[str, str | None]]], fail: Callable[[RowError], None]
) -> list[tuple[int, dict[str, str | None]]]:
    """The rows whose email no row before them has (each person registers once)."""
    first: dict[str, int] = {}
    kept = []
    for number, cells in sheet:
        email = cells.get("email")
        key = normalise_email(email) if email else None
        if key in first:
            fail(
                RowError(
                    number,
                    "email",
                    f"{email} is also row {first[key]}'s: each person registers once",
                )
            )
            continue
        if key:
            first[key] = number
        kept.append((number, cells))
    return kept


def pay(built: BuiltOrder, payment: c.RecordPayment | None, meta: dict) -> bool:
    """Record the row's payment on its order; True when the order is paid in full."""
    if payment is None:
        return False
    with about("paid_minor"):
        paid_in_full = built.order.receive_payment(
            payment_id=str(uuid.uuid4()),
            method=payment.method,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            fee_minor=payment.fee_minor,
            provider_reference=None,
            received_on=payment.received_on.isoformat(),
            meta=meta,
        )
    if paid_in_full:
        for attendee in built.attendees:
            attendee.paid_for(payment.method, meta)
    return paid_in_full


def flatten(messages: Any, path: tuple[str, ...] = ()) -> list[tuple[str | None, str]]:
    """A schema's nested messages as (column, reason): `person.email` is column `email`,
    `person.consents.0` is `consents`, `method` is `payment_method`."""
    if isinstance(messages, dict):
        return [
            pair for key, value in messages.items() for pair in flatten(value, (*path, str(key)))
        ]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(column_of(".".join(path)), "; ".join(messages))]
    return [pair for value in messages for pair in flatten(value, path)]


def column_of(field: str | None) -> str | None:
    """The column a field of a command (or of a built order's refusal) came from."""
    if not field:
        return None
    for part in field.removeprefix(ROW_FIELD).split("."):
        part = PAYMENT_COLUMNS.get(part, part)
        if part in attendee_sheet.COLUMNS:
            return part
    return None
