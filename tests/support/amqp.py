"""Direct broker access for fault tests: forge, duplicate, hide and inspect messages."""

from __future__ import annotations

import json
from typing import Any

from kombu import Connection, Exchange, Queue


def publish(uri: str, service: str, envelope: dict[str, Any]) -> None:
    exchange = Exchange(f"{service}.events", type="topic", durable=True)
    with Connection(uri) as conn:
        producer = conn.Producer()
        producer.publish(
            json.dumps(envelope).encode("utf-8"),
            exchange=exchange,
            routing_key=envelope.get("event_type", "Unknown"),
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            declare=[exchange],
        )


def unbind(uri: str, queue: str, service: str) -> None:
    with Connection(uri) as conn:
        conn.default_channel.queue_unbind(queue, f"{service}.events", "#")


def bind(uri: str, queue: str, service: str) -> None:
    with Connection(uri) as conn:
        conn.default_channel.queue_bind(queue, f"{service}.events", "#")


def drain(uri: str, queue: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every message waiting in a queue, as (body, headers); they are removed."""
    found = []
    with Connection(uri) as conn:
        channel = conn.default_channel
        while True:
            message = channel.basic_get(queue, no_ack=True)
            if message is None:
                return found
            found.append((json.loads(message.body), message.headers or {}))


def capture(uri: str, service: str, name: str) -> Queue:
    """Declare a queue that keeps a copy of every event of `service`."""
    queue = Queue(
        name,
        exchange=Exchange(f"{service}.events", type="topic", durable=True),
        routing_key="#",
        durable=True,
    )
    with Connection(uri) as conn:
        queue(conn.default_channel).declare()
    return queue
