"""The plan read model: one row per entry (status, owner, due date, progress, proofs) and
one per conference, kept from checklist's own events with the same exactly-once tracking
as any projection (docs/architecture.md, "The plan read model").

Each row holds the entry's state and its answer, dumped by the answer schema when the
event is applied; a read selects rows and joins their answers, and never replays an
entry. Before every read the model catches up with the store, so a reader sees every
command that returned before it asked.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import fields
from typing import Any
from zoneinfo import ZoneInfo

from services.common.database import Cursor, Database
from services.common.domain import Clock, utc_now
from services.common.envelope import Envelope
from services.common.errors import NotFound
from services.common.http import RawJson
from services.common.outbox import LocalReadModel

from .commands import PlanQuery
from .entries import EntryState
from .schemas import ConferenceAnswer, EntryAnswer

ENTRY_EVENTS = (
    "EntryVerified",
    "EntryReopened",
    "EntryProofWithdrawn",
    "RuleProgressed",
    "RuleMembersChanged",
    "EntryTargetChanged",
    "EntryWaived",
    "EntryAssigned",
    "DueDateChanged",
    "ProgressRecorded",
    "EntryOverdue",
)
_ENTRY = EntryAnswer()
_CONFERENCE = ConferenceAnswer()
_STATE = tuple(f.name for f in fields(EntryState))


def _state_json(state: EntryState) -> str:
    """The entry's state as the row keeps it: its members by id alone. A reader is shown
    how many there are; each one's proof is in the entry's events, and a count of
    10,000 attendees written again with every proof on each change was most of this
    model's time."""
    kept = {name: getattr(state, name) for name in _STATE}
    kept["members"] = list(state.members)
    return _dumps(kept)


def _state_of(row_state: str) -> EntryState:
    """A row's entry state; members kept by id (or, in a row written before, with their
    proofs) come back as the ids, each with no proof."""
    data = json.loads(row_state)
    data["members"] = dict.fromkeys(data.get("members") or (), _NO_PROOF)
    return EntryState(**data)


