"""Attendees imported end to end: a sheet of N attendees through registration, RabbitMQ
and every service that follows registration, against bare RabbitMQ in the same run.

One run starts checklist, registration, budget and reporting as real processes, on a
fresh virtual host and fresh stores, with the services' default timers. It opens one
conference, sets its fee schedule and waits until every consumer is idle. Then it uploads
one sheet of N attendees (every other one paid at import) to
`POST /conferences/<id>/attendees/import`: registration stores every order, attendee,
email claim and payment in one transaction, and its relay publishes them. The clock runs
from the upload until every consumer of the running services has applied every event
stored meanwhile (`huiwu_consumer_messages_total{outcome="processed"}` against
`huiwu_events_stored`, read from the services), budget's and checklist's own events in
reaction included. Reporting's audit trail is then checked to hold every stored event,
and budget's ledger the money the sheet paid, to the fen.

Baseline, after the services stop: bare py-amqp publishing as many persistent messages as
registration stored (each a real envelope of its log), confirmed per batch of 50, as the
relay publishes, to a durable queue a consumer acks (`bench.backbone.measure_amqp`).

    python -m bench.attendee_import                      # 10,000 attendees, SQLite
    python -m bench.attendee_import --store postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

from bench.backbone import (
    SERVICE_ENV,
    BenchError,
    Traffic,
    _say,
    audit_counts,
    log_tails,
    machine,
    measure_amqp,
    ok,
    ratio,
    release,
    revision,
    run_and_report,
    store_env,
    upstream_of,
)
from tests.support.broker import VirtualHost
from tests.support.system import System

SERVICES = ("checklist", "registration", "budget", "reporting")
CONFERENCE = {
    "name": "Import Benchmark Congress",
    "starts_on": "2027-05-12",
    "ends_on": "2027-05-14",
    "city": "Hangzhou",
    "expected_attendance": 10_000,
    "profile": "academic",
    "actor": "bench",
}
FEES = [
    {
        "category": "delegate",
        "ticket_type": "full",
        "label": "全程",
        "price_minor": 280_000,
        "currency": "CNY",
        "tax_rate_bp": 600,
    }
]
WORDING = "我同意主办方为办理注册处理我的个人信息。"
HEADER = "name,email,ticket_type,organisation,paid_minor,payment_method,received_on"


def sheet(attendees: int, run: str) -> bytes:
    """N rows, every other one paid in full by bank transfer."""
    rows = [HEADER]
    for n in range(attendees):
        paid = f"{FEES[0]['price_minor']},bank_transfer,2027-03-02" if n % 2 == 0 else ",,"
        rows.append(f"参会者{n},a{n}.{run}@example.cn,full,单位{n % 97},{paid}")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def registration_envelope(system: System, conference_id: str) -> bytes:
    """A real AttendeeRegistered message as published, from reporting's audit trail."""
    query = f"/audit?conference_id={conference_id}&limit=500"
    for event in ok(system["reporting"].get(query))["events"]:
        if event["event_type"] == "AttendeeRegistered":
            envelope = {**event, "schema_version": 1}
            return json.dumps(envelope, ensure_ascii=False, sort_keys=True).encode("utf-8")
    raise BenchError("the audit trail holds no AttendeeRegistered")


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-", dir=args.workdir))
    vhost = VirtualHost()
    vhost.name = f"huiwu-bench-{uuid.uuid4().hex[:12]}"
    schemas = None
    system: System | None = None
    logs = workdir / "logs"
    result: dict[str, Any] = {
        "benchmark": "attendee_import",
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": args.store,
        "attendees": args.attendees,
        "machine": machine(),
        "revision": revision(),
    }
    try:
        vhost.create()
        env, schemas = store_env(args.store, workdir)
        logs.mkdir()
        system = System(vhost.uri, env, logs)
        _say(f"starting {', '.join(SERVICES)} on {args.store}")
        system.start(*SERVICES, extra_env=SERVICE_ENV)
        traffic = Traffic(system, SERVICES, stall_timeout=120.0)

        conference_id = ok(system["checklist"].post("/conferences", CONFERENCE), 201)[
            "conference_id"
        ]
        fees = {"categories": FEES, "actor": "bench"}
        ok(system["registration"].post(f"/conferences/{conference_id}/fees", fees))
        before = traffic.wait_drained(interval=0.1)

        body = sheet(args.attendees, uuid.uuid4().hex[:8])
        query = urllib.parse.urlencode(
            {
                "consent_version": "2027-01",
                "consent_sha256": hashlib.sha256(WORDING.encode()).hexdigest(),
            }
        )
        path = f"/conferences/{conference_id}/attendees/import?{query}"
        _say(f"importing {args.attendees} attendees ({len(body)} bytes)")
        started = time.perf_counter()
        answer = ok(system["registration"].post(path, body, as_="bench", timeout=1800), 201)
        stored_at = time.perf_counter()
        after = traffic.wait_drained(interval=0.05)
        drained_at = time.perf_counter()
        if answer["attendees"] != args.attendees:
            raise BenchError(f"imported {answer['attendees']} of {args.attendees} attendees")

        phase = after.since(before)
        registration_events = phase["events_stored"].get("registration", 0)
        seconds = drained_at - started
        audited = sorted(upstream_of(f) for f in after.applied if f.startswith("reporting<-"))
        trail = audit_counts(system, audited)
        expected = {service: after.stored[service] for service in audited}
        if trail != expected:
            raise BenchError(f"audit trail holds {trail} events, the services stored {expected}")
        # Budget's ledger holds the money the sheet paid, to the fen.
        paid_minor = answer["paid"] * FEES[0]["price_minor"]
        ledger = ok(system["budget"].get(f"/conferences/{conference_id}/ledger"))
        if ledger["income_minor"] != paid_minor:
            raise BenchError(f"ledger income {ledger['income_minor']}, the sheet paid {paid_minor}")
        result["huiwu"] = {
            "ledger_income_minor": ledger["income_minor"],
            "seconds_to_applied_by_all": round(seconds, 3),
            "seconds_to_stored": round(stored_at - started, 3),
            "attendees_per_second": round(args.attendees / seconds, 1),
            "registration_events": registration_events,
            "registration_events_per_second": round(registration_events / seconds, 1),
            "paid": answer["paid"],
            **phase,
            "consumer_outcomes": traffic.outcomes(),
        }
        envelope = registration_envelope(system, conference_id)
        system.stop_all()
        os.sync()  # the services' last writes should not land on the baseline
        time.sleep(1)

        _say(f"baseline: bare RabbitMQ, {registration_events} messages")
        result["baseline"] = {
            "amqp": measure_amqp(
                vhost.uri, registration_events, envelope, 2, args.batch, args.rounds
            )
        }
    except BaseException:
        if logs.is_dir():
            print(log_tails(logs), file=sys.stderr)
        raise
    finally:
        release(system, vhost, schemas, workdir)

    rate = result["huiwu"]["registration_events_per_second"]
    batch = result["baseline"]["amqp"]["confirm_per_batch"]["messages_per_second"]
    each = result["baseline"]["amqp"]["confirm_each"]["messages_per_second"]
    result["ratios"] = {
        "events_vs_amqp_confirm_per_batch": ratio(rate, batch),
        "events_vs_amqp_confirm_each": ratio(rate, each),
    }
    return result


