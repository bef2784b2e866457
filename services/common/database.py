"""A small SQL handle for the tables a service keeps beside its event store.

The relay's published position and the read-side projections live here. SQLite shares
the service's store file; PostgreSQL uses the service's own schema. Statements are written
once, as templates: `{p}` where a parameter goes and `{t}` (or another name) where a
table goes; `Database` fills in the dialect's placeholder and the qualified table name.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import SAFE_NAME, Settings
from .private_files import private_sqlite_file
from .store import ensure_schema, schema_lock_key


class Database:
    """One connection, one transaction at a time (a green lock under eventlet)."""

    def __init__(
        self,
        settings: Settings,
        service: str,
        *,
        schema: str | None = None,
        sqlite_path: Path | None = None,
        owner: bool = True,
    ) -> None:
        """`service`'s own tables; or, given `schema` (and `sqlite_path`), tables that
        `service` reads in another's schema (it then neither creates nor checks it)."""
        self.settings = settings
        self.service = service
        self.is_postgres = settings.database_url is not None
        self.schema = schema or settings.schema_for(service)
        self.sqlite_path = sqlite_path or settings.sqlite_path(service)
        self.owner = owner
        if not SAFE_NAME.match(self.schema):
            raise ValueError(f"schema name {self.schema!r} must match {SAFE_NAME.pattern}")
        self._lock = threading.RLock()
        self._conn: Any = None

    # -- connection ---------------------------------------------------------------
    def _connect(self) -> Any:
        if self.is_postgres:
            import psycopg

            url = self.settings.database_url_for(self.service)  # the service's own role
            conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
            if not self.owner:
                return conn
            try:
                with conn.transaction():  # replicas may start together: one at a time
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", [schema_lock_key(self.schema)])
                    ensure_schema(conn, self.schema)
            except BaseException:
                conn.close()
                raise
            return conn
        path = private_sqlite_file(self.sqlite_path)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def relax_durability(self) -> None:
        """Commit without waiting for the disk (SQLite: WAL with synchronous=NORMAL and
        fewer checkpoints; PostgreSQL: synchronous_commit off): a power cut may lose the
        last transactions, never half of one. Only for tables made again from elsewhere,
        as a rebuild's shadow; this connection only."""
        with self._lock:
            conn = self._connection()
            if self.is_postgres:
                conn.execute("SET synchronous_commit TO off")
            else:
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA wal_autocheckpoint=100000")

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

    @property
    def placeholder(self) -> str:
        return "%s" if self.is_postgres else "?"

    def sql(self, statement: str, **tables: str) -> str:
        names = {key: self.table(value) for key, value in tables.items()}
        return statement.format(p=self.placeholder, **names)

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
            except BaseException as exc:
                # A green thread killed (service stopping) or timed out mid-statement leaves
                # the connection busy: drop it, so the next user gets a fresh one.
                self._reset_after(exc)
                raise

    def _reset_after(self, exc: BaseException) -> None:
        with contextlib.suppress(Exception):  # the original error is the one to report
            self.close()

    @contextmanager
    def ddl(self) -> Iterator[Cursor]:
        """A transaction for CREATE statements, one process at a time per schema, so that
        replicas starting together do not race to create the same table."""
        with self.transaction() as cur:
            if self.is_postgres:
                cur.execute("SELECT pg_advisory_xact_lock({p})", [schema_lock_key(self.schema)])
            yield cur

    def ping(self) -> None:
        with self.transaction() as cur:
            cur.execute("SELECT 1")


def _is_connection_error(exc: Exception) -> bool:
    import psycopg

    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


class Cursor:
    """Executes dialect-neutral statements: `{p}` placeholders, `{name}` tables."""

    def __init__(self, db: Database, cursor: Any) -> None:
        self._db = db
        self._cur = cursor

    def execute(self, statement: str, params: Sequence[Any] = (), **tables: str) -> Cursor:
        self._cur.execute(self._db.sql(statement, **tables), tuple(params))
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]], **tables: str) -> Cursor:
        """One statement for many rows: the driver sends them as one batch."""
        self._cur.executemany(self._db.sql(statement, **tables), [tuple(r) for r in rows])
        return self

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Many rows into `table`: PostgreSQL's COPY (several times faster than a batch of
        INSERTs), one batch of INSERTs on SQLite."""
        if not self._db.is_postgres:
            marks = ", ".join(["{p}"] * len(columns))
            self.executemany(
                f"INSERT INTO {{t}} ({', '.join(columns)}) VALUES ({marks})", rows, t=table
            )
            return
        statement = f"COPY {self._db.table(table)} ({', '.join(columns)}) FROM STDIN"
        with self._cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount
