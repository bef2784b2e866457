"""Configuration from the environment, with defaults that work on a developer machine.

Every knob of a service process is a field of `Settings`; nothing else reads the
environment (see docs/architecture.md, "Configuration").
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from . import registry as registries
from .registry import Registry

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
AUDITOR = "auditor"
"""The broker principal that may read every service's log (`huiwu-auditor`), not a service."""


def broker_user(principal: str) -> str:
    """The RabbitMQ user a service (or the auditor) connects and publishes as."""
    return f"huiwu-{principal}"


def development_password(principal: str) -> str:
    """The password used when HUIWU_BROKER_PASSWORD_<NAME> is not set: for a developer
    machine only (scripts/setup.sh and the tests create the users with it)."""
    return f"{broker_user(principal)}-dev"


DEFAULT_ROLE_PREFIX = "huiwu_"
IDENTITY_SCHEMA = "huiwu_identity"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = _float(env, name, float(default))
    if not value.is_integer():
        raise ValueError(f"{name} must be a whole number, got {env.get(name)!r}")
    return int(value)


def _page_size(env: Mapping[str, str]) -> int:
    """Events a consumer reads and applies in one transaction: at most what one page of a
    log holds (log.MAX_PAGE)."""
    size = _int(env, "HUIWU_CONSUMER_PAGE_SIZE", 500)
    if not 1 <= size <= 1000:
        raise ValueError(f"HUIWU_CONSUMER_PAGE_SIZE must be from 1 to 1000, got {size}")
    return size


SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # a schema or role name needing no quoting
WEBHOOK_SECRET = "HUIWU_PAYMENT_WEBHOOK_SECRET_"
MIN_SECRET = 32  # characters: a guessable secret would let anyone record payments


def _webhook_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """Each payment provider's secret, from HUIWU_PAYMENT_WEBHOOK_SECRET_<PROVIDER>; a
    provider without one is not accepted. The secrets are never shown (not in errors)."""
    secrets = {}
    for key, value in env.items():
        if not key.startswith(WEBHOOK_SECRET) or not value:
            continue
        provider = key.removeprefix(WEBHOOK_SECRET).lower()
        if not SAFE_NAME.match(provider):
            raise ValueError(f"{key}: the provider must be letters, digits and _")
        if len(value) < MIN_SECRET:
            raise ValueError(f"{key} must be at least {MIN_SECRET} characters long")
        secrets[provider] = value
    return secrets


