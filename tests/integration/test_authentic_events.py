"""Authentic events (DESIGN.md invariant 9), attacked on the real broker: messages forged by
other users, replayed, jumping ids, events the log does not hold; a non-follower asking
for a log; access revoked while logs are read.

The services run as their own broker users; the test's own user (guest) may do anything
on its virtual host, as an intruder with broker access would.
"""

import uuid

import pytest
from amqp.exceptions import AccessRefused, PreconditionFailed
from kombu import Connection, Exchange, Queue

from tests.support import amqp
from tests.support.rpc import read_log, read_log_as
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

QUIET = {"HUIWU_CATCH_UP_INTERVAL": "3600"}  # only the start-up catch-up: the path tested
FORGED = "dead-lettered a message from vendors (forged)"


def consumed(service, outcome, upstream="vendors"):
    return service.metric("huiwu_consumer_messages_total", upstream=upstream, outcome=outcome)


def forged_count(service, upstream="vendors"):
    return service.metric("huiwu_dead_lettered_messages_total", upstream=upstream, reason="forged")


def captured(uri, queue, event_type, seen):
    """The first captured event of a type, waiting for it (`seen` keeps what was drained)."""

    def found():
        seen.extend(body for body, _ in amqp.drain(uri, queue))
        return next((e for e in seen if e["event_type"] == event_type), None)

    return wait_until(found)


def drained(uri, queue, seen, event_type):
    """The events of a type drained from a capture queue so far (`seen` keeps all drained)."""
    seen.extend(body for body, _ in amqp.drain(uri, queue))
    return [e for e in seen if e["event_type"] == event_type]


def signature_of(drafted, notification_id):
    """A ContractSigned for a drafted contract, as vendors would publish it, but made up."""
    return {
        **drafted,
        "event_id": str(uuid.uuid4()),
        "event_type": "ContractSigned",
        "notification_id": notification_id,
        "aggregate_version": drafted["aggregate_version"] + 1,
        "payload": {
            "vendor_id": drafted["payload"]["vendor_id"],
            "category": "venue",
            "amount_minor": 1,
            "currency": "CNY",
            "signed_on": "2026-12-01",
            "signed_by": "mallory",
        },
    }


def audit_ids(system, conference_id):
    events = ok(system["reporting"].get(f"/audit?conference_id={conference_id}"))["events"]
    return sorted(e["notification_id"] for e in events if e["service"] == "vendors")


def test_a_message_not_published_by_vendors_is_forged_and_the_real_one_takes_its_id(
    sqlite_system, vhost
):
    system = sqlite_system
    system.expect_errors(FORGED)
    system.start("checklist", "vendors", extra_env=QUIET)
    checklist = system["checklist"]
    copies, seen = amqp.capture(vhost.uri, "vendors", "test.copies"), []
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    drafted = captured(vhost.uri, copies.name, "ContractDrafted", seen)
    wait_until(lambda: consumed(checklist, "processed") == 2)
    forged = signature_of(drafted, notification_id=3)  # the next id: the one sign will take

    amqp.publish_as(vhost.uri, "vendors", forged)  # guest, no user_id
    amqp.publish_as(vhost.uri, "vendors", forged, user_id="guest")
    with pytest.raises(PreconditionFailed):  # the broker checks user_id: no one claims vendors
        amqp.publish_as(vhost.uri, "vendors", forged, user_id="huiwu-vendors")
    with pytest.raises(AccessRefused):  # another service may not write vendors' exchange
        checklist_user = amqp.as_user(vhost.uri, "checklist")
        amqp.publish_as(checklist_user, "vendors", forged, user_id="huiwu-checklist")

    wait_until(lambda: forged_count(checklist) == 2)
    assert consumed(checklist, "forged") == 2
    # With vendors' own password (stolen), as the very next id: still only a hint, and
    # vendors' log does not hold it.
    amqp.publish_as(amqp.as_user(vhost.uri, "vendors"), "vendors", forged, user_id="huiwu-vendors")
    wait_until(lambda: forged_count(checklist) == 3)
    assert entry(system, conference_id, "1.3.5")["status"] == "open"
    assert checklist.metric("huiwu_consumer_lag", upstream="vendors") == 0
    amqp.drain(vhost.uri, copies.name)  # the forged copies went there too
    ok(sign(system, contract_id))  # the real #3
    real = captured(vhost.uri, copies.name, "ContractSigned", [])
    verified = wait_for_status(system, conference_id, "1.3.5", "verified")
    (proof,) = verified["proofs"]
    assert (proof["event_id"], proof["notification_id"]) == (real["event_id"], 3)
    assert proof["aggregate_id"] == contract_id
    assert consumed(checklist, "processed") == 3
    assert consumed(checklist, "duplicate") == 0
    dead = amqp.drain(vhost.uri, "checklist.dead-letters")
    assert [body["event_id"] for body, _ in dead] == [forged["event_id"]] * 3
    assert {headers["x-huiwu-reason"] for _, headers in dead} == {"forged"}
    errors = sorted(headers["x-huiwu-error"] for _, headers in dead)
    assert errors == [
        "#3 is not in vendors's log (it ends at #2)",
        "published by 'an unnamed user'",
        "published by 'guest'",
    ]


