"""Where a consumer's effects land, each written atomically with its tracking position.

`ProcessSink`: a service that records its own events in reaction (checklist verification);
the events and the tracking record go into its event store in one transaction, through
the application's `process_event`. `ProjectionSink`: a read model in plain tables (the
audit trail, the plan); rows and tracking go into one SQL transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, Tracking

from .consumer import AlreadyTracked, Contended
from .database import Cursor, Database
from .envelope import Envelope
from .store import ServiceApplication


@dataclass(frozen=True)
class UpstreamEvent:
    """What a service's `policy` receives: the envelope, and its payload as loaded."""

    envelope: Envelope
    payload: dict[str, Any]


class ProcessSink:
    """Gives each upstream event to the application's `policy`, which collects new events."""

    def __init__(self, app: ServiceApplication) -> None:
        self.app = app

    def position(self, upstream: str) -> int:
        return self.app.process_recorder.max_tracking_id(upstream) or 0

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        tracking = Tracking(envelope.service, envelope.notification_id)
        try:
            self.app.process_event(UpstreamEvent(envelope, payload), tracking)
        except IntegrityError as exc:
            if self.position(envelope.service) >= envelope.notification_id:
                raise AlreadyTracked(str(exc)) from exc
            raise Contended(str(exc)) from exc  # a command changed an entry meanwhile

    def apply_page(self, items: list[tuple[Envelope, dict[str, Any]]]) -> None:
        """A page of one upstream's log in one transaction, tracked at its last event. If
        it fails, the consumer applies each event on its own (retries, dead letters)."""
        last = items[-1][0]
        self.app.process_page(
            [UpstreamEvent(envelope, payload) for envelope, payload in items],
            Tracking(last.service, last.notification_id),
        )

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        # No tracking: the position moved past this message when it was dead-lettered.
        self.app.process_event(UpstreamEvent(envelope, payload), None)

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


class ShadowBehind(Exception):
    """The live read model moved past its shadow meanwhile: catch the shadow up first."""

    def __init__(self, behind: dict[str, tuple[int, int]]) -> None:
        self.behind = behind  # upstream -> (live position, shadow position)
        super().__init__(
            "; ".join(
                f"{u}: live at #{live}, shadow at #{shadow}" for u, (live, shadow) in behind.items()
            )
        )


class ProjectionSink:
    def __init__(self, db: Database, name: str, projection: Projection) -> None:
        self.db = db
        self.name = name
        self.projection = projection
        with db.ddl() as cur:
            cur.execute(_TRACKING, t="projection_tracking")
            projection.create(cur)

    def position(self, upstream: str) -> int:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT position FROM {t} WHERE projection = {p} AND upstream = {p}",
                [self.name, upstream],
                t="projection_tracking",
            ).fetchone()
        return int(row[0]) if row else 0

    def positions(self) -> dict[str, int]:
        """Every upstream's position, as one snapshot."""
        with self.db.transaction() as cur:
            return self._positions(cur)

    def _positions(self, cur: Cursor) -> dict[str, int]:
        rows = cur.execute(
            "SELECT upstream, position FROM {t} WHERE projection = {p}",
            [self.name],
            t="projection_tracking",
        ).fetchall()
        return {upstream: int(position) for upstream, position in rows}

    def _track(
        self, cur: Cursor, upstream: str, notification_id: int, before: int | None = None
    ) -> None:
        """Move the position to `notification_id`, if it is still before `before` (by
        default, before `notification_id` itself). One conditional upsert: concurrent
        replicas cannot both move the same position."""
        row = cur.execute(
            "INSERT INTO {t} (projection, upstream, position) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (projection, upstream) DO UPDATE SET position = excluded.position "
            "WHERE {t}.position < {p} RETURNING position",
            [self.name, upstream, notification_id, before or notification_id],
            t="projection_tracking",
        ).fetchone()
        if row is None:
            raise AlreadyTracked(f"{self.name} already at or past {upstream} #{notification_id}")

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        with self.db.transaction() as cur:
            self._track(cur, envelope.service, envelope.notification_id)
            self.projection.apply(cur, envelope, payload)

    @contextmanager
    def advancing(self, upstream: str, first: int, last: int) -> Iterator[Cursor]:
        """One transaction that writes a page of `upstream`'s events (from `first` to
        `last`) and moves its position to `last`. AlreadyTracked if the position is no
        longer before `first`."""
        with self.db.transaction() as cur:
            self._track(cur, upstream, last, before=first)
            yield cur

    def before_take_over(self) -> None:
        """What the projection does once its rows are all in, before they are taken over
        (outside the take-over's locks): the audit trail builds its indexes."""
        index = getattr(self.projection, "index", None)
        if index is not None:
            with self.db.transaction() as cur:
                index(cur)

    def apply_page(self, items: list[tuple[Envelope, dict[str, Any]]]) -> None:
        """Several messages of one upstream, in order, and the last position: one
        transaction. AlreadyTracked if the position is no longer before the first."""
        first, last = items[0][0], items[-1][0]
        with self.advancing(first.service, first.notification_id, last.notification_id) as cur:
            apply_many = getattr(self.projection, "apply_many", None)
            if apply_many is not None:  # a projection that can take the page as one batch
                apply_many(cur, items)
                return
            for envelope, payload in items:
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
            unindex = getattr(self.projection, "unindex", None)
            if unindex is not None:  # indexes built for a take-over: refilled faster without
                unindex(cur)
            cur.execute(
                "DELETE FROM {t} WHERE projection = {p}", [self.name], t="projection_tracking"
            )

    def take_over(self, shadow: ProjectionSink) -> dict[str, int]:
        """Replace this read model's rows and positions with those of `shadow` (the same
        projection filled into tables of its own, listed in the same order) in one
        transaction, and empty the shadow; the new positions.

        Raises ShadowBehind, changing nothing, if this model is past the shadow for some
        upstream: taking the shadow then would lose what this model applied meanwhile.
        Readers see the old rows until the commit, then the new ones.
        """
        with self.db.transaction() as cur:
            if self.db.is_postgres:  # no replica moves a live position until the commit
                cur.execute("LOCK TABLE {t} IN EXCLUSIVE MODE", t="projection_tracking")
            live, taken = self._positions(cur), shadow._positions(cur)
            behind = {
                upstream: (position, taken.get(upstream, 0))
                for upstream, position in live.items()
                if position > taken.get(upstream, 0)
            }
            if behind:
                raise ShadowBehind(behind)
            swap_in = getattr(self.projection, "swap_in", None)
            if swap_in is not None:  # a projection whose shadow's tables can become its own
                swap_in(cur, shadow.projection)
            else:
                for mine, theirs in zip(
                    self.projection.tables, shadow.projection.tables, strict=True
                ):
                    cur.execute("DELETE FROM {t}", t=mine)
                    cur.execute("INSERT INTO {t} SELECT * FROM {s}", t=mine, s=theirs)
                    cur.execute("DELETE FROM {t}", t=theirs)
            cur.execute(
                "DELETE FROM {t} WHERE projection = {p}", [self.name], t="projection_tracking"
            )
            cur.execute(
                "UPDATE {t} SET projection = {p} WHERE projection = {p}",
                [self.name, shadow.name],
                t="projection_tracking",
            )
        return taken