_NO_PROOF: dict[str, Any] = {}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class PlanProjection:
    """How checklist's events change the rows (the `Projection` of a ProjectionSink)."""

    tables = ("plan_entries", "plan_conferences")

    def __init__(self) -> None:
        # Where each code stands in its plan; a plan's codes never change once opened.
        self._positions: dict[str, dict[str, int]] = {}

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (conference_id TEXT PRIMARY KEY, "
            "timezone TEXT NOT NULL, state TEXT NOT NULL, answer TEXT NOT NULL)",
            t="plan_conferences",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (entry_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, code TEXT NOT NULL, position INTEGER NOT NULL, "
            "section TEXT NOT NULL, phase TEXT NOT NULL, "
            "owner_role TEXT NOT NULL, owner_id TEXT, owner_name TEXT, due_on TEXT NOT NULL, "
            "status TEXT NOT NULL, closed INTEGER NOT NULL, overdue INTEGER NOT NULL, "
            "title_en TEXT NOT NULL, title_zh TEXT NOT NULL, state TEXT NOT NULL, "
            "answer TEXT NOT NULL, UNIQUE (conference_id, position), "
            "UNIQUE (conference_id, code))",
            t="plan_entries",
        )
        for name, columns in (("open", "closed, due_on"), ("status", "status, overdue")):
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS plan_entries_{name} ON {{t}} ({columns})",
                t="plan_entries",
            )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind, data = envelope.event_type, envelope.payload
        if kind == "ConferenceOpened":
            self._opened(cur, envelope.aggregate_id, data)
        elif kind == "ConferenceSettingsChanged":
            self._settings_changed(cur, envelope.aggregate_id, data)
        elif kind == "TeamMemberJoined":
            self._joined(cur, envelope.aggregate_id, data)
        elif kind == "EntryPlanned":
            self._planned(cur, envelope, data)
        elif kind in ENTRY_EVENTS:
            self._changed(cur, envelope, data)

    # -- conferences --------------------------------------------------------------------
    def _opened(self, cur: Cursor, conference_id: str, data: Mapping[str, Any]) -> None:
        state = {
            "conference_id": conference_id,
            **{k: data[k] for k in ConferenceAnswer.STATE if k in data},
            "selection": data.get("selection") or {"include": [], "exclude": []},
            "settings": {},
            "entry_codes": list(data["entry_codes"]),
            "entries": len(data["entry_codes"]),
            "members": [],
        }
        cur.execute(
            "INSERT INTO {t} (conference_id, timezone, state, answer) VALUES ({p}, {p}, {p}, {p})",
            [conference_id, data["timezone"], _dumps(state), _dumps(_CONFERENCE.dump(state))],
            t="plan_conferences",
        )

    def _joined(self, cur: Cursor, conference_id: str, data: Mapping[str, Any]) -> None:
        state = _conference_state(cur, conference_id)
        member = {k: data[k] for k in ("member_id", "name", "roles", "email")}
        others = [m for m in state["members"] if m["member_id"] != member["member_id"]]
        state["members"] = [*others, member]
        _update_conference(cur, conference_id, state)

    def _settings_changed(self, cur: Cursor, conference_id: str, data: Mapping[str, Any]) -> None:
        state = _conference_state(cur, conference_id)
        state["settings"] = {**state.get("settings", {}), **data["settings"]}
        _update_conference(cur, conference_id, state)

    # -- entries --------------------------------------------------------------------------
    def _planned(self, cur: Cursor, envelope: Envelope, data: Mapping[str, Any]) -> None:
        state = EntryState.planned(envelope.aggregate_id, data)
        positions = self._positions.get(state.conference_id)
        if positions is None:
            codes = _conference_state(cur, state.conference_id)["entry_codes"]
            positions = self._positions[state.conference_id] = {c: i for i, c in enumerate(codes)}
        position = positions[state.code]
        cur.execute(
            "INSERT INTO {t} (entry_id, conference_id, code, position, section, phase, "
            "owner_role, owner_id, owner_name, due_on, status, closed, overdue, title_en, "
            "title_zh, state, answer) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, "
            "{p}, {p}, {p}, {p}, {p}, {p}, {p})",
            [
                state.entry_id,
                state.conference_id,
                state.code,
                position,
                state.section,
                state.phase,
                state.owner_role,
                *self._columns(state),
                state.title_en,
                state.title_zh,
                _state_json(state),
                _dumps(_ENTRY.dump(state)),
            ],
            t="plan_entries",
        )

    def _changed(self, cur: Cursor, envelope: Envelope, data: Mapping[str, Any]) -> None:
        row = cur.execute(
            "SELECT state FROM {t} WHERE entry_id = {p}", [envelope.aggregate_id], t="plan_entries"
        ).fetchone()
        state = _state_of(row[0]).apply(envelope.event_type, data, envelope.aggregate_version)
        cur.execute(
            "UPDATE {t} SET owner_id = {p}, owner_name = {p}, due_on = {p}, status = {p}, "
            "closed = {p}, overdue = {p}, state = {p}, answer = {p} WHERE entry_id = {p}",
            [
                *self._columns(state),
                _state_json(state),
                _dumps(_ENTRY.dump(state)),
                state.entry_id,
            ],
            t="plan_entries",
        )

    @staticmethod
    def _columns(state: EntryState) -> list[Any]:
        owner = state.owner or {}
        return [
            owner.get("member_id"),
            owner.get("name"),
            state.due_on,
            state.status,
            int(state.closed),
            int(state.overdue),
        ]


def _update_conference(cur: Cursor, conference_id: str, state: dict[str, Any]) -> None:
    cur.execute(
        "UPDATE {t} SET state = {p}, answer = {p} WHERE conference_id = {p}",
        [_dumps(state), _dumps(_CONFERENCE.dump(state)), conference_id],
        t="plan_conferences",
    )


def _conference_state(cur: Cursor, conference_id: str) -> dict[str, Any]:
    row = cur.execute(
        "SELECT state FROM {t} WHERE conference_id = {p}", [conference_id], t="plan_conferences"
    ).fetchone()
    return json.loads(row[0])


