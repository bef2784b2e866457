"""The commands budget takes, as the edge loads them (schemas.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

CONFERENCE = "conference"


@dataclass(frozen=True)
class SetBudget:
    """The whole draft of a budget: its lines (each a dict of the contract's BudgetLine)."""

    lines: tuple[dict[str, Any], ...]
    currency: str
    scope: str = CONFERENCE
    ceiling_minor: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ApproveBudget:
    approvers: tuple[str, ...]
    scope: str = CONFERENCE
    reason: str | None = None  # of a revision (version 2 on)
    note: str | None = None
    overrun_margin_bp: int = 0


@dataclass(frozen=True)
class SetAlert:
    line: str
    warn_percent: int
    scope: str = CONFERENCE


@dataclass(frozen=True)
class EstimateCosts:
    behaviour: str
    lines: tuple[dict[str, Any], ...]
    currency: str
    scope: str = CONFERENCE
    headcount: int | None = None
    speaker_count: int | None = None


@dataclass(frozen=True)
class RecordExpense:
    category: str
    amount_minor: int
    currency: str
    source_ref: str | None = None
    fapiao_number: str | None = None


@dataclass(frozen=True)
class RecordIncome:
    category: str
    amount_minor: int
    currency: str
    source: str = "other"
    source_ref: str | None = None
    fapiao_number: str | None = None


@dataclass(frozen=True)
class PayVendor:
    amount_minor: int
    currency: str
    kind: str
    paid_on: dt.date
    method: str | None = None
    fapiao_number: str | None = None


@dataclass(frozen=True)
class CompleteSettlement:
    """Nothing to give: the figures are the ledger's."""


@dataclass(frozen=True)
class BudgetQuery:
    scope: str = CONFERENCE
