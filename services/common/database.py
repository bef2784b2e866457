"""A small SQL handle for the tables a service keeps beside its event store.

The relay's published position and the read-side projections live here. SQLite shares
the service's store file; PostgreSQL uses the service's own schema. Statements are written
once with `?` placeholders and `{table}` names; `Database` adapts both to the dialect.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .config import Settings

_PLACEHOLDER = re.compile(r"\?")
_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class Database:
    """One connection, one transaction at a time (a green lock under eventlet)."""

    def __init__(self, settings: Settings, service: str) -> None:
        self.settings = settings
        self.service = service
        self.is_postgres = settings.database_url is not None
        self.schema = settings.schema_for(service)
        if not _SAFE_NAME.match(self.schema):
            raise ValueError(f"schema name {self.schema!r} must match {_SAFE_NAME.pattern}")
        self._lock = threading.RLock()
        self._conn: Any = None

    # -- connection ---------------------------------------------------------------
    def _connect(self) -> Any:
        if self.is_postgres:
            import psycopg

            conn = psycopg.connect(self.settings.database_url, autocommit=True, connect_timeout=5)
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            return conn
        path = self.settings.sqlite_path(self.service)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    # -- statements ---------------------------------------------------------------
    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"' if self.is_postgres else name

    def sql(self, statement: str, **tables: str) -> str:
        statement = statement.format(**{k: self.table(v) for k, v in tables.items()})
        return _PLACEHOLDER.sub("%s", statement) if self.is_postgres else statement

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Run statements atomically; roll back and reconnect next time on any error."""
        with self._lock:
            conn = self._connection()
            try:
                if self.is_postgres:
                    with conn.transaction(), conn.cursor() as cur:
                        yield Cursor(self, cur)
                else:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield Cursor(self, conn.cursor())
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
            except (sqlite3.OperationalError, OSError) as exc:
                self._reset_after(exc)
                raise
            except Exception as exc:
                if self.is_postgres and _is_connection_error(exc):
                    self._reset_after(exc)
                raise

    def _reset_after(self, exc: BaseException) -> None:
        with contextlib.suppress(Exception):  # the original error is the one to report
            self.close()

    def ping(self) -> None:
        with self.transaction() as cur:
            cur.execute("SELECT 1")


def _is_connection_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


class Cursor:
    """Executes dialect-neutral statements: `?` placeholders, `{name}` tables."""

    def __init__(self, db: Database, cursor: Any) -> None:
        self._db = db
        self._cur = cursor

    def execute(self, statement: str, params: Sequence[Any] = (), **tables: str) -> Cursor:
        self._cur.execute(self._db.sql(statement, **tables), tuple(params))
        return self

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount
