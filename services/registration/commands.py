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
class CheckRegistrationTarget:
    """Check the current registration target now (the timer does it too)."""


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
    currency: str | None = None  # of a set price or an amount off: the conference's


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


@dataclass(frozen=True)
class RequestFapiao:
    """What a buyer asks to be printed on a fapiao, and for how much of the paid money."""

    fapiao_type: str
    buyer_name: str
    buyer_kind: str | None = None
    buyer_tax_id: str | None = None
    buyer_address: str | None = None
    buyer_phone: str | None = None
    buyer_bank: str | None = None
    buyer_account: str | None = None
    amount_minor: int | None = None
    tax_rate_bp: int | None = None
    item: str = "conference_fee"
    delivery: str = "email"


@dataclass(frozen=True)
class IssueFapiao:
    fapiao_number: str
    medium: str
    issued_on: dt.date
    fapiao_code: str | None = None


@dataclass(frozen=True)
class HandOverFapiao:
    how: str
    handed_on: dt.date
    signed_for: bool = False
    handed_to: str | None = None


@dataclass(frozen=True)
class WithdrawFapiao:
    reason: str


@dataclass(frozen=True)
class ReverseFapiao:
    red_fapiao_number: str
    reason: str
    reversed_on: dt.date
    red_confirmation_number: str | None = None
    amount_minor: int | None = None  # a part of the gross (部分红冲); None: all it holds


@dataclass(frozen=True)
class ListFapiao:
    state: str | None = None


@dataclass(frozen=True)
class PaymentNotification:
    """A payment provider's word that money for an order arrived (its body, signed)."""

    reference: str
    amount_minor: int
    currency: str
    transaction_id: str
    paid_at: dt.datetime
    method: str | None = None
    fee_minor: int = 0


# -- follow-up: surveys, mailings, inquiries, complaints ---------------------------------


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # rating (1 to 5) or text


@dataclass(frozen=True)
class PublishSurvey:
    stage: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Answer:
    question: int  # 1 for the survey's first question
    rating: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class RecordSurveyResponse:
    attendee_id: uuid.UUID
    overall_score: int
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class RecordMailing:
    kind: str
    medium: str
    audience: str
    recipients: int
    subject: str | None = None


@dataclass(frozen=True)
class RecordContact:
    """An inquiry or a complaint received: its channel and topic, when it came (default:
    now) and what it said."""

    channel: str
    topic: str
    received_at: dt.datetime | None = None
    summary: str | None = None


@dataclass(frozen=True)
class AnswerInquiry:
    answered_at: dt.datetime | None = None
    answer: str | None = None


@dataclass(frozen=True)
class ResolveComplaint:
    resolution: str
    note: str | None = None


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
class RotateCheckinKey:
    reason: str


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


@dataclass(frozen=True)
class ReconcileOrder:
    """Reconcile one order now (23.1.3): recorded when its figures changed."""


@dataclass(frozen=True)
class ReconcileOrders:
    """Reconcile every order of a conference placed and not expired or denied."""


@dataclass(frozen=True)
class TestPaymentChannel:
    amount_minor: int
    currency: str
    payment_reference: str
    refund_reference: str | None = None
