"""The first slice end to end, through the services' own HTTP entrypoints, on both stores."""

from tests.support.slice import (
    SECTION_ONE,
    cancel,
    entry,
    ok,
    signed_venue_contract,
    wait_for_status,
)
from tests.support.system import wait_until


def test_signed_venue_contract_verifies_entry_135_with_its_proof(system):
    system.start("checklist", "vendors", "reporting")
    conference_id, contract_id = signed_venue_contract(system)

    verified = wait_for_status(system, conference_id, "1.3.5", "verified")

    (proof,) = verified["proofs"]
    assert proof["service"] == "vendors"
    assert proof["event_type"] == "ContractSigned"
    assert proof["aggregate_id"] == contract_id
    assert proof["notification_id"] >= 1
    assert proof["event_id"]
    assert proof["occurred_at"].endswith("+00:00")
    # The venue added is one candidate of the two 1.3.1 asks for; its selection (1.3.4),
    # which no event has said, is still open.
    shortlist = entry(system, conference_id, "1.3.1")
    assert (shortlist["status"], shortlist["members"], shortlist["target"]) == (
        "in_progress",
        1,
        2,
    )
    assert entry(system, conference_id, "1.3.4")["status"] == "open"


def test_cancelling_the_signed_contract_reopens_the_entry(system):
    system.start("checklist", "vendors")
    conference_id, contract_id = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")

    assert ok(cancel(system, contract_id))["status"] == "cancelled"

    reopened = wait_for_status(system, conference_id, "1.3.5", "open")
    assert reopened["proofs"] == []


def test_a_signed_non_venue_contract_does_not_verify_the_venue_entry(system):
    from tests.support.slice import add_vendor, draft_contract, open_conference, sign

    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id, "Sound & Light Co")
    catering = draft_contract(system, conference_id, vendor_id, category="catering")
    ok(sign(system, catering))
    wait_until(
        lambda: (
            system["checklist"].metric(
                "huiwu_consumer_messages_total", upstream="vendors", outcome="processed"
            )
            >= 3
        )
    )
    assert entry(system, conference_id, "1.3.5")["status"] == "open"


def test_reporting_trail_holds_every_event_with_who_and_when(system):
    system.start("checklist", "vendors", "reporting")
    conference_id, contract_id = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")

    def trail():
        events = ok(system["reporting"].get(f"/audit?conference_id={conference_id}"))["events"]
        return events if any(e["event_type"] == "EntryVerified" for e in events) else None

    events = wait_until(trail)
    types = [e["event_type"] for e in events]
    assert types.count("ConferenceOpened") == 1
    assert {"VendorAdded", "ContractDrafted", "ContractSigned", "EntryVerified"} <= set(types)
    signed = next(e for e in events if e["event_type"] == "ContractSigned")
    assert signed["actor"] == "li"
    assert signed["service"] == "vendors"
    assert signed["aggregate_id"] == contract_id
    assert signed["payload"]["category"] == "venue"
    verified = next(e for e in events if e["event_type"] == "EntryVerified")
    assert verified["causation_id"] == signed["event_id"]
    assert verified["correlation_id"] == signed["correlation_id"]