ADMIN = "admin"  # the command line's PostgreSQL role is `<role prefix>admin`


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its surroundings."""

    amqp_uri: str = DEFAULT_AMQP_URI
    data_dir: Path = Path("var")
    database_url: str | None = None
    schema_prefix: str = ""
    role_prefix: str = DEFAULT_ROLE_PREFIX
    database_passwords: dict[str, str] = field(default_factory=dict, repr=False)
    http_host: str = "127.0.0.1"
    registry: Registry = field(default_factory=registries.load)
    ports: dict[str, int] = field(default_factory=dict)
    relay_interval: float = 1.0
    relay_batch_size: int = 500
    catch_up_interval: float = 15.0
    rpc_timeout: float = 10.0
    consumer_max_attempts: int = 3
    consumer_retry_delay: float = 0.2
    consumer_page_size: int = 500
    overdue_interval: float = 3600.0
    order_expiry_interval: float = 60.0
    target_check_interval: float = 3600.0
    quota_nearly_percent: int = 90
    waitlist_offer_hours: float = 48.0
    badge_font: Path | None = None  # a TrueType font with CJK glyphs, embedded in badges
    revenue_check_interval: float = 3600.0
    log_level: str = "INFO"
    failpoints: frozenset[str] = frozenset()
    broker_passwords: dict[str, str] = field(default_factory=dict)
    # provider name -> the secret its webhook requests are signed with (webhooks.py)
    payment_webhook_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    payment_webhook_tolerance: float = 300.0

    def __post_init__(self) -> None:
        if not 1 <= self.quota_nearly_percent <= 99:
            raise ValueError(
                f"HUIWU_QUOTA_NEARLY_PERCENT must be 1 to 99, got {self.quota_nearly_percent}"
            )
        if self.waitlist_offer_hours <= 0:
            raise ValueError(
                f"HUIWU_WAITLIST_OFFER_HOURS must be more than 0, got {self.waitlist_offer_hours}"
            )
        ports = {spec.name: spec.port for spec in self.registry}
        ports.update(self.ports)
        object.__setattr__(self, "ports", ports)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        registry = registries.load(env.get("HUIWU_REGISTRY") or registries.BUILT_IN)
        ports = {
            spec.name: _int(env, f"HUIWU_PORT_{spec.name.upper()}", spec.port) for spec in registry
        }
        database_url = env.get("HUIWU_DATABASE_URL") or None
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                f"HUIWU_DATABASE_URL must be a postgresql:// URL, got {database_url!r}"
            )
        role_prefix = env.get("HUIWU_DATABASE_ROLE_PREFIX") or DEFAULT_ROLE_PREFIX
        if not SAFE_NAME.match(role_prefix):
            raise ValueError(
                f"HUIWU_DATABASE_ROLE_PREFIX must be lower-case letters, digits and _, "
                f"got {role_prefix!r}"
            )
        roles = (*registry.names, ADMIN)
        return cls(
            amqp_uri=env.get("AMQP_URI") or DEFAULT_AMQP_URI,
            data_dir=Path(env.get("HUIWU_DATA_DIR") or "var"),
            database_url=database_url,
            schema_prefix=env.get("HUIWU_SCHEMA_PREFIX", ""),
            role_prefix=role_prefix,
            database_passwords={
                name: env[f"HUIWU_DATABASE_PASSWORD_{name.upper()}"]
                for name in roles
                if env.get(f"HUIWU_DATABASE_PASSWORD_{name.upper()}")
            },
            http_host=env.get("HUIWU_HTTP_HOST") or "127.0.0.1",
            registry=registry,
            ports=ports,
            relay_interval=_float(env, "HUIWU_RELAY_INTERVAL", 1.0),
            catch_up_interval=_float(env, "HUIWU_CATCH_UP_INTERVAL", 15.0),
            rpc_timeout=_float(env, "HUIWU_RPC_TIMEOUT", 10.0),
            consumer_max_attempts=_int(env, "HUIWU_CONSUMER_MAX_ATTEMPTS", 3),
            consumer_retry_delay=_float(env, "HUIWU_CONSUMER_RETRY_DELAY", 0.2),
            consumer_page_size=_page_size(env),
            overdue_interval=_float(env, "HUIWU_OVERDUE_INTERVAL", 3600.0),
            order_expiry_interval=_float(env, "HUIWU_ORDER_EXPIRY_INTERVAL", 60.0),
            target_check_interval=_float(env, "HUIWU_TARGET_CHECK_INTERVAL", 3600.0),
            quota_nearly_percent=_int(env, "HUIWU_QUOTA_NEARLY_PERCENT", 90),
            waitlist_offer_hours=_float(env, "HUIWU_WAITLIST_OFFER_HOURS", 48.0),
            badge_font=Path(env["HUIWU_BADGE_FONT"]) if env.get("HUIWU_BADGE_FONT") else None,
            revenue_check_interval=_float(env, "HUIWU_REVENUE_CHECK_INTERVAL", 3600.0),
            log_level=(env.get("HUIWU_LOG_LEVEL") or "INFO").upper(),
            failpoints=frozenset(
                part.strip() for part in env.get("HUIWU_FAILPOINTS", "").split(",") if part.strip()
            ),
            broker_passwords={
                name: env[f"HUIWU_BROKER_PASSWORD_{name.upper()}"]
                for name in (*registry.names, AUDITOR)
                if env.get(f"HUIWU_BROKER_PASSWORD_{name.upper()}")
            },
            payment_webhook_secrets=_webhook_secrets(env),
            payment_webhook_tolerance=_float(env, "HUIWU_PAYMENT_WEBHOOK_TOLERANCE", 300.0),
        )

    @property
    def services(self) -> tuple[str, ...]:
        return self.registry.names

    def schema_for(self, service: str) -> str:
        """PostgreSQL schema that holds one service's tables."""
        return f"{self.schema_prefix}{service}"

    @property
    def identity_schema(self) -> str:
        """PostgreSQL schema of the access tokens: written by the admin role (the `huiwu`
        command line), read by every service."""
        return f"{self.schema_prefix}{IDENTITY_SCHEMA}"

    def role_for(self, service: str) -> str:
        """The PostgreSQL role a service connects as; it owns the service's schema only.
        `role_for(ADMIN)` is the command line's role, owner of the identity schema."""
        return f"{self.role_prefix}{service}"

    def database_url_for(self, service: str) -> str:
        """The URL a service (or ADMIN) connects with: host, port and database of
        HUIWU_DATABASE_URL, never its user; the role's own name and password
        (HUIWU_DATABASE_PASSWORD_<NAME>; without one, libpq looks in ~/.pgpass)."""
        if self.database_url is None:
            raise ValueError("HUIWU_DATABASE_URL is not set: the stores are SQLite files")
        parts = urlsplit(self.database_url)
        login = quote(self.role_for(service), safe="")
        password = self.database_passwords.get(service)
        if password:
            login += ":" + quote(password, safe="")
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address keeps its brackets
            host = f"[{host}]"
        netloc = f"{login}@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def sqlite_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.sqlite"

    def base_url(self, service: str) -> str:
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "") else self.http_host
        return f"http://{host}:{self.ports[service]}"

    def broker_password(self, principal: str) -> str:
        return self.broker_passwords.get(principal) or development_password(principal)

    def broker_uri(self, principal: str) -> str:
        """AMQP_URI's broker and virtual host, as `principal`'s own broker user: a service
        never connects as the user AMQP_URI names (docs/architecture.md, "Broker users")."""
        parts = urlsplit(self.amqp_uri)
        host = parts.netloc.rpartition("@")[2]
        user = quote(broker_user(principal), safe="")
        password = quote(self.broker_password(principal), safe="")
        return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))

    def nameko_config(self, service: str) -> dict[str, object]:
        return {
            "AMQP_URI": self.broker_uri(service),
            "WEB_SERVER_ADDRESS": f"{self.http_host}:{self.ports[service]}",
            "serializer": "json",
        }
