"""The outbox relay: publishes the notification log to `<service>.events`, and rings the
service's followers once per batch on `<service>.doorbell`.

Every event goes to `<service>.events`, for outside subscribers. The services that follow
this one read its log and need only to know how far it reaches: each batch has one more
message, the batch's last envelope again, on `<service>.doorbell`, whose header
`first_notification_id` says where the batch began (docs/architecture.md, "Publish").

The position is advanced only after the broker confirmed the batch (its ring included),
so a crash at any point re-publishes (consumers skip duplicates) and never loses an event.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from .amqp import ConfirmingPublisher, OutgoingMessage, PublishNotConfirmed
from .database import Database
from .envelope import Envelope, InvalidStoredEvent
from .exchanges import FIRST_NOTIFICATION_ID, doorbell_exchange, events_exchange
from .failpoints import NONE, Failpoints
from .log import NotificationLog
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

_CREATE = "CREATE TABLE IF NOT EXISTS {t} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"


class OutboxRelay:
    def __init__(
        self,
        log: NotificationLog,
        db: Database,
        publisher: ConfirmingPublisher,
        metrics: ServiceMetrics,
        batch_size: int = 500,
        failpoints: Failpoints = NONE,
    ) -> None:
        self.log = log
        self.service = log.service
        self.exchange = events_exchange(self.service)
        self.doorbell = doorbell_exchange(self.service)
        self.db = db
        self.publisher = publisher
        self.metrics = metrics
        self.batch_size = batch_size
        self.failpoints = failpoints
        self._lock = threading.Lock()
        self._again = False
        self._retry_after = 0.0
        with db.ddl() as cur:
            cur.execute(_CREATE, t="relay_position")

    def position(self) -> int:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT position FROM {t} WHERE name = {p}", [self.service], t="relay_position"
            ).fetchone()
        return int(row[0]) if row else 0

    def _advance(self, position: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t} (name, position) VALUES ({p}, {p}) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position "
                "WHERE {t}.position < excluded.position",
                [self.service, position],
                t="relay_position",
            )

    def trigger(self) -> None:
        """Publish what is pending now, unless a run is under way (it will pick it up).

        Never raises: the events are committed, and the next trigger or tick retries.
        """
        if time.monotonic() < self._retry_after:
            return
        try:
            self.run()
        except (PublishNotConfirmed, InvalidStoredEvent) as exc:
            log.warning("relay for %s: %s (the timer will retry)", self.service, exc)
        except Exception:  # noqa: BLE001 - the write is committed; never fail the caller
            log.exception("relay for %s failed (the timer will retry)", self.service)

    def run(self) -> int:
        """Publish every pending notification; return how many were published."""
        if not self._lock.acquire(blocking=False):
            self._again = True
            return 0
        published = 0
        try:
            while True:
                self._again = False
                published += self._publish_pending()
                if not self._again:
                    return published
        except PublishNotConfirmed:
            self.metrics.relay_failures.labels(self.service, "broker").inc()
            self._retry_after = time.monotonic() + 1.0
            raise
        except InvalidStoredEvent:
            self.metrics.relay_failures.labels(self.service, "invalid_event").inc()
            raise
        finally:
            self._lock.release()

    def _publish_pending(self) -> int:
        published = 0
        position = self.position()
        while True:
            envelopes = self.log.envelopes(position + 1, self.batch_size)
            if not envelopes:
                return published
            messages = [self._message(envelope) for envelope in envelopes]
            self.failpoints.hit("relay.before_publish")
            # The ring first: a queue bound to the doorbell after this batch's events went
            # out (on the same channel, so in order) never hears it late.
            ring = self._ring(envelopes[0].notification_id, messages[-1])
            self.publisher.publish([ring, *messages])
            position = envelopes[-1].notification_id
            self._advance(position)
            self.metrics.published.labels(self.service).inc(len(messages))
            published += len(messages)

    def _message(self, envelope: Envelope) -> OutgoingMessage:
        return OutgoingMessage(
            exchange=self.exchange,
            routing_key=envelope.event_type,
            body=envelope.to_json(),
            message_id=envelope.event_id,
            headers={"notification_id": envelope.notification_id},
        )

    def _ring(self, first_id: int, last: OutgoingMessage) -> OutgoingMessage:
        """The followers' one message for a batch: its last event's message again, on the
        doorbell, with where the batch began."""
        return dataclasses.replace(
            last, exchange=self.doorbell, headers={**last.headers, FIRST_NOTIFICATION_ID: first_id}
        )
