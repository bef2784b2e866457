"""eventsourcing's process recorders, each write also chaining its events (chain.py).

The links of new events are written by the same transaction that inserts them, after the
library has their notification ids: on SQLite within its one writer's transaction, on
PostgreSQL while the library holds its EXCLUSIVE lock on the events table, so links are
made in notification order. A store made before the chain existed is chained from its
first event when it is opened (`ensure_chained`), once.

The chain table is `event_chain` (notification_id, digest, link), beside `stored_events`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from . import chain
from .chain import Link, Record
from .stored_events import EnvelopeFields

CHAIN_TABLE = "event_chain"
BACKFILL_PAGE = 1000
# A write whose events' states together pass this many bytes is not pipelined. psycopg's
# pipeline stops sending once its last command is queued and then waits for a reply; when
# the INSERT of all events does not fit in the socket buffers at that moment, its tail is
# never sent, the server waits for it (ClientRead) and the write hangs for ever. Well below
# the loopback buffers (16 KiB to send, 128 KiB to receive, by default), so a pipelined
# write always leaves in whole.
PIPELINE_MAX_BYTES = 64 * 1024

Describe = Callable[[Notification], Record]
"""A stored event, as the envelope fields a digest covers (`describer`)."""


class _Versions:
    """Schema versions from the service's catalogue; 1 for a type it does not list (a
    store not in the registry, as a test's; or a bug the relay will refuse to publish:
    the write itself is not the place to fail)."""

    def __init__(self, catalog: Any = None) -> None:
        self.catalog = catalog

    def schema_version(self, event_type: str) -> int:
        try:
            return self.catalog.schema_version(event_type) if self.catalog else 1
        except LookupError:
            return 1


def describer(mapper: Any, service: str, catalog: Any = None) -> EnvelopeFields:
    """How a service's stored events are described for the chain: their envelopes."""
    return EnvelopeFields(mapper, service, _Versions(catalog))


class Chained:
    """What both recorders add: how their events are described (given by the application
    when it is made, with schema versions from the catalogue when `ServiceApplication.open`
    makes it, before any write), and the chain's reads."""

    describe: Describe | None = None

    def _describe(self) -> Describe:
        if self.describe is None:
            raise RuntimeError("a chained store must be opened by ServiceApplication.open")
        return self.describe


