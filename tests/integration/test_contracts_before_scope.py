"""A vendors store written before contracts had a scope, opened by the code that has one, on
both stores: its contracts load as the conference's and take commands; its old events keep
their digests (`huiwu audit verify` finds the chain intact), are published and kept in the
audit trail as they were stored, and rebuild the trail alike from the stores and over RPC;
a new contract's events carry its scope.

The old store is tests/support/vendors_before_scope.json: the stored events and chain rows
as that code wrote them, put into a store made by the service's own code, row for row.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from services.common.chained_store import CHAIN_TABLE
from services.common.config import Settings
from services.common.database import Database
from services.reporting import verification
from services.reporting.verification import events_table
from tests.support import amqp
from tests.support.audit_trail import EVERYONE, rebuild, settled_trail, store_state, trail
from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    cancel,
    draft_contract,
    ok,
    open_conference,
    sign,
)
from tests.support.stores import open_store
from tests.support.system import ROOT, wait_until

BEFORE = json.loads(
    (Path(__file__).parents[1] / "support" / "vendors_before_scope.json").read_text("utf-8")
)
OLD = len(BEFORE["events"])  # 7: a vendor; contracts signed, left a draft, cancelled


def write_as_before(settings: Settings) -> None:
    """vendors' store as the code before scope left it: its tables made by the service's
    own code, then its stored events and chain rows exactly as that code wrote them."""
    open_store(settings, "vendors").close()
    db = Database(settings, "vendors", schema=settings.schema_for("vendors"), owner=False)
    try:
        position = "notification_id" if db.is_postgres else "rowid"
        table = events_table(db, "vendors")
        with db.transaction() as cur:
            for e in BEFORE["events"]:
                originator = uuid.UUID(e["originator_id"])
                cur.execute(
                    f"INSERT INTO {{t}} ({position}, originator_id, originator_version, topic, "
                    "state) VALUES ({p}, {p}, {p}, {p}, {p})",
                    [
                        e["notification_id"],
                        originator if db.is_postgres else originator.hex,  # as each keeps it
                        e["originator_version"],
                        e["topic"],
                        e["state"].encode("utf-8"),
                    ],
                    t=table,
                )
            for row in BEFORE["chain"]:
                cur.execute(
                    "INSERT INTO {t} (notification_id, digest, link) VALUES ({p}, {p}, {p})",
                    [row["notification_id"], row["digest"], row["link"]],
                    t=CHAIN_TABLE,
                )
            if db.is_postgres:  # as if the library had numbered them: its sequence follows
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence({p}, 'notification_id'), {p})",
                    [db.table(table), OLD],
                )
    finally:
        db.close()


def huiwu(system, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": system.token("audrey", "auditor")},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_store_written_before_contracts_had_a_scope(system, vhost):
    settings = Settings.from_env(system.env())
    write_as_before(settings)
    untouched = verification.verify(settings, ["vendors"])
    assert untouched.ok, [b.describe() for b in untouched.broken]
    assert untouched.results[0].events == OLD
    published = amqp.capture(vhost.uri, "vendors", "before-scope.vendors")

    system.start(*EVERYONE)
    vendors = system["vendors"]

    # Its contracts load as the conference's, and take commands.
    for key in ("signed_contract_id", "draft_contract_id", "cancelled_contract_id"):
        assert ok(vendors.get(f"/contracts/{BEFORE[key]}"))["scope"] == "conference"
    signed_old = ok(sign(system, BEFORE["draft_contract_id"]))
    assert (signed_old["status"], signed_old["scope"], signed_old["version"]) == (
        "signed",
        "conference",
        2,
    )
    assert ok(cancel(system, BEFORE["signed_contract_id"]))["status"] == "cancelled"

    # A new contract, for the themed evening.
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id, name="Lakeside Banquets")
    themed = draft_contract(system, conference_id, vendor_id, "catering", scope="themed_event")
    assert ok(sign(system, themed))["scope"] == "themed_event"
    refused = vendors.post(
        "/contracts",
        {
            "conference_id": conference_id,
            "vendor_id": vendor_id,
            "category": "catering",
            "title": "Gala",
            "amount_minor": 1,
            "scope": "gala",
        },
    )
    assert refused.status == 400 and list(refused.json["errors"]) == ["scope"], refused.json

    # Published: the old events as they were stored, with their links; the new ones with
    # their scope.
    total = OLD + 2 + 3  # old: signed, cancelled; new: vendor, drafted, signed
    messages: list[dict] = []
    wait_until(
        lambda: (
            messages.extend(body for body, _ in amqp.drain(vhost.uri, published.name))
            or len(messages) >= total
        ),
        timeout=30,
    )
    messages.sort(key=lambda m: m["notification_id"])
    assert [m["notification_id"] for m in messages] == list(range(1, total + 1))
    assert messages[:OLD] == BEFORE["envelopes"]
    assert [(m["event_type"], m["payload"].get("scope")) for m in messages[OLD:]] == [
        ("ContractSigned", "conference"),  # the old draft, upcast, then signed
        ("ContractCancelled", "conference"),
        ("VendorAdded", None),
        ("ContractDrafted", "themed_event"),
        ("ContractSigned", "themed_event"),
    ]

    # The audit trail holds them as published; rebuilt over RPC and from the stores alike.
    live = settled_trail(system)
    kept = sorted(
        (e for e in live if e["service"] == "vendors"), key=lambda e: e["notification_id"]
    )
    assert [e["payload"] for e in kept] == [m["payload"] for m in messages]
    assert [e["chain_link"] for e in kept] == [m["chain_link"] for m in messages]
    assert ok(rebuild(system, fresh=True))["state"] == "done"
    over_rpc = store_state(system)
    assert trail(system) == live
    run = huiwu(system, "--json", "audit", "rebuild", "--fresh")
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["from_stores"]["vendors"] == total
    assert store_state(system) == over_rpc
    assert trail(system) == live

    # `huiwu audit verify`: every link intact, and each the one reporting's trail holds.
    run = huiwu(system, "audit", "verify", "--service", "vendors")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"vendors: {total} events intact, {total} matched against reporting's copy" in (
        run.stdout
    )
    db = Database(settings, "vendors", schema=settings.schema_for("vendors"), owner=False)
    try:
        with db.transaction() as cur:
            rows = cur.execute(
                "SELECT notification_id, digest, link FROM {t} WHERE notification_id <= {p} "
                "ORDER BY notification_id",
                [OLD],
                t=CHAIN_TABLE,
            ).fetchall()
    finally:
        db.close()
    assert [{"notification_id": r[0], "digest": r[1], "link": r[2]} for r in rows] == (
        BEFORE["chain"]
    )
