"""The commands and queries checklist takes, as the edge loads them (schemas.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OpenConference:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    city: str
    expected_attendance: int
    profile: str
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"  # of its money: fees, payments, the ledger
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    conference_id: uuid.UUID | None = None  # a caller may choose the id (replays)
    settings: Mapping[str, float] = field(default_factory=dict)  # the rest: defaults


@dataclass(frozen=True)
class ChangeSettings:
    """New values of some of a conference's settings, and why."""

    settings: Mapping[str, float]
    reason: str


@dataclass(frozen=True)
class AddMember:
    name: str
    roles: tuple[str, ...]
    email: str | None = None
    member_id: str | None = None


@dataclass(frozen=True)
class Assign:
    member_id: str
    codes: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class ChangeDueDate:
    due_on: dt.date
    reason: str


@dataclass(frozen=True)
class RecordProgress:
    state: str
    percent: int
    note: str | None = None


@dataclass(frozen=True)
class Evidence:
    reference: Mapping[str, Any]  # one of: url; sha256 with filename; note
    proof: str | None = None  # which of the entry's named proofs this record is
    kind: str | None = None  # the medium; taken from the named proof when one is given


@dataclass(frozen=True)
class VerifyByHand:
    evidence: tuple[Evidence, ...]
    reason: str | None = None  # required when a record is not one of the named proofs


@dataclass(frozen=True)
class GiveReason:
    """Waive or re-open an entry."""

    reason: str


@dataclass(frozen=True)
class CheckOverdue:
    today: dt.date | None = None


@dataclass(frozen=True)
class ImportPlan:
    """An uploaded workbook (the body) and the name it was uploaded under."""

    filename: str | None = None


@dataclass(frozen=True)
class PlanQuery:
    """Filters of the plan; `owner` matches a member id, a member name or an owner role."""

    section: str | None = None
    owner: str | None = None
    status: str | None = None
    phase: str | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    lang: str = "en"
