"""The commands registration takes, as the edge loads them (schemas.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SetFeeSchedule:
    categories: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class OpenRegistration:
    channel: str
    payment_methods: tuple[str, ...] = ()
    closes_on: dt.date | None = None


@dataclass(frozen=True)
class CloseRegistration:
    channel: str
    reason: str = "decision"


@dataclass(frozen=True)
class SetRegistrationTargets:
    targets: tuple[dict[str, Any], ...]
    warn_below_percent: int
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetRefundPolicy:
    full_refund_until: dt.date
    partial_refund_until: dt.date | None = None
    partial_refund_percent: int = 0
    substitution_until: dt.date | None = None


@dataclass(frozen=True)
class Consent:
    """The wording a person agreed to, and its version: its SHA-256 is recorded."""

    version: str
    wording: str


@dataclass(frozen=True)
class Person:
    """Who attends: personal data (name, email, phone) stays in registration's store."""

    name: str
    email: str
    consents: tuple[str, ...]
    consent: Consent
    phone: str | None = None


@dataclass(frozen=True)
class AttendeeLine:
    ticket_type: str
    person: Person
    organisation: str | None = None
    industry: str | None = None
    seniority: str | None = None
    country: str | None = None
    source_campaign: str | None = None
    voucher_code: str | None = None


@dataclass(frozen=True)
class PlaceOrder:
    conference_id: uuid.UUID
    buyer_kind: str
    buyer_name: str
    attendees: tuple[AttendeeLine, ...]
    channel: str = "online"
    buyer_organisation: str | None = None
    buyer_email: str | None = None
    buyer_phone: str | None = None
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class ApproveOrder:
    approved_by: str | None = None


@dataclass(frozen=True)
class DenyOrder:
    reason: str


@dataclass(frozen=True)
class RecordPayment:
    method: str
    amount_minor: int
    currency: str
    received_on: dt.date
    fee_minor: int = 0
    provider_reference: str | None = None


@dataclass(frozen=True)
class RequestRefund:
    amount_minor: int
    reason: str
    source: str = "organiser"


@dataclass(frozen=True)
class CompleteRefund:
    method: str
    completed_on: dt.date


@dataclass(frozen=True)
class CancelOrder:
    reason: str
    cancelled_by: str = "attendee"


@dataclass(frozen=True)
class SubstituteAttendee:
    person: Person
    reason: str | None = None


@dataclass(frozen=True)
class ExpireOrders:
    """Expire the unpaid orders past their `expires_at` (the timer does it too)."""

    at: dt.datetime | None = field(default=None)


@dataclass(frozen=True)
class IssueVoucher:
    purpose: str
    price_mode: str
    value: int = 0
    max_usages: int = 1
    ticket_type: str | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class JoinWaitlist:
    conference_id: uuid.UUID
    ticket_type: str
    person: Person


@dataclass(frozen=True)
class ImportAttendees:
    """The query of an upload of attendees (its body is the file): the consent they gave,
    as its version and the SHA-256 of its wording."""

    consent_version: str
    consent_sha256: str


# -- on site ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """A badge scanned at a desk: its code, on a conference day, at a moment (now and
    today by default, in the conference's time zone)."""

    code: str
    desk: str
    day: dt.date | None = None
    scanned_at: dt.datetime | None = None
    scan_id: str | None = None


@dataclass(frozen=True)
class ScanLine:
    """One line of a desk's offline batch."""

    code: str
    day: dt.date
    scanned_at: dt.datetime
    desk: str
    scan_id: str | None = None


@dataclass(frozen=True)
class BadLine:
    """A line of a batch that does not load: its index, the field at fault and why."""

    index: int
    field: str
    reason: str


@dataclass(frozen=True)
class UploadCheckIns:
    """A batch of scans: each line loaded (ScanLine) or refused (BadLine), in order."""

    lines: tuple[ScanLine | BadLine, ...]


@dataclass(frozen=True)
class CollectKit:
    items: tuple[str, ...]
    desk: str | None = None


@dataclass(frozen=True)
class CompileAttendance:
    final: bool = False


@dataclass(frozen=True)
class PrintBadges:
    ticket_type: str | None = None
    category: str | None = None