def test_a_replayed_real_message_is_a_duplicate_and_a_copy_by_someone_else_forged(
    sqlite_system, vhost
):
    system = sqlite_system
    system.expect_errors(FORGED)
    system.start("checklist", "vendors", extra_env=QUIET)
    checklist = system["checklist"]
    copies = amqp.capture(vhost.uri, "vendors", "test.copies")
    conference_id, _ = signed_venue_contract(system)
    real = captured(vhost.uri, copies.name, "ContractSigned", [])
    wait_for_status(system, conference_id, "1.3.5", "verified")
    wait_until(lambda: consumed(checklist, "processed") == 3)

    amqp.publish(vhost.uri, "vendors", real)  # vendors' own user sends it again
    amqp.publish_as(vhost.uri, "vendors", real, user_id="guest")  # an intruder's copy

    wait_until(lambda: consumed(checklist, "duplicate") == 1)
    wait_until(lambda: forged_count(checklist) == 1)
    assert len(entry(system, conference_id, "1.3.5")["proofs"]) == 1
    assert consumed(checklist, "processed") == 3
    assert ok(checklist.get("/dead-letters"))["messages"] == 1  # the copy; replay discards it


def test_an_id_the_log_does_not_back_never_moves_a_position(system, vhost):
    """Even from vendors' own user (a bug, or its password stolen): an id past the log's end,
    and an event the log does not hold at its id, are forged; the log's events are applied."""
    system.expect_errors(FORGED)
    system.start("checklist", "vendors", "reporting", extra_env=QUIET)
    checklist, reporting = system["checklist"], system["reporting"]
    copies = amqp.capture(vhost.uri, "vendors", "test.copies")
    conference_id, _ = signed_venue_contract(system)  # vendors #1..#3
    real = captured(vhost.uri, copies.name, "ContractSigned", [])
    for service in (checklist, reporting):
        wait_until(lambda s=service: consumed(s, "processed") == 3)

    amqp.publish(vhost.uri, "vendors", {**real, "notification_id": 10**12})

    for service in (checklist, reporting):
        wait_until(lambda s=service: forged_count(s) == 1)
        assert service.metric("huiwu_consumer_lag", upstream="vendors") == 0
    for queue in ("checklist.vendors-events", "reporting.vendors-events"):
        amqp.unbind(vhost.uri, queue, "vendors")
    add_vendor(system, conference_id, "Hall Four")  # #4 and #5: published, never delivered
    add_vendor(system, conference_id, "Hall Five")
    published = []  # the relay publishes after the commit: bind again only once it has
    wait_until(lambda: len(drained(vhost.uri, copies.name, published, "VendorAdded")) == 2)
    for queue in ("checklist.vendors-events", "reporting.vendors-events"):
        amqp.bind(vhost.uri, queue, "vendors")
    impostor = {**real, "event_id": str(uuid.uuid4()), "notification_id": 5}

    amqp.publish(vhost.uri, "vendors", impostor)  # a gap to #5, where the log holds another

    for service in (checklist, reporting):
        wait_until(lambda s=service: forged_count(s) == 2)
        assert consumed(service, "gap_filled") == 2  # #4 and the log's #5
    add_vendor(system, conference_id, "Hall Six")  # #6, delivered: the position was 5
    for service in (checklist, reporting):
        wait_until(lambda s=service: consumed(s, "processed") == 6)  # gap-filled included
        assert consumed(service, "duplicate") == 0
    wait_until(lambda: audit_ids(system, conference_id) == [1, 2, 3, 4, 5, 6])
    assert len(entry(system, conference_id, "1.3.5")["proofs"]) == 1


