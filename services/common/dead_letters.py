"""The dead-letter queue of a consuming service: `<service>.dead-letters`.

A message lands here with why it failed, in headers, and stays until someone replays or
removes it; nothing is acked away silently (nameko's default would drop it).
"""

from __future__ import annotations

import datetime as dt
import uuid

from .amqp import ConfirmingPublisher, OutgoingMessage

EXCHANGE = "huiwu.dead-letters"


def queue_name(service: str) -> str:
    return f"{service}.dead-letters"


class DeadLetterQueue:
    def __init__(self, publisher: ConfirmingPublisher, service: str) -> None:
        self.publisher = publisher
        self.service = service
        self._declared = False

    def _declare(self) -> None:
        if not self._declared:
            self.publisher.declare_queue(queue_name(self.service), EXCHANGE, self.service)
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
