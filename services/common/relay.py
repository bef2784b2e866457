"""The outbox relay: publishes the notification log to `<service>.events` (invariant 2).

Position is advanced only after the broker confirmed the batch, so a crash at any point
re-publishes (consumers skip duplicates) and never loses an event.
"""

from __future__ import annotations

import logging
import threading
import time

from marshmallow import ValidationError

from . import envelope as envelopes
from . import failpoints
from .amqp import ConfirmingPublisher, OutgoingMessage, PublishNotConfirmed
from .catalog import EventCatalog
from .database import Database
from .metrics import ServiceMetrics
from .store import ServiceApplication

log = logging.getLogger(__name__)

_CREATE = "CREATE TABLE IF NOT EXISTS {t} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"


class InvalidStoredEvent(Exception):
    """A stored event does not match its published schema: a bug to fix, never to skip."""


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        catalog: EventCatalog,
        db: Database,
        publisher: ConfirmingPublisher,
        metrics: ServiceMetrics,
        batch_size: int = 500,
        failpoints_enabled: str = "",
    ) -> None:
        self.app = app
        self.service = app.name
        self.exchange = f"{self.service}.events"
        self.catalog = catalog
        self.db = db
        self.publisher = publisher
        self.metrics = metrics
        self.batch_size = batch_size
        self.failpoints_enabled = failpoints_enabled
        self._lock = threading.Lock()
        self._again = False
        self._retry_after = 0.0
        with db.transaction() as cur:
            cur.execute(_CREATE, t="relay_position")

    def position(self) -> int:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT position FROM {t} WHERE name = ?", [self.service], t="relay_position"
            ).fetchone()
        return int(row[0]) if row else 0

    def _advance(self, position: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t} (name, position) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position "
                "WHERE {t}.position < excluded.position",
                [self.service, position],
                t="relay_position",
            )

    def trigger(self) -> None:
        """Publish what is pending now, unless a run is under way (it will pick it up)."""
        if time.monotonic() < self._retry_after:
            return
        try:
            self.run()
        except (PublishNotConfirmed, InvalidStoredEvent) as exc:
            log.warning("relay for %s: %s (the timer will retry)", self.service, exc)
        except Exception:  # noqa: BLE001 - the write is committed; never fail the command
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
        finally:
            self._lock.release()

    def _publish_pending(self) -> int:
        published = 0
        position = self.position()
        while True:
            notifications = self.app.select_notifications(position + 1, self.batch_size)
            if not notifications:
                return published
            messages = [self._message(n) for n in notifications]
            failpoints.hit("relay.before_publish", self.failpoints_enabled or None)
            self.publisher.publish(messages)
            position = notifications[-1].id
            self._advance(position)
            self.metrics.published.labels(self.service).inc(len(messages))
            published += len(messages)

    def _message(self, notification) -> OutgoingMessage:
        envelope = self.envelope(notification)
        return OutgoingMessage(
            exchange=self.exchange,
            routing_key=envelope.event_type,
            body=envelope.to_json(),
            message_id=envelope.event_id,
            headers={"notification_id": envelope.notification_id},
        )

    def envelope(self, notification) -> envelopes.Envelope:
        return build_envelope(self.app, self.catalog, notification, self.metrics)


def build_envelope(app, catalog: EventCatalog, notification, metrics=None) -> envelopes.Envelope:
    """The validated envelope of one notification (used by the relay and the log RPC)."""
    event = app.mapper.to_domain_event(notification)
    event_type = type(event).__qualname__.rpartition(".")[2]
    try:
        envelope = envelopes.from_domain_event(
            event,
            service=app.name,
            notification_id=notification.id,
            schema_version=catalog.schema_version(event_type),
        )
        catalog.validate_outgoing(envelope.event_type, envelope.payload)
    except (ValidationError, LookupError) as exc:
        if metrics is not None:
            metrics.relay_failures.labels(app.name, "invalid_event").inc()
        raise InvalidStoredEvent(
            f"notification {notification.id} ({event_type}) of {app.name}: {exc}"
        ) from exc
    return envelope
