"""Faults, each with its exact outcome: crashes, duplicates, gaps and poison messages.

Each runs on both stores, with the services' periodic catch-up off (QUIET): a fault test
proves the path it names, and the catch-up would repair a broken one unseen. Outcomes are
counted independently of the services' own metrics where it matters: a capture queue on
the exchange, the tracking position read from the store.
"""

import contextlib
import http.client
import urllib.error
import uuid

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
from tests.support.stores import tracking_position
from tests.support.system import wait_until
from tests.support.upstream_log import served_log

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}  # only start-up catch-up: isolate the path tested


def audit_of(system, conference_id, event_type):
    events = ok(system["reporting"].get(f"/audit?conference_id={conference_id}"))["events"]
    return [e for e in events if e["event_type"] == event_type]


def drained_types(uri, queue, seen):
    """The event types drained from a capture queue so far (`seen` keeps them)."""
    seen.extend(body["event_type"] for body, _ in amqp.drain(uri, queue))
    return seen


def consumed(system, service, upstream, outcome):
    return system[service].metric(
        "huiwu_consumer_messages_total", upstream=upstream, outcome=outcome
    )


def test_vendors_killed_after_commit_before_publish_verifies_once_after_restart(system, vhost):
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    published = amqp.capture(vhost.uri, "vendors", "test.published")
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 2)
    before = wait_until(lambda: (b := amqp.drain(vhost.uri, published.name)) and b)
    assert [b["event_type"] for b, _ in before] == ["VendorAdded", "ContractDrafted"]
    caught_up = consumed(system, "checklist", "vendors", "caught_up")
    system["vendors"].stop()
    system["vendors"].start({**QUIET, "HUIWU_FAILPOINTS": "relay.before_publish"})

    # Committed, then the relay dies before publishing (the reply may come first, or not).
    with contextlib.suppress(urllib.error.URLError, http.client.HTTPException, ConnectionError):
        sign(system, contract_id)
    system["vendors"].process.wait(timeout=20)
    assert system["vendors"].process.returncode == -9
    assert [b["event_type"] for b, _ in amqp.drain(vhost.uri, published.name)] == []
    assert entry(system, conference_id, "1.3.5")["status"] == "open"

    system["vendors"].start(QUIET)  # its relay publishes what the crash left behind
    assert ok(system["vendors"].get(f"/contracts/{contract_id}"))["status"] == "signed"
    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert len(verified["proofs"]) == 1
    signed = wait_until(lambda: [b for b, _ in amqp.drain(vhost.uri, published.name)] or None)
    assert [b["event_type"] for b in signed] == ["ContractSigned"]  # once, on the exchange
    assert consumed(system, "checklist", "vendors", "caught_up") == caught_up  # delivered
    wait_until(lambda: audit_of(system, conference_id, "EntryVerified"))
    assert len(audit_of(system, conference_id, "ContractSigned")) == 1
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1


def test_the_same_message_delivered_twice_has_one_effect(system, vhost):
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
    wait_until(lambda: consumed(system, "reporting", "vendors", "duplicate") == 1)
    assert len(entry(system, conference_id, "1.3.5")["proofs"]) == 1
    assert len(audit_of(system, conference_id, "ContractSigned")) == 1
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1


def test_a_message_never_delivered_is_fetched_from_the_log(system, vhost):
    system.start("checklist", "vendors", extra_env=QUIET)
    published = amqp.capture(vhost.uri, "vendors", "test.published")
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 2)

    amqp.unbind(vhost.uri, "checklist.vendors-events", "vendors")
    ok(sign(system, contract_id))  # published, but checklist's queue never gets it
    # The relay publishes after the commit: bind again only once it has.
    drained = []
    wait_until(lambda: "ContractSigned" in drained_types(vhost.uri, published.name, drained))
    amqp.bind(vhost.uri, "checklist.vendors-events", "vendors")
    assert entry(system, conference_id, "1.3.5")["status"] == "open"
    add_vendor(system, conference_id, "Another Hall")  # arrives one past the gap

    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert verified["proofs"][0]["aggregate_id"] == contract_id
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 4)
    assert consumed(system, "checklist", "vendors", "gap_filled") == 1
    assert consumed(system, "checklist", "vendors", "caught_up") == 0


def test_consumer_killed_after_commit_has_one_effect_after_restart(system):
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    wait_until(lambda: consumed(system, "checklist", "vendors", "processed") == 2)
    system["checklist"].stop()
    system["checklist"].start({**QUIET, "HUIWU_FAILPOINTS": "consumer.after_commit"})

    ok(sign(system, contract_id))
    system["checklist"].process.wait(timeout=20)  # killed right after applying the log
    assert system["checklist"].process.returncode == -9
    assert tracking_position(system, "checklist", "vendors") == 3  # the effect was committed

    # Its message may come again (acked or not before the kill): one effect all the same.
    system["checklist"].start(QUIET)
    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    assert len(verified["proofs"]) == 1
    wait_until(lambda: audit_of(system, conference_id, "EntryVerified"))
    assert len(audit_of(system, conference_id, "EntryVerified")) == 1
    assert tracking_position(system, "checklist", "vendors") == 3


def test_payload_failing_its_schema_is_dead_lettered_and_the_consumer_goes_on(system, vhost):
    system.expect_errors("dead-lettered a message from vendors (invalid_payload)")
    system.start("checklist", extra_env=QUIET)  # vendors is played by the test
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
    # vendors' log holds what checklist's catalogue refuses (a newer vendors, a bug):
    # the log is served as vendors would, and its messages published as vendors' user.
    signed = forged(2, good)
    with served_log(vhost.uri, "vendors", [poison, signed]):
        amqp.publish(vhost.uri, "vendors", poison)
        amqp.publish(vhost.uri, "vendors", signed)
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
