"""The plan read model and the Entry aggregate agree.

The plan read model (plan_view.py) folds each entry's published events through
`EntryState.planned` and `EntryState.apply`, keeping the state as JSON between events; the
Entry aggregate changes through the same transitions. Here random sequences of entry
commands and upstream events run on checklist's application (in memory), and after every
step each entry that changed is folded from its published envelopes, the read model's
way, and must be the aggregate's state, with the same answer.

Each case is a seeded `random.Random`: a failure names its seed and reproduces.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from services.checklist import commands as c
from services.checklist import plan_view
from services.checklist import template as templates
from services.checklist.domain import Entry, entry_id
from services.checklist.entries import EntryState
from services.checklist.events import CATALOG, EVIDENCE_KINDS, OWNER_ROLES, PROGRESS_STATES
from services.checklist.exchange import Parsed
from services.checklist.rules import ADD, CountRule, EventRule, ForAllRule
from services.checklist.schemas import EntryAnswer
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.errors import HuiwuError
from services.common.log import NotificationLog
from services.common.sinks import UpstreamEvent
from tests.unit.checklist_plans import checklist, entry_of, opening

SEEDS = range(30)
ANSWER = EntryAnswer()
EPOCH = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def as_read_model_keeps_it(state: EntryState) -> EntryState:
    """The read model stores the state as JSON between events, its members by id, and
    loads it back."""
    return plan_view._state_of(plan_view._state_json(state))


class Folded:
    """Entry states folded from checklist's own log, the plan read model's way."""

    def __init__(self, log: NotificationLog) -> None:
        self.log = log
        self.position = 0
        self.states: dict[str, EntryState] = {}
        self.changed: set[str] = set()

    def catch_up(self) -> None:
        """Fold what the log holds beyond the position; note the entries that changed."""
        while envelopes := self.log.envelopes(self.position + 1, 500):
            for envelope in envelopes:
                self._apply(envelope)
                if envelope.aggregate_type == "Entry":
                    self.changed.add(envelope.aggregate_id)
            self.position = envelopes[-1].notification_id

    def take_changed(self) -> list[str]:
        self.catch_up()
        changed, self.changed = sorted(self.changed), set()
        return changed

    def _apply(self, envelope: Envelope) -> None:
        if envelope.event_type == "EntryPlanned":
            assert envelope.aggregate_version == 1
            assert envelope.aggregate_id not in self.states
            state = EntryState.planned(envelope.aggregate_id, envelope.payload)
        elif envelope.aggregate_type == "Entry":
            before = self.states[envelope.aggregate_id]
            assert envelope.aggregate_version == before.version + 1
            state = before.apply(envelope.event_type, envelope.payload, envelope.aggregate_version)
        else:
            return  # the conference's events
        self.states[envelope.aggregate_id] = as_read_model_keeps_it(state)


class Scenario:
    """One random run: conferences on a template, a team, and commands and upstream events
    on a few entries of every rule shape."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.ticks = 0
        self.sheet = Parsed()
        template = self.rng.choice(["starter", "conference", "conference"])
        self.app = checklist(template, read_sheet=self._read_sheet, clock=self._clock)
        self.folded = Folded(NotificationLog(self.app, CATALOG))
        self.positions: dict[str, int] = {}
        self.upstream_events = 0
        self.members: dict[str, list[str]] = {}
        self.conferences: list[str] = []
        self.codes: dict[str, list[str]] = {}
        for _ in range(self.rng.choice([1, 2])):
            self._open_conference()
        self.checked_entries = 0
        self.refused = 0

    # -- the world -------------------------------------------------------------------------
    def _clock(self) -> dt.datetime:
        self.ticks += 1
        return EPOCH + dt.timedelta(minutes=self.ticks)

    def _read_sheet(self, data: bytes, codes: Any, members: Any) -> Parsed:
        return self.sheet

    def ctx(self) -> CommandContext:
        actor = self.rng.choice(["li", "wang", "zhao"])
        return CommandContext.new(actor, f"corr-{self.rng.randrange(10**6)}")

    def _open_conference(self) -> None:
        rng = self.rng
        conference = self.app.open_conference(
            opening(
                name=f"Conference {len(self.conferences) + 1}",
                starts_on=dt.date(2026, 10, 10) + dt.timedelta(days=rng.randrange(60)),
                ends_on=dt.date(2026, 12, 20),
                expected_attendance=rng.randint(1, 6),  # small ratio targets, reachable
                profile=rng.choice(["academic", "business", "corporate_annual"]),
                conference_id=uuid.UUID(int=self.seed * 100 + len(self.conferences) + 1),
            ),
            self.ctx(),
        )
        conference_id = str(conference.id)
        self.conferences.append(conference_id)
        self.members[conference_id] = []
        for _ in range(rng.randint(1, 3)):
            self.add_member(conference_id)
        # A few entries of each rule shape, and some verified only by evidence.
        by_shape: dict[Any, list[str]] = {}
        for code in conference.entry_codes:
            rule = self.app.template.entry(code).rule
            by_shape.setdefault(type(rule), []).append(code)
        chosen: list[str] = []
        for shape in (EventRule, CountRule, ForAllRule, type(None)):
            codes = by_shape.get(shape, [])
            chosen += rng.sample(codes, min(len(codes), 3))
        # and an entry whose count follows a setting, when the template has any
        by_setting = [c for c in conference.entry_codes if templates.setting_of(self.rule(c))]
        chosen += rng.sample(by_setting, min(len(by_setting), 1))
        self.codes[conference_id] = list(dict.fromkeys(chosen))

    def add_member(self, conference_id: str) -> None:
        member_id = f"m{len(self.members[conference_id]) + 1}"
        roles = tuple(self.rng.sample(OWNER_ROLES, self.rng.randint(1, 3)))
        self.app.add_member(
            conference_id,
            c.AddMember(name=f"Member {member_id}", roles=roles, member_id=member_id),
            self.ctx(),
        )
        self.members[conference_id].append(member_id)

    def entry(self, conference_id: str, code: str) -> Entry:
        return entry_of(self.app, conference_id, code)

    def rule(self, code: str) -> Any:
        return self.app.template.entry(code).rule

    # -- steps -------------------------------------------------------------------------------
    def step(self) -> None:
        steps: list[tuple[float, Callable[[str, str], Any]]] = [
            (6, self.upstream),
            (1, self.assign),
            (1, self.change_due_date),
            (1, self.record_progress),
            (1.5, self.verify_by_hand),
            (1, self.waive),
            (1.5, self.reopen),
            (1, self.flag_overdue),
            (0.7, self.import_plan),
            (1, self.change_settings),
        ]
        weights, actions = zip(*steps, strict=True)
        action = self.rng.choices(actions, weights)[0]
        conference_id = self.rng.choice(self.conferences)
        code = self.rng.choice(self.codes[conference_id])
        stored = self.app.max_notification_id()
        try:
            returned = action(conference_id, code)
        except HuiwuError:
            self.refused += 1
            assert self.app.max_notification_id() == stored, "a refused command stored events"
            return
        if isinstance(returned, Entry):  # what a command answers is the stored state
            self.check_returned(returned)

    def upstream(self, conference_id: str, code: str) -> None:
        """Events of another service that the plan's rules listen to: one, or a page of
        its log taken together (a count's entry records what the page changes at once)."""
        rng = self.rng
        rule_codes = [x for x in self.codes[conference_id] if self.app.template.entry(x).rule]
        if not rule_codes:
            return
        if rng.random() < 0.1:  # a dead letter replayed: no tracking record
            envelope, payload = self.upstream_event(conference_id, rule_codes, 0)
            self.app.process_event(UpstreamEvent(envelope, payload), None)
            return
        service = rng.choice(sorted({self.rule_of(code)[0] for code in rule_codes}))
        start = self.positions.get(service, 0) + 1
        page = [
            self.upstream_event(conference_id, rule_codes, start + i, service)
            for i in range(rng.choice([1, 1, 2, 5, 12]))
        ]
        tracking = Tracking(service, page[-1][0].notification_id)
        self.app.process_page([UpstreamEvent(e, p) for e, p in page], tracking)
        self.positions[service] = tracking.notification_id
        assert self.app.process_recorder.max_tracking_id(service) == tracking.notification_id

    def rule_of(self, code: str) -> tuple[str, Any]:
        rule = self.app.template.entry(code).rule
        return next(iter(rule.roles()))[0].split(".")[0], rule

    def upstream_event(
        self,
        conference_id: str,
        rule_codes: list[str],
        notification_id: int,
        service: str | None = None,
    ) -> tuple[Envelope, dict[str, Any]]:
        rng = self.rng
        rules = [self.app.template.entry(x).rule for x in rule_codes]
        keys = [
            (key, role, rule)
            for rule in rules
            for key, role in rule.roles()
            if service is None or key.startswith(f"{service}.")
        ]
        key, role, rule = rng.choice(keys)
        service, event_type = key.split(".")
        payload: dict[str, Any] = dict(rule.where) if role == ADD or rng.random() < 0.5 else {}
        if rule.where and rng.random() < 0.15:
            payload = {name: "something else" for name, _ in rule.where}  # does not match
        if rng.random() < 0.3:
            payload["reason"] = rng.choice(["venue closed", "budget cut", "double booking"])
        aggregate_id = str(uuid.UUID(int=(self.seed + 1) * 10_000 + rng.randrange(4)))
        self.upstream_events += 1
        target = conference_id if rng.random() < 0.95 else rng.choice([None, str(uuid.uuid4())])
        envelope = Envelope(
            event_id=event_id_for(aggregate_id, self.upstream_events),
            event_type=event_type,
            service=service,
            notification_id=notification_id or self.upstream_events,
            aggregate_type="Upstream",
            aggregate_id=aggregate_id,
            aggregate_version=self.upstream_events,
            conference_id=target,
            occurred_at=(EPOCH + dt.timedelta(hours=self.upstream_events)).isoformat(),
            actor=rng.choice(["zhao", "chen"]),
            correlation_id=f"up-{self.upstream_events}",
            causation_id=None,
            schema_version=1,
            payload=payload,
        )
        return envelope, payload

    def assign(self, conference_id: str, code: str) -> Any:
        member_id = self.rng.choice(self.members[conference_id])
        if self.rng.random() < 0.2:
            role = self.app.template.entry(code).owner_role
            cmd = c.Assign(member_id=member_id, role=role)
        else:
            cmd = c.Assign(member_id=member_id, codes=(code,))
        return self.app.assign(conference_id, cmd, self.ctx())

    def change_due_date(self, conference_id: str, code: str) -> Entry:
        due = dt.date.fromisoformat(self.entry(conference_id, code).due_on)
        cmd = c.ChangeDueDate(
            due_on=due + dt.timedelta(days=self.rng.randint(-20, 20)), reason="venue asks"
        )
        return self.app.change_due_date(conference_id, code, cmd, self.ctx())

    def record_progress(self, conference_id: str, code: str) -> Entry:
        cmd = c.RecordProgress(
            state=self.rng.choice(PROGRESS_STATES),
            percent=self.rng.choice([0, 10, 40, 75, 100]),
            note=self.rng.choice([None, "two quotes in", "waiting for the venue"]),
        )
        return self.app.record_progress(conference_id, code, cmd, self.ctx())

    def verify_by_hand(self, conference_id: str, code: str) -> Entry:
        evidence = tuple(
            c.Evidence(
                kind=self.rng.choice(EVIDENCE_KINDS),
                reference=self.rng.choice(
                    [
                        {"url": "https://example.com/minutes"},
                        {"sha256": "ab" * 32, "filename": "contract.pdf"},
                        {"note": "confirmed by phone"},
                    ]
                ),
            )
            for _ in range(self.rng.randint(1, 2))
        )
        cmd = c.VerifyByHand(evidence=evidence)
        return self.app.verify_by_hand(conference_id, code, cmd, self.ctx())

    def waive(self, conference_id: str, code: str) -> Entry:
        cmd = c.GiveReason(reason="does not apply this year")
        return self.app.waive(conference_id, code, cmd, self.ctx())

    def reopen(self, conference_id: str, code: str) -> Entry:
        cmd = c.GiveReason(reason="the minutes were of another meeting")
        return self.app.reopen(conference_id, code, cmd, self.ctx())

    def flag_overdue(self, conference_id: str, code: str) -> Any:
        due = dt.date.fromisoformat(self.entry(conference_id, code).due_on)
        today = due + dt.timedelta(days=self.rng.randint(-3, 10))
        codes = self.rng.sample(self.codes[conference_id], min(3, len(self.codes[conference_id])))
        # Unique codes, as the read model's candidates are (a repeated code would load the
        # same entry twice, and the save would fail on the duplicate version).
        candidates = list(dict.fromkeys([code, *codes]))
        return self.app.flag_overdue(conference_id, candidates, today, self.ctx())

    def change_settings(self, conference_id: str, code: str) -> Any:
        """A setting changed: the entries whose count follows it get a new target, and may
        be verified or re-opened by it."""
        declared = self.app.template.settings
        if not declared:
            return None
        setting = self.rng.choice(declared)
        if setting.kind == "integer":
            value: float = self.rng.randint(int(setting.minimum), 4)
        else:
            value = self.rng.choice([setting.minimum, 0.5, setting.maximum])
        cmd = c.ChangeSettings(settings={setting.name: value}, reason="the board asks")
        return self.app.change_settings(conference_id, cmd, self.ctx())

    def import_plan(self, conference_id: str, code: str) -> Any:
        """Several entries changed in one save (the sheet reader is a stand-in)."""
        codes = self.codes[conference_id]
        chosen_codes = dict.fromkeys([code, *self.rng.sample(codes, min(2, len(codes)))])
        changes = []
        for row, chosen in enumerate(chosen_codes, start=2):
            change: dict[str, Any] = {"row": row, "code": chosen}
            if self.rng.random() < 0.5:
                change["owner"] = self.rng.choice(self.members[conference_id])
            if self.rng.random() < 0.5:
                change["due_on"] = dt.date(2026, 9, 1) + dt.timedelta(self.rng.randrange(40))
            if self.rng.random() < 0.6:
                change["progress"] = {
                    "state": self.rng.choice(PROGRESS_STATES),
                    "percent": self.rng.choice([0, 50, 100]),
                }
            changes.append(change)
        self.sheet = Parsed(changes=changes)
        return self.app.import_plan(conference_id, b"PK\x03\x04", "plan.xlsx", self.ctx())

    # -- the check ---------------------------------------------------------------------------
    def check_changed(self) -> None:
        """Every entry with new events: folded from its envelopes, it is the aggregate as
        the repository rebuilds it (from its events, or a snapshot and those after it)."""
        for aggregate_id in self.folded.take_changed():
            self.check(self.app.repository.get(uuid.UUID(aggregate_id)))

    def check_all(self) -> None:
        """At the end: the plans are whole, and entries no event changed fold too."""
        self.check_changed()
        planned = {
            str(entry_id(conference_id, code)): (conference_id, code)
            for conference_id in self.conferences
            for code in self.app.conference(conference_id).entry_codes
        }
        assert set(planned) == set(self.folded.states)
        unchanged = sorted(k for k, state in self.folded.states.items() if state.version == 1)
        for key in self.rng.sample(unchanged, min(len(unchanged), 30)):
            self.check(self.entry(*planned[key]))

    def check(self, entry: Entry) -> None:
        folded = self.folded.states[str(entry.id)]
        assert folded == as_read_model_keeps_it(entry.state), f"seed {self.seed}: {entry.code}"
        assert list(folded.members) == list(entry.state.members)
        assert ANSWER.dump(folded) == ANSWER.dump(entry.state), f"seed {self.seed}: {entry.code}"
        self.checked_entries += 1

    def check_returned(self, entry: Entry) -> None:
        self.folded.catch_up()  # what changed stays noted for check_changed
        folded = self.folded.states[str(entry.id)]
        kept = as_read_model_keeps_it(entry.state)
        assert folded == kept, f"seed {self.seed}: entry {entry.code} as returned"


@dataclasses.dataclass(frozen=True)
class Run:
    """What one checked run went through."""

    event_types: frozenset[str]
    statuses: frozenset[str]
    checked_entries: int
    refused: int


@functools.cache
def run(seed: int) -> Run:
    """One seeded run, checked after every step and at the end (once per seed)."""
    scenario = Scenario(seed)
    for _ in range(scenario.rng.randint(40, 80)):
        scenario.step()
        scenario.check_changed()
    scenario.check_all()
    types = {e.event_type for e in scenario.folded.log.envelopes(1, 100_000)}
    statuses = {state.status for state in scenario.folded.states.values()}
    scenario.app.close()
    return Run(frozenset(types), frozenset(statuses), scenario.checked_entries, scenario.refused)


@pytest.mark.parametrize("seed", SEEDS)
def test_folding_an_entrys_published_events_gives_the_aggregates_state(seed):
    assert run(seed).checked_entries > 0


def test_the_read_model_keeps_members_by_id_and_reads_rows_written_with_proofs():
    state = EntryState.planned(
        "e1",
        {
            "conference_id": "c",
            "code": "10.1.1",
            "title_zh": "报名",
            "title_en": "Registration",
            "owner_role": "registration",
            "due_on": "2026-09-01",
            "verification": {},
        },
    )
    proof = {"event_id": "x", "service": "registration", "notification_id": 7}
    state = dataclasses.replace(state, members={"a1": proof, "a2": proof}, done=["a1"])

    row = plan_view._state_json(state)

    assert json.loads(row)["members"] == ["a1", "a2"]
    assert "notification_id" not in row
    kept = plan_view._state_of(row)
    assert list(kept.members) == ["a1", "a2"] and kept.done == ["a1"]
    assert ANSWER.dump(kept) == ANSWER.dump(state)
    written_before = json.dumps({**json.loads(row), "members": {"a1": proof, "a2": proof}})
    assert plan_view._state_of(written_before) == kept


def test_the_random_runs_cover_every_kind_of_entry_event():
    """The runs are worth something only if they reach every transition."""
    runs = [run(seed) for seed in SEEDS]
    types = set().union(*(r.event_types for r in runs))
    statuses = set().union(*(r.statuses for r in runs))

    entry_events = set(CATALOG.event_types) - {"ConferenceOpened", "TeamMemberJoined"}
    assert types >= entry_events, sorted(entry_events - types)
    assert statuses == {"open", "in_progress", "verified", "waived"}
    assert sum(r.refused for r in runs) > 0  # refused commands were tried, and stored nothing
