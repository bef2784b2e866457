"""Isolated stores per test: a temporary SQLite directory, or PostgreSQL schemas."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

import psycopg

DATABASE_URL = os.environ.get(
    "HUIWU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


class PostgresSchemas:
    """A schema prefix unique to one test, its schemas made for the services' roles (and
    for `services` beyond the registry's); every one is dropped afterwards."""

    def __init__(self, services: Iterable[str] = ()) -> None:
        from .stores import provision_postgres

        self.prefix = f"t{uuid.uuid4().hex[:10]}_"
        provision_postgres(DATABASE_URL, self.prefix, services)

    def drop(self) -> None:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [self.prefix + "%"]
            ).fetchall()
            for (schema,) in rows:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
