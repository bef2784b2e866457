"""The event store of one service: an eventsourcing application on SQLite or PostgreSQL.

`ServiceApplication` is the base of every service's use cases. It records its own events
(`save`) and, for a service that reacts to others, the events caused by an upstream event
together with its tracking record (`process_event`), both through the library's public
methods. After each write it calls `on_saved`, given to its constructor, so the relay and
local read models run straight away (docs/architecture.md, "Publish").
"""

from __future__ import annotations

import contextlib
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Notification, ProcessRecorder, Tracking
from eventsourcing.projection import EventSourcedProjection
from eventsourcing.utils import strtobool

from .chained_store import Chained, describer
from .config import Settings
from .errors import Conflict, NotFound
from .page_repository import PageRepository
from .private_files import private_sqlite_file

OnSaved = Callable[[], None]
# Every stored event is chained in its own transaction (chained_store.py, docs/audit.md).
CHAINED_SQLITE = "services.common.chained_store:ChainedSQLiteProcessRecorder"
CHAINED_POSTGRES = "services.common.chained_store:ChainedPostgresProcessRecorder"
Agg = TypeVar("Agg")


def persistence_env(settings: Settings, service: str) -> dict[str, str]:
    """Environment for eventsourcing's persistence modules, one store per service.

    On PostgreSQL the service connects as its own role (`Settings.database_url_for`), and
    the library does not create tables: `prepare_postgres` does, once, under a lock, so
    that services (or replicas) starting together neither race nor make the server log
    errors.
    """
    if settings.database_url is None:
        path = private_sqlite_file(settings.sqlite_path(service))
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "PROCESS_RECORDER_TOPIC": CHAINED_SQLITE,
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    url = urlparse(settings.database_url_for(service))
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "PROCESS_RECORDER_TOPIC": CHAINED_POSTGRES,
        "POSTGRES_DBNAME": (url.path or "/postgres").lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or ""),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.schema_for(service),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_LOCK_TIMEOUT": "10",
        "CREATE_TABLE": "false",
    }


def schema_lock_key(schema: str) -> int:
    """The advisory lock that serializes DDL in one schema, across processes."""
    return zlib.crc32(f"huiwu:{schema}".encode())


class SchemaNotProvisioned(RuntimeError):
    """The service's schema is missing or not its role's: the database was not set up."""


def ensure_schema(conn: Any, schema: str) -> None:
    """Check that the connected role may create tables in `schema`, creating the schema
    if it is missing and the role may do so (a provisioned role may not: the setup makes
    each schema, owned by its service's role; see docs/architecture.md, "Store")."""
    import psycopg

    role = conn.execute("SELECT current_user").fetchone()[0]
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    if exists is None:
        try:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        except psycopg.errors.InsufficientPrivilege:
            raise SchemaNotProvisioned(
                f"schema {schema!r} does not exist and role {role!r} may not create it: "
                f"set the database up first (scripts/setup.sh; python -m services.common.roles)"
            ) from None
        return
    allowed = conn.execute(
        "SELECT has_schema_privilege(current_user, %s, 'USAGE,CREATE')", [schema]
    ).fetchone()[0]
    if not allowed:
        raise SchemaNotProvisioned(
            f"role {role!r} may not use schema {schema!r}: it must own it "
            f"(scripts/setup.sh; python -m services.common.roles)"
        )


class ChangedMeanwhile(Conflict):
    """Two commands changed the same thing at the same moment; the other one was first."""

    def __init__(self) -> None:
        super().__init__(
            "it was changed by another command at the same moment; read it again and retry"
        )


