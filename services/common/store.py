"""The event store of one service: an eventsourcing Application on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlparse

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import Notification, ProcessRecorder

from .config import Settings


def persistence_env(settings: Settings, service: str) -> dict[str, str]:
    """Environment for eventsourcing's persistence modules, one store per service."""
    if settings.database_url is None:
        path = settings.sqlite_path(service)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    url = urlparse(settings.database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": (url.path or "/postgres").lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.schema_for(service),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


def ensure_postgres_schema(settings: Settings, service: str) -> None:
    if settings.database_url is None:
        return
    import psycopg

    with psycopg.connect(settings.database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema_for(service)}"')


class ServiceApplication(Application):
    """Base for each service's use cases: records events, with tracking when processing.

    `on_saved` is called after every successful write, so the outbox relay can publish
    straight away; the relay's timer covers the case where that call never happens.
    """

    name = "service"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.on_saved: Callable[[], None] | None = None
        super().__init__(env=env)

    @classmethod
    def build(cls, settings: Settings) -> ServiceApplication:
        ensure_postgres_schema(settings, cls.name)
        return cls(env=persistence_env(settings, cls.name))

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def _notify(self, recordings: Sequence[Any]) -> None:
        super()._notify(recordings)
        if recordings and self.on_saved is not None:
            self.on_saved()

    def record_processing(self, processing: ProcessingEvent) -> None:
        """Store the events caused by an upstream event together with its tracking record."""
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)

    def select_notifications(self, start: int, limit: int) -> Sequence[Notification]:
        return self.recorder.select_notifications(start=start, limit=limit)

    def max_notification_id(self) -> int:
        return self.recorder.max_notification_id() or 0
