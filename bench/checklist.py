"""Checklist plans: opening a 389-entry plan, projecting it into the plan read model and
reading it, and rule matching with the full template beside a one-rule template, in one
process.

    python -m bench.checklist [--store sqlite|postgres] [--conferences N] [--events K]

No broker and no HTTP. Each application is built as checklist's bootstrap builds it, from
the kernel's `Parts`: `ChecklistApplication` on its store (with its template given to its
constructor), the plan read model (`PlanProjection` in a `ProjectionSink`, fed from the
application's own notification log by a `LocalReadModel`) and the `PlanView` that
`GET /conferences/<id>/plan` reads. Each has a store of its own (a SQLite file in a
temporary directory, or PostgreSQL schemas of the run's own), removed afterwards. The
applications run side by side:

- *full*: the real template, `conference.yaml`; profile academic selects its 389 entries;
- *starter*: `starter.yaml`, 6 entries (one of them with a rule: 1.3.5's);
- *one-rule*: a template parsed in memory holding only entry 1.3.5 of the full template,
  with its rule (vendors.ContractSigned where category is venue, compensated by
  vendors.ContractCancelled);
- and, for one stream only, *one-rule 8.2.1*: the same with entry 8.2.1 (a count of
  vendors.VendorAdded for services other than the venue), the only entry of the full
  template that VendorAdded of such a vendor concerns.

1. Opening a plan. N conferences (20) are opened in each application, in turn, with the
   same ids (2 more before, unmeasured, warm the caches). One open is one transaction:
   ConferenceOpened and one EntryPlanned per entry (`open`). Right after each open the
   read model catches up with it, as the service's outbox does after each commit
   (`project`: one row per entry, a page of events per transaction). Then every plan is read
   whole through the `PlanView` (`view.plan(id)`: the catch-up check and the SQL read,
   the bytes `GET /conferences/<id>/plan` answers) twice, with one entry
   (`view.entry(id, "1.3.5")`) beside each, and `view.statistics()` (entries by status,
   flagged overdue by section and owner: the plan gauges, read at each Prometheus scrape)
   is timed once on the full plans.
2. Rule matching. Streams of envelopes are fed to `ProcessSink(app).apply`, the
   consumer's last step (the policy, then events and tracking record in one
   transaction), with consecutive notification ids per upstream. Each stream goes through
   the full application and a baseline (one-rule, or one-rule 8.2.1): the same envelopes,
   in the same order, in chunks of 50 that alternate which application goes first. The
   payloads are valid for their catalogue and loaded with it before the clock starts, as
   the consumer does. After each stream the read models catch up with what the stream
   recorded (timed apart: `project`). Streams:
   - untouched: events no rule of either template concerns (AttendeeRegistered,
     SlidesReceived, and SiteInspected of a category whose rules all have a `where` that
     fails);
   - vendors added: VendorAdded of a caterer, one entry (8.2.1) in the full plan, fed
     beside the one-rule 8.2.1 application, where it concerns that same entry;
   - mixed: ten event types per cycle, most concerning no entry or one entry of the
     full plan;
   - venue contracts: ContractSigned, category venue, for the conference (1.3.5 and nine
     more in the full plan, 1.3.5 alone in the one-rule plan);
   - venue cancellations: ContractCancelled of some of those contracts (a compensating
     event concerns every entry whose rule it compensates, whatever their `where`: 28 in
     the full plan);
   - attendees checked in: AttendeeCheckedIn, pre-registered, feeding a count (15.3.1)
     and a for-all rule (15.3.5);
   - speakers confirmed: SpeakerConfirmed, role speaker, who speaks, feeding fourteen
     entries.
   Each event's time is kept with the number of entries it concerns in that application,
   so that cost can be read per entry concerned, whatever the template.
3. The index alone: `template.rules.concerned(key, payload)` lookups per second, full
   index against one-rule index, for a few keys and for the mixed stream's ten.
4. Last, the overdue check of one full plan as of its first day (`OverdueWatch.check`,
   what `POST /conferences/<id>/overdue` runs: candidates from the read model, then each
   entry loaded and EntryOverdue recorded in one transaction), the read model's catch-up
   with it, and the statistics again, now with overdue entries.

Results are printed and written to bench/results/checklist-<store>.json (or --output).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import timeit
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.backbone import (
    machine,
    percentile,
    ratio,
    revision,
    run_and_report,
    summary_ms,
)
from services.checklist import template as templates
from services.checklist.application import ChecklistApplication, matched_payload
from services.checklist.commands import OpenConference
from services.checklist.overdue import OverdueWatch
from services.checklist.plan_view import PlanProjection, PlanView
from services.common import registry
from services.common.config import Settings
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.outbox import LocalReadModel
from services.common.sinks import ProcessSink
from services.common.wiring import Parts

RESULTS = Path(__file__).resolve().parent / "results"
UPSTREAMS = ("vendors", "registration", "speakers", "budget")
CATALOGS = {name: registry.load().catalog(name) for name in UPSTREAMS}
PROFILE = "academic"
WARM_UP_OPENS = 2
CHUNK = 50

OPENING = OpenConference(
    name="Checklist Benchmark Congress",
    starts_on=dt.date(2027, 5, 12),
    ends_on=dt.date(2027, 5, 14),
    city="Hangzhou",
    expected_attendance=500,
    profile=PROFILE,
    timezone="Asia/Shanghai",
)


class BenchError(RuntimeError):
    pass


# -- the templates ------------------------------------------------------------------------
@functools.cache
def one_rule_template(code: str = "1.3.5") -> templates.Template:
    """One entry of the full template, rule and all, as a template of its own."""
    entry = templates.load("conference").entry(code)
    if entry.milestone == "entry" or entry.rule is None:
        raise BenchError(f"entry {code} of the full template changed shape")
    rule = entry.verification()["rule"]
    declared = yaml.safe_load((templates.TEMPLATES / "conference.yaml").read_text("utf-8"))
    data = {
        "name": f"one-rule-{code}",
        # the settings its rule names (a template declares only settings its rules use)
        "settings": {
            name: setting
            for name, setting in (declared.get("settings") or {}).items()
            if name in str(rule.get("at_least"))
        },
        "entries": [
            {
                "code": entry.code,
                "title_zh": entry.title_zh,
                "title_en": entry.title_en,
                "owner_role": entry.owner_role,
                "phase": entry.phase,
                "due": {"milestone": entry.milestone, "offset_days": entry.offset_days},
                "verification": entry.verification(),
            }
        ],
    }
    template = templates.parse(data, f"one-rule {code} (benchmark)")
    if template.entry(code).rule != entry.rule:
        raise BenchError(f"the one-rule template does not hold {code}'s rule")
    return template


# Each application's template, given to its constructor as the service's bootstrap does.
TEMPLATES: dict[str, Callable[[], templates.Template]] = {
    "full": lambda: templates.load("conference"),
    "starter": lambda: templates.load("starter"),
    "one-rule": lambda: one_rule_template("1.3.5"),
}
# The second baseline: 8.2.1 (three vendors recorded for services other than the venue),
# the only rule vendors.VendorAdded of such a vendor feeds in the full template, for an
# event that concerns one entry in both.
ONE_RULE_821 = "one-rule 8.2.1"


# -- stores -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Checklist:
    """One application as checklist's bootstrap wires it: the use cases on their store, the
    plan read model fed from the application's own log, and the view the reads go to."""

    label: str
    app: ChecklistApplication
    model: LocalReadModel
    view: PlanView
    parts: Parts

    @property
    def template(self) -> templates.Template:
        return self.app.template

    def close(self) -> None:
        try:
            self.app.close()
        finally:
            self.parts.db.close()


