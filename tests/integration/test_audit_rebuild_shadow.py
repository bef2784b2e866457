"""The audit rebuild never empties what readers see: it replays into a shadow and swaps it
in, or leaves the trail and its positions exactly as they were (both stores). A rebuild
that failed or was interrupted is resumed where it stopped, and ends the same as a clean one."""

from __future__ import annotations

import os
import signal

from tests.support.audit_trail import (
    EVERYONE,
    history,
    read_before_checklist,
    rebuild,
    settled_trail,
    store_state,
    trail,
)
from tests.support.slice import add_vendor, ok
from tests.support.system import wait_until


def test_the_rebuilt_trail_equals_the_live_one_and_live_events_follow_it(system):
    system.start(*EVERYONE)
    history(system)
    live = settled_trail(system)
    rows, positions, _ = store_state(system)

    result = ok(rebuild(system))

    assert result["state"] == "done"
    assert result["events"] == len(live)
    assert result["replayed"]["vendors"] == 3  # added, drafted, signed
    assert sum(result["replayed"].values()) == len(live)
    assert trail(system) == live
    assert store_state(system) == (rows, positions, 0)  # same rows, same positions, no shadow
    assert ok(system["reporting"].get("/audit/rebuild"))["state"] == "done"

    # The positions came with the rebuilt trail: the next live event lands once.
    conference_id = live[0]["conference_id"]
    # a hotel: no entry of the section-one plan counts it (1.3.1 counts venues only)
    add_vendor(system, conference_id, name="Riverside Hotel", categories=("accommodation",))
    after = wait_until(lambda: (t := trail(system)) and len(t) == len(live) + 1 and t)
    assert [e["event_type"] for e in after if e not in live] == ["VendorAdded"]


def test_a_rebuild_failing_halfway_leaves_the_trail_as_it_was_and_is_resumed(system):
    system.start(*EVERYONE)
    history(system)
    before = settled_trail(system)
    first = read_before_checklist(system)
    rows, positions, _ = store_state(system)
    system["checklist"].stop()  # the last log the rebuild reads: the others are in the shadow

    refused = rebuild(system)

    assert refused.status == 503, refused
    assert "checklist" in refused.json["message"]
    assert "unchanged" in refused.json["message"]
    status = ok(system["reporting"].get("/audit/rebuild"))
    assert status["state"] == "failed"
    assert status["replayed"]["vendors"] == 3  # halfway: vendors had been replayed
    assert "checklist" not in status["replayed"]
    assert trail(system) == before
    # what was read before checklist (vendors', budget's) is kept in the shadow
    assert store_state(system) == (rows, positions, sum(first.values()))

    system["checklist"].start()
    result = ok(rebuild(system))
    assert result["resumed"] == first  # not read again
    assert "vendors" not in result["replayed"] and result["replayed"]["checklist"] > 0
    assert result["events"] == len(before)
    assert trail(system) == before
    assert store_state(system) == (rows, positions, 0)


def test_a_rebuild_interrupted_halfway_and_resumed_equals_a_clean_one_and_the_live_trail(system):
    system.start(*EVERYONE[:-1])
    system.start("reporting", extra_env={"HUIWU_RPC_TIMEOUT": "60"})  # waits for checklist
    history(system)
    live = settled_trail(system)
    first = read_before_checklist(system)
    clean = ok(rebuild(system, fresh=True))
    assert clean["resumed"] == {} and trail(system) == live
    clean_state = store_state(system)

    checklist = system["checklist"].process.pid
    os.kill(checklist, signal.SIGSTOP)  # the rebuild waits on checklist's log, the last one
    try:
        assert rebuild(system, wait=0, fresh=True).status == 202
        wait_until(lambda: ok(system["reporting"].get("/audit/rebuild"))["reading"] == "checklist")
        assert trail(system) == live  # readers: the whole trail, all along
        asked = system["reporting"].delete("/audit/rebuild")
        assert asked.status == 202, asked
    finally:
        os.kill(checklist, signal.SIGCONT)
    stopped = wait_until(
        lambda: (s := ok(system["reporting"].get("/audit/rebuild")))["state"] != "running" and s
    )
    assert stopped["state"] == "interrupted", stopped
    assert stopped["positions"]["vendors"] == 3 and "checklist" not in stopped["positions"]
    assert trail(system) == live
    rows, positions, shadow = store_state(system)
    assert (rows, positions) == clean_state[:2]  # the live trail untouched
    assert shadow == sum(first.values())
    assert system["reporting"].delete("/audit/rebuild").status == 409  # none runs now

    resumed = ok(rebuild(system))

    assert resumed["resumed"] == first
    assert "vendors" not in resumed["replayed"] and resumed["replayed"]["checklist"] > 0
    assert resumed["events"] == len(live)
    assert store_state(system) == clean_state  # the same rows and positions as a clean one
    assert trail(system) == live


def test_readers_see_the_whole_old_trail_during_a_rebuild_and_nothing_live_is_lost(system):
    system.start(*EVERYONE[:-1])
    system.start("reporting", extra_env={"HUIWU_RPC_TIMEOUT": "60"})  # waits for checklist
    conference_id = history(system)
    before = settled_trail(system)
    checklist = system["checklist"].process.pid
    os.kill(checklist, signal.SIGSTOP)  # the rebuild waits on checklist's log, the last one
    try:
        started = rebuild(system, wait=0)
        assert started.status == 202, started
        running = wait_until(
            lambda: (
                (s := ok(system["reporting"].get("/audit/rebuild")))["reading"] == "checklist" and s
            )
        )
        assert running["state"] == "running" and running["replayed"]["vendors"] == 3

        assert trail(system) == before  # readers: the whole old trail, not the shadow
        again = rebuild(system, wait=0)
        assert again.status == 409, again
        assert "running" in again.json["message"]

        # The live consumer goes on meanwhile, past what the shadow has read of vendors.
        # a hotel: no entry of the section-one plan counts it (1.3.1 counts venues only)
        add_vendor(system, conference_id, name="Riverside Hotel", categories=("accommodation",))
        during = wait_until(lambda: (t := trail(system)) and len(t) == len(before) + 1 and t)
        assert trail(system) == during
    finally:
        os.kill(checklist, signal.SIGCONT)

    done = wait_until(
        lambda: (s := ok(system["reporting"].get("/audit/rebuild")))["state"] != "running" and s,
        timeout=60,
    )
    assert done["state"] == "done", done
    assert done["events"] == len(during)
    assert trail(system) == during  # the event applied live during the rebuild was kept
    _, positions, shadow = store_state(system)
    assert positions["vendors"] == 4 and shadow == 0
