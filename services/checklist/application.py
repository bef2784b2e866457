"""Use cases of checklist: open a conference with its plan; verify entries from events."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.common.domain import CommandContext
from services.common.envelope import Envelope
from services.common.errors import Conflict, NotFound
from services.common.store import ServiceApplication

from . import template as templates
from .domain import Conference, Entry, due_on, entry_id


class ChecklistApplication(ServiceApplication):
    name = "checklist"
    template_name = "starter"
    # An entry is read for every event that may prove it; a snapshot every 20 events
    # keeps that read short however many proofs it gathers.
    is_snapshotting_enabled = True
    snapshotting_intervals: ClassVar = {Entry: 20}

    @property
    def template(self) -> templates.Template:
        return templates.load(self.template_name)

    # -- commands -----------------------------------------------------------------
    def open_conference(
        self, ctx: CommandContext, cmd: dict[str, Any], conference_id: uuid.UUID | None = None
    ) -> str:
        conference_id = conference_id or uuid.uuid4()
        if self._exists(conference_id):
            raise Conflict(f"conference {conference_id} is already open", field="conference_id")
        meta = ctx.meta(str(conference_id))
        template = self.template
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
            entry_codes=[e.code for e in template.entries],
            meta=meta,
        )
        entries = [
            Entry(
                conference_id=str(conference_id),
                code=t.code,
                title_zh=t.title_zh,
                title_en=t.title_en,
                owner_role=t.owner_role,
                due_on=due_on(
                    cmd["starts_on"], cmd["ends_on"], t.milestone, t.offset_days
                ).isoformat(),
                verification=t.verification(),
                meta=meta,
            )
            for t in template.entries
        ]
        self.save(conference, *entries)  # one transaction: the plan is whole or absent
        return str(conference_id)

    def _exists(self, aggregate_id: uuid.UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    # -- queries ------------------------------------------------------------------
    def conference(self, conference_id: str) -> Conference:
        try:
            conference = self.repository.get(uuid.UUID(str(conference_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFound(f"no conference {conference_id}", field="conference_id") from None
        if not isinstance(conference, Conference):
            raise NotFound(f"no conference {conference_id}", field="conference_id")
        return conference

    def plan(self, conference_id: str) -> dict[str, Any]:
        conference = self.conference(conference_id)
        entries = [
            self.repository.get(entry_id(str(conference.id), code)).to_dict()
            for code in conference.entry_codes
        ]
        return {"conference": conference.to_dict(), "entries": entries}

    # -- policy: upstream events verify and re-open entries -----------------------
    def policy(self, envelope: Envelope, payload: dict[str, Any], processing: ProcessingEvent):
        if envelope.conference_id is None:
            return
        key = f"{envelope.service}.{envelope.event_type}"
        rules = self.template.rules
        meta = CommandContext.caused_by(envelope).meta(envelope.conference_id)
        for code in rules.verified_by(key, payload):
            entry = self._entry(envelope.conference_id, code)
            if entry is not None:
                entry.verify(proof_of(envelope), meta)
                processing.collect_events(entry)
        for code in rules.reopened_by(key):
            entry = self._entry(envelope.conference_id, code)
            if entry is not None:
                reason = f"{key} of {envelope.aggregate_type} {envelope.aggregate_id}"
                if payload.get("reason"):
                    reason += f": {payload['reason']}"
                entry.withdraw_proofs_of(envelope.aggregate_id, reason, meta)
                processing.collect_events(entry)

    def _entry(self, conference_id: str, code: str) -> Entry | None:
        try:
            return self.repository.get(entry_id(conference_id, code))
        except AggregateNotFoundError:
            return None  # the conference's plan does not contain this entry


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
