"""Reporting killed (SIGKILL) or stopped in the middle of an audit rebuild: after a restart
the old trail and its positions are intact, and a later rebuild completes equal to the live
one."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import urllib.error

from tests.support.audit_trail import (
    EVERYONE,
    history,
    rebuild,
    settled_trail,
    store_state,
    trail,
)
from tests.support.slice import ok
from tests.support.system import wait_until


def test_reporting_killed_mid_rebuild_keeps_the_old_trail_and_rebuilds_later(system):
    system.start(*EVERYONE)
    history(system)
    before = settled_trail(system)
    rows, positions, _ = store_state(system)
    system["reporting"].stop()
    system["reporting"].start({"HUIWU_FAILPOINTS": "audit_rebuild.after_page"})

    # Killed once the first page of the shadow is committed (the answer may come first).
    with contextlib.suppress(urllib.error.URLError, http.client.HTTPException, ConnectionError):
        rebuild(system, wait=0)
    system["reporting"].process.wait(timeout=30)
    assert system["reporting"].process.returncode == -9

    rows_now, positions_now, shadow = store_state(system)
    assert (rows_now, positions_now) == (rows, positions)
    assert shadow > 0  # halfway: the shadow held part of the replay

    system["reporting"].start()
    assert trail(system) == before
    assert ok(system["reporting"].get("/audit/rebuild")) == {"state": "none"}
    result = ok(rebuild(system))
    assert result["resumed"], result  # from the page the killed one had committed
    assert result["events"] == len(before)
    assert trail(system) == before
    assert store_state(system) == (rows, positions, 0)


def test_reporting_stopped_mid_rebuild_stops_cleanly_and_keeps_the_old_trail(sqlite_system):
    system = sqlite_system.start(*EVERYONE)
    history(system)
    before = settled_trail(system)
    state = store_state(system)
    checklist = system["checklist"].process.pid
    os.kill(checklist, signal.SIGSTOP)  # the rebuild waits on checklist's log
    try:
        assert rebuild(system, wait=0).status == 202
        wait_until(lambda: ok(system["reporting"].get("/audit/rebuild"))["reading"] == "checklist")
        assert system["reporting"].stop() == 0  # on time, and no error logged (teardown)
    finally:
        os.kill(checklist, signal.SIGCONT)

    assert store_state(system)[:2] == state[:2]
    system["reporting"].start()
    assert trail(system) == before
    assert ok(rebuild(system))["events"] == len(before)
