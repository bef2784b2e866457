"""The plan read model over HTTP: a whole plan against a one-entry plan, and whether a reader
that never stops slows the write path, with real checklist and vendors processes.

    python -m bench.plan_read [--store sqlite|postgres] [--reads N] [--samples S]

checklist and vendors run as real processes (`python -m huiwu.runner <name>`, as `huiwu up`
starts them) with the services' default timers, on a fresh RabbitMQ virtual host and fresh
stores (a temporary SQLite directory, or PostgreSQL schemas under a prefix of the run's
own), all removed at the end. Every read goes over HTTP, on a kept-alive connection per
client thread, so a figure is the service's answer plus one loopback round trip.

1. Plan reads. Two conferences are opened: a full academic plan (389 entries) and a
   one-entry plan (the same profile, with `exclude` naming every other section, item and
   entry, so only 1.3.5 remains). After a warm-up, `GET /conferences/<id>/plan` of each is
   read N times (500), in pairs, alternating which of the two goes first. The one-entry
   plan is the baseline: the same route, the same catch-up check, one row instead of 389.
   Figures: p50, p90 and p99 of each, and full / one-entry of the p50s (the target is at
   most 5, and a full p50 of at most 10 ms on SQLite, 20 ms on PostgreSQL); the median of
   the pair-by-pair ratios beside it.
2. Opening. Before the latency samples, their conferences (full academic plans) are opened,
   each with one venue vendor and one drafted venue contract. For the first few (`--opens`),
   with the system idle before each: `POST /conferences`, then at once
   `GET /conferences/<id>/plan`, which waits for the read model to take in the 390 events
   of the new plan.
3. Write latency, with and without a reader. S samples (30) of each, in pairs alternating
   which goes first (after one unmeasured pair), each on its own conference, with the
   system idle before it (every event published by its service's relay and applied by
   every consumer, checklist's read model included): `POST /contracts/<id>/sign` of the
   venue contract, with `GET /conferences/<id>/entries/1.3.5` polled (2 ms after each
   answer) from the moment the command leaves until it reads `verified`. In a *polled*
   sample a client thread reads the full plan of part 1 back to back, from before the
   command until the entry reads verified; in an *idle* sample nothing else runs. Figures:
   p50 and p99 of each, and polled / idle; the proof's time of ContractSigned splits each
   sample into its legs. How much the relays still had to publish once the consumers were
   done with the opens is kept too (on PostgreSQL, thousands of events).

Results are printed as ratios against the baselines of the same run, and written to
bench/results/plan-read-<store>.json (or --output), with the machine, its load average at
the start and the end, and the commit measured. With the defaults a run takes about 1.5
minutes on SQLite and 3 to 4 on PostgreSQL on a busy 2-core machine: most of it is the
services taking in the 62 full plans the latency samples need.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.backbone import (
    CONFERENCE,
    CONSUMED,
    POLL_INTERVAL,
    SERVICE_ENV,
    STORED,
    VENUE_ENTRY,
    BenchError,
    Client,
    Traffic,
    log_tails,
    machine,
    metric,
    ok,
    percentile,
    ratio,
    release,
    reported,
    revision,
    run_and_report,
    scrape,
    store_env,
)
from services.checklist import template as templates
from tests.support.broker import VirtualHost
from tests.support.system import System

SERVICES = ("checklist", "vendors")
RELAY_LAG = "huiwu_relay_lag"
ONE_ENTRY = VENUE_ENTRY  # 1.3.5, the entry a signed venue contract verifies
TARGET_RATIO = 5.0
LATENCY_WARM_UP_PAIRS = 1  # the first samples after the opens are slower: not measured
TARGET_FULL_P50_MS = {"sqlite": 10.0, "postgres": 20.0}


# -- statistics --------------------------------------------------------------------------
def summary(values: Sequence[float]) -> dict[str, Any]:
    """p50, p90, p99, mean and max of durations in seconds, in milliseconds."""
    if not values:
        return {"samples": 0}
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 3),
        "p90_ms": round(percentile(values, 90) * 1000, 3),
        "p99_ms": round(percentile(values, 99) * 1000, 3),
        "mean_ms": round(sum(values) / len(values) * 1000, 3),
        "max_ms": round(max(values) * 1000, 3),
        "samples": len(values),
    }


# -- HTTP ----------------------------------------------------------------------------------
class Reader:
    """GETs on one kept-alive connection (one per client thread), reconnecting when the
    server has closed it."""

    headers: dict[str, str] = {}  # the token every read carries; set once per run

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        url = urlparse(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, self.timeout)
                self.conn.request("GET", path, headers=self.headers)
                reply = self.conn.getresponse()
                body = reply.read()
                if reply.will_close:
                    self.close()
                return reply.status, body
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        if status != 200:
            raise BenchError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def plan_path(conference_id: str) -> str:
    return f"/conferences/{conference_id}/plan"


def entry_path(conference_id: str, code: str = ONE_ENTRY) -> str:
    return f"/conferences/{conference_id}/entries/{code}"


def one_entry_exclusions(code: str = ONE_ENTRY) -> list[str]:
    """Every section, item and entry code of the template but `code`'s own section, item
    and entry: `exclude` these and the plan holds `code` alone."""
    template = templates.load("conference")
    entry = template.entry(code)
    sections = [h.code for h in template.sections if h.code != entry.section]
    items = [
        h.code
        for h in template.items
        if h.code.split(".")[0] == entry.section and h.code != entry.item
    ]
    entries = [e.code for e in template.entries if e.item == entry.item and e.code != code]
    return sections + items + entries


class Services:
    """What the benchmark waits for and asks of the running services."""

    def __init__(self, system: System, stall_timeout: float) -> None:
        self.system = system
        self.client = Client(system)
        self.traffic = Traffic(system, SERVICES, stall_timeout=stall_timeout)
        self.stall_timeout = stall_timeout

    def wait_idle(self, interval: float = 0.01) -> dict[str, Any]:
        """Wait until nothing is on its way: every event stored by checklist and vendors
        applied by every consumer that follows it, checklist's own plan read model
        included, and published by its service's relay.

        The relay counts apart: a consumer may have pulled an event from its upstream's log
        (catch-up) while the upstream's relay has not published it yet; it then arrives
        later, as a duplicate. What was still unpublished when the consumers were done, and
        how long publishing it took, is returned.
        """
        started = time.monotonic()
        self.traffic.wait_drained(interval)
        drained = time.monotonic()
        deadline = drained + self.stall_timeout
        first: dict[str, float] | None = None
        while True:
            scraped = {name: scrape(self.system[name]) for name in SERVICES}
            stored = reported(scraped["checklist"], STORED, service="checklist")
            projected = metric(
                scraped["checklist"],
                CONSUMED,
                service="checklist",
                upstream="checklist",
                outcome="processed",
            )
            lag = {name: metric(scraped[name], RELAY_LAG, service=name) for name in SERVICES}
            first = lag if first is None else first
            if stored is not None and projected >= stored and not any(lag.values()):
                return {
                    "relay_lag_when_consumers_done": first,
                    "seconds_consumers": round(drained - started, 3),
                    "seconds_relays_after": round(time.monotonic() - drained, 3),
                }
            if time.monotonic() > deadline:
                raise BenchError(
                    f"checklist's read model at {projected} of {stored} events, relay lag {lag}"
                )
            time.sleep(interval)

    def open(self, body: dict[str, Any]) -> str:
        reply = ok(self.system["checklist"].post("/conferences", body), 201)
        return reply["conference_id"]


# -- 1. plan reads --------------------------------------------------------------------
def measure_plan_reads(
    base_url: str, full_id: str, one_id: str, reads: int, warm_up: int
) -> dict[str, Any]:
    """GET the two plans in pairs, alternating which goes first; check every answer."""
    reader = Reader(base_url)
    paths = {"full": plan_path(full_id), "one": plan_path(one_id)}
    durations: dict[str, list[float]] = {"full": [], "one": []}
    sizes: dict[str, set[int]] = {"full": set(), "one": set()}
    try:
        for i in range(warm_up + reads):
            order = ("full", "one") if i % 2 == 0 else ("one", "full")
            for name in order:
                started = time.perf_counter()
                status, body = reader.get(paths[name])
                spent = time.perf_counter() - started
                if status != 200:
                    raise BenchError(f"GET {paths[name]}: HTTP {status}: {body[:300]!r}")
                sizes[name].add(len(body))
                if i >= warm_up:
                    durations[name].append(spent)
        answered = {name: reader.json(path) for name, path in paths.items()}
    finally:
        reader.close()
    result: dict[str, Any] = {}
    for name, answer in answered.items():
        if len(sizes[name]) != 1:
            raise BenchError(f"the {name} plan changed size while it was read: {sizes[name]}")
        result[name] = {
            "conference_id": full_id if name == "full" else one_id,
            "entries": len(answer["entries"]),
            "codes": [e["code"] for e in answer["entries"]][:3],
            "bytes": sizes[name].pop(),
            "read": summary(durations[name]),
        }
    pairs = [f / o for f, o in zip(durations["full"], durations["one"], strict=True)]
    result["full_over_one_p50"] = ratio(
        result["full"]["read"]["p50_ms"], result["one"]["read"]["p50_ms"]
    )
    result["full_over_one_pairs"] = {
        "median": round(percentile(pairs, 50), 3),
        "p10": round(percentile(pairs, 10), 3),
        "p90": round(percentile(pairs, 90), 3),
        "pairs": len(pairs),
    }
    result["warm_up_pairs"] = warm_up
    return result


# -- 2. opening ---------------------------------------------------------------------------
def open_sample_conferences(
    services: Services, base_url: str, count: int, timed: int
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Full academic plans, each with a venue vendor and a drafted venue contract. For the
    first `timed`, idle before each: the open's reply, then the first plan read at once."""
    client = services.client
    reader = Reader(base_url)
    replies, first_reads, sizes = [], [], []
    made: list[tuple[str, str]] = []
    try:
        for k in range(count):
            if k < timed:
                services.wait_idle()
            started = time.perf_counter()
            conference_id = services.open(CONFERENCE)
            replied = time.perf_counter()
            if k < timed:
                status, body = reader.get(plan_path(conference_id))
                read = time.perf_counter() - replied
                if status != 200:
                    raise BenchError(f"first read of {conference_id}: HTTP {status}")
                replies.append(replied - started)
                first_reads.append(read)
                sizes.append(len(json.loads(body)["entries"]))
            vendor_id = client.add_vendor(conference_id)
            made.append((conference_id, client.draft(conference_id, vendor_id)))
    finally:
        reader.close()
    return made, {
        "conferences": count,
        "timed": timed,
        "entries": sizes[0] if sizes else None,
        "open_reply": summary(replies),
        "first_plan_read": summary(first_reads),
    }