class Stores:
    """One store per application: a SQLite directory each in a temporary directory, or
    PostgreSQL schemas under a prefix of this run's own; everything is removed by close().

    Every application is checklist (its store, its log's service name, its read model's
    upstream): each gets settings of its own, a directory or a schema prefix per label.
    """

    def __init__(self, kind: str, workdir: Path | None = None) -> None:
        self.kind = kind
        self.built: list[Checklist] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-checklist-", dir=workdir))
        self.schemas = None
        if kind == "postgres":
            from tests.support.database import DATABASE_URL, PostgresSchemas

            self.database_url = DATABASE_URL
            self.schemas = PostgresSchemas()

    def settings(self, label: str) -> Settings:
        slug = re.sub(r"\W", "_", label)
        if self.schemas is not None:
            return Settings(
                database_url=self.database_url, schema_prefix=f"{self.schemas.prefix}{slug}_"
            )
        return Settings(data_dir=self.workdir / slug)

    def build(self, label: str, template: templates.Template) -> Checklist:
        """What services/checklist/bootstrap.py builds for reads and writes (no relay, no
        consumers of other services: nothing here touches the broker)."""
        parts = Parts(self.settings(label), "checklist")
        app = parts.store(ChecklistApplication, template=template)
        try:
            model = parts.read_model(app, parts.projection("plan", PlanProjection()))
        except BaseException:
            app.close()
            parts.db.close()
            raise
        built = Checklist(label, app, model, PlanView(parts.db, model), parts)
        self.built.append(built)
        return built

    def wal_bytes(self, checklist: Checklist) -> int | None:
        """Size of a SQLite store's write-ahead log file (None on PostgreSQL)."""
        if self.kind != "sqlite":
            return None
        wal = Path(f"{checklist.parts.settings.sqlite_path('checklist')}-wal")
        return wal.stat().st_size if wal.exists() else 0

    def close(self) -> None:
        for built in self.built:
            try:
                built.close()
            except Exception as exc:  # noqa: BLE001 - report, keep cleaning
                print(f"could not close a store: {exc}", file=sys.stderr)
        if self.schemas is not None:
            self.schemas.drop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def settle(
    stores: Stores, apps: dict[str, Checklist], up: Upstreams, batch: int = 250
) -> dict[str, Any]:
    """Commit tracking-only events into each store until it is in its steady state.

    A SQLite commit costs about twice as much while the write-ahead log file still grows
    (each fsync then also records the new file size) as once it has reached the size at
    which it is checkpointed and then reused (about 4 MB). A fresh store starts growing, a
    running service has long passed that; so every store is filled first, here until its
    log file stops growing over a batch. On PostgreSQL one batch warms the connections.
    """
    settled: dict[str, Any] = {}
    for name, checklist in apps.items():
        sink = ProcessSink(checklist.app)
        sizes, written = [stores.wal_bytes(checklist)], 0
        while written < 20 * batch:
            for envelope, payload in build_stream(up, cycle_untouched, [str(uuid.uuid4())], batch):
                sink.apply(envelope, payload)
            written += batch
            sizes.append(stores.wal_bytes(checklist))
            if sizes[-1] is None or sizes[-1] == sizes[-2]:
                break
        checklist.model.catch_up()  # nothing to project: the log holds no event yet
        settled[name] = {"events": written, "wal_bytes": sizes[-1]}
    return settled


