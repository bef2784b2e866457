"""SQLite stores readable by the service's own user only.

A store holds attendees' personal data and the audit trail. SQLite makes its -wal, -shm
and -journal files with the mode of the database file, so a database file made 0600
before SQLite first opens it keeps all of them private, whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_sqlite_file(path: Path) -> Path:
    """Make `path` (and its directory) private to this user before SQLite opens it;
    tighten a store, or its directory, left readable by others by an older version."""
    directory = path.parent
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _tighten(directory, DIRECTORY_MODE)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for suffix in COMPANIONS:
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            _tighten(companion, FILE_MODE)
    return path


def _tighten(path: Path, allowed: int) -> None:
    """Take away what group and others may do, if this user owns it (else leave it)."""
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if mode & ~allowed and info.st_uid == os.getuid():
        os.chmod(path, mode & allowed)
