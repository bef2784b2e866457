"""docker-compose's PostgreSQL sets roles and schemas up with infra/postgres/init-roles.sh,
the host and the tests with `services.common.roles.provision`: both make the same roles,
owners and grants, idempotently, for the registry's services."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from services.common.config import ADMIN, Settings
from services.common.registry import load
from services.common.roles import provision
from tests.support.database import DATABASE_URL

SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "postgres" / "init-roles.sh"


def test_the_compose_script_sets_up_the_registry_s_services():
    listed = re.search(r'^HUIWU_SERVICES="([^"]*)"', SCRIPT.read_text(), re.M)
    assert listed is not None and listed[1].split() == list(load().names)
    assert os.access(SCRIPT, os.X_OK)  # the image's entrypoint executes it


def make_settings() -> Settings:
    tag = f"z{uuid.uuid4().hex[:8]}_"
    return Settings(database_url=DATABASE_URL, schema_prefix=tag, role_prefix=tag)


def picture(settings: Settings) -> dict[str, object]:
    """Roles, schema owners and grants, the prefixes taken out."""
    prefix = settings.role_prefix
    with psycopg.connect(DATABASE_URL) as conn:
        roles = conn.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, "
            "rolpassword IS NOT NULL FROM pg_authid WHERE rolname LIKE %s ORDER BY rolname",
            [prefix + "%"],
        ).fetchall()
        schemas = conn.execute(
            "SELECT nspname, pg_get_userbyid(nspowner), nspacl::text FROM pg_namespace "
            "WHERE nspname LIKE %s ORDER BY nspname",
            [prefix + "%"],
        ).fetchall()
        defaults = conn.execute(
            "SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclacl::text "
            "FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace "
            "WHERE n.nspname LIKE %s",
            [prefix + "%"],
        ).fetchall()
    text = repr({"roles": roles, "schemas": schemas, "defaults": defaults})
    return {"text": text.replace(prefix, "<prefix>"), "roles": roles, "schemas": schemas}


def drop(settings: Settings) -> None:
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        for name in (*settings.services, ADMIN):
            schema = settings.schema_for(name if name != ADMIN else "huiwu_identity")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        for name in (*settings.services, ADMIN):
            role = settings.role_for(name)
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f'DROP OWNED BY "{role}"')
                conn.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def two_setups():
    made = [make_settings(), make_settings()]
    yield made
    for settings in made:
        drop(settings)


def run_script(settings: Settings) -> None:
    url = urlsplit(DATABASE_URL)
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": url.hostname or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "postgres",
        "POSTGRES_DB": url.path.lstrip("/"),
        "HUIWU_DATABASE_ROLE_PREFIX": settings.role_prefix,
        "HUIWU_SCHEMA_PREFIX": settings.schema_prefix,
        **{f"HUIWU_DATABASE_PASSWORD_{n.upper()}": "pw" for n in (*settings.services, ADMIN)},
    }
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_the_compose_script_and_provision_make_the_same_setup_idempotently(two_setups):
    by_script, by_python = two_setups
    by_python = Settings(
        database_url=DATABASE_URL,
        schema_prefix=by_python.schema_prefix,
        role_prefix=by_python.role_prefix,
        database_passwords={n: "pw" for n in (*by_python.services, ADMIN)},
    )
    run_script(by_script)
    first = picture(by_script)
    run_script(by_script)
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        provision(conn, by_python)
        provision(conn, by_python)

    assert picture(by_script) == first
    assert picture(by_python)["text"] == first["text"]
    assert len(first["roles"]) == len(by_script.services) + 1
    assert len(first["schemas"]) == len(by_script.services) + 1
    assert not any(role[1] or role[2] or role[3] for role in first["roles"])


def test_the_compose_script_names_a_missing_password(two_setups):
    settings = two_setups[0]
    url = urlsplit(DATABASE_URL)
    done = subprocess.run(
        ["bash", str(SCRIPT)],
        env={
            "PATH": os.environ["PATH"],
            "PGHOST": url.hostname or "127.0.0.1",
            "POSTGRES_USER": "postgres",
            "POSTGRES_DB": "test",
            "HUIWU_DATABASE_ROLE_PREFIX": settings.role_prefix,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "HUIWU_DATABASE_PASSWORD_REGISTRATION" in done.stderr