class ServiceApplication(EventSourcedProjection):
    """Base for each service's use cases: records events, with tracking when processing."""

    name = "service"

    def __init__(self, env: dict[str, str] | None = None, on_saved: OnSaved | None = None):
        super().__init__(env=env)
        self.on_saved = on_saved
        if isinstance(self.recorder, Chained):  # `open` gives it the service's catalogue
            self.recorder.describe = describer(self.mapper, self.name)

    @classmethod
    def open(cls, settings: Settings, on_saved: OnSaved | None = None, **kwargs: Any):
        """The application on the configured store, its tables ready."""
        app = cls(persistence_env(settings, cls.name), on_saved=on_saved, **kwargs)
        registry = settings.registry
        catalog = registry.catalog(cls.name) if cls.name in registry.names else None
        # How the chain describes each event: the recorder exists only now, and nothing
        # has been written yet.
        chained = isinstance(app.recorder, Chained)
        if chained:
            app.recorder.describe = describer(app.mapper, cls.name, catalog)
        if settings.database_url is not None:
            prepare_postgres(app, settings)
        if chained:
            app.recorder.ensure_chained()  # a store older than its chain: chained from #1
        return app

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        try:
            recordings = super().save(*objs, **kwargs)
        except IntegrityError as exc:  # another writer saved the same version first
            raise ChangedMeanwhile() from exc
        if recordings:
            self._saved()
        return recordings

    def process_event(self, domain_event: Any, tracking: Tracking | None) -> None:
        """Record what `policy` collects for an upstream event, with its tracking record
        in the same transaction; without tracking for a replayed dead letter."""
        self.process_page([domain_event], tracking)

    def process_page(self, domain_events: Sequence[Any], tracking: Tracking | None) -> None:
        """Record what `page_policy` collects for several upstream events of one upstream,
        in order, with one tracking record (the last event's), in one transaction. Each
        event's policy sees what the events before it changed."""
        processing_event = ProcessingEvent(tracking=tracking)
        with self.repository.page(processing_event):
            self.page_policy(domain_events, processing_event)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self.notify(processing_event.events)
        self._notify(recordings)
        self._saved()

    def page_policy(self, domain_events: Sequence[Any], processing_event: ProcessingEvent) -> None:
        """The events a page of upstream events causes: by default each one's `policy`, in
        order. A service whose aggregates many events of a page change alike overrides it
        to record what they change together."""
        for domain_event in domain_events:
            self.policy(domain_event, processing_event)

    def construct_repository(self) -> PageRepository:
        # The library's own choice of repository settings, on a repository that can hold a page.
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return PageRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")
            ),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    def policy(self, domain_event: Any, processing_event: ProcessingEvent) -> None:
        """A service that follows others collects the events an upstream event causes."""

    def _saved(self) -> None:
        if self.on_saved is not None:
            self.on_saved()

    def get(self, cls: type[Agg], aggregate_id: Any, noun: str, field: str | None = None) -> Agg:
        """The aggregate of that class and id, or NotFound naming it (and the field)."""
        try:
            aggregate = self.repository.get(uuid.UUID(str(aggregate_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFound(f"no {noun} {aggregate_id}", field=field) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {noun} {aggregate_id}", field=field)
        return aggregate

    def as_of(self, aggregate_id: Any, moment: Any) -> tuple[Any, Any] | None:
        """The aggregate as it stood at `moment`, and the last of its events counted (at
        or before `moment`); None if it did not exist yet, or never."""
        try:
            originator = uuid.UUID(str(aggregate_id))
        except ValueError:
            return None
        counted = []
        for stored in self.recorder.select_events(originator):
            event = self.mapper.to_domain_event(stored)
            if event.timestamp > moment:
                break  # versions, hence timestamps, only grow
            counted.append(event)
        if not counted:
            return None
        # The events read once, not again through the repository.
        return project_events(None, counted), counted[-1]

    def exists(self, aggregate_id: uuid.UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def select_notifications(self, start: int, limit: int) -> Sequence[Notification]:
        return self.recorder.select_notifications(start=start, limit=limit)

    def chain_links(self, start: int, stop: int) -> dict[int, str]:
        """The chain's links of notifications `start`..`stop` (none on a store without)."""
        links = getattr(self.recorder, "links", None)
        if links is None:
            return {}
        return {row.notification_id: row.link for row in links(start, stop)}

    def max_notification_id(self) -> int:
        return self.recorder.max_notification_id() or 0

    def to_domain_event(self, notification: Notification) -> DomainEventProtocol:
        return self.mapper.to_domain_event(notification)


def project_events(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's `project_aggregate` without its runtime protocol check of each event,
    a quarter of the time it takes to load an entry that many events have changed."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def prepare_postgres(app: ServiceApplication, settings: Settings) -> None:
    """Create the schema, the store's types and tables, and the tracking migration record,
    each only if missing, under an advisory lock; then let the library see the types.

    This runs the library's own create statements (`sql_create_statements`) instead of
    its `create_table()`, which probes for missing tables and creates each composite type
    twice when snapshots are on: harmless for the library, but an ERROR in the server log
    every time a service starts. tests/integration/test_store_schema.py pins what this
    relies on.
    """
    import psycopg

    schema = settings.schema_for(app.name)
    recorders = [app.recorder]
    if app.snapshots is not None:
        recorders.append(app.snapshots.recorder)
    url = settings.database_url_for(app.name)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [schema_lock_key(schema)])
        try:
            ensure_schema(conn, schema)
            done: set[str] = set()
            for recorder in recorders:
                for statement in recorder.sql_create_statements:
                    text = statement.as_string(conn)
                    if text in done:
                        continue
                    done.add(text)
                    if text.startswith("CREATE TYPE") and _type_exists(
                        conn, schema, recorder.stored_event_type_name
                    ):
                        continue
                    conn.execute(statement, prepare=False)
            tracking = app.recorder
            marker = getattr(tracking, "table_migration_identifier", None)
            if marker is not None and tracking.max_tracking_id(marker) is None:
                tracking.insert_tracking(Tracking(marker, 1))
        finally:
            with contextlib.suppress(Exception):
                conn.execute("SELECT pg_advisory_unlock(%s)", [schema_lock_key(schema)])
    app.factory.datastore.register_type_adapters()


def _type_exists(conn: Any, schema: str, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = %s AND t.typname = %s",
        [schema, name],
    ).fetchone()
    return row is not None
