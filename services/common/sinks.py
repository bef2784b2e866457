"""Where a consumer's effects land, each written atomically with its tracking position.

`ProcessSink`: a service that records its own events in reaction (checklist verification);
the events and the tracking record go into its event store in one transaction.
`ProjectionSink`: a read model in plain tables (the audit trail); rows and tracking go into
one SQL transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking

from .consumer import AlreadyTracked
from .database import Cursor, Database
from .envelope import Envelope
from .store import ServiceApplication

Policy = Callable[[Envelope, dict[str, Any], ProcessingEvent], None]


class ProcessSink:
    """Calls `policy(envelope, payload, processing)`; the policy collects new events."""

    def __init__(self, app: ServiceApplication, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    def position(self, upstream: str) -> int:
        return self.app.process_recorder.max_tracking_id(upstream) or 0

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        processing = ProcessingEvent(Tracking(envelope.service, envelope.notification_id))
        self.policy(envelope, payload, processing)
        try:
            self.app.record_processing(processing)
        except IntegrityError as exc:
            if self.position(envelope.service) >= envelope.notification_id:
                raise AlreadyTracked(str(exc)) from exc
            raise

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        processing = ProcessingEvent()  # no tracking: the position is already past it
        self.policy(envelope, payload, processing)
        self.app.record_processing(processing)

    def skip(self, upstream: str, notification_id: int) -> None:
        try:
            self.app.process_recorder.insert_tracking(Tracking(upstream, notification_id))
        except IntegrityError:
            if self.position(upstream) < notification_id:
                raise


class Projection(Protocol):
    """A read model: its tables, how one event changes them, and how to empty them."""

    tables: tuple[str, ...]

    def create(self, cur: Cursor) -> None: ...

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None: ...


_TRACKING = (
    "CREATE TABLE IF NOT EXISTS {t} (projection TEXT NOT NULL, upstream TEXT NOT NULL, "
    "position BIGINT NOT NULL, PRIMARY KEY (projection, upstream))"
)


class ProjectionSink:
    def __init__(self, db: Database, name: str, projection: Projection) -> None:
        self.db = db
        self.name = name
        self.projection = projection
        with db.transaction() as cur:
            cur.execute(_TRACKING, t="projection_tracking")
            projection.create(cur)

    def position(self, upstream: str) -> int:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT position FROM {t} WHERE projection = ? AND upstream = ?",
                [self.name, upstream],
                t="projection_tracking",
            ).fetchone()
        return int(row[0]) if row else 0

    def _track(self, cur: Cursor, upstream: str, notification_id: int) -> None:
        # One conditional upsert: concurrent replicas cannot both move the same position.
        row = cur.execute(
            "INSERT INTO {t} (projection, upstream, position) VALUES (?, ?, ?) "
            "ON CONFLICT (projection, upstream) DO UPDATE SET position = excluded.position "
            "WHERE {t}.position < excluded.position RETURNING position",
            [self.name, upstream, notification_id],
            t="projection_tracking",
        ).fetchone()
        if row is None:
            raise AlreadyTracked(f"{self.name} already at or past {upstream} #{notification_id}")

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        with self.db.transaction() as cur:
            self._track(cur, envelope.service, envelope.notification_id)
            self.projection.apply(cur, envelope, payload)

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        with self.db.transaction() as cur:
            self.projection.apply(cur, envelope, payload)

    def skip(self, upstream: str, notification_id: int) -> None:
        try:
            with self.db.transaction() as cur:
                self._track(cur, upstream, notification_id)
        except AlreadyTracked:
            pass

    def reset(self) -> None:
        """Empty the read model and forget every position, ready to rebuild from zero."""
        with self.db.transaction() as cur:
            for table in self.projection.tables:
                cur.execute("DELETE FROM {t}", t=table)
            cur.execute(
                "DELETE FROM {t} WHERE projection = ?", [self.name], t="projection_tracking"
            )
