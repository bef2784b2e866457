"""One rebuild at a time across every replica of reporting that shares a store.

The lock belongs to a connection (PostgreSQL: a session advisory lock) or an open file
(SQLite: flock beside the store file), so a process that dies, even by SIGKILL, lets go
of it with nothing left to clean up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from typing import Any

from services.common.config import Settings


class RebuildLock:
    def __init__(self, settings: Settings, service: str, name: str) -> None:
        self.settings = settings
        self.service = service
        self.key = zlib.crc32(f"huiwu:{settings.schema_for(service)}:{name}".encode())
        self.path = settings.sqlite_path(service).with_suffix(f".{name}.lock")
        self._held: Any = None

    def acquire(self) -> bool:
        """Take the lock if no one holds it; False if someone does."""
        if self.settings.database_url is not None:
            import psycopg

            url = self.settings.database_url_for(self.service)  # the service's own role
            conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
            taken = conn.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()[0]
            if not taken:
                conn.close()
                return False
            self._held = conn
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._held = fd
        return True

    def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if isinstance(held, int):
            os.close(held)  # closing the file lets go of its flock
            return
        with contextlib.suppress(Exception):  # closing the session ends its lock anyway
            held.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        held.close()
