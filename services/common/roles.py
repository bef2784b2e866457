"""Who may touch which schema on PostgreSQL.

Each service connects as its own role (`<prefix><service>`, `Settings.role_for`) that
owns its schema and nothing else, so a service cannot read or write another's store. The
admin role (`<prefix>admin`), which the `huiwu` command line uses, owns the identity
schema; every service role may read it (USAGE, and SELECT on its tables, present and
future ones the admin role creates) and none may write it.

`provision` makes all of that true, and is idempotent: scripts/setup.sh and the test
fixtures run it; infra/postgres/ does the same when docker-compose first creates the
database. It runs as a superuser (the one of HUIWU_DATABASE_URL):

    python -m services.common.roles

It also takes over a schema made by an older version (owned by the superuser) for the
service's role, with what is in it.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterable
from typing import Any

from .config import ADMIN, Settings

PROVISION_LOCK = zlib.crc32(b"huiwu:provision")


def provision(conn: Any, settings: Settings, services: Iterable[str] | None = None) -> None:
    """Roles, schemas, ownership and grants for `services` (the registry's by default),
    in one transaction on `conn` (a superuser's connection)."""
    names = tuple(settings.services if services is None else services)
    with conn.transaction():
        # Roles belong to the whole cluster: one provisioning at a time in this database.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISION_LOCK])
        for name in (*names, ADMIN):
            _role(conn, settings.role_for(name), settings.database_passwords.get(name))
        for name in names:
            _owned_schema(conn, settings.schema_for(name), settings.role_for(name))
        _identity_schema(conn, settings, names)


def _role(conn: Any, role: str, password: str | None) -> None:
    """A login role with no powers beyond its own objects; its password when given."""
    from psycopg import sql

    row = conn.execute(
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls OR NOT rolcanlogin "
        "FROM pg_roles WHERE rolname = %s",
        [role],
    ).fetchone()
    attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
    if password:
        attributes = sql.SQL("{} PASSWORD {}").format(attributes, sql.Literal(password))
    if row is None:
        conn.execute(sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(role), attributes))
    elif row[0] or password:  # altered only when needed: ALTER ROLE races across databases
        conn.execute(sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(role), attributes))


def _owned_schema(conn: Any, schema: str, role: str) -> None:
    """`schema` owned by `role`, with every table, sequence and type in it."""
    from psycopg import sql

    conn.execute(
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
            sql.Identifier(schema), sql.Identifier(role)
        )
    )
    conn.execute(
        sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), sql.Identifier(role))
    )
    # Tables (their indexes and the sequences they own follow), free sequences, views.
    relations = conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'S', 'v', 'm') "
        "AND pg_get_userbyid(c.relowner) <> %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
        "AND d.objid = c.oid AND d.deptype IN ('a', 'i'))",
        [schema, role],
    ).fetchall()
    kinds = {"r": "TABLE", "p": "TABLE", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
    for name, kind in relations:
        conn.execute(
            sql.SQL("ALTER {} {}.{} OWNER TO {}").format(
                sql.SQL(kinds[kind]),
                sql.Identifier(schema),
                sql.Identifier(name),
                sql.Identifier(role),
            )
        )
    types = conn.execute(  # composite types made on their own (not a table's row type)
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "JOIN pg_class c ON c.oid = t.typrelid "
        "WHERE n.nspname = %s AND t.typtype = 'c' AND c.relkind = 'c' "
        "AND pg_get_userbyid(t.typowner) <> %s",
        [schema, role],
    ).fetchall()
    for (name,) in types:
        conn.execute(
            sql.SQL("ALTER TYPE {}.{} OWNER TO {}").format(
                sql.Identifier(schema), sql.Identifier(name), sql.Identifier(role)
            )
        )


def _identity_schema(conn: Any, settings: Settings, services: tuple[str, ...]) -> None:
    """Owned by the admin role; every service role reads it and writes nothing."""
    from psycopg import sql

    schema = sql.Identifier(settings.identity_schema)
    admin = sql.Identifier(settings.role_for(ADMIN))
    _owned_schema(conn, settings.identity_schema, settings.role_for(ADMIN))
    if not services:
        return
    readers = sql.SQL(", ").join(sql.Identifier(settings.role_for(name)) for name in services)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, readers))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, readers))
    conn.execute(
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}"
        ).format(admin, schema, readers)
    )


def main(argv: list[str] | None = None) -> int:
    """Provision the database of HUIWU_DATABASE_URL (as its user, a superuser)."""
    import psycopg

    settings = Settings.from_env()
    if settings.database_url is None:
        print("HUIWU_DATABASE_URL is not set: the stores are SQLite files", file=sys.stderr)
        return 2
    with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=5) as conn:
        provision(conn, settings)
    roles = ", ".join(settings.role_for(name) for name in (*settings.services, ADMIN))
    print(f"provisioned roles {roles}; identity schema {settings.identity_schema}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
