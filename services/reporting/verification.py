"""`huiwu audit verify`: every service's stored events against its chain, and its chain
against reporting's copy of it (docs/audit.md).

Run where the stores are (it reads each service's store as that service, and reporting's
trail as reporting), page by page, so memory stays flat however long the history. The
outcome is recorded in reporting's store (`chain_verifications`), from which reporting's
metrics tell Prometheus the time and result of the last verification.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from services.common import chain, ordered_pool
from services.common.chain import Break, ChainCheck, Link, Record
from services.common.chained_store import CHAIN_TABLE, describer
from services.common.config import Settings
from services.common.database import Database
from services.common.store import ServiceApplication
from services.common.stored_events import EnvelopeFields

from .audit import LIVE_TABLE, AuditTrail
from .verifications import Verifications

PAGE = 5000
CHUNK = 50_000  # events a piece of a verification checks, a page at a time
Progress = Callable[[str, int], None]  # (service, events checked so far)


@dataclass
class ServiceResult:
    service: str
    events: int = 0  # stored events checked against the chain
    copied: int = 0  # links compared with reporting's copy
    broken: Break | None = None
    absent: bool = False  # no store (the service never ran here)

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass
class Verification:
    started_at: str
    seconds: float = 0.0
    results: list[ServiceResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def broken(self) -> list[Break]:
        return [r.broken for r in self.results if r.broken is not None]


def verify(
    settings: Settings,
    services: list[str],
    progress: Progress | None = None,
    workers: int | None = None,
) -> Verification:
    """Check `services`' histories in pieces of CHUNK events, by `workers` processes
    (by default one per core, up to 2, for a long history), taken in order: each
    service's result is of its pieces up to its first break."""
    started = time.monotonic()
    verification = Verification(dt.datetime.now(dt.UTC).isoformat())
    results = {service: ServiceResult(service) for service in services}
    pieces: list[Piece] = []
    total = 0
    for service in services:
        end = _end(settings, service)
        if end is None:
            results[service].absent = True
            continue
        total += end
        starts = list(range(1, end + 1, CHUNK)) or [1]
        for first in starts:  # the last piece is open: it takes what was stored meanwhile
            pieces.append((service, first, None if first == starts[-1] else first + CHUNK - 1))
    count = workers if workers is not None else (0 if total <= CHUNK else ordered_pool.cores())
    checked = ordered_pool.ordered(_Checker, (settings,), pieces, count)
    with contextlib.closing(checked):
        for service, piece in checked:
            result = results[service]
            if result.broken is not None:
                continue  # past its first break, nothing counts
            result.events += piece.events
            result.copied += piece.copied
            result.broken = piece.broken
            if progress is not None:
                progress(service, result.events)
    verification.results = [results[service] for service in services]
    verification.seconds = round(time.monotonic() - started, 3)
    return verification


def record(settings: Settings, verification: Verification) -> None:
    """Keep the outcome in reporting's store, for its metrics (and the alert)."""
    db = Database(settings, "reporting", schema=settings.schema_for("reporting"), owner=False)
    try:
        Verifications(db).record(
            verification.started_at,
            time.time(),
            verification.ok,
            verification.seconds,
            sum(r.events for r in verification.results),
            "; ".join(b.describe() for b in verification.broken),
        )
    finally:
        db.close()


Piece = tuple[str, int, int | None]  # (service, first id, last id or None: to the end)


@dataclass
class PieceResult:
    events: int = 0
    copied: int = 0
    broken: Break | None = None


class _Checker:
    """Checks pieces of histories: each service's store (as the service) and reporting's
    copy (as reporting), opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stores: dict[str, _Store] = {}
        self.reporting = open_store(settings, "reporting")
        has_trail = self.reporting is not None and has_table(self.reporting, LIVE_TABLE)
        self.trail = AuditTrail(self.reporting, LIVE_TABLE) if has_trail else None

    def __call__(self, piece: Piece) -> tuple[str, PieceResult]:
        service, first, last = piece
        return service, self.check(service, first, last)

    def check(self, service: str, first: int, last: int | None) -> PieceResult:
        """The events from `first` to `last` against the chain, from the link before
        `first` (the piece before checks that one); then their links against reporting's
        copy of them."""
        store = self._store(service)
        check = ChainCheck(service)
        check.previous = store.link_before(first) or chain.GENESIS
        after = first - 1
        while check.broken is None:
            records = store.records(after, PAGE, last)
            full = len(records) == PAGE
            bound = records[-1]["notification_id"] if full else last
            check.check(records, store.links(after, bound))
            if not full:
                break
            after = bound
        result = PieceResult(check.checked, 0, check.broken)
        if result.broken is None and self.trail is not None and service != "reporting":
            counted = _Counted(_copy(self.trail, service, first - 1, last))
            result.broken = chain.compare_copies(
                service, store.links_between(first - 1, last), counted
            )
            result.copied = counted.count
        return result

    def _store(self, service: str) -> _Store:
        if service not in self.stores:
            db = open_store(self.settings, service)
            assert db is not None  # a piece is only made of a store that is there
            self.stores[service] = _Store(db, service, describer_of(self.settings, service))
        return self.stores[service]

    def close(self) -> None:
        for store in self.stores.values():
            store.db.close()
        if self.reporting is not None:
            self.reporting.close()


def _end(settings: Settings, service: str) -> int | None:
    """The last position a service's history holds (events or chain); None if it has no
    chained store here."""
    db = open_store(settings, service)
    if db is None:
        return None
    try:
        store = _Store(db, service, None)
        return store.end() if store.has_events() else None
    finally:
        db.close()


class _Counted:
    def __init__(self, rows: Iterator[tuple[int, str]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for row in self.rows:
            self.count += 1
            yield row


def _copy(
    trail: AuditTrail, service: str, after: int, upto: int | None
) -> Iterator[tuple[int, str]]:
    """Reporting's copy of a service's links, page by page (rows from before the chain
    existed carry none, and are passed over)."""
    while True:
        rows = trail.chain_links(service, after, PAGE, upto)
        for notification_id, link in rows:
            if link is not None:
                yield notification_id, link
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def open_store(settings: Settings, service: str) -> Database | None:
    """A service's store, read as the service; None if it never ran here."""
    if settings.database_url is None and not settings.sqlite_path(service).exists():
        return None
    return Database(settings, service, schema=settings.schema_for(service), owner=False)


