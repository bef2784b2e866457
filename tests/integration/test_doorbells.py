"""Followers hear an upstream's doorbell, once per published batch, on the real broker:
never each event, and a queue bound to the events exchange before doorbells existed loses
that binding when its service starts."""

from __future__ import annotations

from kombu import Connection, Exchange, Queue

from services.common.exchanges import doorbell_exchange, events_exchange
from services.common.service import unbind_events
from tests.support import amqp
from tests.support.slice import SECTION_ONE, add_vendor, open_conference
from tests.support.system import wait_until


def consumed(service, outcome, upstream="vendors"):
    return service.metric("huiwu_consumer_messages_total", upstream=upstream, outcome=outcome)


def waiting(uri: str, queue: str) -> int:
    with Connection(uri) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


def test_a_binding_to_the_events_exchange_made_before_doorbells_is_taken_away(vhost):
    queue = Queue(
        "checklist.vendors-events",
        exchange=Exchange(events_exchange("vendors"), type="topic", durable=True),
        routing_key="#",
        durable=True,
    )
    with Connection(vhost.uri) as conn:
        queue(conn.default_channel).declare()
    envelope = {"event_type": "VendorAdded", "service": "vendors"}
    amqp.publish_as(vhost.uri, "vendors", envelope, exchange_of=events_exchange)
    assert waiting(vhost.uri, queue.name) == 1  # bound the old way

    unbind_events(amqp.as_user(vhost.uri, "checklist"), queue.name, "vendors")
    unbind_events(amqp.as_user(vhost.uri, "checklist"), queue.name, "vendors")  # none left

    amqp.publish_as(vhost.uri, "vendors", envelope, exchange_of=events_exchange)
    assert waiting(vhost.uri, queue.name) == 1  # the one from before, no more
    unbind_events(amqp.as_user(vhost.uri, "checklist"), "no.such-queue", "vendors")
    unbind_events(amqp.as_user(vhost.uri, "checklist"), queue.name, "no-such-service")


def test_followers_hear_each_batch_once_and_apply_every_event(sqlite_system, vhost):
    system = sqlite_system
    system.start("checklist", "vendors", "reporting")
    checklist, reporting = system["checklist"], system["reporting"]
    copies = amqp.capture(vhost.uri, "vendors", "test.copies")
    rung = amqp.capture(vhost.uri, "vendors", "test.rings", exchange_of=doorbell_exchange)
    conference_id = open_conference(system, **SECTION_ONE)

    for n in range(12):
        add_vendor(system, conference_id, f"Hall {n}")

    for service in (checklist, reporting):
        wait_until(lambda s=service: consumed(s, "processed") == 12)
        assert consumed(service, "gap_filled") == 0  # each event announced by a ring
        assert consumed(service, "dead_lettered") == 0
    events: dict[int, dict] = {}

    def every_copy() -> bool:  # however late the broker routes the last batch's events
        events.update((b["notification_id"], b) for b, _ in amqp.drain(vhost.uri, copies.name))
        return len(events) == 12

    wait_until(every_copy)
    assert sorted(events) == list(range(1, 13))
    rings = amqp.drain(vhost.uri, rung.name)
    covered = [
        (headers["first_notification_id"], body["notification_id"]) for body, headers in rings
    ]
    assert [n for first, last in covered for n in range(first, last + 1)] == list(range(1, 13))
    for body, _ in rings:  # each the last event of its batch, as published
        assert body == events[body["notification_id"]]