# -- 3. write latency with and without a reader ------------------------------------------
class Poller(threading.Thread):
    """Reads one path back to back while active; pause() returns once no read is in flight."""

    def __init__(self, base_url: str, path: str) -> None:
        super().__init__(daemon=True)
        self.reader = Reader(base_url)
        self.path = path
        self.active = threading.Event()
        self.stopping = threading.Event()
        self.in_flight = threading.Lock()
        self.count = threading.Condition()
        self.reads = 0
        self.durations: list[float] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                if not self.active.wait(0.05):
                    continue
                with self.in_flight:
                    if not self.active.is_set():
                        continue
                    started = time.perf_counter()
                    status, body = self.reader.get(self.path)
                    spent = time.perf_counter() - started
                if status != 200:
                    raise BenchError(f"poller: GET {self.path}: HTTP {status}: {body[:300]!r}")
                with self.count:
                    self.reads += 1
                    self.durations.append(spent)
                    self.count.notify_all()
        except BaseException as exc:  # noqa: BLE001 - reported by the measuring side
            self.error = exc
            with self.count:
                self.count.notify_all()
        finally:
            self.reader.close()

    def resume(self, reads_first: int = 3) -> None:
        """Start reading; return once it has answered `reads_first` reads (steady state)."""
        with self.count:
            target = self.reads + reads_first
            self.active.set()
            if not self.count.wait_for(lambda: self.reads >= target or self.error, 30):
                raise BenchError("the poller did not read")
        self.check()

    def reset(self) -> None:
        """Forget the figures so far (call it paused)."""
        with self.count:
            self.reads = 0
            self.durations = []

    def pause(self) -> None:
        self.active.clear()
        with self.in_flight:
            pass
        self.check()

    def stop(self) -> None:
        self.active.clear()
        self.stopping.set()
        self.join(10)

    def check(self) -> None:
        if self.error is not None:
            raise BenchError(f"the poller failed: {self.error}")


