"""Stores for tests: PostgreSQL roles and schemas made as a deployment's setup makes them,
and reading a service's store directly, while the service is stopped or dead: what was
committed, independently of what the service reports."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from services.common.config import Settings
from services.common.roles import provision
from services.common.store import ServiceApplication

from .system import System


def open_store(settings: Settings, service: str) -> ServiceApplication:
    """A service's event store, opened as a plain application of its name."""
    store = type(f"{service.title()}Store", (ServiceApplication,), {"name": service})
    return store.open(settings)


def tracking_position(system: System, service: str, upstream: str) -> int:
    """The position in `upstream`'s log that `service` recorded with its effects."""
    app = open_store(Settings.from_env(system.env()), service)
    try:
        return app.process_recorder.max_tracking_id(upstream) or 0
    finally:
        app.close()


class OpenStores:
    """Every service's store opened once from the test, and read while the services run
    (SQLite in WAL mode and PostgreSQL both let a reader see each commit)."""

    def __init__(self, system: System) -> None:
        self.settings = Settings.from_env(system.env())
        self.apps: dict[str, ServiceApplication] = {}

    def app(self, service: str) -> ServiceApplication:
        if service not in self.apps:
            self.apps[service] = open_store(self.settings, service)
        return self.apps[service]

    def log_length(self, service: str) -> int:
        """The highest notification id committed: any stored event raises it."""
        return self.app(service).max_notification_id()

    def tracking_position(self, service: str, upstream: str) -> int:
        return self.app(service).process_recorder.max_tracking_id(upstream) or 0

    def close(self) -> None:
        for app in self.apps.values():
            app.close()
        self.apps.clear()


def provision_postgres(database_url: str, prefix: str, services: Iterable[str] = ()) -> Settings:
    """The roles (shared by every test: roles belong to the cluster), and the schemas of
    one test (its prefix), owned as in a deployment: each service's by its role, the
    identity schema by the admin role. `services` adds names beyond the registry's."""
    settings = Settings(database_url=database_url, schema_prefix=prefix)
    names = dict.fromkeys((*settings.services, *services))
    with psycopg.connect(database_url, autocommit=True) as conn:
        provision(conn, settings, names)
    return settings
