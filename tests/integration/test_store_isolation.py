"""On PostgreSQL each service connects as its own role, owning its schema only: another
service's role can neither read nor write it. The identity schema is the admin role's;
every service role reads it and none writes it."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event

from services.common.config import ADMIN, Settings
from services.common.database import Database
from services.common.store import SchemaNotProvisioned, ServiceApplication
from tests.support.database import DATABASE_URL, PostgresSchemas
from tests.support.stores import provision_postgres

Denied = psycopg.errors.InsufficientPrivilege


class Item(Aggregate):
    @event("Listed")
    def __init__(self, text: str) -> None:
        self.text = text


class ChecklistStore(ServiceApplication):
    name = "checklist"


@pytest.fixture
def settings():
    schemas = PostgresSchemas()
    yield Settings(database_url=DATABASE_URL, schema_prefix=schemas.prefix)
    schemas.drop()


def checklist_tables(settings: Settings) -> list[str]:
    """Checklist's event store and a read table beside it, written by checklist."""
    app = ChecklistStore.open(settings)
    try:
        app.save(Item("book the venue"))
    finally:
        app.close()
    db = Database(settings, "checklist")
    try:
        with db.ddl() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS {t} (code TEXT PRIMARY KEY)", t="plan")
        with db.transaction() as cur:
            cur.execute("INSERT INTO {t} (code) VALUES ({p})", ["1.1"], t="plan")
    finally:
        db.close()
    with psycopg.connect(DATABASE_URL) as conn:
        return [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s",
                [settings.schema_for("checklist")],
            )
        ]


def as_role(settings: Settings, name: str) -> psycopg.Connection:
    return psycopg.connect(settings.database_url_for(name), autocommit=True)


def test_each_service_connects_as_its_role_and_owns_its_schema(settings):
    tables = checklist_tables(settings)
    assert "plan" in tables and len(tables) >= 2  # the event store's tables too
    with psycopg.connect(DATABASE_URL) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = %s",
            [settings.schema_for("checklist")],
        ).fetchall()
        schema_owner = conn.execute(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s",
            [settings.schema_for("checklist")],
        ).fetchone()
    assert owners == [("huiwu_checklist",)]
    assert schema_owner == ("huiwu_checklist",)
    with as_role(settings, "checklist") as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("huiwu_checklist",)
        row = conn.execute(
            "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
        assert row == (False,)


def test_vendors_role_can_neither_read_nor_write_checklist_schema(settings):
    checklist = settings.schema_for("checklist")
    tables = checklist_tables(settings)
    attempts = [f'SELECT * FROM "{checklist}"."{table}"' for table in tables]
    attempts += [
        f"INSERT INTO \"{checklist}\".plan (code) VALUES ('9.9')",
        f"UPDATE \"{checklist}\".plan SET code = 'x'",
        f'DELETE FROM "{checklist}".plan',
        f'DROP TABLE "{checklist}".plan',
        f'CREATE TABLE "{checklist}".planted (x int)',
        f'ALTER SCHEMA "{checklist}" RENAME TO stolen',
        f'CREATE SCHEMA "{settings.schema_prefix}future_service"',  # no taking names first
    ]
    with as_role(settings, "vendors") as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("huiwu_vendors",)
        for statement in attempts:
            with pytest.raises(Denied):
                conn.execute(statement)
    with psycopg.connect(DATABASE_URL) as conn:  # nothing of it happened
        assert conn.execute(f'SELECT code FROM "{checklist}".plan').fetchall() == [("1.1",)]


def test_a_schema_missing_or_not_the_role_s_is_refused_naming_the_setup(settings):
    vendors = settings.schema_for("vendors")
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:  # as an older version left it
        conn.execute(f'ALTER SCHEMA "{vendors}" OWNER TO postgres')
    with pytest.raises(SchemaNotProvisioned, match="'huiwu_vendors' may not use .*must own it"):
        Database(settings, "vendors").ping()
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{vendors}"')
    with pytest.raises(SchemaNotProvisioned, match="does not exist.*may not create it"):
        Database(settings, "vendors").ping()


def test_provisioning_hands_an_older_version_s_schema_and_contents_to_the_role(settings):
    vendors = settings.schema_for("vendors")
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:  # made as the superuser
        conn.execute(f'ALTER SCHEMA "{vendors}" OWNER TO postgres')
        conn.execute(f'CREATE TABLE "{vendors}".quotes (id serial PRIMARY KEY, note text)')
        conn.execute(f'CREATE SEQUENCE "{vendors}".numbers')
        conn.execute(f'CREATE TYPE "{vendors}".pair AS (a int, b int)')
        conn.execute(f"INSERT INTO \"{vendors}\".quotes (note) VALUES ('kept')")
    provision_postgres(DATABASE_URL, settings.schema_prefix)
    provision_postgres(DATABASE_URL, settings.schema_prefix)  # again: changes nothing
    with as_role(settings, "vendors") as conn:
        conn.execute(f"INSERT INTO \"{vendors}\".quotes (note) VALUES ('added')")
        conn.execute(f"SELECT nextval('\"{vendors}\".numbers')")
        conn.execute(f'ALTER TYPE "{vendors}".pair ADD ATTRIBUTE c int')
        notes = conn.execute(f'SELECT note FROM "{vendors}".quotes ORDER BY id').fetchall()
    assert notes == [("kept",), ("added",)]
    Database(settings, "vendors").ping()


def test_every_service_reads_the_identity_schema_and_only_the_admin_writes_it(settings):
    identity = settings.identity_schema
    with as_role(settings, ADMIN) as admin:  # as the command line will
        admin.execute(f'CREATE TABLE "{identity}".tokens (holder TEXT PRIMARY KEY)')
        admin.execute(f"INSERT INTO \"{identity}\".tokens VALUES ('ana')")
    for service in settings.services:
        with as_role(settings, service) as conn:
            rows = conn.execute(f'SELECT holder FROM "{identity}".tokens').fetchall()
            assert rows == [("ana",)], service
            for statement in (
                f"INSERT INTO \"{identity}\".tokens VALUES ('mallory')",
                f'DELETE FROM "{identity}".tokens',
                f'CREATE TABLE "{identity}".more (x int)',
            ):
                with pytest.raises(Denied):
                    conn.execute(statement)
