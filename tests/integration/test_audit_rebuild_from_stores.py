"""`huiwu audit rebuild` where the stores are: the stored events are read from the stores
into the shadow, reporting replays over RPC only what was stored meanwhile and swaps it in.
The trail it ends with is exactly the one a rebuild over RPC makes (both stores)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from services.common.config import Settings
from services.reporting import fill_from_stores
from services.reporting.rebuild_lock import RebuildLock
from tests.support.audit_trail import (
    EVERYONE,
    history,
    read_before_checklist,
    rebuild,
    reporting_store,
    settled_trail,
    store_state,
    trail,
)
from tests.support.slice import add_vendor, ok
from tests.support.system import ROOT, wait_until

UPSTREAMS = [s for s in EVERYONE if s != "reporting"]


def huiwu(system, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": token or system.token("li")},
        capture_output=True,
        text=True,
        timeout=240,
    )


def rebuilt(system, *args: str) -> dict:
    run = huiwu(system, "--json", "audit", "rebuild", *args)
    assert run.returncode == 0, run
    return json.loads(run.stdout)


def indexes(system) -> tuple[list[str], list[str]]:
    from services.reporting.audit import SHADOW_TABLE, AuditTrail

    with reporting_store(system) as db, db.transaction() as cur:
        return AuditTrail(db).index_roles(cur), AuditTrail(db, SHADOW_TABLE).index_roles(cur)


@pytest.fixture
def settled(system):
    """Every service running on a history that the live trail holds, and the store's
    state after a clean rebuild over RPC: what every rebuild must end with."""
    system.start(*EVERYONE)
    history(system)
    live = settled_trail(system)
    assert ok(rebuild(system, fresh=True))["state"] == "done"
    return live, store_state(system)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_rebuild_from_the_stores_ends_exactly_as_one_over_rpc(system, settled, workers):
    live, over_rpc = settled

    answer = rebuilt(system, "--fresh", "--workers", workers)

    assert answer["state"] == "done" and answer["events"] == len(live)
    assert sum(answer["from_stores"].values()) == len(live)
    assert answer["from_stores"]["vendors"] == 3
    assert answer["replayed"] == {}  # nothing was stored meanwhile: nothing over RPC
    assert store_state(system) == over_rpc  # the same rows, positions; no shadow left
    assert trail(system) == live
    assert indexes(system) == (["causation", "conference", "correlation", "event"], [])

    conference_id = live[0]["conference_id"]  # the positions came with it
    # a hotel: no entry of the section-one plan counts it (1.3.1 counts venues only)
    add_vendor(system, conference_id, name="Riverside Hotel", categories=("accommodation",))
    after = wait_until(lambda: (t := trail(system)) and len(t) == len(live) + 1 and t)
    assert [e["event_type"] for e in after if e not in live] == ["VendorAdded"]


def test_what_is_stored_after_the_read_is_replayed_by_reporting_over_rpc(system, settled):
    live, _ = settled
    settings = Settings.from_env(system.env())
    filled = fill_from_stores.fill(settings, UPSTREAMS, fresh=True, workers=0)
    assert sum(filled.read.values()) == len(live)
    # a hotel: no entry of the section-one plan counts it (1.3.1 counts venues only)
    add_vendor(
        system, live[0]["conference_id"], name="Riverside Hotel", categories=("accommodation",)
    )
    now = wait_until(lambda: (t := trail(system)) and len(t) == len(live) + 1 and t)

    resumed = ok(rebuild(system))

    assert resumed["replayed"] == {"vendors": 1}  # the rest came from the stores
    assert resumed["resumed"]["vendors"] == 3
    assert resumed["events"] == len(now)
    assert trail(system) == now
    rows, positions, shadow = store_state(system)
    assert len(rows) == len(now) and positions["vendors"] == 4 and shadow == 0


def test_a_read_from_the_stores_stopped_halfway_is_resumed_where_it_stopped(
    system, settled, monkeypatch
):
    live, over_rpc = settled
    settings = Settings.from_env(system.env())
    monkeypatch.setattr(fill_from_stores, "PAGE", 2)
    first = read_before_checklist(system)  # budget's and vendors', in pages of 2
    pages = iter(range(sum(math.ceil(n / 2) for n in first.values())))

    with pytest.raises(fill_from_stores.Stopped):  # once the logs before checklist's are read
        fill_from_stores.fill(
            settings, UPSTREAMS, fresh=True, workers=0, stop=lambda: next(pages, None) is None
        )

    rows, positions, shadow = store_state(system)
    assert (rows, positions) == over_rpc[:2]  # the live trail untouched
    assert shadow == sum(first.values())
    assert trail(system) == live

    answer = rebuilt(system)  # not --fresh: goes on from the shadow

    assert not answer["from_stores"].keys() & first.keys()
    assert sum(answer["from_stores"].values()) == len(live) - sum(first.values())
    assert store_state(system) == over_rpc
    assert trail(system) == live


def test_one_rebuild_at_a_time_whichever_way_it_reads(system, settled):
    live, over_rpc = settled
    settings = Settings.from_env(system.env())
    held = RebuildLock(settings, "reporting", "audit_rebuild")
    assert held.acquire()  # as a rebuild running in reporting holds it
    try:
        refused = huiwu(system, "audit", "rebuild")
        assert refused.returncode != 0, refused
        assert "running" in refused.stderr
        with pytest.raises(fill_from_stores.Busy):
            fill_from_stores.fill(settings, UPSTREAMS, workers=0)
    finally:
        held.release()
    assert store_state(system) == over_rpc and trail(system) == live


def test_only_an_admin_or_an_auditor_reads_the_stores_for_a_rebuild(system, settled):
    _, over_rpc = settled
    organizer = system.token("wang.lei", "organizer")

    refused = huiwu(system, "audit", "rebuild", token=organizer)

    assert refused.returncode != 0
    assert "admin's or an auditor's token" in refused.stderr
    assert store_state(system) == over_rpc
    answer = json.loads(
        ok_run(huiwu(system, "--json", "audit", "rebuild", token=system.token("ada", "auditor")))
    )
    assert answer["state"] == "done"


def ok_run(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 0, run
    return run.stdout
