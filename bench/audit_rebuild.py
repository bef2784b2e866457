"""The audit trail rebuilt from a long history, and the history verified, next to a bare
read of the same stored events in the same run.

    python -m bench.audit_rebuild [--sizes 100000,1000000] [--store sqlite|postgres]

For each size, on fresh stores (a temporary SQLite directory, or PostgreSQL schemas of the
run's own) and a fresh RabbitMQ virtual host, all removed at the end:

1. History. `bench.history` writes the events through the services' own write path
   (checklist's plans, vendors' contracts: aggregates, mapper, chained recorder).
2. Baseline. Every stored event of every store read in order, a page of 1,000 at a time,
   and its JSON decoded: the least any replay has to do.
3. Rebuild. Every service runs as a real process (`huiwu up`'s way). Reporting starts with
   its live positions at the logs' ends, so that its start-up catch-up leaves the whole
   replay to the rebuild. Once checklist has taken in vendors' contracts (what it records
   in reaction is part of the history from then on), `POST /audit/rebuild` as an admin,
   followed to its end. The
   time is from the request to `done` (the swap included); the memory is reporting's peak
   resident set (VmHWM), read once the rebuild is done.
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
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.backbone import log_tails, machine, release, revision, run_and_report
from bench.history import generate
from services.common.config import Settings
from services.common.database import Database
from services.common.registry import load
from services.common.sinks import ProjectionSink
from services.reporting import verification
from services.reporting.audit import LIVE_TABLE, AuditTrail
from tests.support.broker import VirtualHost
from tests.support.stores import open_store
from tests.support.system import System

PAGE = 1000
GOAL_RATIO = 0.5
GOAL_MEMORY_GROWTH = 1.10
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


def at_the_logs_ends(settings: Settings, ends: dict[str, int]) -> None:
    """Reporting's live trail positioned at each log's end: nothing for it to catch up."""
    db = Database(settings, "reporting")
    try:
        sink = ProjectionSink(db, LIVE_TABLE, AuditTrail(db))
        for upstream, end in ends.items():
            if end:
                sink.skip(upstream, end)
    finally:
        db.close()


def settled(settings: Settings, written: dict[str, int], timeout: float = 1800) -> None:
    """Wait until checklist, started on the history, has taken in all of vendors' events
    (what it records in reaction is part of the history the rebuild and verify see)."""
    store = open_store(settings, "checklist")
    deadline = time.monotonic() + timeout
    try:
        while (store.process_recorder.max_tracking_id("vendors") or 0) < written["vendors"]:
            if time.monotonic() > deadline:
                raise RuntimeError("checklist did not take in vendors' events in time")
            time.sleep(0.2)
    finally:
        store.close()


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def rebuild(system: System) -> dict[str, Any]:
    reporting = system["reporting"]
    started = time.perf_counter()
    answer = reporting.post("/audit/rebuild?wait=0&fresh=true")
    if answer.status not in (200, 202):
        raise RuntimeError(f"POST /audit/rebuild: {answer.status} {answer.json}")
    while (state := reporting.get("/audit/rebuild").json)["state"] == "running":
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if state["state"] != "done":
        raise RuntimeError(f"the rebuild ended {state['state']}: {state.get('message')}")
    return {
        "events": state["events"],
        "seconds": round(seconds, 3),
        "events_per_second": state["events"] / seconds,
        "peak_memory_mib": round(peak_memory_kib(reporting.process.pid) / 1024, 1),
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
        if args.store == "postgres":
            from tests.support.database import DATABASE_URL, PostgresSchemas

            schemas = PostgresSchemas()
            env = {"HUIWU_DATABASE_URL": DATABASE_URL, "HUIWU_SCHEMA_PREFIX": schemas.prefix}
        else:
            env = {"HUIWU_DATA_DIR": str(workdir / "data")}
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
        system.start(*load().names, extra_env=SERVICE_ENV, timeout=1800)
        settled(settings, written)
        _say("rebuilding the audit trail")
        rebuilt = rebuild(system)
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
        f"{rebuilt['events_per_second']:,.0f} ev/s ({rebuilt['peak_memory_mib']} MiB), "
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
