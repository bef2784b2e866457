"""Direct broker access for fault tests: forge, duplicate, hide and inspect messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from kombu import Connection, Exchange, Queue

from services.common.config import broker_user, development_password
from services.common.exchanges import doorbell_exchange, events_exchange


def as_user(uri: str, principal: str) -> str:
    """The same broker and virtual host, as a service's (or the auditor's) broker user."""
    parts = urlsplit(uri)
    host = parts.netloc.rpartition("@")[2]
    credentials = f"{quote(broker_user(principal))}:{quote(development_password(principal))}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))


def publish(uri: str, service: str, envelope: dict[str, Any]) -> None:
    """Ring `service`'s followers as the service itself would: as its broker user, with its
    user_id."""
    publish_as(as_user(uri, service), service, envelope, user_id=broker_user(service))


def publish_as(
    uri: str,
    service: str,
    envelope: dict[str, Any] | bytes,
    user_id: str | None = None,
    exchange_of: Callable[[str], str] = doorbell_exchange,
    **props,
) -> None:
    """Publish on `service`'s doorbell (what its followers hear; `exchange_of`: another of
    its exchanges) as the user of `uri`, claiming `user_id` (or none); confirmed, so a
    message the broker refuses raises (AccessRefused, PreconditionFailed)."""
    exchange = Exchange(exchange_of(service), type="topic", durable=True)
    body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode("utf-8")
    routing_key = "Unknown" if isinstance(envelope, bytes) else envelope.get("event_type")
    if user_id is not None:
        props["user_id"] = user_id
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        producer.publish(
            body,
            exchange=exchange,
            routing_key=routing_key or "Unknown",
            content_type=props.pop("content_type", "application/json"),
            content_encoding=props.pop("content_encoding", "utf-8"),
            delivery_mode=2,
            declare=[exchange],
            **props,
        )


def unbind(uri: str, queue: str, service: str) -> None:
    """A follower's queue stops hearing `service`'s rings."""
    with Connection(uri) as conn:
        conn.default_channel.queue_unbind(queue, doorbell_exchange(service), "#")


def bind(uri: str, queue: str, service: str) -> None:
    """A follower's queue hears `service`'s rings again. The relay rings before it sends a
    batch's events, so once an event is captured (`capture`), its ring has gone out."""
    with Connection(uri) as conn:
        conn.default_channel.queue_bind(queue, doorbell_exchange(service), "#")


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


def drain_raw(uri: str, queue: str) -> list[tuple[bytes, dict[str, Any]]]:
    """Every message waiting in a queue, as (raw body, headers); they are removed."""
    found = []
    with Connection(uri) as conn:
        channel = conn.default_channel
        while True:
            message = channel.basic_get(queue, no_ack=True)
            if message is None:
                return found
            body = message.body if isinstance(message.body, bytes) else message.body.encode()
            found.append((body, message.headers or {}))


def capture(
    uri: str, service: str, name: str, exchange_of: Callable[[str], str] = events_exchange
) -> Queue:
    """Declare a queue that keeps a copy of every event of `service` (or of each of its
    rings, with `exchange_of=doorbell_exchange`)."""
    queue = Queue(
        name,
        exchange=Exchange(exchange_of(service), type="topic", durable=True),
        routing_key="#",
        durable=True,
    )
    with Connection(uri) as conn:
        queue(conn.default_channel).declare()
    return queue
