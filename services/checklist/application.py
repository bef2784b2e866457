"""Use cases of checklist: open a conference with its plan and settings, run the plan, and
verify entries from other services' events (its `policy`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from services.common.domain import Clock, CommandContext, utc_now
from services.common.envelope import event_id_for
from services.common.errors import Conflict, InvalidCommand, NotFound, about
from services.common.sinks import UpstreamEvent
from services.common.store import OnSaved, ServiceApplication, project_events

from . import commands as c
from . import template as templates
from . import window
from .domain import Conference, Entry, Observation, entry_id
from .plan_import import ImportRejected, SheetReader
from .rules import Target
from .schedule import depends_on
from .settings import SettingError

OPENED = "set when the conference was opened"


class ChecklistApplication(ServiceApplication):
    name = "checklist"
    # An entry is read for every event that may prove it; a snapshot every 20 events
    # keeps that read short however many proofs it gathers.
    is_snapshotting_enabled = True
    snapshotting_intervals: ClassVar = {Entry: 20}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        on_saved: OnSaved | None = None,
        *,
        template: templates.Template,
        read_sheet: SheetReader | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(env, on_saved)
        self.template = template
        self.read_sheet = read_sheet
        self.clock = clock

    # -- the conference -------------------------------------------------------------
    def open_conference(self, cmd: c.OpenConference, ctx: CommandContext) -> Conference:
        conference_id = cmd.conference_id or uuid.uuid4()
        if self.exists(conference_id):
            raise Conflict(f"conference {conference_id} is already open", field="conference_id")
        template = self.template
        try:
            selected = template.select(cmd.profile, cmd.include, cmd.exclude)
        except KeyError as exc:
            unknown = exc.args[0]
            field = "include" if set(unknown.split(", ")) & set(cmd.include) else "exclude"
            raise InvalidCommand(f"no section, item or entry {unknown}", field) from None
        settings = self._checked_settings(cmd.settings, defaults=True)
        meta = ctx.meta(str(conference_id))
        conference = Conference(
            conference_id=conference_id,
            name=cmd.name,
            starts_on=cmd.starts_on.isoformat(),
            ends_on=cmd.ends_on.isoformat(),
            city=cmd.city,
            expected_attendance=cmd.expected_attendance,
            profile=cmd.profile,
            timezone=cmd.timezone,
            currency=cmd.currency,
            template=template.name,
            entry_codes=[e.code for e in selected],
            selection={"include": sorted(cmd.include), "exclude": sorted(cmd.exclude)},
            meta=meta,
        )
        if settings:  # all of them, defaults included: a later template keeps them
            conference.change_settings(settings=settings, reason=OPENED, meta=meta)
        figures = conference.figures
        planned = {e.code for e in selected}
        dates = (cmd.starts_on, cmd.ends_on, cmd.profile)
        entries = [
            Entry(
                conference_id=str(conference_id),
                code=t.code,
                title_zh=t.title_zh,
                title_en=t.title_en,
                owner_role=t.owner_role,
                due_on=template.due_on(t.code, *dates).isoformat(),
                verification=t.verification(),
                phase=t.phase,
                target=_target(t, figures, settings),
                opens_on=_iso(template.opens_on(t.code, *dates)),
                # a dependency on an entry this plan does not have is not in force in it
                after=[code for code in depends_on(t) if code in planned],
                meta=meta,
            )
            for t in selected
        ]
        self.save(conference, *entries)  # one transaction: the plan is whole or absent
        return conference

    def add_member(
        self, conference_id: str, cmd: c.AddMember, ctx: CommandContext
    ) -> dict[str, Any]:
        conference = self.conference(conference_id)
        member_id = cmd.member_id or str(uuid.uuid4())
        if member_id in conference.team:
            raise Conflict(f"team member {member_id} already exists", field="member_id")
        conference.add_member(
            member_id=member_id,
            name=cmd.name,
            roles=list(cmd.roles),
            email=cmd.email,
            meta=ctx.meta(conference_id),
        )
        self.save(conference)
        return conference.team[member_id]

    def change_settings(
        self, conference_id: str, cmd: c.ChangeSettings, ctx: CommandContext
    ) -> dict[str, Any]:
        """Change some settings of a conference; every entry whose rule takes its target
        from one of them is re-evaluated (verified, or re-opened, as its rule now holds).
        One transaction; a value equal to the current one changes nothing."""
        conference = self.conference(conference_id)
        given = self._checked_settings(cmd.settings, defaults=False)
        changed = {k: v for k, v in given.items() if conference.settings.get(k) != v}
        retargeted: list[Entry] = []
        if changed:
            meta = ctx.meta(conference_id)
            conference.change_settings(settings=changed, reason=cmd.reason, meta=meta)
            cause = {
                "service": self.name,
                "event_type": "ConferenceSettingsChanged",
                "event_id": event_id_for(conference.id, conference.version),
                "aggregate_id": str(conference.id),
                "settings": changed,
                "actor": ctx.actor,
            }
            reason = "settings changed: " + ", ".join(f"{k} = {v}" for k, v in changed.items())
            retargeted = self._retarget(
                conference, changed, cause, f"{reason} ({cmd.reason})", meta
            )
            self.save(conference, *retargeted)
        return {
            "conference_id": str(conference.id),
            "changed": changed,
            "settings": self.template.describe_settings(
                conference.settings, conference.entry_codes
            ),
            "entries": [e.state for e in retargeted],
        }

    def _retarget(
        self,
        conference: Conference,
        changed: dict[str, Any],
        cause: dict[str, Any],
        reason: str,
        meta: dict[str, Any],
    ) -> list[Entry]:
        """The entries of the plan whose target follows a changed setting, given their new
        target. An entry planned before its rule named the setting keeps its number."""
        planned = set(conference.entry_codes)
        codes = [code for name in changed for code in self.template.using(name)]
        retargeted = []
        for code in dict.fromkeys(code for code in codes if code in planned):
            entry = self._entry_of(conference, code)
            target = getattr(entry.rule, "target", None)
            if not isinstance(target, Target) or target.setting not in changed:
                continue
            new = target.resolve(conference.figures, conference.settings)
            if entry.retarget(new, cause, reason, meta):
                retargeted.append(entry)
        return retargeted

    def _checked_settings(self, given: Any, defaults: bool) -> dict[str, int | float]:
        try:
            return self.template.setting_values(given, defaults)
        except SettingError as exc:
            raise InvalidCommand(str(exc), field="settings") from None

    # -- running the plan --------------------------------------------------------------
    def assign(self, conference_id: str, cmd: c.Assign, ctx: CommandContext) -> dict[str, Any]:
        """Give entries an owner: the codes named, or every entry of a role."""
        conference = self.conference(conference_id)
        member = conference.member(cmd.member_id)
        codes = list(cmd.codes)
        if cmd.role:
            codes += [c for c in conference.entry_codes if self._template_role(c) == cmd.role]
        if not codes:
            raise InvalidCommand("name entry codes, or a role whose entries to assign", "codes")
        entries = [self._entry_of(conference, code) for code in dict.fromkeys(codes)]
        owner = {"member_id": member["member_id"], "name": member["name"]}
        for entry in entries:
            entry.assign(owner, ctx.meta(conference_id))
        self.save(*entries)
        return {"assigned": [e.code for e in entries], "owner": owner}

    def change_due_date(
        self, conference_id: str, code: str, cmd: c.ChangeDueDate, ctx: CommandContext
    ) -> Entry:
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id,
            code,
            lambda e: e.change_due_date(cmd.due_on.isoformat(), cmd.reason, meta),
        )

    def record_progress(
        self, conference_id: str, code: str, cmd: c.RecordProgress, ctx: CommandContext
    ) -> Entry:
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id, code, lambda e: e.record_progress(cmd.state, cmd.percent, cmd.note, meta)
        )

    def verify_by_hand(
        self, conference_id: str, code: str, cmd: c.VerifyByHand, ctx: CommandContext
    ) -> Entry:
        now = self.clock().isoformat()
        evidence = [
            {
                **({"proof": e.proof} if e.proof else {}),
                **({"kind": e.kind} if e.kind else {}),
                "reference": dict(e.reference),
                "recorded_by": ctx.actor,
                "recorded_at": now,
            }
            for e in cmd.evidence
        ]
        meta = ctx.meta(conference_id)
        on = _day_at(now, self.conference(conference_id).timezone)
        return self._change_entry(
            conference_id,
            code,
            lambda e: e.verify_with_evidence(evidence, ctx.actor, now, meta, cmd.reason, on=on),
        )

    def waive(self, conference_id: str, code: str, cmd: c.GiveReason, ctx: CommandContext):
        meta = ctx.meta(conference_id)
        return self._change_entry(
            conference_id, code, lambda e: e.waive(cmd.reason, ctx.actor, meta)
        )

    def reopen(self, conference_id: str, code: str, cmd: c.GiveReason, ctx: CommandContext):
        meta = ctx.meta(conference_id)
        return self._change_entry(conference_id, code, lambda e: e.reopen(cmd.reason, meta))

    def _change_entry(
        self, conference_id: str, code: str, change: Callable[[Entry], None]
    ) -> Entry:
        """Load one entry of the conference's plan, apply a command to it, save it."""
        entry = self._entry_of(self.conference(conference_id), code)
        with about("code"):
            change(entry)
        self.save(entry)
        return entry

    def flag_overdue(
        self, conference_id: str, codes: Iterable[str], today: dt.date, ctx: CommandContext
    ) -> list[str]:
        """Record EntryOverdue for each of these entries that is past its due date (once per
        due date). The codes are candidates from the read model; each entry decides.
        Continuous work whose rule holds now that its window has ended is verified instead."""
        conference = self.conference(conference_id)
        meta = ctx.meta(conference_id)
        closed, flagged = [], []
        for entry in (self._entry_of(conference, code) for code in dict.fromkeys(codes)):
            if entry.close_window(today, meta):
                closed.append(entry)
            elif entry.flag_overdue(today, meta):
                flagged.append(entry)
        if closed or flagged:
            self.save(*closed, *flagged)
        return [e.code for e in flagged]

    def import_plan(
        self, conference_id: str, workbook: bytes, source: str, ctx: CommandContext
    ) -> dict[str, Any]:
        """Apply the owners, due dates and progress of every row in one save, or nothing.

        The sheet is read against the plan's codes and the team's member ids, so a row
        naming an entry or a member the conference does not have is refused with its cell.
        """
        assert self.read_sheet is not None, "checklist was built without a sheet reader"
        conference = self.conference(conference_id)
        sheet = self.read_sheet(workbook, conference.entry_codes, conference.team)
        if sheet.errors:
            raise ImportRejected(sheet.errors)
        meta = ctx.meta(conference_id)
        changed: list[Entry] = []
        for change in sheet.changes:
            entry = self._entry_of(conference, change["code"])
            version = entry.version
            if change.get("owner"):
                member = conference.member(change["owner"])
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
            "unchanged": len(sheet.changes) - len(changed),
            "entries": [e.code for e in changed],
        }

    # -- what commands read ---------------------------------------------------------------
    def conference(self, conference_id: Any) -> Conference:
        return self.get(Conference, conference_id, "conference", "conference_id")

    def _entry_of(self, conference: Conference, code: str) -> Entry:
        if code not in conference.entry_codes:
            raise NotFound(f"conference {conference.id} has no entry {code}", field="code")
        entry = entry_id(str(conference.id), code)
        return self.repository.get(entry, projector_func=project_events)

    def _template_role(self, code: str) -> str | None:
        try:
            return self.template.entry(code).owner_role
        except KeyError:
            return None

    # -- policy: upstream events verify and re-open entries ----------------------------
    def policy(self, domain_event: UpstreamEvent, processing_event: ProcessingEvent) -> None:
        self.page_policy([domain_event], processing_event)

    def page_policy(
        self, domain_events: Sequence[UpstreamEvent], processing_event: ProcessingEvent
    ) -> None:
        """Upstream events of one page of its log: each entry they concern takes all it
        sees of them at once (`Entry.observe_all`), so a page of 200 registrations is one
        event of a count's entry rather than 200."""
        seen: dict[tuple[str, str], list[Observation]] = {}
        for domain_event in domain_events:
            for conference_id, code, observation in self._observations(domain_event):
                seen.setdefault((conference_id, code), []).append(observation)
        zones: dict[str, str] = {}
        for (conference_id, code), observations in seen.items():
            entry = self._planned_entry(conference_id, code)
            if entry is None:
                continue  # the conference's plan does not contain this entry
            if window.is_continuous(entry):  # each event's day at the conference
                if conference_id not in zones:
                    zones[conference_id] = self.conference(conference_id).timezone
                zone = zones[conference_id]
                observations = [
                    replace(o, on=_day_at(o.proof["occurred_at"], zone)) for o in observations
                ]
            entry.observe_all(observations)
            processing_event.collect_events(entry)

    def _observations(self, domain_event: UpstreamEvent) -> Iterator[tuple[str, str, Observation]]:
        """What the rules of the template make of one upstream event: (conference, code,
        observation) for each entry it concerns."""
        envelope, payload = domain_event.envelope, domain_event.payload
        conference_id = envelope.conference_id
        if conference_id is None:
            return
        key = f"{envelope.service}.{envelope.event_type}"
        concerned = self.template.rules.touched(
            key, envelope.aggregate_id, matched_payload(envelope.payload, payload)
        )
        if not concerned:
            return
        meta = CommandContext.caused_by(envelope).meta(conference_id)
        proof = proof_of(envelope)
        reason = f"{key} of {envelope.aggregate_type} {envelope.aggregate_id}"
        if payload.get("reason"):
            reason += f": {payload['reason']}"
        for code, role, member in concerned:
            yield conference_id, code, Observation(role, proof, reason, meta, member)

    def _planned_entry(self, conference_id: str, code: str) -> Entry | None:
        try:
            return self.repository.get(entry_id(conference_id, code), projector_func=project_events)
        except AggregateNotFoundError:
            return None  # the conference's plan does not contain this entry


def _day_at(moment: dt.datetime | str, timezone: str) -> dt.date:
    """The day a moment falls on at the conference, in its own time zone."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(ZoneInfo(timezone)).date()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _target(
    entry: templates.TemplateEntry, figures: dict[str, Any], settings: dict[str, Any]
) -> int | None:
    target = getattr(entry.rule, "target", None)
    return target.resolve(figures, settings) if isinstance(target, Target) else None


def matched_payload(published: Mapping[str, Any], loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The payload rules test: as published, plus the contract's default for a simple field
    an event from before it lacks (a contract signed before contracts had a scope is the
    conference's). What was published wins, so ids keep their published spelling."""
    defaults = {
        name: value
        for name, value in loaded.items()
        if name not in published and isinstance(value, (str, int, float, bool))
    }
    return {**defaults, **published}


def proof_of(envelope: Any) -> dict[str, Any]:
    return {
        "service": envelope.service,
        "event_type": envelope.event_type,
        "event_id": envelope.event_id,
        "notification_id": envelope.notification_id,
        "aggregate_id": envelope.aggregate_id,
        "occurred_at": envelope.occurred_at,
        "actor": envelope.actor,
    }
