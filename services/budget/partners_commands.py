"""Commands about partners and their contributions, as the edge loads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class JoinPartner:
    partner: str
    role: str


@dataclass(frozen=True)
class AgreeContribution:
    """Its share: `form` cash, in kind or mixed; the cash `amount_minor`; `share_bp`."""

    form: str
    amount_minor: int | None = None
    currency: str | None = None
    share_bp: int | None = None


@dataclass(frozen=True)
class ReceiveContribution:
    """Cash a partner paid: its own (`source` contribution) or a government grant."""

    amount_minor: int
    currency: str
    received_on: dt.date
    source: str = "contribution"
    fapiao_number: str | None = None


@dataclass(frozen=True)
class ReceiveContributionInKind:
    """Something a partner gave in kind, at its agreed value, with the proof of receipt."""

    kind: str
    description: str
    value_minor: int
    currency: str
    received_on: dt.date
    proof_ref: str


@dataclass(frozen=True)
class WithdrawPartner:
    reason: str