# -- 1. opening and reading plans ---------------------------------------------------------
def measure_template_load(rounds: int = 3) -> dict[str, Any]:
    """Parsing and validating conference.yaml: once per process (the loader caches it)."""
    durations = []
    for _ in range(rounds):
        started = time.perf_counter()
        templates.load.__wrapped__("conference")
        durations.append(time.perf_counter() - started)
    return summary_ms(durations)


def open_plan(checklist: Checklist, conference_id: str) -> None:
    checklist.app.open_conference(
        dataclasses.replace(OPENING, conference_id=uuid.UUID(conference_id)),
        CommandContext.new("bench"),
    )


def measure_open(
    apps: dict[str, Checklist], conferences: int
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Open the same conference ids in every application, in turn; time each open, and the
    read model's catch-up with it (the service runs it right after the commit)."""
    names = list(apps)
    warm_ids = [str(uuid.uuid4()) for _ in range(WARM_UP_OPENS)]
    ids = [str(uuid.uuid4()) for _ in range(conferences)]
    durations: dict[str, list[float]] = {name: [] for name in names}
    projections: dict[str, list[float]] = {name: [] for name in names}
    projected: dict[str, int] = {name: 0 for name in names}
    events: dict[str, int] = {}
    for name in names:
        events[name] = apps[name].app.max_notification_id()
    for i, conference_id in enumerate(warm_ids + ids):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            checklist = apps[name]
            started = time.perf_counter()
            open_plan(checklist, conference_id)
            opened = time.perf_counter()
            pulled = checklist.model.catch_up()
            caught_up = time.perf_counter()
            if i >= WARM_UP_OPENS:
                durations[name].append(opened - started)
                projections[name].append(caught_up - opened)
                projected[name] += pulled
    result: dict[str, Any] = {}
    for name in names:
        app = apps[name].app
        entries = len(app.conference(ids[0]).entry_codes)
        # ConferenceOpened, its settings when the template declares some, and the entries
        per_open = entries + 1 + (1 if app.template.settings else 0)
        stored = app.max_notification_id() - events[name]
        expected = per_open * (conferences + WARM_UP_OPENS)
        if stored != expected:
            raise BenchError(f"{name}: the opens stored {stored} events, not {expected}")
        if projected[name] != per_open * conferences:
            raise BenchError(
                f"{name}: the read model projected {projected[name]} events of the opens, "
                f"not {per_open * conferences}"
            )
        total = sum(durations[name])
        result[name] = {
            "entries": entries,
            "events_per_open": per_open,
            "open": summary_ms(durations[name]),
            "entries_per_second": round(entries * len(durations[name]) / total, 1),
            "ms_per_entry": round(percentile(durations[name], 50) * 1000 / entries, 4),
            # the read model's catch-up with one opened plan: one row per entry
            "project": summary_ms(projections[name]),
            "project_ms_per_event": round(percentile(projections[name], 50) * 1000 / per_open, 4),
        }
    return result, warm_ids, ids


def measure_plan_reads(
    apps: dict[str, Checklist], ids: Sequence[str], reads: int
) -> dict[str, Any]:
    """Every plan read whole through its view, and one entry of it, in turn."""
    names = list(apps)
    durations: dict[str, list[float]] = {name: [] for name in names}
    entry_reads: dict[str, list[float]] = {name: [] for name in names}
    sizes: dict[str, int] = {}
    body_bytes: dict[str, int] = {}
    for i in range(reads * len(ids)):
        conference_id = ids[i % len(ids)]
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            view = apps[name].view
            started = time.perf_counter()
            plan = view.plan(conference_id)
            read = time.perf_counter()
            view.entry(conference_id, "1.3.5")
            entry_reads[name].append(time.perf_counter() - read)
            durations[name].append(read - started)
            sizes[name] = len(json.loads(plan.body)["entries"])
            body_bytes[name] = len(plan.body)
    return {
        name: {
            "entries": sizes[name],
            "bytes": body_bytes[name],
            "read": summary_ms(durations[name]),
            "ms_per_entry": round(percentile(durations[name], 50) * 1000 / sizes[name], 4),
            "entry_read": summary_ms(entry_reads[name]),
        }
        for name in names
    }


def measure_statistics(checklist: Checklist, conferences: int) -> dict[str, Any]:
    """`view.statistics()` once: entries by status, and open entries past their due date by
    section and owner, over every plan (the plan gauges, read when Prometheus scrapes)."""
    started = time.perf_counter()
    counted = checklist.view.statistics()
    elapsed = time.perf_counter() - started
    entries = sum(counted["status"].values())
    return {
        "conferences": conferences,
        "entries": entries,
        "overdue": sum(counted["section"].values()),
        "seconds": round(elapsed, 4),
        "ms_per_entry": round(elapsed * 1000 / entries, 5),
    }


def measure_overdue(checklist: Checklist, conference_id: str, conferences: int) -> dict[str, Any]:
    """The overdue check of one plan as of its first day, its projection, the statistics."""
    watch = OverdueWatch(checklist.app, checklist.view)
    started = time.perf_counter()
    flagged = watch.check(conference_id, CommandContext.new("bench"), OPENING.starts_on)
    checked = time.perf_counter()
    pulled = checklist.model.catch_up()
    projected = time.perf_counter()
    flagged_entries = len(flagged["overdue"])
    if pulled != flagged_entries:
        raise BenchError(f"overdue: {flagged_entries} entries flagged, {pulled} events projected")
    return {
        "flagged": flagged_entries,
        "check_seconds": round(checked - started, 4),
        "project_seconds": round(projected - checked, 4),
        "statistics_after": measure_statistics(checklist, conferences),
    }


# -- 2. rule matching ---------------------------------------------------------------------
Delivery = tuple[Envelope, dict[str, Any]]


class Upstreams:
    """Envelopes as the upstream services publish them: consecutive notification ids per
    service, payloads checked against the catalogue and loaded as the consumer loads them."""

    def __init__(self) -> None:
        self.position: dict[str, int] = defaultdict(int)
        self.to_cancel: deque[tuple[uuid.UUID, uuid.UUID, str]] = deque()  # venue contracts

    def deliver(
        self,
        key: str,
        aggregate_type: str,
        aggregate_id: uuid.UUID,
        version: int,
        conference_id: str,
        payload: dict[str, Any],
    ) -> Delivery:
        service, _, event_type = key.partition(".")
        catalog = CATALOGS[service]
        catalog.validate_outgoing(event_type, payload)
        self.position[service] += 1
        envelope = Envelope(
            event_id=event_id_for(aggregate_id, version),
            event_type=event_type,
            service=service,
            notification_id=self.position[service],
            aggregate_type=aggregate_type,
            aggregate_id=str(aggregate_id),
            aggregate_version=version,
            conference_id=conference_id,
            occurred_at=dt.datetime.now(dt.UTC).isoformat(),
            actor="bench",
            correlation_id=str(uuid.uuid4()),
            causation_id=None,
            schema_version=catalog.schema_version(event_type),
            payload=payload,
        )
        return envelope, catalog.load_incoming(event_type, payload)


def _money() -> dict[str, Any]:
    return {"amount_minor": 1_200_000, "currency": "CNY"}


def cycle_untouched(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    vendor = uuid.uuid4()
    yield up.deliver(
        "registration.AttendeeRegistered",
        "Attendee",
        uuid.uuid4(),
        1,
        conference_id,
        {"category": "delegate"},
    )
    yield up.deliver(
        "speakers.SlidesReceived", "Speaker", uuid.uuid4(), 5, conference_id, {"final": True}
    )
    yield up.deliver(
        "vendors.SiteInspected",
        "Vendor",
        vendor,
        2,
        conference_id,
        {"vendor_id": str(vendor), "category": "printing"},
    )


def _vendor_added(up: Upstreams, conference_id: str, vendor: uuid.UUID) -> Delivery:
    return up.deliver(
        "vendors.VendorAdded",
        "Vendor",
        vendor,
        1,
        conference_id,
        {
            "vendor_id": str(vendor),
            "conference_id": conference_id,
            "name": "West Lake Catering",
            "categories": ["catering"],
            "contact_name": None,
            "contact_email": None,
            "contact_phone": None,
        },
    )


def cycle_vendors(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    yield _vendor_added(up, conference_id, uuid.uuid4())


def cycle_mixed(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    vendor, contract, attendee = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    yield _vendor_added(up, conference_id, vendor)
    yield up.deliver(
        "vendors.ContractDrafted",
        "Contract",
        contract,
        1,
        conference_id,
        {
            "contract_id": str(contract),
            "conference_id": conference_id,
            "vendor_id": str(vendor),
            "category": "venue",
            "scope": "conference",
            "title": "Main hall and four breakout rooms, three days",
            **_money(),
        },
    )
    yield _signed(up, conference_id, contract, vendor)
    yield up.deliver(
        "registration.AttendeeRegistered",
        "Attendee",
        attendee,
        1,
        conference_id,
        {"category": "delegate"},
    )
    yield up.deliver("registration.AttendeeCheckedIn", "Attendee", attendee, 2, conference_id, {})
    yield up.deliver(
        "registration.ComplaintResolved", "Complaint", uuid.uuid4(), 2, conference_id, {}
    )
    yield up.deliver(
        "vendors.SiteInspected",
        "Vendor",
        vendor,
        2,
        conference_id,
        {"vendor_id": str(vendor), "category": "catering"},
    )
    yield up.deliver(
        "registration.BadgesPrinted", "BadgeBatch", uuid.uuid4(), 1, conference_id, {"count": 50}
    )
    yield up.deliver(
        "budget.ExpenseRecorded",
        "Expense",
        uuid.uuid4(),
        1,
        conference_id,
        {"category": "catering", **_money()},
    )
    yield up.deliver(
        "vendors.VendorSelected",
        "Vendor",
        vendor,
        3,
        conference_id,
        {"vendor_id": str(vendor), "category": "catering"},
    )


def _signed(up: Upstreams, conference_id: str, contract: uuid.UUID, vendor: uuid.UUID) -> Delivery:
    return up.deliver(
        "vendors.ContractSigned",
        "Contract",
        contract,
        2,
        conference_id,
        {
            "vendor_id": str(vendor),
            "category": "venue",
            "scope": "conference",
            "signed_on": "2026-12-01",
            "signed_by": "bench",
            **_money(),
        },
    )


def cycle_venue(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    contract, vendor = uuid.uuid4(), uuid.uuid4()
    up.to_cancel.append((contract, vendor, conference_id))
    yield _signed(up, conference_id, contract, vendor)


def cycle_cancel(up: Upstreams, _: str) -> Iterator[Delivery]:
    """Cancel the oldest venue contract the venue cycle signed, in its own conference."""
    contract, vendor, conference_id = up.to_cancel.popleft()
    yield up.deliver(
        "vendors.ContractCancelled",
        "Contract",
        contract,
        3,
        conference_id,
        {
            "vendor_id": str(vendor),
            "category": "venue",
            "scope": "conference",
            "was_signed": True,
            "reason": "moved",
        },
    )


def cycle_checked_in(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    yield up.deliver(
        "registration.AttendeeCheckedIn",
        "Attendee",
        uuid.uuid4(),
        2,
        conference_id,
        {"pre_registered": True, "category": "delegate"},
    )


SPEAKER = {"role": "speaker", "speaks": True}


def cycle_speakers(up: Upstreams, conference_id: str) -> Iterator[Delivery]:
    speaker = uuid.uuid4()
    yield up.deliver("speakers.SpeakerConfirmed", "Speaker", speaker, 2, conference_id, SPEAKER)


Cycle = Callable[[Upstreams, str], Iterator[Delivery]]
# name, what the stream is, how its events are made, its share of --events, the baseline
STREAMS: tuple[tuple[str, str, Cycle, float, str], ...] = (
    ("untouched", "no entry concerned in either plan", cycle_untouched, 1.0, "one-rule"),
    ("vendors added", "VendorAdded: entry 8.2.1 in both", cycle_vendors, 0.5, ONE_RULE_821),
    ("mixed", "ten types, most 0 or 1 entry of the full plan", cycle_mixed, 1.0, "one-rule"),
    ("venue contracts", "ContractSigned, category venue", cycle_venue, 0.5, "one-rule"),
    ("venue cancellations", "ContractCancelled, signed venue", cycle_cancel, 0.25, "one-rule"),
    ("attendees checked in", "AttendeeCheckedIn", cycle_checked_in, 0.5, "one-rule"),
    ("speakers confirmed", "SpeakerConfirmed, who speaks", cycle_speakers, 0.25, "one-rule"),
)


def build_stream(up: Upstreams, cycle: Cycle, conference_ids: Sequence[str], n: int):
    """n deliveries, whole cycles spread round-robin over the conferences."""
    deliveries: list[Delivery] = []
    j = 0
    while len(deliveries) < n:
        deliveries.extend(cycle(up, conference_ids[j % len(conference_ids)]))
        j += 1
    return deliveries[:n]


def entries_concerned(
    app: ChecklistApplication, envelope: Envelope, payload: dict[str, Any]
) -> int:
    """Entries of the plan the policy loads for this event (every code is planned here):
    its rules test the payload as the policy does, as published plus the contract's
    defaults."""
    key = f"{envelope.service}.{envelope.event_type}"
    tested = matched_payload(envelope.payload, payload)
    return len({code for code, _ in app.template.rules.concerned(key, tested)})


def feed(
    apps: dict[str, Checklist], deliveries: Sequence[Delivery], timed: bool = True
) -> dict[str, Any]:
    """Apply the same deliveries to each application, alternating which goes first; then
    let each read model catch up with what they recorded (timed apart)."""
    names = list(apps)
    sinks = {name: ProcessSink(checklist.app) for name, checklist in apps.items()}
    durations: dict[str, list[float]] = {name: [] for name in names}
    stored = {name: checklist.app.max_notification_id() for name, checklist in apps.items()}
    for i in range(0, len(deliveries), CHUNK):
        chunk = deliveries[i : i + CHUNK]
        order = names if (i // CHUNK) % 2 == 0 else names[::-1]
        for name in order:
            apply, spent = sinks[name].apply, durations[name]
            for envelope, payload in chunk:
                started = time.perf_counter()
                apply(envelope, payload)
                spent.append(time.perf_counter() - started)
    projections: dict[str, tuple[int, float]] = {}
    for name in names:
        started = time.perf_counter()
        pulled = apps[name].model.catch_up()
        projections[name] = (pulled, time.perf_counter() - started)
    if not timed:
        return {}
    result: dict[str, Any] = {}
    for name, checklist in apps.items():
        app = checklist.app
        concerned = [entries_concerned(app, envelope, loaded) for envelope, loaded in deliveries]
        total = sum(durations[name])
        by_type: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for (envelope, _), n, spent in zip(deliveries, concerned, durations[name], strict=True):
            by_type[f"{envelope.service}.{envelope.event_type}"].append((n, spent))
        result[name] = {
            "events": len(deliveries),
            "seconds": round(total, 3),
            "events_per_second": round(len(deliveries) / total, 1),
            "apply": summary_ms(durations[name]),
            "entries_concerned_per_event": round(sum(concerned) / len(concerned), 2),
            "events_recorded_per_event": round(
                (app.max_notification_id() - stored[name]) / len(deliveries), 2
            ),
            # the read model's catch-up with the events the stream recorded, once after it
            "project": {
                "events": projections[name][0],
                "seconds": round(projections[name][1], 3),
                "ms_per_event": round(projections[name][1] * 1000 / projections[name][0], 4)
                if projections[name][0]
                else None,
            },
            "by_type": {
                key: {
                    "events": len(rows),
                    "entries_concerned": rows[0][0],
                    "mean_ms": round(sum(s for _, s in rows) / len(rows) * 1000, 3),
                    "p50_ms": round(percentile([s for _, s in rows], 50) * 1000, 3),
                }
                for key, rows in by_type.items()
            },
            "_samples": list(zip(concerned, durations[name], strict=True)),
        }
    return result


def per_entry_model(samples: Sequence[tuple[int, float]]) -> dict[str, Any]:
    """Mean cost by entries concerned, and a straight line through all events."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for n, spent in samples:
        buckets[n].append(spent)
    model: dict[str, Any] = {
        "by_entries_concerned": {
            str(n): {
                "events": len(values),
                "events_per_second": round(len(values) / sum(values), 1),
                "mean_ms": round(sum(values) / len(values) * 1000, 3),
                "p50_ms": round(percentile(values, 50) * 1000, 3),
            }
            for n, values in sorted(buckets.items())
        }
    }
    if len(buckets) > 1:
        slope, intercept = statistics.linear_regression(
            [float(n) for n, _ in samples], [spent for _, spent in samples]
        )
        model["fit_ms"] = {
            "fixed": round(intercept * 1000, 3),
            "per_entry_concerned": round(slope * 1000, 3),
        }
    return model


def measure_matching(
    apps: dict[str, Checklist],
    up: Upstreams,
    warm_ids: Sequence[str],
    ids: Sequence[str],
    events: int,
) -> dict[str, Any]:
    """Each stream through the full application and its baseline, side by side."""
    # one cycle of each stream on the warm-up conferences, unmeasured
    for _, _, cycle, _, baseline in STREAMS:
        pair = {"full": apps["full"], baseline: apps[baseline]}
        feed(pair, build_stream(up, cycle, warm_ids, 10), timed=False)
    streams: dict[str, Any] = {}
    samples: dict[str, list[tuple[int, float]]] = {name: [] for name in apps}
    for name, about, cycle, share, baseline in STREAMS:
        n = max(1, int(events * share))
        _say(f"matching: stream {name!r}, {n} events, full beside {baseline}")
        pair = {"full": apps["full"], baseline: apps[baseline]}
        measured = feed(pair, build_stream(up, cycle, ids, n))
        for app_name, figures in measured.items():
            samples[app_name].extend(figures.pop("_samples"))
        streams[name] = {
            "about": about,
            "baseline": baseline,
            **measured,
            "full_over_baseline": ratio(
                measured["full"]["events_per_second"], measured[baseline]["events_per_second"]
            ),
            # the same from the median event (a stall of the machine moves the mean)
            "full_over_baseline_p50": ratio(
                measured[baseline]["apply"]["p50_ms"], measured["full"]["apply"]["p50_ms"]
            ),
        }
    _check_effects(apps, ids)
    models = {name: per_entry_model(s) for name, s in samples.items()}
    return {"streams": streams, "cost_model": models, "upstream_positions": dict(up.position)}


def entry(checklist: Checklist, conference_id: str, code: str) -> dict[str, Any]:
    """One entry as `GET /conferences/<id>/entries/<code>` answers it (the read model)."""
    return json.loads(checklist.view.entry(conference_id, code).body)


def _check_effects(apps: dict[str, Checklist], ids: Sequence[str]) -> None:
    """The streams did what they should, as the read model shows it: 1.3.5 verified in both
    plans, counts progressed."""
    for name in ("full", "one-rule"):
        if entry(apps[name], ids[0], "1.3.5")["status"] != "verified":
            raise BenchError(f"{name}: entry 1.3.5 not verified by the venue contracts")
    if entry(apps[ONE_RULE_821], ids[0], "8.2.1")["status"] != "verified":
        raise BenchError(f"{ONE_RULE_821}: entry 8.2.1 not verified by the vendors added")
    for code in ("8.2.1", "15.3.1", "9.1.1"):
        if entry(apps["full"], ids[0], code)["members"] == 0:
            raise BenchError(f"full: entry {code} counted no member")


# -- 3. the index alone -------------------------------------------------------------------
def measure_index(rounds: int) -> dict[str, Any]:
    """Lookups per second of each index for the same (key, payload) lists: the rounds of the
    two indexes alternate, and the fastest round of each is kept (timeit's advice: slower
    rounds are the machine's noise, not the code's)."""
    indexes = {"full": templates.load("conference").rules, "one-rule": one_rule_template().rules}
    up = Upstreams()
    mixed = [
        (f"{e.service}.{e.event_type}", e.payload) for e, _ in cycle_mixed(up, str(uuid.uuid4()))
    ]

    def only(key: str) -> list[tuple[str, dict[str, Any]]]:
        return [(k, p) for k, p in mixed if k == key]

    cases = {
        "no rule listens (registration.AttendeeRegistered)": only(
            "registration.AttendeeRegistered"
        ),
        "vendors.SiteInspected, catering (no `where` holds)": only("vendors.SiteInspected"),
        "vendors.ContractSigned, venue": only("vendors.ContractSigned"),
        "speakers.SpeakerConfirmed, who speaks": [("speakers.SpeakerConfirmed", SPEAKER)],
        "the mixed stream's ten events": mixed,
    }
    result: dict[str, Any] = {}
    for case, lookups in cases.items():
        batch = lookups * (100 // len(lookups))  # about 100 lookups per call

        def loop(index: Any, batch: list = batch) -> None:
            for key, payload in batch:
                index.concerned(key, payload)

        number, _ = timeit.Timer(lambda: loop(indexes["full"])).autorange()
        best = {name: float("inf") for name in indexes}
        for r in range(rounds):
            for name in list(indexes)[:: 1 if r % 2 == 0 else -1]:
                index = indexes[name]
                spent = timeit.timeit(lambda index=index: loop(index), number=number)
                best[name] = min(best[name], spent)
        row: dict[str, Any] = {}
        for name, index in indexes.items():
            row[name] = {
                "lookups_per_second": round(len(batch) * number / best[name]),
                # the (entry, rule, role) triples filed under the key, and those returned
                "rules_under_key": sum(len(index._by_key.get(k, ())) for k, _ in lookups),
                "entries_returned": sum(len(index.concerned(k, p)) for k, p in lookups),
            }
        row["full_over_one_rule"] = ratio(
            row["full"]["lookups_per_second"], row["one-rule"]["lookups_per_second"]
        )
        result[case] = row
    return result


# -- the run ------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "checklist",
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": args.store,
        "conferences": args.conferences,
        "events": args.events,
        "profile": PROFILE,
        "machine": machine(),
        "revision": revision(),
    }
    _say("template: parsing conference.yaml")
    result["template_load"] = measure_template_load(min(args.rounds, 3))
    templates.load("conference")
    stores = Stores(args.store, args.workdir)
    up = Upstreams()
    try:
        apps = {name: stores.build(name, template()) for name, template in TEMPLATES.items()}
        _say("filling each store to its steady state")
        result["settle"] = settle(stores, apps, up)
        _say(f"opening {args.conferences} conferences in each of {', '.join(apps)}")
        opens, warm_ids, ids = measure_open(apps, args.conferences)
        result["open"] = opens
        _say(f"reading every plan {args.reads} times")
        result["plan_read"] = measure_plan_reads(apps, ids, args.reads)
        _say("statistics of every plan of the full application")
        result["statistics"] = measure_statistics(apps["full"], len(warm_ids) + len(ids))
        # the second baseline: its store settled and its plans opened like the others
        vendor_rule = stores.build(ONE_RULE_821, one_rule_template("8.2.1"))
        settle(stores, {ONE_RULE_821: vendor_rule}, up)
        for conference_id in [*warm_ids, *ids]:
            open_plan(vendor_rule, conference_id)
        vendor_rule.model.catch_up()
        matching_apps = {
            "full": apps["full"],
            "one-rule": apps["one-rule"],
            ONE_RULE_821: vendor_rule,
        }
        result["matching"] = measure_matching(matching_apps, up, warm_ids, ids, args.events)
        _say("reading every plan once more, after the streams")
        result["plan_read_after_streams"] = measure_plan_reads(
            {name: apps[name] for name in ("full", "one-rule")}, ids, 1
        )
        _say("the overdue check of one full plan, as of its first day")
        result["overdue"] = measure_overdue(apps["full"], ids[-1], len(warm_ids) + len(ids))
    finally:
        stores.close()
    _say("the index alone")
    result["index"] = measure_index(args.rounds)
    full, one = result["open"]["full"], result["open"]["one-rule"]
    result["ratios"] = {
        "open_full_over_one_rule": ratio(full["open"]["p50_ms"], one["open"]["p50_ms"]),
        "open_marginal_ms_per_entry": round(
            (full["open"]["p50_ms"] - one["open"]["p50_ms"]) / (full["entries"] - one["entries"]),
            4,
        ),
        "project_full_over_one_rule": ratio(full["project"]["p50_ms"], one["project"]["p50_ms"]),
        "read_full_over_one_rule": ratio(
            result["plan_read"]["full"]["read"]["p50_ms"],
            result["plan_read"]["one-rule"]["read"]["p50_ms"],
        ),
        "matching_full_over_baseline": {
            name: stream["full_over_baseline"]
            for name, stream in result["matching"]["streams"].items()
        },
        "matching_full_over_baseline_p50": {
            name: stream["full_over_baseline_p50"]
            for name, stream in result["matching"]["streams"].items()
        },
    }
    return result


def report(result: dict[str, Any]) -> str:
    opens, reads = result["open"], result["plan_read"]
    after = result["plan_read_after_streams"]
    streams = result["matching"]["streams"]
    model = result["matching"]["cost_model"]
    lines = [
        f"Huiwu checklist, store={result['store']}, {result['conferences']} conferences, "
        f"profile {result['profile']}, template parse "
        f"{result['template_load']['p50_ms']:.0f} ms (once per process)",
        "full/one, full/baseline: the full template over the one-rule one, in events (or "
        "lookups) per second",
        "",
    ]

    def table(rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for i, row in enumerate(rows):
            lines.append("  ".join(c.ljust(widths[j]) for j, c in enumerate(row)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")

    rows = [
        (
            "plan",
            "entries",
            "open p50 / p99 ms",
            "entries/s",
            "project p50 / p99 ms",
            "read p50 / p99 ms",
            "entry read p50 / p99 ms",
        )
    ]
    for name, o in opens.items():
        r, e = reads[name]["read"], reads[name]["entry_read"]
        rows.append(
            (
                name,
                str(o["entries"]),
                f"{o['open']['p50_ms']:.2f} / {o['open']['p99_ms']:.2f}",
                f"{o['entries_per_second']:.0f}",
                f"{o['project']['p50_ms']:.2f} / {o['project']['p99_ms']:.2f}",
                f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}",
                f"{e['p50_ms']:.2f} / {e['p99_ms']:.2f}",
            )
        )
    for name, a in after.items():
        r, e = a["read"], a["entry_read"]
        rows.append(
            (
                f"{name}, after streams",
                str(a["entries"]),
                "",
                "",
                "",
                f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f}",
                f"{e['p50_ms']:.2f} / {e['p99_ms']:.2f}",
            )
        )
    table(rows)
    ratios = result["ratios"]
    lines.append(
        f"open full / one-rule: {ratios['open_full_over_one_rule']:.1f}x for "
        f"{opens['full']['entries']}x the entries; marginal "
        f"{ratios['open_marginal_ms_per_entry']:.3f} ms per entry; "
        f"project full / one-rule: {ratios['project_full_over_one_rule']:.1f}x "
        f"({opens['full']['project_ms_per_event']:.3f} ms per event); "
        f"read full / one-rule: {ratios['read_full_over_one_rule']:.1f}x"
    )
    st, od = result["statistics"], result["overdue"]
    lines.append(
        f"statistics of all {st['conferences']} full plans ({st['entries']} entries, "
        f"{st['overdue']} overdue; the plan gauges): {st['seconds'] * 1000:.1f} ms; "
        f"with {od['statistics_after']['overdue']} overdue: "
        f"{od['statistics_after']['seconds'] * 1000:.1f} ms"
    )
    lines.append(
        f"overdue check of one full plan as of its first day: {od['flagged']} entries "
        f"flagged in {od['check_seconds'] * 1000:.0f} ms, projected in "
        f"{od['project_seconds'] * 1000:.0f} ms"
    )
    lines.append("")

    rows = [
        (
            "stream (events)",
            "baseline",
            "full ev/s",
            "baseline ev/s",
            "full/baseline",
            "p50 ms full / base",
            "entries per event full / base",
            "events recorded per event full / base",
            "project ms/event full / base",
        )
    ]
    for name, s in streams.items():
        f, o = s["full"], s[s["baseline"]]
        rows.append(
            (
                f"{name} ({f['events']})",
                s["baseline"],
                f"{f['events_per_second']:.0f}",
                f"{o['events_per_second']:.0f}",
                f"{s['full_over_baseline']:.2f}",
                f"{f['apply']['p50_ms']:.2f} / {o['apply']['p50_ms']:.2f}",
                f"{f['entries_concerned_per_event']:.2f} / {o['entries_concerned_per_event']:.2f}",
                f"{f['events_recorded_per_event']:.2f} / {o['events_recorded_per_event']:.2f}",
                f"{_ms(f['project']['ms_per_event'])} / {_ms(o['project']['ms_per_event'])}",
            )
        )
    table(rows)

    names = list(model)
    buckets = sorted({n for m in model.values() for n in m["by_entries_concerned"]}, key=int)
    rows = [("entries concerned", *(f"{name}: events, ev/s" for name in names))]
    for n in buckets:
        cells = []
        for name in names:
            b = model[name]["by_entries_concerned"].get(n)
            cells.append(f"{b['events']}, {b['events_per_second']:.0f}" if b else "")
        rows.append((n, *cells))
    table(rows)

    rows = [("index lookup", "full /s", "one-rule /s", "full/one", "rules under key full / one")]
    for case, row in result["index"].items():
        rows.append(
            (
                case,
                f"{row['full']['lookups_per_second']:,.0f}",
                f"{row['one-rule']['lookups_per_second']:,.0f}",
                f"{row['full_over_one_rule']:.2f}",
                f"{row['full']['rules_under_key']} / {row['one-rule']['rules_under_key']}",
            )
        )
    table(rows)
    return "\n".join(lines).rstrip()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.checklist", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--conferences", type=int, default=20, help="plans opened per template (20)"
    )
    parser.add_argument(
        "--events",
        type=int,
        default=2000,
        help="events of the untouched and mixed streams; half that for vendors added, venue "
        "contracts and attendees checked in, a quarter for venue cancellations and speakers "
        "confirmed (2000)",
    )
    parser.add_argument("--reads", type=int, default=2, help="reads of each plan (2)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of each index timing (5), and of the template parse (at most 3)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the JSON (bench/results/checklist-<store>.json)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="directory for the run's temporary stores (the system's temp dir)",
    )
    args = parser.parse_args(argv)
    if min(args.conferences, args.events, args.reads, args.rounds) < 1:
        parser.error("--conferences, --events, --reads and --rounds must be at least 1")

    return run_and_report(f"checklist-{args.store}", lambda: run(args), report, args.output)


if __name__ == "__main__":
    sys.exit(main())
