"""In docker-compose each service gets its own database role's password and no other,
and PostgreSQL sets the roles up from infra/postgres/init-roles.sh."""

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from services.common.registry import load

ROOT = Path(__file__).resolve().parents[2]
SERVICES = load().names


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def test_each_service_gets_its_own_role_password_and_no_superuser_credentials():
    services = compose()
    for name in SERVICES:
        environment = services[name]["environment"]
        passwords = {key for key in environment if key.startswith("HUIWU_DATABASE_PASSWORD_")}
        assert passwords == {f"HUIWU_DATABASE_PASSWORD_{name.upper()}"}, name
        url = urlsplit(environment["HUIWU_DATABASE_URL"])
        assert url.username is None and url.password is None, name
        assert "HUIWU_POSTGRES_PASSWORD" not in str(environment), name


def test_postgres_sets_up_every_role_from_the_init_script():
    postgres = compose()["postgres"]
    passwords = {k for k in postgres["environment"] if k.startswith("HUIWU_DATABASE_PASSWORD_")}
    assert passwords == {f"HUIWU_DATABASE_PASSWORD_{n.upper()}" for n in (*SERVICES, "admin")}
    assert (
        "./infra/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-huiwu-roles.sh:ro"
        in postgres["volumes"]
    )
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for variable in passwords:
        assert f"\n{variable}=" in example