class ChainedSQLiteProcessRecorder(Chained, SQLiteProcessRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (notification_id INTEGER PRIMARY KEY, "
            "digest TEXT NOT NULL, link TEXT NOT NULL)",
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any):
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            _chain_new(_SQLite(c, self.events_table_name), ids, stored_events, self._describe())
        return ids

    def ensure_chained(self) -> int:
        """Chain a store older than the chain, from its first event (only then)."""
        with self.datastore.transaction(commit=True) as c:
            return _chain_all(_SQLite(c, self.events_table_name), self._describe())

    def links(self, start: int, stop: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            return _SQLite(c, self.events_table_name).links(start, stop)


class ChainedPostgresProcessRecorder(Chained, PostgresProcessRecorder):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} (notification_id bigint PRIMARY KEY, "
                "digest text NOT NULL, link text NOT NULL)"
            ).format(schema=Identifier(self.datastore.schema), table=Identifier(CHAIN_TABLE))
        )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if sum(len(e.state) for e in stored_events) <= PIPELINE_MAX_BYTES:
            return super().insert_events(stored_events, **kwargs)
        return self._insert_unpipelined(stored_events, **kwargs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_unpipelined(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's write, statement by statement: each one sent whole before its
        reply is awaited (see PIPELINE_MAX_BYTES)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)  # the tracking record
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:  # the events table is locked (EXCLUSIVE) until the commit
            _chain_new(self._tables(curs), ids, stored_events, self._describe())
        return ids

    def ensure_chained(self) -> int:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            for statement in self.lock_table_statements:
                curs.execute(statement, prepare=False)
            return _chain_all(self._tables(curs), self._describe())

    def links(self, start: int, stop: int) -> list[Link]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return self._tables(curs).links(start, stop)

    def _tables(self, curs: Any) -> _Postgres:
        return _Postgres(curs, self.datastore.schema, self.events_table_name)


def _chain_new(
    tables: _Tables, ids: Sequence[int], stored: Sequence[StoredEvent], describe: Describe
) -> None:
    """Chain the events a write just inserted, after the chain's head: described from the
    write's own stored events, not read back. Only the writer's own ids are chained: a row
    put into the events table some other way stays out of the chain, and the verification
    finds it there (`inserted`)."""
    head = tables.head()
    records = [
        describe(notification(i, e.originator_id, e.originator_version, e.topic, e.state))
        for i, e in zip(ids, stored, strict=True)
    ]
    tables.insert(list(chain.extend(chain.GENESIS if head is None else head.link, records)))


def _chain_all(tables: _Tables, describe: Describe) -> int:
    """Chain every stored event, only while the chain is empty (a store older than the
    chain); how many."""
    if tables.head() is not None:
        return 0
    previous, after, chained = chain.GENESIS, 0, 0
    while True:
        records = tables.records(after, BACKFILL_PAGE)
        if not records:
            return chained
        links = list(chain.extend(previous, [describe(r) for r in records]))
        tables.insert(links)
        previous, after, chained = links[-1].link, records[-1].id, chained + len(links)
        if len(records) < BACKFILL_PAGE:
            return chained


class _Tables:
    def head(self) -> Link | None: ...
    def records(self, after: int, limit: int) -> list[Notification]: ...
    def insert(self, links: list[Link]) -> None: ...
    def links(self, start: int, stop: int) -> list[Link]: ...


class _SQLite(_Tables):
    def __init__(self, c: Any, events_table: str) -> None:
        self.c, self.events = c, events_table

    def head(self) -> Link | None:
        self.c.execute(
            f"SELECT notification_id, digest, link FROM {CHAIN_TABLE} "
            "ORDER BY notification_id DESC LIMIT 1"
        )
        row = self.c.fetchone()
        return None if row is None else Link(row[0], row[1], row[2])

    def records(self, after: int, limit: int) -> list[Notification]:
        self.c.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (after, limit),
        )
        return [notification(*row) for row in self.c.fetchall()]

    def insert(self, links: list[Link]) -> None:
        self.c.executemany(
            f"INSERT INTO {CHAIN_TABLE} (notification_id, digest, link) VALUES (?, ?, ?)",
            [(x.notification_id, x.digest, x.link) for x in links],
        )

    def links(self, start: int, stop: int) -> list[Link]:
        self.c.execute(
            f"SELECT notification_id, digest, link FROM {CHAIN_TABLE} "
            "WHERE notification_id >= ? AND notification_id <= ? ORDER BY notification_id",
            (start, stop),
        )
        return [Link(*row) for row in self.c.fetchall()]


class _Postgres(_Tables):
    def __init__(self, curs: Any, schema: str, events_table: str) -> None:
        self.curs = curs
        self.chain = SQL("{}.{}").format(Identifier(schema), Identifier(CHAIN_TABLE))
        self.events = SQL("{}.{}").format(Identifier(schema), Identifier(events_table))

    def head(self) -> Link | None:
        self.curs.execute(
            SQL(
                "SELECT notification_id, digest, link FROM {} ORDER BY notification_id DESC LIMIT 1"
            ).format(self.chain)
        )
        row = self.curs.fetchone()
        return None if row is None else _link(row)

    def records(self, after: int, limit: int) -> list[Notification]:
        self.curs.execute(
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            ).format(self.events),
            (after, limit),
        )
        return [
            notification(
                row["notification_id"],
                row["originator_id"],
                row["originator_version"],
                row["topic"],
                row["state"],
            )
            for row in self.curs.fetchall()
        ]

    def insert(self, links: list[Link]) -> None:
        self.curs.executemany(
            SQL("INSERT INTO {} (notification_id, digest, link) VALUES (%s, %s, %s)").format(
                self.chain
            ),
            [(x.notification_id, x.digest, x.link) for x in links],
        )

    def links(self, start: int, stop: int) -> list[Link]:
        self.curs.execute(
            SQL(
                "SELECT notification_id, digest, link FROM {} "
                "WHERE notification_id >= %s AND notification_id <= %s ORDER BY notification_id"
            ).format(self.chain),
            (start, stop),
        )
        return [_link(row) for row in self.curs.fetchall()]


def _link(row: Any) -> Link:
    return Link(row["notification_id"], row["digest"], row["link"])


def notification(
    notification_id: int, originator_id: Any, version: int, topic: str, state: Any
) -> Notification:
    """A stored event as eventsourcing reads it (SQLite keeps a UUID as hex text)."""
    return Notification(
        id=int(notification_id),
        originator_id=uuid.UUID(str(originator_id)),
        originator_version=int(version),
        topic=topic,
        state=bytes(state),
    )