def sign_and_watch(services: Services, reader: Reader, conference_id: str, contract_id: str):
    """Sign, and poll the entry from the moment the command leaves until it is verified."""
    replied: dict[str, Any] = {}

    def send() -> None:
        try:
            services.client.sign(contract_id)
            replied["at"] = time.perf_counter()
        except BaseException as exc:  # noqa: BLE001 - reported below
            replied["error"] = exc

    sender = threading.Thread(target=send, daemon=True)
    gets: list[float] = []
    wall = time.time()
    started = time.perf_counter()
    sender.start()
    while True:
        began = time.perf_counter()
        status, body = reader.get(entry_path(conference_id))
        gets.append(time.perf_counter() - began)
        if status != 200:
            raise BenchError(f"GET entry {ONE_ENTRY} of {conference_id}: HTTP {status}")
        entry = json.loads(body)
        if entry["status"] == "verified":
            break
        if began - started > 30:
            raise BenchError(f"entry {ONE_ENTRY} of {conference_id} not verified within 30 s")
        time.sleep(POLL_INTERVAL)
    seen = time.perf_counter()
    sender.join(30)
    if "at" not in replied:
        raise BenchError(f"sign of {contract_id} got no reply: {replied.get('error')}")
    # The proof carries ContractSigned's own time (one clock: the same machine).
    signed = [p for p in entry["proofs"] if p.get("event_type") == "ContractSigned"]
    if len(signed) != 1:
        raise BenchError(f"entry {ONE_ENTRY} of {conference_id} holds proofs {entry['proofs']}")
    signed_at = dt.datetime.fromisoformat(signed[0]["occurred_at"]).timestamp() - wall
    return {
        "seen": seen - started,
        "reply": replied["at"] - started,
        "signed": signed_at,
        "signed_to_seen": seen - started - signed_at,
        "gets": gets,
    }


