"""The event backbone, end to end, next to bare RabbitMQ and bare SQL in the same run.

    python -m bench.backbone [--events N] [--store sqlite|postgres] [--samples S]

Everything runs on a fresh RabbitMQ virtual host and fresh stores (a temporary SQLite
directory, or PostgreSQL schemas of its own), which are removed afterwards.

The benchmark assumes nothing about how many events a command causes (a plan opens with
as many entries as the template and the profile give it, and a signed contract proves as
many entries as the rules say). It counts what the services report instead: after each
phase, every service's `huiwu_events_stored`, and for every consumer that follows a
running service, `huiwu_consumer_messages_total{outcome="processed"}`. A phase is over
when every event stored by vendors and checklist has been applied by every consumer that
follows it, and the audit trail is checked against the same counts at the end.

1. Throughput. checklist, vendors and reporting run as real processes, as `huiwu up` starts
   them, with the services' default timers. Conferences are opened (30 by default), each
   with one venue vendor, and N venue contracts are drafted over them round-robin (timed
   too, as the "draft" phase). Then the N contracts are signed from a few client threads.
   Each ContractSigned is consumed by checklist (which records EntryVerified on entry 1.3.5,
   and whatever else its rules record, in reaction) and by reporting (audit trail); each
   event checklist records goes on to reporting and vendors. The clock runs from the first
   command until every consumer has applied every event stored upstream (see above);
   events/s is N divided by that time.
   (`--conferences 1` puts every proof on one entry, whose replay then grows with N.)
2. Latency. Sequential samples, each independent: a new conference with one drafted venue
   contract, the system left idle, then the sign command, with entry 1.3.5 polled (every
   2 ms after each answer; `GET /conferences/<id>/entries/1.3.5`, or the whole plan with
   `--poll plan`) from the moment the command leaves until it reads "verified". The audit
   trail's `occurred_at` of ContractSigned and of entry 1.3.5's EntryVerified splits each
   sample into its legs without the polling error.
3. Baselines, once the services are stopped: a bare py-amqp loop publishing N messages of
   the same bytes as a real ContractSigned envelope, persistent, each confirmed before the
   next (py-amqp's `confirm_publish=True`), to a durable queue, consumed with an ack each;
   the same with confirms awaited per batch (the relay's way); and N single-row
   transactions in a bare SQLite file (WAL, as the services use), or PostgreSQL.

Results are printed and written to bench/results/backbone-<store>.json (or --output).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import amqp
from kombu import Connection

from services.common.amqp import ConfirmingPublisher, OutgoingMessage
from tests.support.broker import VirtualHost
from tests.support.system import Response, System

RESULTS = Path(__file__).resolve().parent / "results"
SERVICES = ("checklist", "vendors", "reporting")
DATABASE_URL = os.environ.get(
    "HUIWU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

# The services' own defaults, not the shortened intervals the test harness uses
# (the catch-up interval is an option, 15 s by default, as in the services).
SERVICE_ENV = {
    "HUIWU_RELAY_INTERVAL": "1.0",
    "HUIWU_RPC_TIMEOUT": "10",
    "HUIWU_CONSUMER_RETRY_DELAY": "0.2",
}

CONFERENCE = {
    "name": "Backbone Benchmark Forum",
    "starts_on": "2027-05-12",
    "ends_on": "2027-05-14",
    "city": "Hangzhou",
    "expected_attendance": 500,
    "profile": "academic",
    "actor": "bench",
}
VENUE_ENTRY = "1.3.5"  # "venue contract signed": verified by a signed venue contract
POLL_INTERVAL = 0.002

STORED = "huiwu_events_stored"
CONSUMED = "huiwu_consumer_messages_total"
FAILED_OUTCOMES = ("dead_lettered", "malformed")  # the event never counts as processed


class BenchError(RuntimeError):
    pass


# -- statistics ------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """p50, p99, mean and max of durations in seconds, in milliseconds."""
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "mean_ms": round(sum(values) / len(values) * 1000, 2) if values else float("nan"),
        "max_ms": round(max(values) * 1000, 2) if values else float("nan"),
        "samples": len(values),
    }


# -- talking to the services -----------------------------------------------------------
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

Samples = dict[tuple[str, frozenset], float]


def scrape(service) -> Samples:
    """Every sample of a service's /metrics, keyed by (name, labels)."""
    samples: Samples = {}
    for line in service.get("/metrics", timeout=5).text.splitlines():
        if not line or line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        name, _, label_text = sample.partition("{")
        samples[(name, frozenset(_LABEL.findall(label_text)))] = float(value)
    return samples


