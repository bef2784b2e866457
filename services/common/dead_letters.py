"""The dead-letter queue of a consuming service: `<service>.dead-letters`.

A message lands here with why it failed, in headers, and stays until it is replayed;
nothing is acked away silently (nameko's default would drop it). Replay applies only what
this service itself dead-lettered (its own broker user, checked by the broker), and never
a forged message: those are taken out of the queue, logged and counted as discarded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from kombu import Connection

from .amqp import ConfirmingPublisher, OutgoingMessage

EXCHANGE = "huiwu.dead-letters"
NEVER_REPLAYED = "forged"

log = logging.getLogger(__name__)


def queue_name(service: str) -> str:
    return f"{service}.dead-letters"


class DeadLetterQueue:
    def __init__(self, publisher: ConfirmingPublisher, service: str) -> None:
        self.publisher = publisher
        self.service = service
        self.queue = queue_name(service)
        self._declared = False

    def _declare(self) -> None:
        if not self._declared:
            self.publisher.declare_queue(self.queue, EXCHANGE, self.service)
            self._declared = True

    def send(self, upstream: str, body: bytes, reason: str, error: str) -> None:
        self._declare()
        self.publisher.publish(
            [
                OutgoingMessage(
                    exchange=EXCHANGE,
                    routing_key=self.service,
                    body=body,
                    message_id=str(uuid.uuid4()),
                    headers={
                        "x-huiwu-upstream": upstream,
                        "x-huiwu-consumer": self.service,
                        "x-huiwu-reason": reason,
                        "x-huiwu-error": error[:4000],
                        "x-huiwu-dead-lettered-at": dt.datetime.now(dt.UTC).isoformat(),
                    },
                )
            ]
        )

    def count(self) -> int:
        self._declare()
        with Connection(self.publisher.amqp_uri, connect_timeout=3) as conn:
            return conn.default_channel.queue_declare(self.queue, passive=True).message_count

    def replay(self, apply: Callable[[bytes | str], Any], limit: int = 1000) -> dict[str, Any]:
        """Apply queued messages in order; stop at the first that fails and leave it queued.

        A forged message, or one this service did not dead-letter itself, is discarded.
        """
        self._declare()
        replayed = discarded = 0
        with Connection(self.publisher.amqp_uri, connect_timeout=3) as conn:
            channel = conn.default_channel
            while replayed + discarded < limit:
                message = channel.basic_get(self.queue, no_ack=False)
                if message is None:
                    break
                why_not = self._never_replayed(message)
                if why_not:
                    log.warning("%s: discarded, not replayed: %s", self.queue, why_not)
                    channel.basic_ack(message.delivery_tag)
                    discarded += 1
                    continue
                try:
                    apply(message.body)  # text: py-amqp decodes the utf-8 body
                except Exception as exc:  # noqa: BLE001 - reported; the message stays queued
                    channel.basic_reject(message.delivery_tag, requeue=True)
                    return {
                        "replayed": replayed,
                        "discarded": discarded,
                        "failed": {
                            "error": f"{type(exc).__name__}: {exc}",
                            "headers": dict(message.headers or {}),
                        },
                        "remaining": self.count(),
                    }
                channel.basic_ack(message.delivery_tag)
                replayed += 1
        answer = {"replayed": replayed, "discarded": discarded, "failed": None}
        return {**answer, "remaining": self.count()}

    def _never_replayed(self, message: Any) -> str | None:
        user = message.properties.get("user_id")
        if user != self.publisher.user_id:
            return f"put there by {user or 'an unnamed user'!r}, not by {self.service}"
        headers = message.headers or {}
        if headers.get("x-huiwu-reason") == NEVER_REPLAYED:
            return f"forged: {headers.get('x-huiwu-error')}"
        return None
