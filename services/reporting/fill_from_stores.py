"""The bulk of an audit rebuild, done where the stores are (`huiwu audit rebuild`).

Each upstream's stored events are read from its own store, as that service (like `huiwu
audit verify`), described as its log would serve them (`stored_events.EnvelopeFields`,
with its chain link), and written into reporting's shadow trail a page at a time, each
page with its position, under the rebuild lock reporting's own rebuild takes. Reporting's
rebuild then resumes from those positions: it replays over RPC only what was stored
meanwhile, and takes the shadow over (rebuild.py). The trail is the same either way; this
way skips the broker, the log RPC and the message parsing, and runs at the speed of a
read (docs/performance.md).

Reading and describing pages runs in worker processes (ordered_pool.py), in order, a few
pages ahead of the writer at most, so memory stays flat however long the history.

Unlike the replay over RPC, a payload is not checked against its published schema again:
the store is where the history is, and every event in it has a place in the trail (an
event failing its schema could never have been published; `audit verify` checks the
stored events against their chain).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.common import ordered_pool
from services.common.chained_store import CHAIN_TABLE
from services.common.config import Settings
from services.common.database import Database
from services.common.sinks import ProjectionSink

from .audit import SHADOW_TABLE, AuditTrail, row_of
from .rebuild_lock import RebuildLock
from .verification import describer_of, events_table, open_store

PAGE = 2000
SMALL = 20 * PAGE  # fewer events than this are read in this process: workers cost a start
Progress = Callable[[dict[str, int], dict[str, int]], None]  # (positions, ends)


class Busy(Exception):
    """Another rebuild holds the lock."""


class Stopped(Exception):
    """Asked to stop; the pages written are kept, and the next rebuild resumes them."""


@dataclass
class Filled:
    positions: dict[str, int] = field(default_factory=dict)  # the shadow's, at the end
    ends: dict[str, int] = field(default_factory=dict)  # each store's last event, read
    read: dict[str, int] = field(default_factory=dict)  # events written by this fill
    resumed: dict[str, int] = field(default_factory=dict)  # positions found at the start
    seconds: float = 0.0


def fill(
    settings: Settings,
    upstreams: list[str],
    fresh: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> Filled:
    """Fill the shadow trail from `upstreams`' stores up to their ends now; Busy if a
    rebuild is running, Stopped if `stop()` turned true (between pages)."""
    started = time.monotonic()
    lock = RebuildLock(settings, "reporting", "audit_rebuild")
    if not lock.acquire():
        raise Busy("a rebuild of the audit trail is running; try again once it has finished")
    db = Database(settings, "reporting", schema=settings.schema_for("reporting"), owner=False)
    try:
        trail = AuditTrail(db, SHADOW_TABLE)
        shadow = ProjectionSink(db, SHADOW_TABLE, trail)
        db.relax_durability()  # a page lost to a power cut is read again: rows and position
        # are one transaction either way, and a shadow is made again from the stores
        if fresh:
            shadow.reset()
        done = Filled(resumed={u: p for u, p in shadow.positions().items() if p > 0})
        done.positions = {u: shadow.position(u) for u in upstreams}
        done.ends = {u: _end(settings, u) for u in upstreams}
        pages = [
            (u, first, min(first + PAGE - 1, done.ends[u]))
            for u in upstreams
            for first in range(done.positions[u] + 1, done.ends[u] + 1, PAGE)
        ]
        remaining = sum(done.ends[u] - done.positions[u] for u in upstreams)
        count = (
            workers if workers is not None else (0 if remaining < SMALL else ordered_pool.cores())
        )
        described = ordered_pool.ordered(_Readers, (settings,), pages, count)
        with contextlib.closing(described):
            for upstream, rows in described:
                if stop():
                    raise Stopped()
                if rows:
                    first, last = rows[0][1], rows[-1][1]  # the 2nd column: notification_id
                    with shadow.advancing(upstream, first, last) as cur:
                        trail.insert_rows(cur, rows)
                    done.positions[upstream] = last
                    done.read[upstream] = done.read.get(upstream, 0) + len(rows)
                if progress is not None:
                    progress(done.positions, done.ends)
        shadow.before_take_over()  # indexes, built once the rows are in: many times cheaper
        done.seconds = time.monotonic() - started
        return done
    finally:
        db.close()
        lock.release()


def _end(settings: Settings, upstream: str) -> int:
    db = open_store(settings, upstream)
    if db is None:
        return 0
    try:
        reader = _Reader(db, upstream)
        return reader.end()
    finally:
        db.close()


Page = tuple[str, int, int]  # (upstream, first id, last id)


class _Reader:
    """One upstream's store, read as the service: events with their chain links."""

    def __init__(self, db: Database, service: str) -> None:
        self.db = db
        self.id = "notification_id" if db.is_postgres else "rowid"
        self.events = events_table(db, service)

    def end(self) -> int:
        with self.db.transaction() as cur:
            row = cur.execute(f"SELECT MAX({self.id}) FROM {{t}}", t=self.events).fetchone()
        return int(row[0] or 0)

    def page(self, first: int, last: int) -> list[Any]:
        with self.db.transaction() as cur:
            return cur.execute(
                f"SELECT e.{self.id}, e.originator_id, e.originator_version, e.topic, e.state, "
                f"c.link FROM {{e}} e LEFT JOIN {{c}} c ON c.notification_id = e.{self.id} "
                f"WHERE e.{self.id} >= {{p}} AND e.{self.id} <= {{p}} ORDER BY e.{self.id}",
                [first, last],
                e=self.events,
                c=CHAIN_TABLE,
            ).fetchall()


class _Readers:
    """Every upstream's reader and describer, opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.open: dict[str, tuple[_Reader, Any]] = {}

    def __call__(self, page: Page) -> tuple[str, list[tuple[Any, ...]]]:
        return page[0], self.rows(*page)

    def rows(self, upstream: str, first: int, last: int) -> list[tuple[Any, ...]]:
        if upstream not in self.open:
            db = open_store(self.settings, upstream)
            assert db is not None  # a store with an end has a file
            self.open[upstream] = (_Reader(db, upstream), describer_of(self.settings, upstream))
        reader, describe = self.open[upstream]
        return [row_of(describe.row(*stored[:5]), stored[5]) for stored in reader.page(first, last)]

    def close(self) -> None:
        for reader, _ in self.open.values():
            reader.db.close()
        self.open.clear()
