"""The conference, its team, and the entries of its plan. No I/O: ids, dates, times and
meta come in as arguments.

An entry is verified only with proof: an event of another service matched by its rule,
or evidence recorded by a person. It may be waived with a reason, and re-opened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .rules import ADD, DONE, REMOVE, progress_percent, rule_from_dict, satisfied

PROFILES = ("academic", "business", "corporate_annual")
PROGRESS_STATES = ("not_started", "in_progress", "blocked", "done")
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
        selection: dict[str, list[str]] | None = None,
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
        self.selection = selection or {"include": [], "exclude": []}
        self.team: dict[str, dict[str, Any]] = {}

    @event("TeamMemberJoined")
    def add_member(
        self, member_id: str, name: str, roles: list[str], email: str | None, meta: dict[str, Any]
    ) -> None:
        self.team = {
            **self.team,
            member_id: {"member_id": member_id, "name": name, "roles": list(roles), "email": email},
        }

    def member(self, member_id: str) -> dict[str, Any]:
        try:
            return self.team[member_id]
        except KeyError:
            raise InvalidCommand(
                f"no team member {member_id} in conference {self.id}", field="member_id"
            ) from None

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
            "selection": self.selection,
            "entries": len(self.entry_codes),
            "team": list(self.team.values()),
        }


class Entry(Aggregate):
    """One verifiable entry of the plan."""

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
        phase: str = "before",
        target: int | None = None,
    ) -> None:
        self.conference_id = conference_id
        self.code = code
        self.title_zh = title_zh
        self.title_en = title_en
        self.owner_role = owner_role
        self.due_on = due_on
        self.verification = verification
        self.phase = phase
        self.target = target
        self.owner: dict[str, Any] | None = None
        self.progress = {"state": "not_started", "percent": 0, "note": None}
        self.proofs: list[dict[str, Any]] = []  # what verifies it now
        self.members: dict[str, dict[str, Any]] = {}  # count and for-all rules
        self.done: list[str] = []
        self.waived: dict[str, Any] | None = None
        self.overdue_for: list[str] = []

    # -- reading ------------------------------------------------------------------------
    @property
    def rule(self):
        spec = (self.verification or {}).get("rule")
        return rule_from_dict(spec) if spec else None

    @property
    def status(self) -> str:
        if self.waived:
            return "waived"
        if self.proofs:
            return "verified"
        if self.progress["state"] in ("in_progress", "blocked", "done") or self.members:
            return "in_progress"
        return "open"

    @property
    def closed(self) -> bool:
        return self.status in ("verified", "waived")

    def has_proof(self, event_id: str) -> bool:
        return any(proof.get("event_id") == event_id for proof in self.proofs)

    # -- automatic rules --------------------------------------------------------------
    def verify(self, proof: dict[str, Any], meta: dict[str, Any]) -> None:
        """A single-event rule matched (kept for that shape: one proof per event)."""
        if not self.has_proof(proof["event_id"]):
            self._verified(proof=proof, meta=meta)

    @event("EntryVerified")
    def _verified(self, proof: dict[str, Any], meta: dict[str, Any]) -> None:
        self.proofs = [*self.proofs, proof]

    def withdraw_proofs_of(self, aggregate_id: str, reason: str, meta: dict[str, Any]) -> None:
        """A compensating event of `aggregate_id` undoes the proofs that aggregate gave."""
        withdrawn = [p["event_id"] for p in self.proofs if p.get("aggregate_id") == aggregate_id]
        if not withdrawn:
            return
        if len(withdrawn) == len(self.proofs) and not self.waived:  # a waiver is undone by hand
            self._reopened(withdrawn=withdrawn, reason=reason, meta=meta)
        else:
            self._proof_withdrawn(withdrawn=withdrawn, reason=reason, meta=meta)

    @event("EntryReopened")
    def _reopened(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self.proofs = [p for p in self.proofs if p.get("event_id") not in withdrawn]
        self.waived = None

    @event("EntryProofWithdrawn")
    def _proof_withdrawn(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self.proofs = [p for p in self.proofs if p.get("event_id") not in withdrawn]

    def observe(self, role: str, proof: dict[str, Any], reason: str, meta: dict[str, Any]) -> None:
        """An event its rule listens to: `role` says whether it adds, removes or completes."""
        rule = self.rule
        aggregate_id = proof["aggregate_id"]
        if rule is None:
            return
        if rule.kind == "event":
            if role == ADD:
                self.verify(proof, meta)
            elif role == REMOVE:
                self.withdraw_proofs_of(aggregate_id, reason, meta)
            return
        known = aggregate_id in self.members
        if (role == ADD and known) or (role == REMOVE and not known):
            return
        if role == DONE and aggregate_id in self.done:
            return
        was = self._rule_holds()
        self._rule_progressed(role=role, aggregate_id=aggregate_id, proof=proof, meta=meta)
        now = self._rule_holds()
        if now and not was:
            summary = {
                "kind": "rule",
                "rule": rule.kind,
                "members": len(self.members),
                "done": len(self._done_members()),
                "target": self.target,
                "event_id": f"rule:{proof['event_id']}",
                "last": proof,
            }
            self._verified(proof=summary, meta=meta)
        elif was and not now:
            withdrawn = [p["event_id"] for p in self.proofs if p.get("kind") == "rule"]
            if len(withdrawn) == len(self.proofs) and not self.waived:
                self._reopened(withdrawn=withdrawn, reason=reason, meta=meta)
            else:
                self._proof_withdrawn(withdrawn=withdrawn, reason=reason, meta=meta)

    def _done_members(self) -> list[str]:
        return [m for m in self.members if m in self.done]

    def _rule_holds(self) -> bool:
        rule = self.rule
        return rule is not None and satisfied(
            rule, len(self.members), len(self._done_members()), self.target or 1
        )

    @event("RuleProgressed")
    def _rule_progressed(
        self, role: str, aggregate_id: str, proof: dict[str, Any], meta: dict[str, Any]
    ) -> None:
        if role == ADD:
            self.members = {**self.members, aggregate_id: proof}
        elif role == REMOVE:
            self.members = {k: v for k, v in self.members.items() if k != aggregate_id}
        elif role == DONE:
            self.done = [*self.done, aggregate_id]
        rule = self.rule
        percent = progress_percent(
            rule, len(self.members), len(self._done_members()), self.target or 1
        )
        self.progress = {**self.progress, "percent": percent}

    # -- by hand ------------------------------------------------------------------------
    def verify_with_evidence(
        self,
        evidence: list[dict[str, Any]],
        verified_by: str,
        verified_at: str,
        meta: dict[str, Any],
    ) -> None:
        if not evidence:
            raise InvalidCommand(
                f"entry {self.code} can be verified by hand only with at least one evidence "
                "record (kind and reference)",
                field="evidence",
            )
        if self.status == "waived":
            raise Conflict(f"entry {self.code} is waived; re-open it first", field="code")
        proof = {
            "kind": "evidence",
            "event_id": f"evidence:{self.version + 1}",
            "evidence": evidence,
            "verified_by": verified_by,
            "verified_at": verified_at,
        }
        self._verified(proof=proof, meta=meta)

    def waive(self, reason: str, waived_by: str, meta: dict[str, Any]) -> None:
        if self.status == "waived":
            raise Conflict(f"entry {self.code} is already waived", field="code")
        self._waived(reason=reason, waived_by=waived_by, meta=meta)

    @event("EntryWaived")
    def _waived(self, reason: str, waived_by: str, meta: dict[str, Any]) -> None:
        self.waived = {"reason": reason, "by": waived_by}

    def reopen(self, reason: str, meta: dict[str, Any]) -> None:
        """Undo a waiver or evidence given by hand; proof from events stays until undone."""
        if self.status not in ("verified", "waived"):
            raise Conflict(
                f"entry {self.code} is {self.status}, not verified or waived", field="code"
            )
        by_hand = [p["event_id"] for p in self.proofs if p.get("kind") == "evidence"]
        if self.status == "verified" and len(by_hand) < len(self.proofs):
            raise Conflict(
                f"entry {self.code} is verified by events of other services; it re-opens when "
                "those are undone (a contract cancelled, a payment refunded)",
                field="code",
            )
        self._reopened(withdrawn=by_hand, reason=reason, meta=meta)

    def assign(self, owner: dict[str, Any], meta: dict[str, Any]) -> None:
        if self.owner != owner:
            self._assigned(owner=owner, meta=meta)

    @event("EntryAssigned")
    def _assigned(self, owner: dict[str, Any], meta: dict[str, Any]) -> None:
        self.owner = owner

    def change_due_date(self, due_on: str, reason: str, meta: dict[str, Any]) -> None:
        if due_on != self.due_on:
            self._due_date_changed(due_on=due_on, reason=reason, meta=meta)

    @event("DueDateChanged")
    def _due_date_changed(self, due_on: str, reason: str, meta: dict[str, Any]) -> None:
        self.due_on = due_on

    def record_progress(
        self, state: str, percent: int, note: str | None, meta: dict[str, Any]
    ) -> None:
        if state not in PROGRESS_STATES:
            raise InvalidCommand(f"must be one of {', '.join(PROGRESS_STATES)}", field="state")
        if not 0 <= percent <= 100:
            raise InvalidCommand("must be from 0 to 100", field="percent")
        new = {"state": state, "percent": percent, "note": note}
        if new != self.progress:
            self._progress_recorded(state=state, percent=percent, note=note, meta=meta)

    @event("ProgressRecorded")
    def _progress_recorded(
        self, state: str, percent: int, note: str | None, meta: dict[str, Any]
    ) -> None:
        self.progress = {"state": state, "percent": percent, "note": note}

    # -- time ---------------------------------------------------------------------------
    def is_overdue(self, today: dt.date) -> bool:
        return not self.closed and dt.date.fromisoformat(self.due_on) < today

    def flag_overdue(self, today: dt.date, meta: dict[str, Any]) -> bool:
        """Record EntryOverdue once per due date; True if it was recorded now."""
        if not self.is_overdue(today) or self.due_on in self.overdue_for:
            return False
        self._overdue(due_on=self.due_on, noticed_on=today.isoformat(), meta=meta)
        return True

    @event("EntryOverdue")
    def _overdue(self, due_on: str, noticed_on: str, meta: dict[str, Any]) -> None:
        self.overdue_for = [*self.overdue_for, due_on]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": str(self.id),
            "code": self.code,
            "section": self.code.split(".")[0],
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "owner_role": self.owner_role,
            "owner": self.owner,
            "phase": self.phase,
            "due_on": self.due_on,
            "status": self.status,
            "progress": self.progress,
            "verification": self.verification,
            "target": self.target,
            "members": len(self.members),
            "proofs": self.proofs,
            "waived": self.waived,
            "overdue": not self.closed and self.due_on in self.overdue_for,
            "version": self.version,
        }