def measure_latency(
    services: Services,
    base_url: str,
    poll_path: str,
    conferences: Sequence[tuple[str, str]],
    samples: int,
) -> dict[str, Any]:
    """`samples` of each condition, in pairs alternating which goes first, after
    LATENCY_WARM_UP_PAIRS unmeasured pairs (kept apart in the result)."""
    poller = Poller(base_url, poll_path)
    poller.start()
    reader = Reader(base_url)
    records: dict[str, list[dict[str, Any]]] = {"polled": [], "idle": []}
    warm_up: list[float] = []
    windows = 0.0
    todo = iter(conferences)
    try:
        for j in range(LATENCY_WARM_UP_PAIRS + samples):
            if j == LATENCY_WARM_UP_PAIRS:  # the poller's figures start with the samples
                warm_up = [r["seen"] for rows in records.values() for r in rows]
                records = {"polled": [], "idle": []}
                poller.reset()
                windows = 0.0
            for condition in ("polled", "idle") if j % 2 == 0 else ("idle", "polled"):
                conference_id, contract_id = next(todo)
                services.wait_idle()
                status = reader.json(entry_path(conference_id))["status"]
                if status == "verified":
                    raise BenchError(f"entry {ONE_ENTRY} of {conference_id} verified already")
                if condition == "polled":
                    reads_before = poller.reads
                    opened_at = time.perf_counter()
                    poller.resume()
                record = sign_and_watch(services, reader, conference_id, contract_id)
                if condition == "polled":
                    poller.pause()
                    windows += time.perf_counter() - opened_at
                    record["poller_reads"] = poller.reads - reads_before
                records[condition].append(record)
        services.wait_idle()
    finally:
        poller.stop()
        reader.close()
    poller.check()
    result: dict[str, Any] = {
        "samples": samples,
        "poll_interval_ms": POLL_INTERVAL * 1000,
        "warm_up_seen_ms": [round(seen * 1000, 2) for seen in warm_up],
    }
    for condition, rows in records.items():
        result[condition] = {
            "sign_to_verified_seen": summary([r["seen"] for r in rows]),
            "sign_reply": summary([r["reply"] for r in rows]),
            "entry_get": summary([g for r in rows for g in r["gets"]]),
            "entry_gets_per_sample_median": percentile([len(r["gets"]) for r in rows], 50),
            "legs": {
                "command_sent_to_ContractSigned_created": summary([r["signed"] for r in rows]),
                "ContractSigned_created_to_verified_seen": summary(
                    [r["signed_to_seen"] for r in rows]
                ),
            },
            # every sample, in the order taken (ms): seen verified, and the sign's reply
            "seen_ms": [round(r["seen"] * 1000, 2) for r in rows],
            "reply_ms": [round(r["reply"] * 1000, 2) for r in rows],
        }
    result["polled"]["poller"] = {
        "path": poll_path,
        "reads": poller.reads,
        "reads_per_second": round(poller.reads / windows, 1) if windows else None,
        "plan_get": summary(poller.durations),
        "reads_per_sample_median": percentile([r["poller_reads"] for r in records["polled"]], 50),
    }
    polled, idle = result["polled"], result["idle"]
    result["polled_over_idle"] = {
        "seen_p50": ratio(
            polled["sign_to_verified_seen"]["p50_ms"], idle["sign_to_verified_seen"]["p50_ms"]
        ),
        "seen_p99": ratio(
            polled["sign_to_verified_seen"]["p99_ms"], idle["sign_to_verified_seen"]["p99_ms"]
        ),
        "reply_p50": ratio(polled["sign_reply"]["p50_ms"], idle["sign_reply"]["p50_ms"]),
    }
    return result