def metric(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of `name` that carry these labels (0 when there is none)."""
    return found if (found := reported(samples, name, **labels)) is not None else 0.0


def reported(samples: Samples, name: str, **labels: str) -> float | None:
    """Like metric(), but None when the service reports no such sample at all."""
    wanted = set(labels.items())
    values = [v for (n, found), v in samples.items() if n == name and wanted <= found]
    return sum(values) if values else None


def ok(response: Response, status: int = 200) -> Any:
    if response.status != status:
        raise BenchError(f"expected HTTP {status}, got {response!r}")
    return response.json


def flow_name(consumer: str, upstream: str) -> str:
    return f"{consumer}<-{upstream}"


def upstream_of(flow: str) -> str:
    return flow.split("<-", 1)[1]


class NoAnswer(Exception):
    """A service answered /metrics without the figures needed (its store did not answer)."""


@dataclass(frozen=True)
class Counts:
    """What the running services report at one moment.

    stored: per service, `huiwu_events_stored` (its highest notification id);
    applied: per flow "consumer<-upstream" between running services, the upstream's events
    the consumer has applied (`huiwu_consumer_messages_total{outcome="processed"}`; an event
    pulled by catch-up or to fill a gap counts there too, a duplicate does not);
    failed: per flow, messages dead-lettered or malformed (never expected here).
    """

    stored: dict[str, int]
    applied: dict[str, int]
    failed: dict[str, int]

    def behind(self) -> dict[str, int]:
        """Per flow, events stored upstream that the consumer has not applied (or, if
        negative, applied beyond what the upstream's figure showed when it was read)."""
        missing = {flow: self.stored[upstream_of(flow)] - n for flow, n in self.applied.items()}
        return {flow: n for flow, n in missing.items() if n}

    def since(self, before: Counts) -> dict[str, Any]:
        """What happened between two drained moments: events stored, and applied per flow."""
        stored = {name: n - before.stored.get(name, 0) for name, n in self.stored.items()}
        applied = {flow: n - before.applied.get(flow, 0) for flow, n in self.applied.items()}
        return {
            "events_stored": {name: n for name, n in stored.items() if n},
            # every event stored upstream, once for each consumer that follows it
            "deliveries_expected": sum(stored[upstream_of(flow)] for flow in self.applied),
            "deliveries_processed": sum(applied.values()),
            "deliveries_by_flow": applied,
        }


class Traffic:
    """Reads what the services report, and waits until every consumer has caught up."""

    def __init__(self, system: System, services: Sequence[str], stall_timeout: float) -> None:
        self.system = system
        self.services = tuple(services)
        self.stall_timeout = stall_timeout
        self.unanswered_scrapes = 0  # /metrics that did not answer in time (a stalled service)

    def counts(self) -> Counts:
        scraped = {name: scrape(self.system[name]) for name in self.services}
        stored: dict[str, int] = {}
        for name in self.services:
            value = reported(scraped[name], STORED, service=name)
            if value is None:
                raise NoAnswer(f"{name} reports no {STORED}")
            stored[name] = int(value)
        applied: dict[str, int] = {}
        failed: dict[str, int] = {}
        for consumer in self.services:
            for upstream in self.followed(scraped[consumer], consumer):
                flow = flow_name(consumer, upstream)
                labels = {"service": consumer, "upstream": upstream}
                applied[flow] = int(
                    metric(scraped[consumer], CONSUMED, outcome="processed", **labels)
                )
                failed[flow] = int(
                    sum(
                        metric(scraped[consumer], CONSUMED, outcome=o, **labels)
                        for o in FAILED_OUTCOMES
                    )
                )
        if not applied:
            raise BenchError(f"no service among {', '.join(self.services)} follows another")
        return Counts(stored, applied, failed)

    def followed(self, samples: Samples, consumer: str) -> list[str]:
        """The running services this one consumes from, as its own metrics show them."""
        upstreams = {
            dict(labels).get("upstream")
            for (name, labels) in samples
            if name == CONSUMED and dict(labels).get("service", consumer) == consumer
        }
        return sorted(u for u in upstreams if u in self.services and u != consumer)

    def wait_drained(self, interval: float) -> Counts:
        """Wait until every event stored by a running service has been applied by every
        running consumer that follows it, and return the counts of that moment.

        An event is stored (and counted in `huiwu_events_stored`) before it is published,
        and a consumer counts an event as processed only after committing its effect, with
        any event it records in reaction. So once every consumer's count equals its
        upstream's stored count, nothing more is on its way. Gives up only when the counts
        have not moved for `stall_timeout` seconds, or a message was dead-lettered.
        """
        moved_at, last = time.monotonic(), None
        while True:
            try:
                counts = self.counts()
            except (OSError, NoAnswer):  # a timeout: the service is stalled; keep waiting
                self.unanswered_scrapes += 1
                counts = None
            if counts is not None:
                failed = {flow: n for flow, n in counts.failed.items() if n}
                if failed:
                    raise BenchError(f"consumers dead-lettered messages: {failed} (see the logs)")
                if not counts.behind():
                    return counts
                if (counts.stored, counts.applied) != last:
                    moved_at, last = time.monotonic(), (counts.stored, counts.applied)
            if time.monotonic() - moved_at > self.stall_timeout:
                detail = (
                    f"behind by {counts.behind()}, stored {counts.stored}"
                    if counts is not None
                    else "/metrics did not answer"
                )
                raise BenchError(
                    f"consumers made no progress for {self.stall_timeout:.0f} s: {detail}"
                )
            time.sleep(interval)

    def outcomes(self) -> dict[str, dict[str, float]]:
        """Every consumer outcome (processed, duplicate, gap_filled, caught_up, ...)."""
        result: dict[str, dict[str, float]] = {}
        for name in self.services:
            for (metric_name, labels), value in scrape(self.system[name]).items():
                if metric_name != CONSUMED:
                    continue
                found = dict(labels)
                flow = flow_name(name, found["upstream"])
                result.setdefault(flow, {})[found["outcome"]] = value
        return result


class Client:
    """The commands of the slice, as a person (or a script) sends them over HTTP."""

    def __init__(self, system: System, poll: str = "entry") -> None:
        self.system = system
        self.poll = poll

    def open_conference(self) -> str:
        reply = ok(self.system["checklist"].post("/conferences", CONFERENCE), 201)
        return reply["conference_id"]

    def add_vendor(self, conference_id: str) -> str:
        body = {
            "conference_id": conference_id,
            "name": "West Lake Expo Centre",
            "categories": ["venue"],
            "actor": "bench",
        }
        reply = ok(self.system["vendors"].post("/vendors", body), 201)
        return reply["vendor_id"]

    def draft(self, conference_id: str, vendor_id: str) -> str:
        body = {
            "conference_id": conference_id,
            "vendor_id": vendor_id,
            "category": "venue",
            "title": "Main hall and four breakout rooms, three days",
            "amount_minor": 12_000_000,
            "currency": "CNY",
            "actor": "bench",
        }
        reply = ok(self.system["vendors"].post("/contracts", body), 201)
        return reply["contract_id"]

    def sign(self, contract_id: str) -> None:
        body = {"signed_on": "2026-12-01", "actor": "bench"}
        ok(self.system["vendors"].post(f"/contracts/{contract_id}/sign", body))

    def entry_status(self, conference_id: str, code: str = VENUE_ENTRY) -> str:
        checklist = self.system["checklist"]
        if self.poll == "entry":
            return ok(checklist.get(f"/conferences/{conference_id}/entries/{code}"))["status"]
        plan = ok(checklist.get(f"/conferences/{conference_id}/plan"))
        return next(e["status"] for e in plan["entries"] if e["code"] == code)


def timed_calls(
    call: Callable[[Any], Any], args: Sequence[Any], clients: int
) -> tuple[float, float, list[float]]:
    """Run call(arg) for every arg on `clients` threads: (start, end, latencies)."""

    def one(arg: Any) -> float:
        started = time.perf_counter()
        call(arg)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(one, args))
    return started, time.perf_counter(), latencies


class CpuMeter:
    """CPU seconds used by the services, the broker, PostgreSQL and this process (/proc)."""

    GROUPS = {"rabbitmq": "beam.smp", "postgresql": "postgres"}

    def __init__(self, services: Sequence[str], amqp_uri: str) -> None:
        self.services = _service_processes(services, amqp_uri)
        self.missing = [name for name in services if name not in self.services]
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def _used(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / self.tick
        except (OSError, ValueError, IndexError):
            return None

    def snapshot(self) -> dict[str, dict[int, float]]:
        """Per group, CPU seconds of each of its processes so far."""
        groups: dict[str, list[int]] = {name: [pid] for name, pid in self.services.items()}
        for group, command in self.GROUPS.items():
            groups[group] = _find_processes(command)
        used: dict[str, dict[int, float]] = {}
        for group, pids in groups.items():
            used[group] = {pid: u for pid in pids if (u := self._used(pid)) is not None}
        times = os.times()
        used["benchmark client"] = {os.getpid(): times.user + times.system}
        return used

    @staticmethod
    def share(before: dict, after: dict, elapsed: float) -> dict[str, Any]:
        """CPU seconds per group over a phase (a process born meanwhile counts whole)."""
        spent = {
            group: round(sum(u - before.get(group, {}).get(pid, 0.0) for pid, u in pids.items()), 2)
            for group, pids in after.items()
            if pids
        }
        cores = os.cpu_count() or 1
        return {
            "cpu_seconds": spent,
            "share_of_all_cores": round(sum(spent.values()) / (elapsed * cores), 2),
        }


def _proc_entries() -> Iterable[Path]:
    return (entry for entry in Path("/proc").iterdir() if entry.name.isdigit())


def _find_processes(command: str) -> list[int]:
    found = []
    for entry in _proc_entries():
        try:
            if (entry / "comm").read_text().strip() == command:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _service_processes(services: Sequence[str], amqp_uri: str) -> dict[str, int]:
    """The pid of each service process of this run: `python -m huiwu.runner <name>`,
    started with this run's broker (its own virtual host) in its environment."""
    wanted = f"AMQP_URI={amqp_uri}".encode()
    found: dict[str, int] = {}
    for entry in _proc_entries():
        try:
            argv = [
                a.decode("utf-8", "replace")
                for a in (entry / "cmdline").read_bytes().split(b"\0")
                if a
            ]
            if "huiwu.runner" not in argv or argv[-1] not in services:
                continue
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                found[argv[-1]] = int(entry.name)
        except OSError:
            continue
    return found


# -- 1. throughput ------------------------------------------------------------------------
def measure_throughput(
    client: Client, traffic: Traffic, n: int, clients: int, conferences: int, cpu: CpuMeter
) -> dict[str, Any]:
    """Draft n venue contracts, then sign them, spread round-robin over the conferences."""
    opened = []
    for _ in range(conferences):
        conference_id = client.open_conference()
        opened.append((conference_id, client.add_vendor(conference_id)))
    before = traffic.wait_drained(interval=0.05)

    phases: dict[str, Any] = {
        "conferences": conferences,
        "setup": {"events_stored": {k: v for k, v in before.stored.items() if v}},
    }
    contract_ids: list[str] = []

    def draft(i: int) -> None:
        contract_ids.append(client.draft(*opened[i % conferences]))

    for phase, call, args in (
        ("draft", draft, range(n)),
        ("sign", client.sign, contract_ids),
    ):
        cpu_before = cpu.snapshot()
        started, commands_done, latencies = timed_calls(call, list(args), clients)
        after = traffic.wait_drained(interval=0.05)
        finished = time.perf_counter()
        cpu_after = cpu.snapshot()
        elapsed = finished - started
        happened = after.since(before)
        if happened["deliveries_processed"] != happened["deliveries_expected"]:
            raise BenchError(f"{phase}: deliveries do not add up: {happened}")
        stored = sum(happened["events_stored"].values())
        deliveries = happened["deliveries_processed"]
        phases[phase] = {
            "commands": n,
            "commands_seconds": round(commands_done - started, 3),
            "end_to_end_seconds": round(elapsed, 3),
            "drain_after_last_command_seconds": round(finished - commands_done, 3),
            "commands_per_second": round(n / (commands_done - started), 1),
            "events_per_second": round(n / elapsed, 1),
            **happened,
            "events_stored_per_second": round(stored / elapsed, 1),
            "deliveries_per_second": round(deliveries / elapsed, 1),
            "command_latency": summary_ms(latencies),
            "cpu": CpuMeter.share(cpu_before, cpu_after, elapsed),
        }
        before = after
    phases["conference_id"] = opened[0][0]
    return phases


# -- 2. latency ---------------------------------------------------------------------------
def measure_latency(client: Client, traffic: Traffic, samples: int) -> dict[str, Any]:
    """Sequential samples; entry 1.3.5 is polled from the moment the sign command leaves."""
    records, poll_gets = [], []
    for _ in range(samples):
        conference_id = client.open_conference()
        vendor_id = client.add_vendor(conference_id)
        contract_id = client.draft(conference_id, vendor_id)
        traffic.wait_drained(interval=0.01)  # idle: each sample stands alone
        replied: dict[str, float] = {}

        def send(contract_id: str = contract_id, replied: dict = replied) -> None:
            client.sign(contract_id)
            replied["at"] = time.perf_counter()

        sender = threading.Thread(target=send, daemon=True)
        wall = time.time()
        started = time.perf_counter()
        sender.start()
        polls = 0
        while True:
            began = time.perf_counter()
            status = client.entry_status(conference_id)
            poll_gets.append(time.perf_counter() - began)
            polls += 1
            if status == "verified":
                break
            if began - started > 30:
                raise BenchError(f"entry {VENUE_ENTRY} of {conference_id} not verified within 30 s")
            time.sleep(POLL_INTERVAL)
        seen = time.perf_counter()
        sender.join(30)
        if "at" not in replied:
            raise BenchError(f"sign of {contract_id} got no successful reply")
        records.append(
            {
                "conference_id": conference_id,
                "wall": wall,
                "reply": replied["at"] - started,
                "seen": seen - started,
                "polls": polls,
            }
        )
    traffic.wait_drained(interval=0.05)

    # Split each sample by the events' own timestamps (one clock: the same machine).
    to_signed, signed_to_verified, to_verified = [], [], []
    for record in records:
        signed_at, verified_at = signed_and_verified(client.system, record["conference_id"])
        to_signed.append(signed_at - record["wall"])
        signed_to_verified.append(verified_at - signed_at)
        to_verified.append(verified_at - record["wall"])
    return {
        "samples": samples,
        "polled": client.poll,
        "poll_interval_ms": POLL_INTERVAL * 1000,
        "sign_to_verified_seen": summary_ms([r["seen"] for r in records]),
        "sign_reply": summary_ms([r["reply"] for r in records]),
        "poll_get": summary_ms(poll_gets),
        "polls_per_sample_median": percentile([r["polls"] for r in records], 50),
        "legs": {
            "command_sent_to_ContractSigned_created": summary_ms(to_signed),
            "ContractSigned_created_to_EntryVerified_created": summary_ms(signed_to_verified),
            "command_sent_to_EntryVerified_created": summary_ms(to_verified),
        },
    }


def conference_trail(system: System, conference_id: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        page = ok(
            system["reporting"].get(
                f"/audit?conference_id={conference_id}&limit=10000&offset={len(events)}"
            )
        )["events"]
        events += page
        if len(page) < 10000:
            return events


def signed_and_verified(system: System, conference_id: str) -> tuple[float, float]:
    """When the sample's ContractSigned, and the EntryVerified of its entry 1.3.5, occurred.

    The conference's other entries may be verified or progressed by the same signature;
    entry 1.3.5 is the one whose EntryPlanned carries its code.
    """
    events = conference_trail(system, conference_id)
    entry_ids = {
        e["aggregate_id"]
        for e in events
        if e["event_type"] == "EntryPlanned" and e["payload"].get("code") == VENUE_ENTRY
    }
    signed = [e for e in events if e["event_type"] == "ContractSigned"]
    verified = [
        e for e in events if e["event_type"] == "EntryVerified" and e["aggregate_id"] in entry_ids
    ]
    if len(signed) != 1 or not verified:
        raise BenchError(
            f"audit trail of {conference_id}: {len(signed)} ContractSigned, "
            f"{len(verified)} EntryVerified of entry {VENUE_ENTRY}"
        )

    def at(event: dict[str, Any]) -> float:
        return dt.datetime.fromisoformat(event["occurred_at"]).timestamp()

    return at(signed[0]), min(at(e) for e in verified)


def sample_envelope(system: System, conference_id: str) -> bytes:
    """The bytes of one real ContractSigned message, for the baselines' payloads."""
    events = conference_trail(system, conference_id)
    signed = [e for e in events if e["event_type"] == "ContractSigned"]
    envelope = {**signed[0], "schema_version": 1}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True).encode("utf-8")


def audit_counts(system: System, services: Iterable[str]) -> dict[str, int]:
    """Rows of reporting's audit trail, per service whose events it holds."""
    counts = {}
    for service in services:
        total = 0
        while True:
            page = ok(
                system["reporting"].get(f"/audit?service={service}&limit=10000&offset={total}")
            )["events"]
            total += len(page)
            if len(page) < 10000:
                break
        counts[service] = total
    return counts


# -- 3a. bare RabbitMQ ------------------------------------------------------------------
def amqp_connection(uri: str, **options: Any) -> amqp.Connection:
    parsed = Connection(uri)
    conn = amqp.Connection(
        host=f"{parsed.hostname}:{parsed.port or 5672}",
        userid=parsed.userid,
        password=parsed.password,
        virtual_host=parsed.virtual_host,
        **options,
    )
    conn.connect()
    return conn


class Receiver(threading.Thread):
    """Consumes a queue with an ack per message (prefetch 10, as nameko's default)."""

    def __init__(self, uri: str, queue: str, prefetch: int = 10) -> None:
        super().__init__(daemon=True)
        self.uri = uri
        self.queue = queue
        self.prefetch = prefetch
        self.count = 0
        self.last = 0.0
        self.cond = threading.Condition()
        self.ready = threading.Event()
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            conn = amqp_connection(self.uri)
            channel = conn.channel()
            channel.basic_qos(0, self.prefetch, False)
            channel.basic_consume(self.queue, callback=self._on_message)
            self.ready.set()
            while not self.stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=0.2)
            conn.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the waiting side
            self.error = exc
            self.ready.set()

    def _on_message(self, message: amqp.Message) -> None:
        message.channel.basic_ack(message.delivery_tag)
        now = time.perf_counter()
        with self.cond:
            self.count += 1
            self.last = now
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float = 120) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: self.count >= count or self.error, timeout):
                raise BenchError(f"bare consumer got {self.count} of {count} messages")
        if self.error:
            raise BenchError(f"bare consumer failed: {self.error}")
        return self.last