def test_only_followers_and_the_auditor_may_read_a_log(sqlite_system, vhost):
    system = sqlite_system
    system.start("checklist", "vendors")
    signed_venue_contract(system)

    for intruder in (amqp.as_user(vhost.uri, "speakers"), vhost.uri):  # not a follower; guest
        refused = read_log_as(intruder, "vendors")
        assert refused.returncode != 0
        assert "LogRefused" in refused.stderr

    audited = read_log(vhost.uri, "vendors")  # as huiwu-auditor
    assert [e["event_type"] for e in audited] == [
        "VendorAdded",
        "ContractDrafted",
        "ContractSigned",
    ]
    assert read_log(vhost.uri, "vendors", as_principal="checklist") == audited  # a follower
    log = system["vendors"].log_path.read_text()
    assert "vendors: refused its log to 'huiwu-speakers'" in log
    assert "vendors: refused its log to 'guest'" in log


def test_broker_access_revoked_during_log_reads_kills_nothing_and_all_catch_up(
    sqlite_system, vhost
):
    system = sqlite_system
    # What being cut off looks like in the logs: reconnecting, a reply that could not go.
    system.expect_errors("Connection to broker lost", "could not send an RPC reply")
    system.start("checklist", "vendors", "reporting")  # each reads its upstreams every 2 s
    checklist, vendors = system["checklist"], system["vendors"]
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    wait_until(lambda: consumed(checklist, "processed") == 2)

    vhost.revoke("vendors")  # checklist and reporting then read a log no one serves
    vhost.revoke("checklist")  # and checklist itself cannot read, publish or consume
    ok(sign(system, contract_id))  # stored: published once vendors is back
    wait_until(lambda: vendors.get("/health").status == 503)
    reporting_log = system["reporting"].log_path
    wait_until(lambda: "catch-up from vendors postponed" in reporting_log.read_text())
    assert entry(system, conference_id, "1.3.5")["status"] == "open"

    vhost.grant("vendors")
    vhost.grant("checklist")

    wait_for_status(system, conference_id, "1.3.5", "verified", timeout=60)
    wait_until(lambda: audit_ids(system, conference_id) == [1, 2, 3], timeout=60)
    for service in system.services.values():
        assert service.process.poll() is None, f"{service.name} died"
        wait_until(lambda s=service: s.get("/health").status == 200, timeout=30)


def test_a_log_page_answered_by_anyone_but_the_upstream_is_dropped(sqlite_system, vhost):
    """An intruder who sees the log requests (by binding a queue to nameko's RPC exchange)
    answers them with a page of its own before vendors could: the page is not taken."""
    system = sqlite_system
    system.expect_errors("catch-up")
    snoop = Queue(
        "test.snooped-requests",
        exchange=Exchange("nameko-rpc", type="topic", durable=True),
        routing_key="vendors.notifications",
    )
    with Connection(vhost.uri) as conn:
        snoop(conn.default_channel).declare()  # vendors is not running: only this answers
    system.start("checklist")  # reads vendors' log on start and every 2 s
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = str(uuid.uuid4())
    page = [
        {
            **signature_of(
                {
                    "event_id": str(uuid.uuid4()),
                    "service": "vendors",
                    "aggregate_type": "Contract",
                    "aggregate_id": contract_id,
                    "aggregate_version": 1,
                    "conference_id": conference_id,
                    "occurred_at": "2026-12-01T08:00:00+00:00",
                    "actor": "mallory",
                    "correlation_id": str(uuid.uuid4()),
                    "causation_id": None,
                    "schema_version": 1,
                    "payload": {"vendor_id": str(uuid.uuid4())},
                },
                notification_id=1,
            )
        }
    ]
    answered = []

    def answer_requests():
        with Connection(vhost.uri, transport_options={"confirm_publish": True}) as conn:
            channel = conn.default_channel
            while (request := channel.basic_get(snoop.name, no_ack=True)) is not None:
                conn.Producer().publish(
                    {"result": page, "error": None},
                    exchange="nameko-rpc",
                    routing_key=request.properties["reply_to"],
                    correlation_id=request.properties["correlation_id"],
                    serializer="json",
                    user_id="guest",  # the most it may claim
                )
                answered.append(request)
        return (
            answered
            and "dropped an RPC reply from 'guest'" in system["checklist"].log_path.read_text()
        )

    wait_until(answer_requests, timeout=30)

    assert entry(system, conference_id, "1.3.5")["status"] == "open"
    assert consumed(system["checklist"], "caught_up") == 0
    assert consumed(system["checklist"], "processed") == 0
