"""Revenue-target commands, as the edge loads them (revenue_schemas.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SetRevenueTarget:
    line: str
    due_on: dt.date
    percent: int = 100
    margin_bp: int = 0


@dataclass(frozen=True)
class CheckRevenue:
    """Check every target as of a day (default: today), as a day passes with no income."""

    as_of: dt.date | None = None
