"""Fixtures for tests that talk to the real RabbitMQ and the real databases."""

from __future__ import annotations

import os

import pytest

from tests.support.broker import VirtualHost, settle_deletes
from tests.support.database import DATABASE_URL, PostgresSchemas
from tests.support.system import running_system

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")


@pytest.fixture
def vhost():
    host = VirtualHost().create()
    yield host
    host.delete()


@pytest.fixture(autouse=True, scope="session")
def virtual_hosts_deleted():
    """Every test's virtual host is gone by the end of the run."""
    yield
    failed = settle_deletes()
    assert not failed, f"virtual hosts left on the broker: {failed}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request, tmp_path):
    """Run the test once on SQLite files and once on PostgreSQL schemas."""
    if request.param == "sqlite":
        yield {"HUIWU_DATA_DIR": str(tmp_path / "data")}
        return
    schemas = PostgresSchemas()
    yield {"HUIWU_DATABASE_URL": DATABASE_URL, "HUIWU_SCHEMA_PREFIX": schemas.prefix}
    schemas.drop()


@pytest.fixture
def sqlite_env(tmp_path):
    return {"HUIWU_DATA_DIR": str(tmp_path / "data")}


def _system(vhost, env, tmp_path, request):
    yield from running_system(vhost.uri, env, tmp_path, request)


@pytest.fixture
def system(vhost, store_env, tmp_path, request):
    """Services on both stores (parametrised): start the ones a test needs."""
    yield from _system(vhost, store_env, tmp_path, request)


@pytest.fixture
def sqlite_system(vhost, sqlite_env, tmp_path, request):
    """Services on SQLite only, for fault tests where the store does not matter."""
    yield from _system(vhost, sqlite_env, tmp_path, request)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
