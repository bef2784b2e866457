"""The sponsorship commands budget takes, as the edge loads them (sponsorship_schemas.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AddPackage:
    name: str
    level: str
    price_minor: int
    slots: int
    benefits: tuple[str, ...]


@dataclass(frozen=True)
class PublishProspectus:
    languages: tuple[str, ...]


@dataclass(frozen=True)
class AddProspect:
    sponsor: str
    level: str | None = None


@dataclass(frozen=True)
class AdvanceSponsorship:
    """To `contacted` (by a `channel`, again for each contact) or to `negotiating`."""

    to: str
    channel: str | None = None
    level: str | None = None


@dataclass(frozen=True)
class SignSponsor:
    """For a package of the plan, at its price unless `amount_minor` says what was agreed;
    the cash part in `instalments` (or all at once), the rest `in_kind`."""

    package: str
    signed_on: dt.date
    form: str = "cash"
    amount_minor: int | None = None
    instalments: tuple[dict[str, Any], ...] = ()
    in_kind: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class IssueSponsorInvoice:
    """A fapiao for `gross_minor` (价税合计) at `tax_rate_bp`; net and tax are split from it."""

    fapiao_number: str
    fapiao_type: str
    medium: str
    issued_on: dt.date
    gross_minor: int
    tax_rate_bp: int = 600
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    instalment: int | None = None


@dataclass(frozen=True)
class ReverseSponsorInvoice:
    """A red-letter fapiao for all that `fapiao_number` holds, or `gross_minor` of it."""

    red_fapiao_number: str
    reason: str
    reversed_on: dt.date
    gross_minor: int | None = None
    red_confirmation_number: str | None = None


@dataclass(frozen=True)
class RecordSponsorPayment:
    """Cash received (`amount_minor`, `currency`) or an item received in kind (`in_kind`)."""

    received_on: dt.date
    amount_minor: int | None = None
    currency: str | None = None
    method: str | None = None
    instalment: int | None = None
    fapiao_number: str | None = None
    in_kind: dict[str, Any] | None = None


@dataclass(frozen=True)
class DeliverBenefit:
    benefit: str
    proof_ref: str


@dataclass(frozen=True)
class ThankSponsor:
    channel: str


@dataclass(frozen=True)
class CancelSponsorship:
    reason: str


@dataclass(frozen=True)
class RefundSponsor:
    """A cancelled sponsor's cash paid back: all of its `refund_due_minor`."""

    amount_minor: int
    currency: str
    refunded_on: dt.date
    method: str | None = None