def median_round(rounds: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The round with the median rate, with every round's rate beside it."""
    ordered = sorted(rounds, key=lambda r: r[key])
    return {**ordered[len(ordered) // 2], f"rounds_{key}": [r[key] for r in rounds]}


def measure_amqp(
    uri: str, n: int, body: bytes, samples: int, batch: int, rounds: int
) -> dict[str, Any]:
    exchange, queue = "bench.events", "bench.backbone-events"
    setup = amqp_connection(uri)
    channel = setup.channel()
    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
    channel.queue_declare(queue, durable=True, auto_delete=False)
    channel.queue_bind(queue, exchange, "#")
    server = setup.server_properties
    setup.close()

    receiver = Receiver(uri, queue)
    receiver.start()
    receiver.ready.wait(10)
    if receiver.error:
        raise BenchError(f"bare consumer failed: {receiver.error}")

    def message() -> amqp.Message:
        return amqp.Message(
            body,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=str(uuid.uuid4()),
            application_headers={"notification_id": 1},
        )

    def outgoing(count: int) -> list[OutgoingMessage]:
        return [
            OutgoingMessage(
                exchange=exchange,
                routing_key="ContractSigned",
                body=body,
                message_id=str(uuid.uuid4()),
                headers={"notification_id": 1},
            )
            for _ in range(count)
        ]

    result: dict[str, Any] = {
        "rabbitmq_version": _text(server.get("version")),
        "message_bytes": len(body),
    }
    sent = 0
    try:
        publisher = amqp_connection(uri, confirm_publish=True)
        pub = publisher.channel()
        # (a) one at a time, each confirmed before the next (py-amqp confirm_publish=True)
        each = []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(n):
                pub.basic_publish(message(), exchange=exchange, routing_key="ContractSigned")
            published = time.perf_counter()
            sent += n
            last = receiver.wait_for(sent)
            each.append(
                {
                    "messages": n,
                    "publish_seconds": round(published - started, 3),
                    "end_to_end_seconds": round(last - started, 3),
                    "messages_per_second": round(n / (last - started), 1),
                }
            )
        result["confirm_each"] = median_round(each, "messages_per_second")
        # latency: publish one, confirmed, until the consumer has it (system idle)
        latencies, confirms = [], []
        for _ in range(samples):
            began = time.perf_counter()
            pub.basic_publish(message(), exchange=exchange, routing_key="ContractSigned")
            confirms.append(time.perf_counter() - began)
            sent += 1
            latencies.append(receiver.wait_for(sent) - began)
        result["latency_publish_to_consumed"] = summary_ms(latencies)
        result["latency_publish_confirmed"] = summary_ms(confirms)
        publisher.close()

        # (b) the relay's way: send a batch, then wait for the broker's acks of all of it
        batched = ConfirmingPublisher(uri)
        per_batch = []
        for _ in range(rounds):
            started = time.perf_counter()
            for first in range(0, n, batch):
                batched.publish(outgoing(min(batch, n - first)))
            published = time.perf_counter()
            sent += n
            last = receiver.wait_for(sent)
            per_batch.append(
                {
                    "messages": n,
                    "batch": batch,
                    "publish_seconds": round(published - started, 3),
                    "end_to_end_seconds": round(last - started, 3),
                    "messages_per_second": round(n / (last - started), 1),
                }
            )
        batched.close()
        result["confirm_per_batch"] = median_round(per_batch, "messages_per_second")
    finally:
        receiver.stopping.set()
        receiver.join(5)
    return result


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)


# -- 3b. bare SQL -------------------------------------------------------------------------
def measure_sqlite(directory: Path, n: int, body: bytes, rounds: int) -> dict[str, Any]:
    """N single-row transactions in a file, in WAL mode like the services' stores."""
    return median_round(
        [_sqlite_round(directory / f"bare-{i}.sqlite", n, body) for i in range(rounds)],
        "writes_per_second",
    )


def _sqlite_round(path: Path, n: int, body: bytes) -> dict[str, Any]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "
            "body BLOB NOT NULL)"
        )
        text = body.decode("utf-8")
        latencies = []
        started = time.perf_counter()
        for _ in range(n):
            began = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO events (topic, body) VALUES (?, ?)", ("ContractSigned", text))
            conn.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    return {
        "writes": n,
        "journal_mode": "wal",
        "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(synchronous),
        "seconds": round(elapsed, 3),
        "writes_per_second": round(n / elapsed, 1),
        "write_latency": summary_ms(latencies),
        "sqlite_version": sqlite3.sqlite_version,
    }


def measure_postgres(database_url: str, n: int, body: bytes, rounds: int) -> dict[str, Any]:
    """N single-row transactions (autocommit INSERTs) in a schema of its own."""
    return median_round(
        [_postgres_round(database_url, n, body) for _ in range(rounds)], "writes_per_second"
    )


def _postgres_round(database_url: str, n: int, body: bytes) -> dict[str, Any]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    text = body.decode("utf-8")
    with psycopg.connect(database_url, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(
                f'CREATE TABLE "{schema}".events (id BIGSERIAL PRIMARY KEY, '
                "topic TEXT NOT NULL, body TEXT NOT NULL)"
            )
            insert = f'INSERT INTO "{schema}".events (topic, body) VALUES (%s, %s)'
            latencies = []
            started = time.perf_counter()
            for _ in range(n):
                began = time.perf_counter()
                conn.execute(insert, ("ContractSigned", text))
                latencies.append(time.perf_counter() - began)
            elapsed = time.perf_counter() - started
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return {
        "writes": n,
        "seconds": round(elapsed, 3),
        "writes_per_second": round(n / elapsed, 1),
        "write_latency": summary_ms(latencies),
        "postgresql_version": version,
    }


# -- the run ------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "os": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
    }


def revision() -> dict[str, Any]:
    """The commit measured, and whether the service code differed from it."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        # --no-optional-locks: never take the index lock of a tree someone is working in
        "services_modified": bool(
            git("--no-optional-locks", "status", "--porcelain", "--", "services", "huiwu")
        ),
    }


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator else float("nan")


class PostgresSchemas:
    """A schema prefix of the run's own; every service's schema is dropped afterwards."""

    def __init__(self, database_url: str) -> None:
        from tests.support.stores import provision_postgres

        self.database_url = database_url
        self.prefix = f"bench{uuid.uuid4().hex[:10]}_"
        provision_postgres(database_url, self.prefix)  # the services connect as their roles

    def drop(self) -> None:
        import psycopg

        pattern = self.prefix.replace("_", r"\_") + "%"
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [pattern]
            ).fetchall()
            for (schema,) in rows:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def log_tails(directory: Path, lines: int = 60) -> str:
    """The end of every log the services wrote, for a run that failed."""
    parts = []
    for path in sorted(p for p in directory.glob("*") if p.is_file()):
        text = path.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {path.name} ---\n" + "\n".join(text))
    return "\n".join(parts)


def store_env(store: str, workdir: Path) -> tuple[dict[str, str], Any]:
    """The services' store settings for a run: SQLite files under `workdir`, or PostgreSQL
    schemas of the run's own (returned too, for `release` to drop)."""
    if store != "postgres":
        return {"HUIWU_DATA_DIR": str(workdir / "data")}, None
    from tests.support.database import DATABASE_URL, PostgresSchemas

    schemas = PostgresSchemas()
    return {"HUIWU_DATABASE_URL": DATABASE_URL, "HUIWU_SCHEMA_PREFIX": schemas.prefix}, schemas


def release(system: Any, vhost: Any, schemas: Any, workdir: Path) -> None:
    """Stop the services and remove what a run made: its virtual host, schemas and files."""
    if system is not None:
        system.stop_all()
    try:
        vhost.delete()
    except Exception as exc:  # noqa: BLE001 - report, keep cleaning
        print(f"could not delete vhost {vhost.name}: {exc}", file=sys.stderr)
    if schemas is not None:
        schemas.drop()
    shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-", dir=args.workdir))
    vhost = VirtualHost()
    vhost.name = f"huiwu-bench-{uuid.uuid4().hex[:12]}"
    schemas = None
    system: System | None = None
    logs = workdir / "logs"
    result: dict[str, Any] = {
        "benchmark": "backbone",
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": args.store,
        "events": args.events,
        "clients": args.clients,
        "conferences": args.conferences,
        "catch_up_interval": args.catch_up_interval,
        "machine": machine(),
        "revision": revision(),
    }
    try:
        vhost.create()
        if args.store == "postgres":
            schemas = PostgresSchemas(DATABASE_URL)
            store_env = {"HUIWU_DATABASE_URL": DATABASE_URL, "HUIWU_SCHEMA_PREFIX": schemas.prefix}
        else:
            store_env = {"HUIWU_DATA_DIR": str(workdir / "data")}
        logs.mkdir()
        system = System(vhost.uri, store_env, logs)
        _say(f"starting {', '.join(SERVICES)} on {args.store}")
        system.start(
            *SERVICES,
            extra_env={**SERVICE_ENV, "HUIWU_CATCH_UP_INTERVAL": str(args.catch_up_interval)},
        )
        # Only a consumer that stops moving is a failure: a long phase is not.
        traffic = Traffic(system, SERVICES, stall_timeout=max(60.0, 4 * args.catch_up_interval))
        client = Client(system, args.poll)
        cpu = CpuMeter(SERVICES, vhost.uri)
        if cpu.missing:
            _say(f"no CPU figures for {', '.join(cpu.missing)}: process not found")

        _say(f"throughput: {args.events} drafts, then {args.events} signs, {args.clients} clients")
        throughput = measure_throughput(
            client, traffic, args.events, args.clients, args.conferences, cpu
        )
        _say(f"latency: {args.samples} sequential samples")
        latency = measure_latency(client, traffic, args.samples)
        body = sample_envelope(system, throughput["conference_id"])
        final = traffic.wait_drained(interval=0.05)
        outcomes = traffic.outcomes()
        # Reporting's own store must hold exactly the events the others say they stored.
        audited = sorted(upstream_of(f) for f in final.applied if f.startswith("reporting<-"))
        trail = audit_counts(system, audited)
        expected = {service: final.stored[service] for service in audited}
        if trail != expected:
            raise BenchError(f"audit trail holds {trail} events, the services stored {expected}")
        result["huiwu"] = {
            "throughput": {k: v for k, v in throughput.items() if k != "conference_id"},
            "latency": latency,
            "events_stored": final.stored,
            "audit_trail_events": sum(trail.values()),
            "audit_trail_by_service": trail,
            "consumer_outcomes": outcomes,
            "unanswered_metrics_scrapes": traffic.unanswered_scrapes,
        }
        system.stop_all()
        os.sync()  # the services' last writes should not land on the baselines
        time.sleep(1)

        _say("baseline: bare RabbitMQ")
        result["baseline"] = {
            "amqp": measure_amqp(
                vhost.uri, args.events, body, args.samples, args.batch, args.rounds
            )
        }
        _say("baseline: bare SQLite")
        result["baseline"]["sqlite"] = measure_sqlite(workdir, args.events, body, args.rounds)
        if args.store == "postgres":
            _say("baseline: bare PostgreSQL")
            result["baseline"]["postgres"] = measure_postgres(
                DATABASE_URL, args.events, body, args.rounds
            )
    except BaseException:
        if logs.is_dir():
            print(log_tails(logs), file=sys.stderr)
        raise
    finally:
        release(system, vhost, schemas, workdir)

    sign = result["huiwu"]["throughput"]["sign"]["events_per_second"]
    amqp_each = result["baseline"]["amqp"]["confirm_each"]["messages_per_second"]
    amqp_batch = result["baseline"]["amqp"]["confirm_per_batch"]["messages_per_second"]
    store_baseline = result["baseline"].get(args.store, result["baseline"]["sqlite"])
    seen = result["huiwu"]["latency"]["sign_to_verified_seen"]
    amqp_lat = result["baseline"]["amqp"]["latency_publish_to_consumed"]
    result["ratios"] = {
        "throughput_vs_amqp_confirm_each": ratio(sign, amqp_each),
        "throughput_vs_amqp_confirm_per_batch": ratio(sign, amqp_batch),
        f"throughput_vs_{args.store}_writes": ratio(sign, store_baseline["writes_per_second"]),
        "latency_p50_vs_amqp_p50": ratio(seen["p50_ms"], amqp_lat["p50_ms"]),
        "latency_p99_vs_amqp_p99": ratio(seen["p99_ms"], amqp_lat["p99_ms"]),
    }
    return result


def report(result: dict[str, Any]) -> str:
    huiwu, base, ratios = result["huiwu"], result["baseline"], result["ratios"]
    store = result["store"]
    sign, draft = huiwu["throughput"]["sign"], huiwu["throughput"]["draft"]
    lat = huiwu["latency"]
    amqp_ = base["amqp"]
    store_base = base.get(store, base["sqlite"])
    rows = [
        ("what", "figure", "baseline", "Huiwu / baseline"),
        (
            "throughput, sign -> consumed by all (events/s)",
            f"{sign['events_per_second']:.1f}",
            f"{amqp_['confirm_each']['messages_per_second']:.1f} (AMQP, confirm each)",
            f"{ratios['throughput_vs_amqp_confirm_each']:.3f}",
        ),
        (
            "",
            "",
            f"{amqp_['confirm_per_batch']['messages_per_second']:.1f} "
            f"(AMQP, confirm per {amqp_['confirm_per_batch']['batch']})",
            f"{ratios['throughput_vs_amqp_confirm_per_batch']:.3f}",
        ),
        (
            "",
            "",
            f"{store_base['writes_per_second']:.1f} ({store} txn/s)",
            f"{ratios[f'throughput_vs_{store}_writes']:.3f}",
        ),
        (
            "  consumer deliveries processed during sign (per s)",
            f"{sign['deliveries_per_second']:.1f}",
            "",
            "",
        ),
        (
            "  CPU busy during sign (share of all cores)",
            f"{sign['cpu']['share_of_all_cores']:.0%}",
            "",
            "",
        ),
        (
            "throughput, draft -> consumed by all (events/s)",
            f"{draft['events_per_second']:.1f}",
            "",
            "",
        ),
        (
            "sign commands accepted (commands/s)",
            f"{sign['commands_per_second']:.1f}",
            "",
            "",
        ),
        (
            "latency sign -> 1.3.5 verified, p50 (ms)",
            f"{lat['sign_to_verified_seen']['p50_ms']:.1f}",
            f"{amqp_['latency_publish_to_consumed']['p50_ms']:.1f} (AMQP publish -> consumed)",
            f"{ratios['latency_p50_vs_amqp_p50']:.1f}",
        ),
        (
            "latency sign -> 1.3.5 verified, p99 (ms)",
            f"{lat['sign_to_verified_seen']['p99_ms']:.1f}",
            f"{amqp_['latency_publish_to_consumed']['p99_ms']:.1f} (AMQP publish -> consumed)",
            f"{ratios['latency_p99_vs_amqp_p99']:.1f}",
        ),
        (
            "  sign HTTP reply, p50 / p99 (ms)",
            f"{lat['sign_reply']['p50_ms']:.1f} / {lat['sign_reply']['p99_ms']:.1f}",
            f"{amqp_['latency_publish_confirmed']['p50_ms']:.1f} / "
            f"{amqp_['latency_publish_confirmed']['p99_ms']:.1f} (one confirm)",
            "",
        ),
        (
            "  sign -> EntryVerified created (timestamps), p50 / p99 (ms)",
            f"{lat['legs']['command_sent_to_EntryVerified_created']['p50_ms']:.1f} / "
            f"{lat['legs']['command_sent_to_EntryVerified_created']['p99_ms']:.1f}",
            "",
            "",
        ),
        (
            "  sign -> ContractSigned created, p50 / p99 (ms)",
            f"{lat['legs']['command_sent_to_ContractSigned_created']['p50_ms']:.1f} / "
            f"{lat['legs']['command_sent_to_ContractSigned_created']['p99_ms']:.1f}",
            "",
            "",
        ),
        (
            "  ContractSigned -> EntryVerified created, p50 / p99 (ms)",
            f"{lat['legs']['ContractSigned_created_to_EntryVerified_created']['p50_ms']:.1f} / "
            f"{lat['legs']['ContractSigned_created_to_EntryVerified_created']['p99_ms']:.1f}",
            "",
            "",
        ),
        (
            f"  one {lat['polled']} GET while polling, p50 / p99 (ms)",
            f"{lat['poll_get']['p50_ms']:.1f} / {lat['poll_get']['p99_ms']:.1f}",
            "",
            "",
        ),
        (
            f"  one {store} write, p50 / p99 (ms)",
            "",
            f"{store_base['write_latency']['p50_ms']:.2f} / "
            f"{store_base['write_latency']['p99_ms']:.2f}",
            "",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"Huiwu backbone, store={store}, N={result['events']} over "
        f"{result['conferences']} conference(s), clients={result['clients']}, "
        f"latency samples={lat['samples']}, message={amqp_['message_bytes']} bytes",
    ]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    slowest = max(huiwu["throughput"][p]["command_latency"]["max_ms"] for p in ("draft", "sign"))
    if slowest > 5000 or huiwu["unanswered_metrics_scrapes"]:
        lines.append(
            f"note: the slowest command took {slowest / 1000:.1f} s and "
            f"{huiwu['unanswered_metrics_scrapes']} /metrics scrape(s) got no answer within 5 s: "
            "a stall, not steady state (see docs/performance.md, catch-up)"
        )
    return "\n".join(lines)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.backbone", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--events", type=int, default=300, help="commands per phase (300)")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--samples", type=int, default=100, help="latency samples (100)")
    parser.add_argument(
        "--conferences", type=int, default=30, help="conferences the contracts spread over (30)"
    )
    parser.add_argument(
        "--catch-up-interval",
        type=float,
        default=15.0,
        help="the services' catch-up timer, seconds (15, their default)",
    )
    parser.add_argument("--clients", type=int, default=4, help="client threads (4)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of each baseline; the median is kept (3)"
    )
    parser.add_argument("--batch", type=int, default=50, help="batch of the batched AMQP run")
    parser.add_argument(
        "--poll",
        choices=("entry", "plan"),
        default="entry",
        help="what the latency samples read until 1.3.5 is verified: the entry alone "
        "(default) or the whole plan",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the JSON (bench/results/backbone-<store>.json)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="directory for the run's temporary stores and logs (the system's temp dir)",
    )
    args = parser.parse_args(argv)
    if args.events < 1 or args.samples < 1 or args.clients < 1 or args.batch < 1 or args.rounds < 1:
        parser.error("--events, --samples, --clients, --batch and --rounds must be at least 1")
    if not 1 <= args.conferences <= args.events:
        parser.error("--conferences must be from 1 to --events")

    return run_and_report(f"backbone-{args.store}", lambda: run(args), report, args.output)


def run_and_report(
    name: str,
    run_once: Callable[[], dict[str, Any]],
    render: Callable[[dict[str, Any]], str],
    path: Path | None = None,
) -> int:
    """Run a benchmark, print its table, and keep its figures in bench/results/<name>.json
    (or in `path`)."""
    started = time.perf_counter()
    result = run_once()
    result["runtime_seconds"] = round(time.perf_counter() - started, 1)
    path = path if path is not None else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(render(result))
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    print(f"\nwritten to {shown}")
    print(f"run took {result['runtime_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
