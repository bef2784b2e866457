"""Rebuild from zero: the audit trail and the checklist's verification equal the live ones."""

from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    cancel,
    draft_contract,
    ok,
    open_conference,
    sign,
    wait_for_status,
)
from tests.support.system import wait_settled, wait_until
from tests.support.upstream import replay_open_conference, wipe_checklist_store


def busy_history(system):
    """A conference with a signed venue, a cancelled one and a signed catering contract."""
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    first = draft_contract(system, conference_id, vendor_id)
    ok(sign(system, first))
    wait_for_status(system, conference_id, "1.3.5", "verified")
    ok(cancel(system, first))
    wait_for_status(system, conference_id, "1.3.5", "open")
    second = draft_contract(system, conference_id, vendor_id)
    ok(sign(system, second))
    catering = draft_contract(system, conference_id, vendor_id, category="catering")
    ok(sign(system, catering))
    wait_for_status(system, conference_id, "1.3.5", "verified")
    return conference_id


def trail(system):
    return ok(system["reporting"].get("/audit?limit=10000"))["events"]


def test_audit_trail_rebuilt_from_the_logs_equals_the_live_one(system):
    everyone = system.registry.names
    system.start(*everyone)
    busy_history(system)
    wait_settled(system)  # budget has recorded the commitments the contracts caused
    stored = sum(system[s].metric("huiwu_events_stored", service=s) for s in everyone)
    live = wait_until(lambda: (t := trail(system)) and len(t) == stored and t)

    result = ok(system["reporting"].post("/audit/rebuild", {"actor": "auditor"}))

    assert result["events"] == len(live)
    assert result["replayed"]["vendors"] == 8  # added, 3 drafted, 3 signed, 1 cancelled
    assert trail(system) == live


def test_audit_rebuild_is_refused_while_an_upstream_log_cannot_be_read(system):
    system.start("vendors", "checklist", "reporting")  # registration, budget, speakers down
    conference_id = open_conference(system, **SECTION_ONE)
    stored = sum(system[s].metric("huiwu_events_stored", service=s) for s in ("checklist",))
    before = wait_until(lambda: (t := trail(system)) and len(t) == stored and t)

    refused = system["reporting"].post("/audit/rebuild", {"actor": "auditor"})

    assert refused.status == 503, refused
    assert "registration" in refused.json["message"]
    assert trail(system) == before  # nothing was dropped
    assert conference_id


def plan_state(system, conference_id):
    plan = ok(system["checklist"].get(f"/conferences/{conference_id}/plan"))
    return [
        (e["code"], e["status"], e["due_on"], e["owner_role"], e["proofs"]) for e in plan["entries"]
    ]


def test_checklist_rebuilt_from_zero_reaches_the_same_verification(system):
    system.start("vendors", "checklist")
    conference_id = busy_history(system)
    live = plan_state(system, conference_id)
    assert next(e for e in live if e[0] == "1.3.5")[1] == "verified"

    system["checklist"].stop()
    wipe_checklist_store(system)
    replay_open_conference(system, conference_id, **SECTION_ONE)  # first, as it came first
    system["checklist"].start()  # then vendors' log is read from position 1

    rebuilt = wait_until(lambda: (s := plan_state(system, conference_id)) == live and s)
    assert rebuilt == live