class PlanView:
    """Reads of the plan: whole or filtered, one entry, statistics, overdue candidates."""

    def __init__(self, db: Database, model: LocalReadModel, clock: Clock = utc_now) -> None:
        self.db = db
        self.model = model
        self.clock = clock

    def today(self, timezone: str) -> dt.date:
        return self.clock().astimezone(ZoneInfo(timezone)).date()

    def conference(self, conference_id: str) -> RawJson:
        return RawJson(self._conference(conference_id)[1].encode())

    def settings(self, conference_id: str) -> tuple[dict[str, Any], list[str]]:
        """The conference's setting values (none recorded if opened before settings
        existed) and its plan's entry codes."""
        self._conference(conference_id)
        with self.db.transaction() as cur:
            state = _conference_state(cur, conference_id)
        return state.get("settings") or {}, state["entry_codes"]

    def plan(self, conference_id: str, query: PlanQuery | None = None) -> RawJson:
        """`{"conference": ..., "entries": [...]}`, the entries in plan order, filtered."""
        query = query or PlanQuery()
        timezone, conference = self._conference(conference_id)
        entries = ",".join(self._answers(conference_id, query, timezone))
        return RawJson(f'{{"conference":{conference},"entries":[{entries}]}}'.encode())

    def entries(self, conference_id: str, query: PlanQuery | None = None) -> dict[str, Any]:
        """The same, decoded: for exports."""
        return json.loads(self.plan(conference_id, query).body)

    def entry(self, conference_id: str, code: str) -> RawJson:
        self._conference(conference_id)
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT answer FROM {t} WHERE conference_id = {p} AND code = {p}",
                [conference_id, code],
                t="plan_entries",
            ).fetchone()
        if row is None:
            raise NotFound(f"conference {conference_id} has no entry {code}", field="code")
        return RawJson(row[0].encode())

    def conference_zones(self) -> dict[str, str]:
        """Every conference and its time zone."""
        self.model.catch_up()
        with self.db.transaction() as cur:
            rows = cur.execute("SELECT conference_id, timezone FROM {t}", t="plan_conferences")
            return dict(rows.fetchall())

    def overdue_candidates(self, conference_id: str, today: dt.date) -> list[str]:
        """Codes of open entries past their due date and not yet flagged for it."""
        self.model.catch_up()
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT code FROM {t} WHERE conference_id = {p} AND closed = 0 AND overdue = 0 "
                "AND due_on < {p} ORDER BY position",
                [conference_id, today.isoformat()],
                t="plan_entries",
            ).fetchall()
        return [code for (code,) in rows]

    def statistics(self) -> dict[str, dict[str, int]]:
        """Entries by status; entries flagged overdue (open, past their due date when last
        checked, as of each conference's own today) by section and by owner
        (`role:<role>` when nobody owns them)."""
        self.model.catch_up()
        owner = "COALESCE(owner_name, 'role:' || owner_role)"
        with self.db.transaction() as cur:
            by_status = cur.execute(
                "SELECT status, COUNT(*) FROM {t} GROUP BY status", t="plan_entries"
            ).fetchall()
            by_section = cur.execute(
                "SELECT section, COUNT(*) FROM {t} WHERE overdue = 1 GROUP BY section",
                t="plan_entries",
            ).fetchall()
            by_owner = cur.execute(
                f"SELECT {owner}, COUNT(*) FROM {{t}} WHERE overdue = 1 GROUP BY {owner}",
                t="plan_entries",
            ).fetchall()
        return {"status": dict(by_status), "section": dict(by_section), "owner": dict(by_owner)}

    # -- internals ------------------------------------------------------------------------
    def _conference(self, conference_id: str) -> tuple[str, str]:
        self.model.catch_up()
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT timezone, answer FROM {t} WHERE conference_id = {p}",
                [conference_id],
                t="plan_conferences",
            ).fetchone()
        if row is None:
            raise NotFound(f"no conference {conference_id}", field="conference_id")
        return row[0], row[1]

    def _answers(self, conference_id: str, query: PlanQuery, timezone: str) -> Iterator[str]:
        clauses, params = ["conference_id = {p}"], [conference_id]
        for column, value in (("section", query.section), ("phase", query.phase)):
            if value:
                clauses.append(f"{column} = {{p}}")
                params.append(value)
        if query.owner:
            clauses.append("(owner_role = {p} OR owner_id = {p} OR owner_name = {p})")
            params += [query.owner] * 3
        if query.status == "overdue":
            clauses.append("closed = 0 AND due_on < {p}")
            params.append(self.today(timezone).isoformat())
        elif query.status:
            clauses.append("status = {p}")
            params.append(query.status)
        if query.due_from:
            clauses.append("due_on >= {p}")
            params.append(query.due_from.isoformat())
        if query.due_to:
            clauses.append("due_on <= {p}")
            params.append(query.due_to.isoformat())
        title = "title_zh" if query.lang == "zh" else "title_en"
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {title}, answer FROM {{t}} WHERE {' AND '.join(clauses)} "
                "ORDER BY position",
                params,
                t="plan_entries",
            ).fetchall()
        for text, answer in rows:  # the answer with the title of the chosen language first
            yield f'{{"title":{json.dumps(text, ensure_ascii=False)},{answer[1:]}'