# -- the run ------------------------------------------------------------------------------
def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-plan-read-", dir=args.workdir))
    vhost = VirtualHost()
    vhost.name = f"huiwu-bench-{uuid.uuid4().hex[:12]}"
    schemas = None
    system: System | None = None
    logs = workdir / "logs"
    result: dict[str, Any] = {
        "benchmark": "plan_read",
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": args.store,
        "reads": args.reads,
        "samples": args.samples,
        "machine": {**machine(), "load_average_at_start": load_average()},
        "revision": revision(),
    }
    try:
        vhost.create()
        env, schemas = store_env(args.store, workdir)
        logs.mkdir()
        system = System(vhost.uri, env, logs)
        _say(f"starting {', '.join(SERVICES)} on {args.store}")
        system.start(
            *SERVICES,
            extra_env={**SERVICE_ENV, "HUIWU_CATCH_UP_INTERVAL": str(args.catch_up_interval)},
        )
        services = Services(system, stall_timeout=max(60.0, 4 * args.catch_up_interval))
        base_url = system["checklist"].url
        Reader.headers = system["checklist"].headers

        _say("opening a full academic plan and a one-entry plan")
        full_id = services.open(CONFERENCE)
        one_id = services.open({**CONFERENCE, "exclude": one_entry_exclusions()})
        services.wait_idle()
        _say(f"plan reads: {args.reads} pairs after {args.warm_up} unmeasured")
        reads = measure_plan_reads(base_url, full_id, one_id, args.reads, args.warm_up)
        result["plan_read"] = reads

        count = 2 * (LATENCY_WARM_UP_PAIRS + args.samples)
        _say(f"opening {count} conferences for the latency samples")
        conferences, opening = open_sample_conferences(
            services, base_url, count, min(args.opens, count)
        )
        result["open"] = {**opening, "drain_after": services.wait_idle()}
        _say(f"latency: {args.samples} samples with the full plan polled, {args.samples} idle")
        result["latency"] = measure_latency(
            services, base_url, plan_path(full_id), conferences, args.samples
        )
        result["unanswered_metrics_scrapes"] = services.traffic.unanswered_scrapes
        problems = system.stop_all()
        if problems:
            result["service_problems"] = problems
            _say("the services did not end cleanly: " + "; ".join(problems))
    except BaseException:
        if logs.is_dir():
            print(log_tails(logs), file=sys.stderr)
        raise
    finally:
        release(system, vhost, schemas, workdir)
    result["machine"]["load_average_at_end"] = load_average()

    full_p50 = reads["full"]["read"]["p50_ms"]
    limit = TARGET_FULL_P50_MS[args.store]
    result["targets"] = {
        "full_over_one_p50": {
            "value": reads["full_over_one_p50"],
            "at_most": TARGET_RATIO,
            "met": reads["full_over_one_p50"] <= TARGET_RATIO,
        },
        "full_p50_ms": {"value": full_p50, "at_most": limit, "met": full_p50 <= limit},
    }
    latency = result["latency"]["polled_over_idle"]
    result["ratios"] = {
        "read_full_over_one_p50": reads["full_over_one_p50"],
        "read_full_over_one_pairs_median": reads["full_over_one_pairs"]["median"],
        "first_read_after_open_over_full_read_p50": ratio(
            opening["first_plan_read"].get("p50_ms", math.nan), full_p50
        ),
        "latency_polled_over_idle_p50": latency["seen_p50"],
        "latency_polled_over_idle_p99": latency["seen_p99"],
    }
    return result