def has_table(db: Database, table: str) -> bool:
    with db.transaction() as cur:
        if db.is_postgres:
            found = cur.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = {p} "
                "AND table_name = {p}",
                [db.schema, table],
            ).fetchone()
        else:
            found = cur.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = {p}", [table]
            ).fetchone()
    return found is not None


def describer_of(settings: Settings, service: str) -> EnvelopeFields:
    """The service's events described as its own store describes them, with a mapper of
    an application kept in memory (nothing is opened or written)."""
    reader = type(f"{service.title()}Reader", (ServiceApplication,), {"name": service})
    mapper = reader(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    registry = settings.registry
    return describer(
        mapper, service, registry.catalog(service) if service in registry.names else None
    )


def events_table(db: Database, service: str) -> str:
    """eventsourcing names the events table by the application on PostgreSQL."""
    return f"{service}_events" if db.is_postgres else "stored_events"


class _Store:
    """A service's events and chain, read as the service (by notification id)."""

    def __init__(self, db: Database, service: str, describe: EnvelopeFields | None) -> None:
        self.db = db
        self.describe = describe
        self.id = "notification_id" if db.is_postgres else "rowid"
        self.events = events_table(db, service)

    def has_events(self) -> bool:
        return has_table(self.db, CHAIN_TABLE)

    def end(self) -> int:
        with self.db.transaction() as cur:
            events = cur.execute(f"SELECT MAX({self.id}) FROM {{t}}", t=self.events).fetchone()
            chained = cur.execute("SELECT MAX(notification_id) FROM {t}", t=CHAIN_TABLE)
            return max(int(events[0] or 0), int(chained.fetchone()[0] or 0))

    def link_before(self, notification_id: int) -> str | None:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT link FROM {t} WHERE notification_id < {p} "
                "ORDER BY notification_id DESC LIMIT 1",
                [notification_id],
                t=CHAIN_TABLE,
            ).fetchone()
        return None if row is None else row[0]

    def records(self, after: int, limit: int, upto: int | None = None) -> list[Record]:
        bound = "" if upto is None else f" AND {self.id} <= {{p}}"
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {self.id}, originator_id, originator_version, topic, state FROM {{t}} "
                f"WHERE {self.id} > {{p}}{bound} ORDER BY {self.id} LIMIT {{p}}",
                [after, *([] if upto is None else [upto]), limit],
                t=self.events,
            ).fetchall()
        assert self.describe is not None
        return [self.describe.row(*row) for row in rows]

    def links(self, after: int, last: int | None) -> list[Link]:
        bound = "" if last is None else " AND notification_id <= {p}"
        params = [after] if last is None else [after, last]
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT notification_id, digest, link FROM {t} "
                f"WHERE notification_id > {{p}}{bound} ORDER BY notification_id",
                params,
                t=CHAIN_TABLE,
            ).fetchall()
        return [Link(int(r[0]), r[1], r[2]) for r in rows]

    def links_between(self, after: int, upto: int | None) -> Iterator[tuple[int, str]]:
        bound = "" if upto is None else " AND notification_id <= {p}"
        while True:
            with self.db.transaction() as cur:
                rows = cur.execute(
                    "SELECT notification_id, link FROM {t} WHERE notification_id > {p}"
                    f"{bound} ORDER BY notification_id LIMIT {{p}}",
                    [after, *([] if upto is None else [upto]), PAGE],
                    t=CHAIN_TABLE,
                ).fetchall()
            yield from ((int(r[0]), r[1]) for r in rows)
            if len(rows) < PAGE:
                return
            after = int(rows[-1][0])
