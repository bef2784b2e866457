"""A running service's SQLite store, its -wal and -shm files, and their directory are
readable by the service's user only, whatever the umask it was started with."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.support.slice import SECTION_ONE, open_conference


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_running_services_keep_their_sqlite_files_private(sqlite_system):
    previous = os.umask(0o000)  # the services inherit it: SQLite alone would make 0666
    try:
        sqlite_system.start("checklist", "vendors")
    finally:
        os.umask(previous)
    open_conference(sqlite_system, **SECTION_ONE)

    data = Path(sqlite_system.store_env["HUIWU_DATA_DIR"])
    names = {path.name for path in data.iterdir()}
    for service in ("checklist", "vendors"):
        assert {f"{service}.sqlite", f"{service}.sqlite-wal", f"{service}.sqlite-shm"} <= names
    assert {path.name: mode(path) for path in data.iterdir()} == dict.fromkeys(names, 0o600)
    assert mode(data) == 0o700
