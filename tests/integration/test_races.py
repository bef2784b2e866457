"""Commands racing on one contract and one entry, while upstream events change that entry
too: every answer is a 2xx or a 409, and no upstream event is dead-lettered."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    ok,
    open_conference,
    sign,
)
from tests.support.system import wait_until

CLIENTS = 20


def test_racing_commands_get_2xx_or_409_and_upstream_events_all_apply(system):
    system.start("checklist", "vendors")
    checklist, vendors = system["checklist"], system["vendors"]
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contracts = [draft_contract(system, conference_id, vendor_id) for _ in range(10)]
    progress = f"/conferences/{conference_id}/entries/1.3.5/progress"

    def record(n: int) -> int:
        body = {"state": "in_progress", "percent": n % 100, "note": f"call {n}", "actor": "li"}
        return checklist.post(progress, body).status

    with ThreadPoolExecutor(CLIENTS) as pool:
        on_one_contract = list(
            pool.map(lambda _: sign(system, contracts[0]).status, range(CLIENTS))
        )
        # people edit 1.3.5 while nine signatures, each proving 1.3.5, reach checklist
        edits = pool.map(record, range(3 * CLIENTS))
        signatures = pool.map(lambda c: sign(system, c).status, contracts[1:])
        on_one_entry, signed = list(edits), list(signatures)

    assert Counter(on_one_contract) == {200: 1, 409: CLIENTS - 1}
    assert set(on_one_entry) <= {200, 409} and 200 in on_one_entry
    assert signed == [200] * 9
    entry = wait_until(
        lambda: (
            (e := ok(checklist.get(f"{progress.rsplit('/', 1)[0]}")))
            and len(e["proofs"]) == 10
            and e
        )
    )
    assert {p["aggregate_id"] for p in entry["proofs"]} == set(contracts)
    assert checklist.metric("huiwu_commands_total", command="RecordProgress", outcome="error") == 0
    assert vendors.metric("huiwu_commands_total", command="SignContract", outcome="error") == 0
    for reason in ("handler_failed", "invalid_payload"):
        assert (
            checklist.metric(
                "huiwu_dead_lettered_messages_total", upstream="vendors", reason=reason
            )
            == 0
        )
    assert ok(checklist.get("/dead-letters"))["messages"] == 0
