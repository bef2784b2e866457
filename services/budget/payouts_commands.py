"""Commands paying people (honoraria, cash advances), as the edge loads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PayHonorarium:
    """A speaker's fee agreed as `gross_minor` (税前); the tax is computed, not given."""

    speaker: str
    gross_minor: int
    paid_on: dt.date
    currency: str = "CNY"
    category: str = "speakers"
    speaker_id: Any = None
    method: str | None = None


@dataclass(frozen=True)
class IssueCashAdvance:
    purpose: str
    amount_minor: int
    currency: str
    holder: str


@dataclass(frozen=True)
class ReconcileCashAdvance:
    """The receipts (each a budget `category`, an `amount_minor`, maybe a fapiao) and the
    cash handed back."""

    receipts: tuple[dict[str, Any], ...]
    returned_minor: int
