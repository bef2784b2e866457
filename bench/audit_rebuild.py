"""The audit trail rebuilt from a long history, and the history verified, next to a bare
read of the same stored events in the same run.

    python -m bench.audit_rebuild [--sizes 100000,1000000] [--store sqlite|postgres]

For each size, on fresh stores (a temporary SQLite directory, or PostgreSQL schemas of the
run's own) and a fresh RabbitMQ virtual host, all removed at the end:

1. History. `bench.history` writes the events through the services' own write path
   (checklist's plans, vendors' contracts: aggregates, mapper, chained recorder).
2. Baseline. Every stored event of every store read in order, a page of 1,000 at a time,
   and its JSON decoded: the least any replay has to do.
3. Rebuild. Every service runs as a real process (`huiwu up`'s way), with every consumer
   at the logs' ends and every relay past what it would publish: the history counts as
   published and taken in, as in a system that has run for a year, and nothing adds to it
   meanwhile. `huiwu audit rebuild --fresh`, run as an operator runs it where the stores
   are: the stored events are read from the stores into the new trail, then reporting
   replays what is left over RPC (nothing, here) and swaps the new trail in. The time is
   the command's, start to exit; the memory is the largest resident set of the command
   and its worker processes (and, apart, reporting's).
4. Verify. `huiwu audit verify`'s own code, in this process: every chain checked, and
   compared with reporting's copy of it (the rebuilt trail).

Figures: events/s of each, the rebuild and verify rates as ratios of the baseline's, and
the memory at the largest size over the memory at the smallest. Goals: rates at least half
the baseline's; memory at the largest size at most 10% above the smallest.
Results are printed and written to bench/results/audit-rebuild-<store>.json (or --output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking

from bench.backbone import log_tails, machine, release, revision, run_and_report, store_env
from bench.history import generate
from services.budget.headcount import Registered
from services.checklist.plan_view import PlanProjection
from services.common.config import Settings
from services.common.database import Database
from services.common.registry import load
from services.common.sinks import ProjectionSink
from services.registration.conferences import ConferenceDirectory as RegistrationDirectory
from services.reporting import verification
from services.reporting.audit import LIVE_TABLE, AuditTrail
from services.vendors.conferences import ConferenceDirectory
from tests.support.broker import VirtualHost
from tests.support.stores import open_store
from tests.support.system import System

PAGE = 1000
GOAL_RATIO = 0.5
GOAL_MEMORY_GROWTH = 1.10
_RELAY = "CREATE TABLE IF NOT EXISTS {t} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
SERVICE_ENV = {"HUIWU_RPC_TIMEOUT": "120", "HUIWU_CATCH_UP_INTERVAL": "3600"}


def baseline(settings: Settings, services: list[str]) -> dict[str, Any]:
    """Read every stored event in order and decode its JSON."""
    started, events = time.perf_counter(), 0
    for service in services:
        store = open_store(settings, service)
        try:
            start = 1
            while page := store.recorder.select_notifications(start, PAGE):
                for notification in page:
                    json.loads(notification.state)
                events += len(page)
                start = page[-1].id + 1
        finally:
            store.close()
    seconds = time.perf_counter() - started
    return {"events": events, "seconds": round(seconds, 3), "events_per_second": events / seconds}


def at_the_logs_ends(settings: Settings, written: dict[str, int]) -> None:
    """Every consumer of the history positioned at the end of each log, and each relay
    past what it would publish: the history counts as published and taken in everywhere
    (as in a system that has run for a year), so that the rebuild alone reads it."""
    for service, end in written.items():
        db = Database(settings, service)
        try:
            with db.ddl() as cur:
                cur.execute(_RELAY, t="relay_position")
                cur.execute(
                    "INSERT INTO {t} (name, position) VALUES ({p}, {p})",
                    [service, end],
                    t="relay_position",
                )
            if service == "checklist":  # its plan read model, fed from its own log
                ProjectionSink(db, "plan", PlanProjection()).skip("checklist", end)
        finally:
            db.close()
    checklist = open_store(settings, "checklist")  # its policy follows vendors
    try:
        checklist.process_recorder.insert_tracking(Tracking("vendors", written["vendors"]))
    finally:
        checklist.close()
    db = Database(settings, "vendors")  # its directory of conferences follows checklist
    try:
        ProjectionSink(db, "known_conferences", ConferenceDirectory(db)).skip(
            "checklist", written["checklist"]
        )
    finally:
        db.close()
    budget = open_store(settings, "budget")  # its policy follows checklist and vendors
    try:
        for upstream, end in written.items():
            budget.process_recorder.insert_tracking(Tracking(upstream, end))
    finally:
        budget.close()
    db = Database(settings, "budget")  # the registered count, fed by the same consumer
    try:
        sink = ProjectionSink(db, "registered", Registered(db))
        for upstream, end in written.items():
            sink.skip(upstream, end)
    finally:
        db.close()
    db = Database(settings, "registration")  # its directory of conferences follows checklist
    try:
        ProjectionSink(db, "known_conferences", RegistrationDirectory(db)).skip(
            "checklist", written["checklist"]
        )
    finally:
        db.close()
    db = Database(settings, "reporting")  # the live trail follows every log
    try:
        sink = ProjectionSink(db, LIVE_TABLE, AuditTrail(db))
        for upstream, end in written.items():
            sink.skip(upstream, end)
    finally:
        db.close()


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def rebuild(system: System, expected: int) -> dict[str, Any]:
    """`huiwu audit rebuild` where the stores are, as an operator runs it; its time, and
    its peak memory: the largest resident set of the command and its worker processes."""
    command = [sys.executable, "-m", "huiwu.cli", "--json", "audit", "rebuild", "--fresh"]
    env = {**system.env(), "HUIWU_TOKEN": system.token("li")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # its own figures, with its workers'
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(
                f"huiwu audit rebuild: exit {process.returncode}: {err.read().decode()}"
            )
        answer = json.loads(out.read())
    if answer["events"] != expected:  # nothing may change the history under the benchmark
        raise RuntimeError(f"the trail holds {answer['events']} events, not {expected}")
    return {
        "events": answer["events"],
        "from_stores": answer.get("from_stores", {}),
        "from_stores_seconds": answer.get("from_stores_seconds"),
        "over_rpc": answer.get("replayed", {}),
        "seconds": round(seconds, 3),
        "events_per_second": answer["events"] / seconds,
        # The largest resident set of the command and of the workers it waited for.
        "peak_memory_mib": round(usage.ru_maxrss / 1024, 1),
        "reporting_peak_memory_mib": round(
            peak_memory_kib(system["reporting"].process.pid) / 1024, 1
        ),
    }


def verify(settings: Settings, services: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    result = verification.verify(settings, services)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise RuntimeError(f"the history did not verify: {result.broken}")
    events = sum(r.events for r in result.results)
    return {
        "events": events,
        "compared_with_reporting": sum(r.copied for r in result.results),
        "seconds": round(seconds, 3),
        "events_per_second": events / seconds,
    }


def one_size(args: argparse.Namespace, size: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-rebuild-", dir=args.workdir))
    vhost = VirtualHost()
    vhost.name = f"huiwu-bench-{uuid.uuid4().hex[:12]}"
    schemas, system = None, None
    logs = workdir / "logs"
    try:
        vhost.create()
        env, schemas = store_env(args.store, workdir)
        settings = Settings.from_env(env)
        upstreams = [name for name in load().names if name != "reporting"]

        _say(f"{size:,} events: writing the history")
        started = time.perf_counter()
        written = generate(settings, size)
        history = {
            "events": sum(written.values()),
            "by_service": written,
            "seconds": round(time.perf_counter() - started, 1),
        }
        _say(f"baseline: reading {history['events']:,} stored events")
        bare = baseline(settings, upstreams)
        at_the_logs_ends(settings, written)

        logs.mkdir()
        system = System(vhost.uri, env, logs)
        # A long history takes a while to open (checklist's plan view reads its own log).
        system.start(*load().names, extra_env=SERVICE_ENV, timeout=600)
        _say("rebuilding the audit trail")
        rebuilt = rebuild(system, history["events"])
        _say("verifying every chain against reporting's copy")
        checked = verify(settings, upstreams)
        problems = system.stop_all()
        system = None
        if problems:  # kept with the figures (a broker restart elsewhere, say)
            _say("the services did not end cleanly: " + "; ".join(problems)[:2000])
    except BaseException:
        if logs.is_dir():
            print(log_tails(logs), file=sys.stderr)
        raise
    finally:
        release(system, vhost, schemas, workdir)
    _say(
        f"{size:,}: baseline {bare['events_per_second']:,.0f} ev/s, rebuild "
        f"{rebuilt['events_per_second']:,.0f} ev/s ({rebuilt['peak_memory_mib']} MiB; "
        f"reporting {rebuilt['reporting_peak_memory_mib']} MiB), "
        f"verify {checked['events_per_second']:,.0f} ev/s"
    )
    return {
        "service_problems": problems,
        "size": size,
        "history": history,
        "baseline": bare,
        "rebuild": rebuilt,
        "verify": checked,
        "ratios": {
            "rebuild_vs_baseline": rebuilt["events_per_second"] / bare["events_per_second"],
            "verify_vs_baseline": checked["events_per_second"] / bare["events_per_second"],
        },
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "audit_rebuild",
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": args.store,
        "machine": machine(),
        "revision": revision(),
        "runs": [one_size(args, size) for size in args.sizes],
    }
    runs = result["runs"]
    smallest, largest = runs[0], runs[-1]
    growth = largest["rebuild"]["peak_memory_mib"] / smallest["rebuild"]["peak_memory_mib"]
    result["memory_growth"] = round(growth, 3)
    result["goals"] = {
        "rebuild_vs_baseline": all(r["ratios"]["rebuild_vs_baseline"] >= GOAL_RATIO for r in runs),
        "verify_vs_baseline": all(r["ratios"]["verify_vs_baseline"] >= GOAL_RATIO for r in runs),
        "memory_growth": growth <= GOAL_MEMORY_GROWTH,
    }
    return result


def report(result: dict[str, Any]) -> str:
    lines = [
        f"Huiwu audit rebuild and verify, store={result['store']}, "
        f"{result['machine']['cpus']} cores",
        "",
        "events     baseline ev/s  rebuild ev/s (ratio)  verify ev/s (ratio)  rebuild peak MiB",
    ]
    for r in result["runs"]:
        lines.append(
            f"{r['history']['events']:<10,} {r['baseline']['events_per_second']:>13,.0f}  "
            f"{r['rebuild']['events_per_second']:>12,.0f} "
            f"({r['ratios']['rebuild_vs_baseline']:.3f})  "
            f"{r['verify']['events_per_second']:>11,.0f} ({r['ratios']['verify_vs_baseline']:.3f})"
            f"  {r['rebuild']['peak_memory_mib']:>16}"
        )
    lines.append("")
    lines.append(f"memory, largest over smallest: {result['memory_growth']}")
    for name, met in result["goals"].items():
        lines.append(f"goal {name}: {'met' if met else 'NOT MET'}")
    return "\n".join(lines)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",")]
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("sizes are positive integers, comma-separated")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit_rebuild", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--sizes", type=_sizes, default=[100_000, 1_000_000], help="events (100000,1000000)"
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON")
    parser.add_argument("--workdir", type=Path, help="where the temporary stores go")
    args = parser.parse_args(argv)
    return run_and_report(f"audit-rebuild-{args.store}", lambda: run(args), report, args.output)


if __name__ == "__main__":
    sys.exit(main())
