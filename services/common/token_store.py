"""Where tokens are kept: one table every service reads and only the `huiwu` CLI writes.

On SQLite it is the file `identity.sqlite` beside the services' stores; on PostgreSQL the
schema `<prefix>huiwu_identity`, owned by the admin role the CLI connects as and read by
every service's role. A revoked token keeps its row (who had it, and when it ended).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from .config import ADMIN as ADMIN_ROLE
from .config import Settings
from .database import Cursor, Database
from .tokens import ADMIN, TokenRecord, hash_token, new_token

IDENTITY = "identity"
_COLUMNS = "token_id, name, role, conference_id, token_hash, created_at, expires_at, revoked_at"


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: tuple) -> TokenRecord:
    token_id, name, role, conference_id, token_hash, created, expires, revoked = row
    return TokenRecord(
        token_id=token_id,
        name=name,
        role=role,
        conference_id=conference_id,
        token_hash=token_hash,
        created_at=_when(created),  # type: ignore[arg-type]
        expires_at=_when(expires),
        revoked_at=_when(revoked),
    )


class TokenStore:
    def __init__(self, settings: Settings, reader: str | None = None) -> None:
        """The CLI's store (the admin role, which owns the table); or, given `reader` (a
        service's name), that service's read-only view of it."""
        self.db = Database(
            settings,
            reader or ADMIN_ROLE,
            schema=settings.identity_schema,
            sqlite_path=settings.data_dir / f"{IDENTITY}.sqlite",
            owner=reader is None,
        )

    def close(self) -> None:
        self.db.close()

    def create_table(self) -> None:
        with self.db.ddl() as cur:
            self._create(cur)

    @staticmethod
    def _create(cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} ("
            "token_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
            "conference_id TEXT, token_hash TEXT NOT NULL, created_at TEXT NOT NULL, "
            "expires_at TEXT, revoked_at TEXT)",
            t="tokens",
        )

    # -- reads (every service) --------------------------------------------------------
    def find(self, token_id: str) -> TokenRecord | None:
        try:
            with self.db.transaction() as cur:
                row = cur.execute(
                    f"SELECT {_COLUMNS} FROM {{t}} WHERE token_id = {{p}}", [token_id], t="tokens"
                ).fetchone()
        except Exception as exc:
            if _no_table(exc):  # no token was ever made: none is known
                return None
            raise
        return _record(row) if row else None

    def all(self) -> list[TokenRecord]:
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {_COLUMNS} FROM {{t}} ORDER BY created_at, token_id", t="tokens"
            ).fetchall()
        return [_record(row) for row in rows]

    # -- writes (the CLI) ---------------------------------------------------------------
    def create(
        self,
        name: str,
        role: str,
        conference_id: str | None = None,
        expires_at: datetime | None = None,
        now: datetime | None = None,
        only_if_no_admin: bool = False,
    ) -> tuple[TokenRecord, str]:
        """(record, token). With `only_if_no_admin`, refuses (LookupError) when an active
        admin token exists: checked and written in one transaction."""
        now = now or datetime.now(UTC)
        token_id, token = new_token()
        record = TokenRecord(
            token_id, name, role, conference_id, hash_token(token), now, expires_at, None
        )
        with self.db.ddl() as cur:  # the schema lock serialises bootstraps
            self._create(cur)
            if only_if_no_admin and self._active_admins(cur, now):
                raise LookupError("an active admin token exists already")
            cur.execute(
                f"INSERT INTO {{t}} ({_COLUMNS}) VALUES ({', '.join(['{p}'] * 8)})",
                [
                    record.token_id,
                    name,
                    role,
                    conference_id,
                    record.token_hash,
                    now.isoformat(),
                    expires_at.isoformat() if expires_at else None,
                    None,
                ],
                t="tokens",
            )
        return record, token

    def revoke(self, token_id: str, now: datetime | None = None) -> TokenRecord | None:
        now = now or datetime.now(UTC)
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE {t} SET revoked_at = {p} WHERE token_id = {p} AND revoked_at IS NULL",
                [now.isoformat(), token_id],
                t="tokens",
            )
        return self.find(token_id)

    def _active_admins(self, cur: Cursor, now: datetime) -> int:
        rows = cur.execute(
            "SELECT expires_at FROM {t} WHERE role = {p} AND revoked_at IS NULL",
            [ADMIN],
            t="tokens",
        ).fetchall()
        return sum(1 for (expires,) in rows if expires is None or _when(expires) > now)


def _no_table(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return "no such table" in str(exc)
    return type(exc).__name__ == "UndefinedTable"  # psycopg, not imported for SQLite