def report(result: dict[str, Any]) -> str:
    huiwu, amqp = result["huiwu"], result["baseline"]["amqp"]
    per_batch = amqp["confirm_per_batch"]["messages_per_second"]
    each = amqp["confirm_each"]["messages_per_second"]
    lines = [
        f"attendee import, {result['attendees']} attendees, {result['store']} stores",
        "",
        "| what | Huiwu | baseline | Huiwu / baseline |",
        "| --- | ---: | --- | ---: |",
        f"| registration events, upload -> applied by all (/s) | "
        f"**{huiwu['registration_events_per_second']}** | {per_batch:.1f} msg/s, AMQP confirm "
        f"per batch | {result['ratios']['events_vs_amqp_confirm_per_batch']:.3f} |",
        f"| | | {each:.1f} msg/s, AMQP confirm each | "
        f"{result['ratios']['events_vs_amqp_confirm_each']:.3f} |",
        f"| attendees, upload -> applied by all (/s) | {huiwu['attendees_per_second']} | | |",
        f"| upload -> stored and answered (s) | {huiwu['seconds_to_stored']} | | |",
        f"| upload -> applied by all (s) | {huiwu['seconds_to_applied_by_all']} | | |",
        f"| events stored | {huiwu['events_stored']} | | |",
        f"| deliveries processed | {huiwu['deliveries_processed']} of "
        f"{huiwu['deliveries_expected']} | | |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.attendee_import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--attendees", type=int, default=10_000, help="rows imported (10000)")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the baseline; the median is kept (3)"
    )
    parser.add_argument("--batch", type=int, default=50, help="batch of the batched AMQP run")
    parser.add_argument("--output", type=Path, default=None, help="where to write the JSON")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="directory for the run's stores and logs"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.attendees <= 20_000 or args.rounds < 1 or args.batch < 1:
        parser.error("--attendees must be 1 to 20000; --rounds and --batch at least 1")
    return run_and_report(f"attendee-import-{args.store}", lambda: run(args), report, args.output)


if __name__ == "__main__":
    sys.exit(main())
