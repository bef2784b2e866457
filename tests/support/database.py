"""Isolated stores per test: a temporary SQLite directory, or PostgreSQL schemas."""

from __future__ import annotations

import os
import uuid

import psycopg

DATABASE_URL = os.environ.get(
    "HUIWU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


class PostgresSchemas:
    """A schema prefix unique to one test; every service's schema is dropped afterwards."""

    def __init__(self) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:10]}_"

    def drop(self) -> None:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [self.prefix + "%"]
            ).fetchall()
            for (schema,) in rows:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
