"""Faults, each with its exact outcome: crashes, duplicates, gaps and poison messages."""

import http.client
import urllib.error
import uuid

import pytest

from tests.support import amqp
from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    entry,
    ok,
    open_conference,
    sign,
    signed_venue_contract,
    wait_for_status,
)
from tests.support.system import wait_until

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}  # only start-up catch-up: isolate the path tested


def audit_of(system, conference_id, event_type):
    events = ok(system["reporting"].get(f"/audit?conference_id={conference_id}"))["events"]
    return [e for e in events if e["event_type"] == event_type]


def consumed(system, service, upstream, outcome):
    return system[service].metric(
        "huiwu_consumer_messages_total", upstream=upstream, outcome=outcome
    )


def test_vendors_killed_after_commit_before_publish_verifies_once_after_restart(sqlite_system):
    system = sqlite_system
    system.start("checklist", "vendors", "reporting")
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    system["vendors"].stop()
    system["vendors"].start({"HUIWU_FAILPOINTS": "relay.before_publish"})

    with pytest.raises((urllib.error.URLError, http.client.HTTPException, ConnectionError)):
        sign(system, contract_id)  # committed, then the process dies before publishing
    system["vendors"].process.wait(timeout=10)
    assert system["vendors"].process.returncode == -9
    assert entry(system, conference_id, "1.3.5")["status"] == "open"

    system["vendors"].start()  # the relay publishes what the crash left behind
    assert ok(system["vendors"].get(f"/contracts/{contract_id}"))["status"] == "signed"
    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert len(verified["proofs"]) == 1
    wait_until(lambda: audit_of(system, conference_id, "EntryVerified"))
    assert len(audit_of(system, conference_id, "ContractSigned")) == 1
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1


def test_the_same_message_delivered_twice_has_one_effect(sqlite_system, vhost):
    system = sqlite_system
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    copies = amqp.capture(vhost.uri, "vendors", "test.copies")
    conference_id, _ = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")
    signed = next(
        b for b, _ in amqp.drain(vhost.uri, copies.name) if b["event_type"] == "ContractSigned"
    )
    before = consumed(system, "checklist", "vendors", "duplicate")

    amqp.publish(vhost.uri, "vendors", signed)

    wait_until(lambda: consumed(system, "checklist", "vendors", "duplicate") == before + 1)
    wait_until(lambda: consumed(system, "reporting", "vendors", "duplicate") >= 1)
    assert len(entry(system, conference_id, "1.3.5")["proofs"]) == 1
    assert len(audit_of(system, conference_id, "ContractSigned")) == 1
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1


def test_a_message_never_delivered_is_fetched_from_the_log(sqlite_system, vhost):
    system = sqlite_system
    system.start("checklist", "vendors", extra_env=QUIET)
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 2)

    amqp.unbind(vhost.uri, "checklist.vendors-events", "vendors")
    ok(sign(system, contract_id))  # published, but checklist's queue never gets it
    amqp.bind(vhost.uri, "checklist.vendors-events", "vendors")
    assert entry(system, conference_id, "1.3.5")["status"] == "open"
    add_vendor(system, conference_id, "Another Hall")  # arrives one past the gap

    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert verified["proofs"][0]["aggregate_id"] == contract_id
    assert consumed(system, "checklist", "vendors", "gap_filled") == 1
    assert consumed(system, "checklist", "vendors", "processed") == 4


def test_consumer_killed_after_commit_before_ack_is_redelivered_with_one_effect(
    sqlite_system,
):
    system = sqlite_system
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 2)
    system["checklist"].stop()
    system["checklist"].start({**QUIET, "HUIWU_FAILPOINTS": "consumer.after_commit"})

    ok(sign(system, contract_id))
    system["checklist"].process.wait(timeout=20)  # killed mid-handling, message unacked
    assert system["checklist"].process.returncode == -9

    system["checklist"].start(QUIET)
    wait_until(lambda: consumed(system, "checklist", "vendors", "duplicate") == 1)
    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert len(verified["proofs"]) == 1
    wait_until(lambda: audit_of(system, conference_id, "EntryVerified"))
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1


def test_payload_failing_its_schema_is_dead_lettered_and_the_consumer_goes_on(sqlite_system, vhost):
    system = sqlite_system
    system.start("checklist", extra_env=QUIET)  # vendors' messages are forged here
    conference_id = open_conference(system, **SECTION_ONE)

    def forged(notification_id, payload):
        contract_id = str(uuid.uuid4())
        return {
            "event_id": str(uuid.uuid4()),
            "event_type": "ContractSigned",
            "service": "vendors",
            "notification_id": notification_id,
            "aggregate_type": "Contract",
            "aggregate_id": contract_id,
            "aggregate_version": 2,
            "conference_id": conference_id,
            "occurred_at": "2026-12-01T08:00:00+00:00",
            "actor": "li",
            "correlation_id": str(uuid.uuid4()),
            "causation_id": None,
            "schema_version": 1,
            "payload": payload,
        }

    good = {
        "vendor_id": str(uuid.uuid4()),
        "category": "venue",
        "amount_minor": 100,
        "currency": "CNY",
        "signed_on": "2026-12-01",
        "signed_by": "li",
    }
    poison = forged(1, {**good, "amount_minor": "a lot"})
    amqp.publish(vhost.uri, "vendors", poison)
    amqp.publish(vhost.uri, "vendors", forged(2, good))

    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert verified["proofs"][0]["notification_id"] == 2
    checklist = system["checklist"]
    assert (
        checklist.metric(
            "huiwu_dead_lettered_messages_total", upstream="vendors", reason="invalid_payload"
        )
        == 1
    )
    assert ok(checklist.get("/dead-letters")) == {"queue": "checklist.dead-letters", "messages": 1}
    replay = ok(checklist.post("/dead-letters/replay", {"actor": "ops"}))
    assert replay["replayed"] == 0 and replay["remaining"] == 1  # still invalid: it stays
    assert "amount_minor" in replay["failed"]["error"]
    ((body, headers),) = amqp.drain(vhost.uri, "checklist.dead-letters")
    assert body == poison
    assert headers["x-huiwu-reason"] == "invalid_payload"
    assert "amount_minor" in headers["x-huiwu-error"]
    assert headers["x-huiwu-upstream"] == "vendors"
