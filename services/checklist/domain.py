"""The conference, its team and settings, and the entries of its plan. No I/O: ids, dates,
times and meta come in as arguments.

An entry is verified only with proof: an event of another service matched by its rule,
or evidence recorded by a person. It may be waived with a reason, and re-opened. Its
state changes through `EntryState` (entries.py), which the plan read model shares.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from . import entries, window
from .entries import STORED, EntryState
from .events import PROGRESS_STATES
from .proofs import match_evidence
from .rules import ADD, DONE, REMOVE, UNDONE, Rule

ENTRY_NAMESPACE = uuid.UUID("0b6f5a52-3c1e-4f7e-9a55-2f0a4f1d7c31")


@dataclass(frozen=True)
class Observation:
    """An upstream event an entry's rule listens to: whether it adds, removes or completes
    a member (`member`, by default the event's own aggregate), the proof it is, why, and
    the day it happened at the conference (for continuous work)."""

    role: str
    proof: dict[str, Any]
    reason: str
    meta: dict[str, Any]
    member: str | None = None
    on: dt.date | None = None

    @property
    def member_id(self) -> str:
        return self.proof["aggregate_id"] if self.member is None else self.member


def entry_id(conference_id: str, code: str) -> UUID:
    """Deterministic, so an upstream event finds its entry without a lookup table."""
    return uuid.uuid5(ENTRY_NAMESPACE, f"{conference_id}/{code}")


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
        currency: str = "CNY",  # a conference opened before it names none: CNY
    ) -> None:
        self.name = name
        self.currency = currency
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
        self.settings: dict[str, int | float] = {}  # recorded by ConferenceSettingsChanged

    @event("ConferenceSettingsChanged")
    def change_settings(
        self, settings: dict[str, int | float], reason: str, meta: dict[str, Any]
    ) -> None:
        """Values of the template's settings: all of them when the conference is opened,
        those an organizer changes later."""
        self.settings = {**self.settings, **settings}

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

    @property
    def conference_id(self) -> str:
        return str(self.id)

    @property
    def figures(self) -> dict[str, Any]:
        """What a rule's target may be a share of."""
        return {"expected_attendance": self.expected_attendance}

    @property
    def entries(self) -> int:
        return len(self.entry_codes)

    @property
    def members(self) -> list[dict[str, Any]]:
        return list(self.team.values())


class Entry(Aggregate):
    """One verifiable entry of the plan; its attributes are those of `EntryState`."""

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
        opens_on: str | None = None,
        after: list[str] | None = None,
    ) -> None:
        self._take(
            EntryState(
                entry_id=str(self.id),
                conference_id=conference_id,
                code=code,
                title_zh=title_zh,
                title_en=title_en,
                owner_role=owner_role,
                due_on=due_on,
                verification=verification,
                phase=phase,
                target=target,
                opens_on=opens_on,
                after=list(after or []),
            )
        )

    # -- state --------------------------------------------------------------------------
    @property
    def state(self) -> EntryState:
        """A copy of the entry as the read model keeps it (for answers)."""
        stored = {name: getattr(self, name) for name in STORED}
        return EntryState(entry_id=str(self.id), version=self.version, **stored)

    def _take(self, state: EntryState) -> None:
        for name in STORED:
            setattr(self, name, getattr(state, name))

    def _change(self, event_type: str, **payload: Any) -> None:
        for name, value in entries.changes(self, event_type, payload).items():
            setattr(self, name, value)

    @property
    def rule(self) -> Rule | None:
        return entries.rule_of(self)

    @property
    def status(self) -> str:
        return entries.status_of(self)

    @property
    def closed(self) -> bool:
        return entries.status_of(self) in entries.CLOSED

    def is_overdue(self, today: dt.date) -> bool:
        return entries.is_past_due(self, today)

    def has_proof(self, event_id: str) -> bool:
        return any(proof.get("event_id") == event_id for proof in self.proofs)

    # -- automatic rules --------------------------------------------------------------
    def observe(
        self,
        role: str,
        proof: dict[str, Any],
        reason: str,
        meta: dict[str, Any],
        member: str | None = None,
        on: dt.date | None = None,
    ) -> None:
        """An event its rule listens to: `role` says whether it adds, removes, completes or
        takes a completion back, and `member` of whom (by default, the event's own
        aggregate); `on` is the day it happened at the conference, which continuous work
        needs (window.py)."""
        self.observe_all([Observation(role, proof, reason, meta, member, on)])

    def observe_all(self, seen: Sequence[Observation]) -> None:
        """Events its rule listens to, in the order of their log (a page of it): what a
        count or for-all rule learns from all of them is one event, and the entry is then
        verified or re-opened as the rule holds at the end."""
        rule = self.rule
        if rule is None or not seen:
            return
        # Each matching event is a proof of its own, but for continuous work, where it is
        # progress: its aggregate joins the members, as for a count.
        if rule.per_event and not window.is_continuous(self):
            for o in seen:
                if o.role == ADD and not self.has_proof(o.proof["event_id"]):
                    self._verified(proof=o.proof, meta=o.meta)
                elif o.role == REMOVE:
                    withdrawn = [
                        p["event_id"] for p in self.proofs if p.get("aggregate_id") == o.member_id
                    ]
                    self._withdraw(withdrawn, o.reason, o.meta)
            return
        steps, turn = self._steps(rule, seen)
        if len(steps) == 1:
            (o,) = steps
            self._rule_progressed(role=o.role, aggregate_id=o.member_id, proof=o.proof, meta=o.meta)
        elif steps:
            taken = [{"role": o.role, "aggregate_id": o.member_id, "proof": o.proof} for o in steps]
            self._rule_members_changed(steps=taken, meta=steps[-1].meta)
        # The proof is the event that made the rule hold, with the counts it made, as if
        # the page had been taken one event at a time.
        cause, counts = turn or (seen[-1], None)
        self._settle(
            f"rule:{cause.proof['event_id']}",
            cause.proof,
            cause.reason,
            cause.meta,
            seen[-1].on,
            counts,
        )

    def _steps(
        self, rule: Rule, seen: Sequence[Observation]
    ) -> tuple[list[Observation], tuple[Observation, tuple[int, int]] | None]:
        """The observations that change the members (an add of a member, a removal of a
        non-member, a second done, an undone of one not done change nothing), and the last
        one that turned the rule from holding to not, or back, with the members and those
        done it left: the cause of how it stands at the end."""
        members, done = set(self.members), set(self.done)
        finished, target = len(members & done), self.target or 1
        holds = rule.holds(len(members), finished, target)
        steps: list[Observation] = []
        turn = None
        for o in seen:
            who = o.member_id
            if o.role == ADD and who not in members:
                members.add(who)
                finished += who in done
            elif o.role == REMOVE and who in members:
                members.discard(who)
                finished -= who in done
            elif o.role == DONE and who not in done:
                done.add(who)
                finished += who in members
            elif o.role == UNDONE and who in done:
                done.discard(who)
                finished -= who in members
            else:
                continue
            steps.append(o)
            now = rule.holds(len(members), finished, target)
            if now != holds:
                turn, holds = (o, (len(members), finished)), now
        return steps, turn

    def retarget(
        self, target: int, cause: dict[str, Any], reason: str, meta: dict[str, Any]
    ) -> bool:
        """A conference setting changed how many members its count rule needs: record the
        new target, then verify or re-open the entry as the rule now holds, as an event
        would. `cause` stands for the change (its `event_id` names the proof). True if
        the target changed."""
        if self.rule is None or self.rule.kind != "count" or target == self.target:
            return False
        self._target_changed(target=target, reason=reason, meta=meta)
        self._settle(f"rule:{cause['event_id']}", cause, reason, meta, None)
        return True

    def close_window(self, today: dt.date, meta: dict[str, Any]) -> bool:
        """Continuous work whose rule holds once its window has ended is verified: True if
        it was now. The overdue check asks, each day after the due date."""
        if self.rule is None or not window.is_continuous(self):
            return False
        verified = len(self.proofs)
        self._settle(f"window:{self.due_on}", None, "the window ended", meta, today)
        return len(self.proofs) > verified

    def _settle(
        self,
        event_id: str,
        last: dict[str, Any] | None,
        reason: str,
        meta: dict[str, Any],
        on: dt.date | None,
        counts: tuple[int, int] | None = None,
    ) -> None:
        """A proof from the rule while it holds (for continuous work, from its due date
        on), withdrawn when it no longer does. `counts`: the members and those done when
        it came to hold, if not now."""
        rule = self.rule
        assert rule is not None, "only an entry with a rule settles"
        proved = [p["event_id"] for p in self.proofs if p.get("kind") == "rule"]
        holds = entries.rule_holds(self)
        if holds and not proved and window.has_ended(self, on):
            members, done = counts or (len(self.members), len(entries.done_members(self)))
            summary = {
                "kind": "rule",
                "rule": self.rule.kind,
                "members": members,
                "done": done,
                "target": self.target,
                "event_id": event_id,
                "last": last,
            }
            if window.is_continuous(self) and on is not None:
                summary["closed_on"] = on.isoformat()
            self._verified(proof=summary, meta=meta)
        elif proved and not holds:
            self._withdraw(proved, reason, meta)

    def _withdraw(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        """Withdraw proofs: the entry re-opens when none is left, unless a person waived it
        (a waiver is lifted only by hand)."""
        if not withdrawn:
            return
        if len(withdrawn) == len(self.proofs) and not self.waived:
            self._reopened(withdrawn=withdrawn, reason=reason, meta=meta)
        else:
            self._proof_withdrawn(withdrawn=withdrawn, reason=reason, meta=meta)

    @event("EntryVerified")
    def _verified(self, proof: dict[str, Any], meta: dict[str, Any]) -> None:
        self._change("EntryVerified", proof=proof)

    @event("EntryReopened")
    def _reopened(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self._change("EntryReopened", withdrawn=withdrawn)

    @event("EntryProofWithdrawn")
    def _proof_withdrawn(self, withdrawn: list[str], reason: str, meta: dict[str, Any]) -> None:
        self._change("EntryProofWithdrawn", withdrawn=withdrawn)

    @event("EntryTargetChanged")
    def _target_changed(self, target: int, reason: str, meta: dict[str, Any]) -> None:
        self._change("EntryTargetChanged", target=target)

    @event("RuleProgressed")
    def _rule_progressed(
        self, role: str, aggregate_id: str, proof: dict[str, Any], meta: dict[str, Any]
    ) -> None:
        self._change("RuleProgressed", role=role, aggregate_id=aggregate_id, proof=proof)

    @event("RuleMembersChanged")
    def _rule_members_changed(self, steps: list[dict[str, Any]], meta: dict[str, Any]) -> None:
        self._change("RuleMembersChanged", steps=steps)

    # -- by hand ------------------------------------------------------------------------
    def verify_with_evidence(
        self,
        evidence: list[dict[str, Any]],
        verified_by: str,
        verified_at: str,
        meta: dict[str, Any],
        reason: str | None = None,
        on: dt.date | None = None,
    ) -> None:
        """Verify by hand. Each record says which of the entry's named proofs it is; a
        record that is none of them needs a reason, and flags the entry (proofs.py).
        `on`: the day at the conference; continuous work takes evidence from its due
        date on."""
        if not evidence:
            raise InvalidCommand(
                f"entry {self.code} can be verified by hand only with at least one evidence "
                "record (which proof, and where it is)",
                field="evidence",
            )
        if self.status == "waived":
            raise Conflict(f"entry {self.code} is waived; re-open it first")
        window.check_evidence_day(self, on)
        records, off_list = match_evidence(self.verification, evidence, reason, self.code)
        proof = {
            "kind": "evidence",
            "event_id": f"evidence:{self.version + 1}",
            "evidence": records,
            "verified_by": verified_by,
            "verified_at": verified_at,
        }
        if off_list:
            proof |= {"off_list": True, "reason": reason.strip()}
        self._verified(proof=proof, meta=meta)

    def waive(self, reason: str, waived_by: str, meta: dict[str, Any]) -> None:
        if self.status == "waived":
            raise Conflict(f"entry {self.code} is already waived")
        self._waived(reason=reason, waived_by=waived_by, meta=meta)

    @event("EntryWaived")
    def _waived(self, reason: str, waived_by: str, meta: dict[str, Any]) -> None:
        self._change("EntryWaived", reason=reason, waived_by=waived_by)

    def reopen(self, reason: str, meta: dict[str, Any]) -> None:
        """Undo a waiver or evidence given by hand; proof from events stays until undone."""
        if self.status not in ("verified", "waived"):
            raise Conflict(f"entry {self.code} is {self.status}, not verified or waived")
        by_hand = [p["event_id"] for p in self.proofs if p.get("kind") == "evidence"]
        if self.status == "verified" and len(by_hand) < len(self.proofs):
            raise Conflict(
                f"entry {self.code} is verified by events of other services; it re-opens when "
                "those are undone (a contract cancelled, a payment refunded)"
            )
        self._reopened(withdrawn=by_hand, reason=reason, meta=meta)

    def assign(self, owner: dict[str, Any], meta: dict[str, Any]) -> None:
        if self.owner != owner:
            self._assigned(owner=owner, meta=meta)

    @event("EntryAssigned")
    def _assigned(self, owner: dict[str, Any], meta: dict[str, Any]) -> None:
        self._change("EntryAssigned", owner=owner)

    def change_due_date(self, due_on: str, reason: str, meta: dict[str, Any]) -> None:
        window.check_due_date(self, due_on)
        if due_on != self.due_on:
            self._due_date_changed(due_on=due_on, reason=reason, meta=meta)

    @event("DueDateChanged")
    def _due_date_changed(self, due_on: str, reason: str, meta: dict[str, Any]) -> None:
        self._change("DueDateChanged", due_on=due_on)

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
        self._change("ProgressRecorded", state=state, percent=percent, note=note)

    # -- time ---------------------------------------------------------------------------
    def flag_overdue(self, today: dt.date, meta: dict[str, Any]) -> bool:
        """Record EntryOverdue once per due date; True if it was recorded now."""
        if not self.is_overdue(today) or self.due_on in self.overdue_for:
            return False
        self._overdue(due_on=self.due_on, noticed_on=today.isoformat(), meta=meta)
        return True

    @event("EntryOverdue")
    def _overdue(self, due_on: str, noticed_on: str, meta: dict[str, Any]) -> None:
        self._change("EntryOverdue", due_on=due_on)
