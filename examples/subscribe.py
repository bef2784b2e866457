"""Follow Huiwu's events from another program with plain kombu.

    python examples/subscribe.py vendors            # every event of vendors
    python examples/subscribe.py vendors ContractSigned

Each service publishes on the durable topic exchange `<service>.events`, routing key =
event type. Bind a durable queue of your own, ack after you handled a message, and keep
the highest `notification_id` you handled: a lower or equal one is a duplicate; a jump
means you missed one (read it from the service's notification log).
"""

from __future__ import annotations

import json
import os
import sys

from kombu import Connection, Exchange, Queue


def subscription(service: str, event_type: str = "#", queue: str = "my-app") -> Queue:
    exchange = Exchange(f"{service}.events", type="topic", durable=True)
    return Queue(f"{queue}.{service}", exchange=exchange, routing_key=event_type, durable=True)


def follow(amqp_uri: str, queue: Queue, handle, limit: int | None = None) -> None:
    """Call handle(envelope) for each message; ack only after it returned."""
    handled = 0
    with Connection(amqp_uri) as conn, conn.SimpleQueue(queue) as messages:
        while limit is None or handled < limit:
            message = messages.get(block=True, timeout=None if limit is None else 30)
            handle(message.payload)  # the envelope, decoded from JSON
            message.ack()
            handled += 1


if __name__ == "__main__":
    service, *rest = sys.argv[1:] or ["vendors"]
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    follow(uri, subscription(service, *(rest or ["#"])), lambda e: print(json.dumps(e)))
