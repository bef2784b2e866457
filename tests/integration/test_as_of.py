"""As of a moment: a contract signed then cancelled, and its entry verified, re-opened (by
the cancellation) then waived, each asked at the moments between, on both stores. The
moments are the `occurred_at` of the events themselves (from the audit trail): no clock
is guessed."""

from __future__ import annotations

import datetime as dt
import urllib.parse

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
from tests.support.system import wait_until


def occurred(system, conference_id, service, event_type, aggregate_id):
    """The moment of an event, once reporting's trail has it."""

    def found():
        events = ok(system["reporting"].get(f"/audit?conference_id={conference_id}"))["events"]
        return next(
            (
                e
                for e in events
                if (e["service"], e["event_type"], e["aggregate_id"])
                == (service, event_type, aggregate_id)
            ),
            None,
        )

    return wait_until(found)


def at(moment: str) -> str:
    return "at=" + urllib.parse.quote(moment)


def test_a_contract_and_an_entry_as_they_stood_at_each_moment(system):
    system.start("checklist", "vendors", "reporting")
    vendors, checklist = system["vendors"], system["checklist"]
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    drafted = occurred(system, conference_id, "vendors", "ContractDrafted", contract_id)
    ok(sign(system, contract_id))
    signed = occurred(system, conference_id, "vendors", "ContractSigned", contract_id)
    entry_id = wait_for_status(system, conference_id, "1.3.5", "verified")["entry_id"]
    verified = occurred(system, conference_id, "checklist", "EntryVerified", entry_id)
    base = f"/conferences/{conference_id}/entries/1.3.5"
    ok(cancel(system, contract_id))  # the venue contract cancelled: 1.3.5 re-opens
    cancelled = occurred(system, conference_id, "vendors", "ContractCancelled", contract_id)
    wait_for_status(system, conference_id, "1.3.5", "open")
    reopened = occurred(system, conference_id, "checklist", "EntryReopened", entry_id)
    ok(checklist.post(f"{base}/waive", {"actor": "wang", "reason": "the host provides one"}))
    waived = occurred(system, conference_id, "checklist", "EntryWaived", entry_id)

    def contract_at(event):
        return ok(vendors.get(f"/aggregates/{contract_id}/as-of?{at(event['occurred_at'])}"))

    states = {
        name: contract_at(event)
        for name, event in (("drafted", drafted), ("signed", signed), ("cancelled", cancelled))
    }
    assert {name: a["state"]["status"] for name, a in states.items()} == {
        "drafted": "draft",
        "signed": "signed",
        "cancelled": "cancelled",
    }
    for name, event in (("drafted", drafted), ("signed", signed), ("cancelled", cancelled)):
        last = states[name]["last_event"]
        assert (last["event_id"], last["event_type"]) == (event["event_id"], event["event_type"])
    assert states["signed"]["version"] == 2 and states["signed"]["aggregate_type"] == "Contract"
    before = dt.datetime.fromisoformat(drafted["occurred_at"]) - dt.timedelta(microseconds=1)
    assert vendors.get(f"/aggregates/{contract_id}/as-of?{at(before.isoformat())}").status == 404

    def entry_at(event):
        return ok(checklist.get(f"{base}/as-of?{at(event['occurred_at'])}"))

    moments = (
        ("signed", signed),
        ("verified", verified),
        ("reopened", reopened),
        ("waived", waived),
    )
    entries = {name: entry_at(event) for name, event in moments}
    assert {name: e["status"] for name, e in entries.items()} == {
        "signed": "open",  # vendors signed; checklist had not yet taken it in
        "verified": "verified",
        "reopened": "open",
        "waived": "waived",
    }
    assert [p["aggregate_id"] for p in entries["verified"]["proofs"]] == [contract_id]
    assert entries["reopened"]["proofs"] == []
    assert entries["waived"]["waived"]["reason"] == "the host provides one"
    assert entries["waived"]["last_event"]["event_id"] == waived["event_id"]

    plan = ok(
        checklist.get(f"/conferences/{conference_id}/plan/as-of?{at(verified['occurred_at'])}")
    )
    by_code = {e["code"]: e for e in plan["entries"]}
    assert by_code["1.3.5"]["status"] == "verified"
    now = ok(checklist.get(f"/conferences/{conference_id}/plan"))
    assert [e["code"] for e in plan["entries"]] == [e["code"] for e in now["entries"]]
    assert plan["last_event"]["event_id"] == verified["event_id"]  # the newest counted
    assert ok(checklist.get(f"/conferences/{conference_id}/entries/1.3.5"))["status"] == "waived"

    refused = checklist.get(f"{base}/as-of?at=yesterday")
    assert refused.status == 400 and set(refused.json["errors"]) == {"at"}
    assert checklist.get(f"{base}/as-of?at=1999-12-31T00:00:00%2B00:00").status == 400
