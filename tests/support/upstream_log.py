"""A stand-in for an upstream service's notification log: answers its `notifications` RPC
as that service's broker user would, from a list of envelopes the test chooses (a service
not written yet, or an upstream whose log holds what the real service would never write,
such as a payload a newer version publishes and this catalogue refuses).

Consumers apply only what an upstream's log holds (a message is only a hint), so a test
that publishes an upstream's messages serves its log too.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from kombu import Connection, Exchange, Queue

from services.common.config import broker_user
from tests.support.amqp import as_user


class ServedLog:
    """Serves `envelopes` (a list it reads on each request: append to it as the log grows)
    as `service`'s log until closed, or until its virtual host goes away."""

    def __init__(self, uri: str, service: str, envelopes: Sequence[dict[str, Any]]) -> None:
        self.service = service
        self.envelopes = envelopes
        self.asked: list[tuple[int, int]] = []  # (start, limit) of each request answered
        self._uri = as_user(uri, service)
        self._queue = Queue(
            f"rpc-{service}",
            exchange=Exchange("nameko-rpc", type="topic", durable=True),
            routing_key=f"{service}.*",
            durable=True,
        )
        self._done = threading.Event()
        with Connection(self._uri) as conn:
            self._queue(conn.default_channel).declare()  # requests queue up from now on
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(Exception), Connection(self._uri) as conn:  # vhost gone: done
            channel = conn.default_channel
            while not self._done.is_set():
                request = channel.basic_get(self._queue.name, no_ack=True)
                if request is None:
                    self._done.wait(0.02)
                    continue
                kwargs = json.loads(request.body)["kwargs"]
                start, limit = kwargs["start"], kwargs.get("limit", 100)
                self.asked.append((start, limit))
                page = [e for e in self.envelopes if e["notification_id"] >= start][:limit]
                conn.Producer().publish(
                    {"result": page, "error": None},
                    exchange="nameko-rpc",
                    routing_key=request.properties["reply_to"],
                    correlation_id=request.properties["correlation_id"],
                    serializer="json",
                    user_id=broker_user(self.service),
                )

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=10)
        with contextlib.suppress(Exception), Connection(self._uri) as conn:
            self._queue(conn.default_channel).delete()


@contextlib.contextmanager
def served_log(uri: str, service: str, envelopes: Sequence[dict[str, Any]]) -> Iterator[ServedLog]:
    served = ServedLog(uri, service, envelopes)
    try:
        yield served
    finally:
        served.close()
