"""The state of one plan entry, as its events build it. Pure: no I/O.

The Entry aggregate and the plan read model both change an entry through `changes` (what
one event changes, given the entry as it stands) and read it through the same derived
values (status, shown progress), so the plan a reader sees is, by construction, the state
the aggregate holds. Each function takes anything with the entry's attributes: the
aggregate itself, or an `EntryState` (the read model's copy).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any

from .proofs import flags as proof_flags
from .rules import ADD, DONE, REMOVE, UNDONE, Rule, rule_from_dict

CLOSED = ("verified", "waived")
Changes = dict[str, Any]


@dataclass(frozen=True)
class EntryState:
    entry_id: str
    conference_id: str
    code: str
    title_zh: str
    title_en: str
    owner_role: str
    due_on: str
    verification: dict[str, Any]
    phase: str = "before"
    target: int | None = None
    opens_on: str | None = None  # continuous work (window.py): from this day to due_on
    after: list[str] = field(default_factory=list)  # codes of the plan's entries it depends on
    version: int = 1
    owner: dict[str, Any] | None = None
    progress: dict[str, Any] = field(
        default_factory=lambda: {"state": "not_started", "percent": 0, "note": None}
    )
    proofs: list[dict[str, Any]] = field(default_factory=list)  # what verifies it now
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # count, for-all rules
    done: list[str] = field(default_factory=list)
    waived: dict[str, Any] | None = None
    overdue_for: list[str] = field(default_factory=list)

    @classmethod
    def planned(cls, entry_id: str, payload: Mapping[str, Any]) -> EntryState:
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in payload.items() if k in known and v is not None}
        return cls(entry_id=entry_id, **given)

    def apply(self, event_type: str, payload: Mapping[str, Any], version: int) -> EntryState:
        """The state after one more event of this entry (its payload as published)."""
        return replace(self, version=version, **changes(self, event_type, payload))

    # The derived values, for the answer schema and the read model's columns.
    section = property(lambda self: self.code.split(".")[0])
    rule = property(lambda self: rule_of(self))
    status = property(lambda self: status_of(self))
    closed = property(lambda self: status_of(self) in CLOSED)
    shown_progress = property(lambda self: shown_progress(self))
    overdue = property(lambda self: is_flagged_overdue(self))
    flags = property(lambda self: proof_flags(self.proofs))  # e.g. closed on an unnamed proof


STORED = tuple(f.name for f in fields(EntryState) if f.name not in ("entry_id", "version"))
"""The fields the Entry aggregate keeps as its attributes."""


# -- derived values ---------------------------------------------------------------------
def rule_of(entry: Any) -> Rule | None:
    spec = (entry.verification or {}).get("rule")
    return _parsed(json.dumps(spec, sort_keys=True)) if spec else None


@lru_cache(maxsize=1024)
def _parsed(spec: str) -> Rule:
    """A template has a few dozen rules; every entry of every plan shares them."""
    return rule_from_dict(json.loads(spec))


def status_of(entry: Any) -> str:
    if entry.waived:
        return "waived"
    if entry.proofs:
        return "verified"
    if entry.progress["state"] in ("in_progress", "blocked", "done") or entry.members:
        return "in_progress"
    return "open"


def shown_progress(entry: Any) -> dict[str, Any]:
    """Progress as it agrees with the status: a closed entry has nothing left to do; one
    that a rule has started is in progress, whatever was recorded by hand."""
    if status_of(entry) in CLOSED:
        return {**entry.progress, "state": "done", "percent": 100}
    if entry.members and entry.progress["state"] == "not_started":
        return {**entry.progress, "state": "in_progress"}
    return entry.progress


def is_flagged_overdue(entry: Any) -> bool:
    """Flagged overdue for its current due date, and still open."""
    return status_of(entry) not in CLOSED and entry.due_on in entry.overdue_for


def is_past_due(entry: Any, today: dt.date) -> bool:
    return status_of(entry) not in CLOSED and dt.date.fromisoformat(entry.due_on) < today


def done_members(entry: Any) -> list[str]:
    done = set(entry.done)
    return [m for m in entry.members if m in done]


def rule_holds(entry: Any) -> bool:
    rule = rule_of(entry)
    return rule is not None and rule.holds(
        len(entry.members), len(done_members(entry)), entry.target or 1
    )


# -- what each event changes --------------------------------------------------------------
def changes(entry: Any, event_type: str, payload: Mapping[str, Any]) -> Changes:
    """The attributes one event of the entry changes, and their new values."""
    return _CHANGES[event_type](entry, payload)


def _without(entry: Any, withdrawn: list[str]) -> list[dict[str, Any]]:
    return [proof for proof in entry.proofs if proof.get("event_id") not in withdrawn]


def _rule_progressed(entry: Any, p: Mapping[str, Any]) -> Changes:
    return _steps_taken(entry, [p])


def _rule_members_changed(entry: Any, p: Mapping[str, Any]) -> Changes:
    return _steps_taken(entry, p["steps"])


def _steps_taken(entry: Any, steps: list[Mapping[str, Any]]) -> Changes:
    """Members added, removed or done, in order: one copy of the entry's members for all of
    them, since an entry a count rule follows may have thousands."""
    members, done = dict(entry.members), list(entry.done)
    finished = set(done)
    for step in steps:
        role, aggregate_id = step["role"], step["aggregate_id"]
        if role == ADD:
            members[aggregate_id] = step["proof"]
        elif role == REMOVE:
            members.pop(aggregate_id, None)
        elif role == DONE:
            done.append(aggregate_id)
            finished.add(aggregate_id)
        elif role == UNDONE:
            done = [d for d in done if d != aggregate_id]
            finished.discard(aggregate_id)
    rule = rule_of(entry)
    count = sum(1 for m in members if m in finished)
    percent = rule.percent(len(members), count, entry.target or 1) if rule else 0
    return {"members": members, "done": done, "progress": {**entry.progress, "percent": percent}}


def _target_changed(entry: Any, p: Mapping[str, Any]) -> Changes:
    """A new target; the progress a rule has started shows against it."""
    rule, target = rule_of(entry), p["target"]
    if rule is None or not entry.members:
        return {"target": target}
    percent = rule.percent(len(entry.members), len(done_members(entry)), target)
    return {"target": target, "progress": {**entry.progress, "percent": percent}}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


_CHANGES: dict[str, Callable[[Any, Mapping[str, Any]], Changes]] = {
    "EntryVerified": lambda e, p: {"proofs": [*e.proofs, p["proof"]]},
    "EntryReopened": lambda e, p: {"proofs": _without(e, p["withdrawn"]), "waived": None},
    "EntryProofWithdrawn": lambda e, p: {"proofs": _without(e, p["withdrawn"])},
    "RuleProgressed": _rule_progressed,
    "RuleMembersChanged": _rule_members_changed,
    "EntryTargetChanged": _target_changed,
    "EntryWaived": lambda e, p: {"waived": {"reason": p["reason"], "by": p["waived_by"]}},
    "EntryAssigned": lambda e, p: {"owner": p["owner"]},
    "DueDateChanged": lambda e, p: {"due_on": _iso(p["due_on"])},
    "ProgressRecorded": lambda e, p: {
        "progress": {"state": p["state"], "percent": p["percent"], "note": p["note"]}
    },
    "EntryOverdue": lambda e, p: {"overdue_for": [*e.overdue_for, _iso(p["due_on"])]},
}
