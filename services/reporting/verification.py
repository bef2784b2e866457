"""`huiwu audit verify`: every service's stored events against its chain, and its chain
against reporting's copy of it (docs/audit.md).

Run where the stores are (it reads each service's store as that service, and reporting's
trail as reporting), page by page, so memory stays flat however long the history. The
outcome is recorded in reporting's store (`chain_verifications`), from which reporting's
metrics tell Prometheus the time and result of the last verification.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from services.common import chain
from services.common.chain import Break, ChainCheck, Link, Record
from services.common.chained_store import CHAIN_TABLE, Describe, describer, notification
from services.common.config import Settings
from services.common.database import Database
from services.common.store import ServiceApplication

from .audit import LIVE_TABLE, AuditTrail
from .verifications import Verifications

PAGE = 5000
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
    settings: Settings, services: list[str], progress: Progress | None = None
) -> Verification:
    started = time.monotonic()
    verification = Verification(dt.datetime.now(dt.UTC).isoformat())
    reporting = _open(settings, "reporting")
    try:
        has_trail = reporting is not None and has_table(reporting, LIVE_TABLE)
        trail = AuditTrail(reporting, LIVE_TABLE) if has_trail else None
        for service in services:
            verification.results.append(_verify_service(settings, service, trail, progress))
    finally:
        if reporting is not None:
            reporting.close()
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


def _verify_service(
    settings: Settings, service: str, trail: AuditTrail | None, progress: Progress | None
) -> ServiceResult:
    result = ServiceResult(service)
    db = _open(settings, service)
    if db is None:
        result.absent = True
        return result
    try:
        store = _Store(db, service, describer_of(settings, service))
        if not store.has_events():
            result.absent = True
            return result
        check = ChainCheck(service)
        after = 0
        while check.broken is None:
            records = store.records(after, PAGE)
            last = records[-1]["notification_id"] if len(records) == PAGE else None
            links = store.links(after, last)
            check.check(records, links)
            if progress is not None:
                progress(service, check.checked)
            if last is None:
                break
            after = last
        result.events, result.broken = check.checked, check.broken
        if result.broken is None and trail is not None and service != "reporting":
            counted = _Counted(_copy(trail, service))
            result.broken = chain.compare_copies(service, store.all_links(), counted)
            result.copied = counted.count
    finally:
        db.close()
    return result


class _Counted:
    def __init__(self, rows: Iterator[tuple[int, str]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for row in self.rows:
            self.count += 1
            yield row


def _copy(trail: AuditTrail, service: str) -> Iterator[tuple[int, str]]:
    """Reporting's copy of a service's links, page by page (rows from before the chain
    existed carry none, and are passed over)."""
    after = 0
    while True:
        rows = trail.chain_links(service, after, PAGE)
        for notification_id, link in rows:
            if link is not None:
                yield notification_id, link
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _open(settings: Settings, service: str) -> Database | None:
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


def describer_of(settings: Settings, service: str) -> Describe:
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

    def __init__(self, db: Database, service: str, describe: Describe) -> None:
        self.db = db
        self.describe = describe
        self.id = "notification_id" if db.is_postgres else "rowid"
        self.events = events_table(db, service)

    def has_events(self) -> bool:
        return has_table(self.db, CHAIN_TABLE)

    def records(self, after: int, limit: int) -> list[Record]:
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {self.id}, originator_id, originator_version, topic, state FROM {{t}} "
                f"WHERE {self.id} > {{p}} ORDER BY {self.id} LIMIT {{p}}",
                [after, limit],
                t=self.events,
            ).fetchall()
        row_of = getattr(self.describe, "row", None)  # straight from the row, if it can
        if row_of is not None:
            return [row_of(*row) for row in rows]
        return [self.describe(notification(*row)) for row in rows]

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

    def all_links(self) -> Iterator[tuple[int, str]]:
        after = 0
        while True:
            with self.db.transaction() as cur:
                rows = cur.execute(
                    "SELECT notification_id, link FROM {t} WHERE notification_id > {p} "
                    "ORDER BY notification_id LIMIT {p}",
                    [after, PAGE],
                    t=CHAIN_TABLE,
                ).fetchall()
            yield from ((int(r[0]), r[1]) for r in rows)
            if len(rows) < PAGE:
                return
            after = int(rows[-1][0])
