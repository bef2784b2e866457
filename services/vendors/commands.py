"""The commands vendors takes, as the edge loads them (schemas.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from .events import UNSCOPED


@dataclass(frozen=True)
class AddVendor:
    conference_id: uuid.UUID
    name: str
    categories: tuple[str, ...] = ()
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


@dataclass(frozen=True)
class DraftContract:
    conference_id: uuid.UUID
    vendor_id: uuid.UUID
    category: str
    title: str
    amount_minor: int
    currency: str = "CNY"
    scope: str = UNSCOPED


@dataclass(frozen=True)
class SignContract:
    signed_on: dt.date
    signed_by: str | None = None


@dataclass(frozen=True)
class CancelContract:
    reason: str