def report(result: dict[str, Any]) -> str:
    reads, opening, lat = result["plan_read"], result["open"], result["latency"]
    full, one = reads["full"], reads["one"]
    polled, idle = lat["polled"], lat["idle"]
    ratios, targets = result["ratios"], result["targets"]
    poller = polled["poller"]

    def ms(figures: dict[str, Any], q: str) -> str:
        return f"{figures[f'{q}_ms']:.2f}" if f"{q}_ms" in figures else "-"

    rows = [("what", "figure (ms)", "baseline (ms)", "figure / baseline")]
    for q in ("p50", "p90", "p99"):
        rows.append(
            (
                f"GET plan, full ({full['entries']} entries) vs one-entry ({one['entries']}), {q}",
                ms(full["read"], q),
                ms(one["read"], q),
                f"{ratio(full['read'][f'{q}_ms'], one['read'][f'{q}_ms']):.2f}",
            )
        )
    rows.append(
        (
            "  pair by pair, median (p10-p90)",
            "",
            "",
            f"{reads['full_over_one_pairs']['median']:.2f} "
            f"({reads['full_over_one_pairs']['p10']:.2f}-{reads['full_over_one_pairs']['p90']:.2f})",
        )
    )
    rows.append(
        (
            "first GET plan right after POST /conferences, p50 / p99 (vs a full read)",
            f"{ms(opening['first_plan_read'], 'p50')} / {ms(opening['first_plan_read'], 'p99')}",
            ms(full["read"], "p50"),
            f"{ratios['first_read_after_open_over_full_read_p50']:.1f}",
        )
    )
    rows.append(
        (
            "  POST /conferences (full plan) reply, p50 / p99",
            f"{ms(opening['open_reply'], 'p50')} / {ms(opening['open_reply'], 'p99')}",
            "",
            "",
        )
    )
    for q in ("p50", "p99"):
        rows.append(
            (
                f"sign -> 1.3.5 seen verified, full plan polled vs idle, {q}",
                ms(polled["sign_to_verified_seen"], q),
                ms(idle["sign_to_verified_seen"], q),
                f"{lat['polled_over_idle'][f'seen_{q}']:.2f}",
            )
        )
    rows.append(
        (
            "  sign reply, p50",
            ms(polled["sign_reply"], "p50"),
            ms(idle["sign_reply"], "p50"),
            f"{lat['polled_over_idle']['reply_p50']:.2f}",
        )
    )
    for leg, label in (
        ("command_sent_to_ContractSigned_created", "sign -> ContractSigned created"),
        ("ContractSigned_created_to_verified_seen", "ContractSigned created -> seen verified"),
    ):
        p, i = polled["legs"][leg], idle["legs"][leg]
        rows.append(
            (
                f"  {label}, p50 / p99",
                f"{ms(p, 'p50')} / {ms(p, 'p99')}",
                f"{ms(i, 'p50')} / {ms(i, 'p99')}",
                f"{ratio(p['p50_ms'], i['p50_ms']):.2f}",
            )
        )
    rows.append(
        (
            "  GET entry 1.3.5 while waiting, p50 / p99",
            f"{ms(polled['entry_get'], 'p50')} / {ms(polled['entry_get'], 'p99')}",
            f"{ms(idle['entry_get'], 'p50')} / {ms(idle['entry_get'], 'p99')}",
            "",
        )
    )
    rows.append(
        (
            f"  the poller's GET plan, p50 / p99 ({poller['reads_per_second']} reads/s)",
            f"{ms(poller['plan_get'], 'p50')} / {ms(poller['plan_get'], 'p99')}",
            ms(full["read"], "p50"),
            f"{ratio(poller['plan_get']['p50_ms'], full['read']['p50_ms']):.2f}",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"Huiwu plan read model, store={result['store']}, {reads['full']['read']['samples']} "
        f"read pairs, {lat['samples']} latency samples per condition, load average "
        f"{result['machine']['load_average_at_start']} -> "
        f"{result['machine']['load_average_at_end']} on {result['machine']['cpus']} cores",
    ]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    drain = opening["drain_after"]
    lines.append(
        f"after opening {opening['conferences']} full plans: every consumer done "
        f"{drain['seconds_consumers']:.1f} s after the last open; the relays then still had "
        f"{_unpublished(drain['relay_lag_when_consumers_done'])} to publish, done "
        f"{drain['seconds_relays_after']:.1f} s later"
    )
    lines.append("")
    for name, target in targets.items():
        verdict = "met" if target["met"] else "NOT MET"
        lines.append(f"target {name} <= {target['at_most']:g}: {target['value']:g}, {verdict}")
    if result.get("service_problems"):
        lines.append("services: " + "; ".join(result["service_problems"]))
    return "\n".join(lines)


def _unpublished(lag: dict[str, float]) -> str:
    pending = [f"{name} {value:.0f}" for name, value in lag.items() if value]
    return ", ".join(pending) + " events" if pending else "nothing"


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.plan_read", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--reads", type=int, default=500, help="measured pairs of plan reads, full and one (500)"
    )
    parser.add_argument(
        "--warm-up", type=int, default=20, help="unmeasured pairs of plan reads first (20)"
    )
    parser.add_argument(
        "--samples", type=int, default=30, help="latency samples of each condition (30)"
    )
    parser.add_argument(
        "--opens",
        type=int,
        default=5,
        help="opens timed with their first plan read, among the samples' conferences (5)",
    )
    parser.add_argument(
        "--catch-up-interval",
        type=float,
        default=15.0,
        help="the services' catch-up timer, seconds (15, their default)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the JSON (bench/results/plan-read-<store>.json)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="directory for the run's temporary stores and logs (the system's temp dir)",
    )
    args = parser.parse_args(argv)
    if min(args.reads, args.samples, args.opens) < 1 or args.warm_up < 0:
        parser.error("--reads, --samples and --opens must be at least 1, --warm-up at least 0")

    return run_and_report(f"plan-read-{args.store}", lambda: run(args), report, args.output)


if __name__ == "__main__":
    sys.exit(main())
