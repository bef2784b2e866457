"""SQLite stores, their -wal and -shm files and their directory are the service user's
only, whatever the umask, and a store left readable by an older version is tightened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate, event

from services.common.config import Settings
from services.common.database import Database
from services.common.private_files import private_sqlite_file
from services.common.store import ServiceApplication


class Item(Aggregate):
    @event("Listed")
    def __init__(self, text: str) -> None:
        self.text = text


class VendorsStore(ServiceApplication):
    name = "vendors"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o000)  # the widest: files would be 0666, directories 0777
    yield
    os.umask(previous)


def test_a_store_and_its_wal_and_shm_are_0600_in_a_0700_directory(tmp_path, open_umask):
    settings = Settings(data_dir=tmp_path / "data")
    app = VendorsStore.open(settings)
    db = Database(settings, "vendors")
    try:
        app.save(Item("a quote"))
        with db.ddl() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS {t} (x TEXT)", t="read_model")
        files = sorted(p.name for p in settings.data_dir.iterdir())
        assert files == ["vendors.sqlite", "vendors.sqlite-shm", "vendors.sqlite-wal"]
        for path in settings.data_dir.iterdir():
            assert mode(path) == 0o600, path.name
        assert mode(settings.data_dir) == 0o700
    finally:
        db.close()
        app.close()


def test_a_store_left_readable_by_others_is_tightened_when_opened(tmp_path):
    directory = tmp_path / "var"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    store = directory / "budget.sqlite"
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{store}{suffix}")
        path.touch()
        path.chmod(0o644)

    private_sqlite_file(store)

    assert mode(directory) == 0o700
    for suffix in ("", "-wal", "-shm"):
        assert mode(Path(f"{store}{suffix}")) == 0o600
