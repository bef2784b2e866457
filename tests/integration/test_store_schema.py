"""Creating a service's PostgreSQL schema: once, under a lock, from the library's own
statements, and without a single failed statement when services (or replicas) start
together. This also pins what `store.prepare_postgres` relies on in eventsourcing."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking

from services.common.config import Settings
from services.common.store import ServiceApplication, persistence_env, prepare_postgres
from tests.support.database import DATABASE_URL, PostgresSchemas
from tests.support.stores import provision_postgres
from tests.support.system import System, running_system, wait_until


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Notes(ServiceApplication):
    name = "notes"
    is_snapshotting_enabled = True  # two recorders share one composite type


@pytest.fixture
def schemas():
    schemas = PostgresSchemas(services=[Notes.name])
    yield schemas
    schemas.drop()


def failed_statements(database_url: str = DATABASE_URL) -> int:
    """Transactions rolled back in a database: a failed statement is one of them."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def settled_failures(before: int, database_url: str = DATABASE_URL) -> int:
    """Failures since `before`, once the statistics of ended sessions have been flushed."""
    readings = []

    def stable() -> bool:
        readings.append(failed_statements(database_url) - before)
        return len(readings) >= 3 and readings[-1] == readings[-2] == readings[-3]

    wait_until(stable, timeout=30, interval=0.5)
    return readings[-1]


def test_what_the_store_relies_on_in_eventsourcing_is_there(schemas):
    settings = Settings(database_url=DATABASE_URL, schema_prefix=schemas.prefix)
    app = Notes.open(settings)
    try:
        recorder = app.recorder
        assert recorder.sql_create_statements and app.snapshots is not None
        assert recorder.stored_event_type_name == "stored_event_uuid"
        assert recorder.table_migration_identifier == "__migration__"
        assert recorder.max_tracking_id(recorder.table_migration_identifier) == 1
        note = Note("first")
        app.save(note)
        app.process_event(_Upstream(), Tracking("upstream", 7))
        assert app.repository.get(note.id).text == "first"
        assert app.process_recorder.max_tracking_id("upstream") == 7
        app.take_snapshot(note.id)
        assert app.max_notification_id() == 1
    finally:
        app.close()
    again = Notes.open(settings)  # the second start finds everything and changes nothing
    try:
        assert again.repository.get(note.id).text == "first"
        assert again.process_recorder.max_tracking_id("upstream") == 7
    finally:
        again.close()


class _Upstream:
    """An upstream event that causes nothing: only its tracking record is kept."""


def test_replicas_preparing_one_schema_at_once_fail_no_statement(schemas):
    settings = Settings(database_url=DATABASE_URL, schema_prefix=schemas.prefix)
    apps = [Notes(env=_env(settings)) for _ in range(6)]
    before = failed_statements()
    errors: list[BaseException] = []

    def prepare(app: Notes) -> None:
        try:
            prepare_postgres(app, settings)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=prepare, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        for index, app in enumerate(apps):
            app.save(Note(f"from replica {index}"))
        assert apps[0].max_notification_id() == 6
    finally:
        for app in apps:
            app.close()
    assert settled_failures(before) == 0


def _env(settings: Settings) -> dict[str, str]:
    return persistence_env(settings, Notes.name)


@pytest.fixture
def fresh_database():
    """A database of the test's own, so that its statistics count only its services
    (the shared test database also counts what other tests' sessions end with)."""
    name = f"huiwu_fresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_system(vhost, fresh_database, tmp_path, request):
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    provision_postgres(fresh_database, prefix)
    env = {"HUIWU_DATABASE_URL": fresh_database, "HUIWU_SCHEMA_PREFIX": prefix}
    yield from running_system(vhost.uri, env, tmp_path, request)


def test_all_services_starting_together_on_a_fresh_database_fail_no_statement(
    postgres_system: System, fresh_database: str
):
    before = failed_statements(fresh_database)
    postgres_system.start(*postgres_system.registry.names)  # all at once, then wait
    for name in postgres_system.registry.names:
        assert postgres_system[name].get("/health").json["checks"]["store"]["ok"]
    # Counted while they run: a service stopping may end a read mid-transaction, which
    # PostgreSQL counts as rolled back too, though no statement failed.
    assert settled_failures(before, fresh_database) == 0
    for service in postgres_system.services.values():
        assert service.stop() == 0  # and their logs are checked at teardown
