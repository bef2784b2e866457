"""Use cases of checklist: open a conference with its plan, run the plan, and verify
entries from other services' events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.common.domain import CommandContext
from services.common.envelope import Envelope
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.common.store import ServiceApplication

from . import template as templates
from .domain import Conference, Entry, entry_id
from .exchange import ImportRejected, RowError
from .rules import Target


class ChecklistApplication(ServiceApplication):
    name = "checklist"
    template_name = "conference"
    # An entry is read for every event that may prove it; a snapshot every 20 events
    # keeps that read short however many proofs it gathers.
    is_snapshotting_enabled = True
    snapshotting_intervals: ClassVar = {Entry: 20}

    @property
    def template(self) -> templates.Template:
        return templates.load(self.template_name)

    # -- the conference -------------------------------------------------------------
    def open_conference(
        self, ctx: CommandContext, cmd: dict[str, Any], conference_id: uuid.UUID | None = None
    ) -> str:
        conference_id = conference_id or uuid.uuid4()
        if self._exists(conference_id):
            raise Conflict(f"conference {conference_id} is already open", field="conference_id")
        template = self.template
        include, exclude = cmd.get("include") or [], cmd.get("exclude") or []
        try:
            selected = template.select(cmd["profile"], include, exclude)
        except KeyError as exc:
            unknown = exc.args[0]
            field = "include" if set(unknown.split(", ")) & set(include) else "exclude"
            raise InvalidCommand(f"no section, item or entry {unknown}", field) from None
        meta = ctx.meta(str(conference_id))
        conference = Conference(
            conference_id=conference_id,
            name=cmd["name"],
            starts_on=cmd["starts_on"].isoformat(),
            ends_on=cmd["ends_on"].isoformat(),
            city=cmd["city"],
            expected_attendance=cmd["expected_attendance"],
            profile=cmd["profile"],
            timezone=cmd["timezone"],
            template=template.name,
            entry_codes=[e.code for e in selected],
            selection={"include": sorted(include), "exclude": sorted(exclude)},
            meta=meta,
        )
        figures = {"expected_attendance": cmd["expected_attendance"]}
        entries = [
            Entry(
                conference_id=str(conference_id),
                code=t.code,
                title_zh=t.title_zh,
                title_en=t.title_en,
                owner_role=t.owner_role,
                due_on=template.due_on(t.code, cmd["starts_on"], cmd["ends_on"]).isoformat(),
                verification=t.verification(),
                phase=t.phase,
                target=_target(t, figures),
                meta=meta,
            )
            for t in selected
        ]
        self.save(conference, *entries)  # one transaction: the plan is whole or absent
        return str(conference_id)

    def add_member(self, ctx: CommandContext, conference_id: str, cmd: dict[str, Any]) -> dict:
        conference = self.conference(conference_id)
        member_id = cmd.get("member_id") or str(uuid.uuid4())
        if member_id in conference.team:
            raise Conflict(f"team member {member_id} already exists", field="member_id")
        conference.add_member(
            member_id=member_id,
            name=cmd["name"],
            roles=cmd["roles"],
            email=cmd.get("email"),
            meta=ctx.meta(conference_id),
        )
        self.save(conference)
        return conference.team[member_id]

    # -- running the plan --------------------------------------------------------------
    def assign(self, ctx: CommandContext, conference_id: str, cmd: dict[str, Any]) -> dict:
        """Give entries an owner: the codes named, or every entry of a role."""
        conference = self.conference(conference_id)
        member = conference.member(cmd["member_id"])
        codes = cmd.get("codes") or []
        if cmd.get("role"):
            codes += [c for c in conference.entry_codes if self._template_role(c) == cmd["role"]]
        if not codes:
            raise InvalidCommand("name entry codes, or a role whose entries to assign", "codes")
        entries = [self._entry_of(conference, code) for code in dict.fromkeys(codes)]
        owner = {"member_id": member["member_id"], "name": member["name"]}
        for entry in entries:
            entry.assign(owner, ctx.meta(conference_id))
        self.save(*entries)
        return {"assigned": [e.code for e in entries], "owner": owner}

    def change_due_date(self, ctx, conference_id: str, code: str, cmd: dict[str, Any]) -> dict:
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id,
            code,
            lambda e: e.change_due_date(cmd["due_on"].isoformat(), cmd["reason"], meta),
        )

    def record_progress(self, ctx, conference_id: str, code: str, cmd: dict[str, Any]) -> dict:
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id,
            code,
            lambda e: e.record_progress(cmd["state"], cmd["percent"], cmd.get("note"), meta),
        )

    def verify_by_hand(self, ctx, conference_id: str, code: str, cmd: dict[str, Any]) -> dict:
        now = cmd["now"].isoformat()
        evidence = [
            {
                "kind": e["kind"],
                "reference": e["reference"],
                "recorded_by": ctx.actor,
                "recorded_at": now,
            }
            for e in cmd.get("evidence") or []
        ]
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id,
            code,
            lambda e: e.verify_with_evidence(evidence, ctx.actor, now, meta),
        )

    def waive(self, ctx, conference_id: str, code: str, cmd: dict[str, Any]) -> dict:
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id, code, lambda e: e.waive(cmd["reason"], ctx.actor, meta)
        )

    def reopen(self, ctx, conference_id: str, code: str, cmd: dict[str, Any]) -> dict:
        meta = ctx.meta(conference_id)
        return self._change_entry(conference_id, code, lambda e: e.reopen(cmd["reason"], meta))

    def _change_entry(
        self, conference_id: str, code: str, change: Callable[[Entry], None]
    ) -> dict[str, Any]:
        """Load one entry of the conference's plan, apply a command to it, save, show it."""
        entry = self._entry_of(self.conference(conference_id), code)
        change(entry)
        self.save(entry)
        return entry.to_dict()

    def flag_overdue(self, ctx: CommandContext, conference_id: str, today: dt.date) -> list:
        """Record EntryOverdue for each entry past its due date (once per due date)."""
        conference = self.conference(conference_id)
        flagged = [
            entry
            for entry in self._entries(conference)
            if entry.flag_overdue(today, ctx.meta(conference_id))
        ]
        if flagged:
            self.save(*flagged)
        return [e.code for e in flagged]

    # -- queries ------------------------------------------------------------------------
    def conference(self, conference_id: str) -> Conference:
        try:
            conference = self.repository.get(uuid.UUID(str(conference_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFound(f"no conference {conference_id}", field="conference_id") from None
        if not isinstance(conference, Conference):
            raise NotFound(f"no conference {conference_id}", field="conference_id")
        return conference

    def plan(self, conference_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """The plan, filtered by section, owner, status, phase or due window, in a language.

        `owner` matches a member id, a member name or an owner role; `status: overdue`
        selects open entries past their due date (as of `today`).
        """
        query = query or {}
        conference = self.conference(conference_id)
        today = query.get("today") or dt.date.today()
        entries = [
            _in_language(entry.to_dict(), query.get("lang") or "en")
            for entry in self._entries(conference)
            if _wanted(entry, query, today)
        ]
        return {"conference": conference.to_dict(), "entries": entries}

    def statistics(self, today: dt.date) -> dict[str, dict[str, int]]:
        """Entries by status, and overdue entries by section and by owner, of every plan."""
        by_status: dict[str, int] = {}
        overdue_section: dict[str, int] = {}
        overdue_owner: dict[str, int] = {}
        for conference_id in self.conference_ids():
            for entry in self._entries(self.conference(conference_id)):
                by_status[entry.status] = by_status.get(entry.status, 0) + 1
                if entry.is_overdue(today):
                    section = entry.code.split(".")[0]
                    owner = (entry.owner or {}).get("name") or f"role:{entry.owner_role}"
                    overdue_section[section] = overdue_section.get(section, 0) + 1
                    overdue_owner[owner] = overdue_owner.get(owner, 0) + 1
        return {"status": by_status, "section": overdue_section, "owner": overdue_owner}

    def entry(self, conference_id: str, code: str) -> dict[str, Any]:
        return self._entry_of(self.conference(conference_id), code).to_dict()

    def conference_ids(self) -> list[str]:
        """Every conference, for the overdue timer (read from the log of ConferenceOpened)."""
        return [
            str(n.originator_id)
            for n in self.recorder.select_notifications(
                start=1, limit=1_000_000, topics=[_topic(Conference.ConferenceOpened)]
            )
        ]

    def _entries(self, conference: Conference) -> Iterable[Entry]:
        for code in conference.entry_codes:
            yield self.repository.get(entry_id(str(conference.id), code))

    def _entry_of(self, conference: Conference, code: str) -> Entry:
        if code not in conference.entry_codes:
            raise NotFound(f"conference {conference.id} has no entry {code}", field="code")
        return self.repository.get(entry_id(str(conference.id), code))

    def _template_role(self, code: str) -> str | None:
        try:
            return self.template.entry(code).owner_role
        except KeyError:
            return None

    def _exists(self, aggregate_id: uuid.UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    # -- policy: upstream events verify and re-open entries ----------------------------
    def policy(self, envelope: Envelope, payload: dict[str, Any], processing: ProcessingEvent):
        if envelope.conference_id is None:
            return
        key = f"{envelope.service}.{envelope.event_type}"
        concerned = self.template.rules.concerned(key, envelope.payload)
        if not concerned:
            return
        meta = CommandContext.caused_by(envelope).meta(envelope.conference_id)
        proof = proof_of(envelope)
        reason = f"{key} of {envelope.aggregate_type} {envelope.aggregate_id}"
        if payload.get("reason"):
            reason += f": {payload['reason']}"
        touched: dict[str, Entry] = {}
        for code, role in concerned:
            entry = touched.get(code) or self._planned_entry(envelope.conference_id, code)
            if entry is not None:
                entry.observe(role, proof, reason, meta)
                touched[code] = entry
        processing.collect_events(*touched.values())

    def _planned_entry(self, conference_id: str, code: str) -> Entry | None:
        try:
            return self.repository.get(entry_id(conference_id, code))
        except AggregateNotFoundError:
            return None  # the conference's plan does not contain this entry

    # -- views and exchange -----------------------------------------------------------
    def import_plan(
        self,
        ctx: CommandContext,
        conference_id: str,
        changes: list[dict[str, Any]],
        source: str = "plan.xlsx",
    ) -> dict[str, Any]:
        """Apply owners, due dates and progress of imported rows in one save, or nothing.

        `changes` are `exchange.parse_xlsx`'s: {row, code, owner?, due_on?, progress?}. A
        row naming an entry or a member the plan does not have rejects the whole import.
        """
        conference = self.conference(conference_id)
        errors = [
            RowError(c.get("row"), "code", f"no entry {c['code']} in this plan")
            for c in changes
            if c["code"] not in conference.entry_codes
        ] + [
            RowError(c.get("row"), "owner", f"no team member {c['owner']!r} in this conference")
            for c in changes
            if c.get("owner") and c["owner"] not in conference.team
        ]
        if errors:
            raise ImportRejected(errors)
        meta = ctx.meta(conference_id)
        changed: list[Entry] = []
        for change in changes:
            entry = self._entry_of(conference, change["code"])
            version = entry.version
            if change.get("owner"):
                member = conference.team[change["owner"]]
                entry.assign({"member_id": member["member_id"], "name": member["name"]}, meta)
            if change.get("due_on"):
                entry.change_due_date(change["due_on"].isoformat(), f"imported from {source}", meta)
            if change.get("progress"):
                progress = {**entry.progress, **change["progress"]}
                entry.record_progress(
                    progress["state"], progress["percent"], progress["note"], meta
                )
            if entry.version != version:
                changed.append(entry)
        if changed:
            self.save(*changed)  # one transaction: every row applied, or none
        return {
            "applied": len(changed),
            "unchanged": len(changes) - len(changed),
            "entries": [e.code for e in changed],
        }


def _wanted(entry: Entry, query: dict[str, Any], today: dt.date) -> bool:
    owner = query.get("owner")
    status = query.get("status")
    due = dt.date.fromisoformat(entry.due_on)
    return (
        (not query.get("section") or entry.code.split(".")[0] == query["section"])
        and (not query.get("phase") or entry.phase == query["phase"])
        and (
            not owner
            or owner == entry.owner_role
            or owner in ((entry.owner or {}).get("member_id"), (entry.owner or {}).get("name"))
        )
        and (
            not status
            or (entry.is_overdue(today) if status == "overdue" else entry.status == status)
        )
        and (not query.get("due_from") or due >= query["due_from"])
        and (not query.get("due_to") or due <= query["due_to"])
    )


def _in_language(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**entry, "title": entry["title_zh"] if lang == "zh" else entry["title_en"]}


def _target(entry: templates.TemplateEntry, figures: dict[str, Any]) -> int | None:
    target = getattr(entry.rule, "target", None)
    return target.resolve(figures) if isinstance(target, Target) else None


def _topic(cls: type) -> str:
    from eventsourcing.utils import get_topic

    return get_topic(cls)


def proof_of(envelope: Envelope) -> dict[str, Any]:
    return {
        "service": envelope.service,
        "event_type": envelope.event_type,
        "event_id": envelope.event_id,
        "notification_id": envelope.notification_id,
        "aggregate_id": envelope.aggregate_id,
        "occurred_at": envelope.occurred_at,
        "actor": envelope.actor,
    }
