"""The conference and the entries of its plan. No I/O: ids, dates and meta come in."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

PROFILES = ("academic", "business", "corporate_annual")
ENTRY_NAMESPACE = uuid.UUID("0b6f5a52-3c1e-4f7e-9a55-2f0a4f1d7c31")


def entry_id(conference_id: str, code: str) -> UUID:
    """Deterministic, so an upstream event finds its entry without a lookup table."""
    return uuid.uuid5(ENTRY_NAMESPACE, f"{conference_id}/{code}")


def due_on(starts_on: dt.date, ends_on: dt.date, milestone: str, offset_days: int) -> dt.date:
    anchor = starts_on if milestone == "start" else ends_on
    return anchor + dt.timedelta(days=offset_days)


class Conference(Aggregate):
    @staticmethod
    def create_id(conference_id: UUID) -> UUID:
        return conference_id

    @event("ConferenceOpened")
    def __init__(
        self,
        conference_id: UUID,
        name: str,
        starts_on: str,
        ends_on: str,
        city: str,
        expected_attendance: int,
        profile: str,
        timezone: str,
        template: str,
        entry_codes: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.name = name
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.city = city
        self.expected_attendance = expected_attendance
        self.profile = profile
        self.timezone = timezone
        self.template = template
        self.entry_codes = list(entry_codes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conference_id": str(self.id),
            "name": self.name,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "city": self.city,
            "expected_attendance": self.expected_attendance,
            "profile": self.profile,
            "timezone": self.timezone,
            "template": self.template,
            "entries": len(self.entry_codes),
        }


class Entry(Aggregate):
    """One verifiable entry of the plan. Verified while it holds at least one proof."""

    @staticmethod
    def create_id(conference_id: str, code: str) -> UUID:
        return entry_id(conference_id, code)

    @event("EntryPlanned")
    def __init__(
        self,
        conference_id: str,
        code: str,
        title_zh: str,
        title_en: str,
        owner_role: str,
        due_on: str,
        verification: dict[str, Any],
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = conference_id
        self.code = code
        self.title_zh = title_zh
        self.title_en = title_en
        self.owner_role = owner_role
        self.due_on = due_on
        self.verification = verification
        self.proofs: list[dict[str, Any]] = []

    @property
    def status(self) -> str:
        return "verified" if self.proofs else "open"

    def has_proof(self, event_id: str) -> bool:
        return any(proof["event_id"] == event_id for proof in self.proofs)

    def verify(self, proof: dict[str, Any], meta: dict[str, Any]) -> None:
        if not self.has_proof(proof["event_id"]):
            self._verified(proof=proof, meta=meta)

    @event("EntryVerified")
    def _verified(self, proof: dict[str, Any], meta: dict[str, Any]) -> None:
        self.proofs = [*self.proofs, proof]

    def withdraw_proofs_of(self, aggregate_id: str, reason: str, meta: dict[str, Any]) -> None:
        """A compensating event of `aggregate_id` undoes the proofs that aggregate gave."""
        withdrawn = [p["event_id"] for p in self.proofs if p["aggregate_id"] == aggregate_id]
        if not withdrawn:
            return
        if len(withdrawn) == len(self.proofs):
            self._reopened(withdrawn=withdrawn, reason=reason, meta=meta)
        else:
            self._proof_withdrawn(withdrawn=withdrawn, reason=reason, meta=meta)

    @event("EntryReopened")
    def _reopened(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self.proofs = [p for p in self.proofs if p["event_id"] not in withdrawn]

    @event("EntryProofWithdrawn")
    def _proof_withdrawn(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self.proofs = [p for p in self.proofs if p["event_id"] not in withdrawn]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": str(self.id),
            "code": self.code,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "owner_role": self.owner_role,
            "due_on": self.due_on,
            "status": self.status,
            "verification": self.verification,
            "proofs": self.proofs,
        }
