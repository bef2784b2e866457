"""Configuration from the environment, with defaults that work on a developer machine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("registration", "budget", "vendors", "speakers", "checklist", "reporting")

DEFAULT_PORTS = {
    "registration": 8001,
    "budget": 8002,
    "vendors": 8003,
    "speakers": 8004,
    "checklist": 8005,
    "reporting": 8006,
}

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its surroundings."""

    amqp_uri: str = DEFAULT_AMQP_URI
    data_dir: Path = Path("var")
    database_url: str | None = None
    schema_prefix: str = ""
    http_host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    relay_interval: float = 1.0
    relay_batch_size: int = 500
    catch_up_interval: float = 15.0
    rpc_timeout: float = 10.0
    consumer_max_attempts: int = 3
    consumer_retry_delay: float = 0.2
    failpoints: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        ports = dict(DEFAULT_PORTS)
        for service in SERVICES:
            name = f"HUIWU_PORT_{service.upper()}"
            if env.get(name):
                ports[service] = int(_float(env, name, ports[service]))
        database_url = env.get("HUIWU_DATABASE_URL") or None
        if database_url and not database_url.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                f"HUIWU_DATABASE_URL must be a postgresql:// URL, got {database_url!r}"
            )
        return cls(
            amqp_uri=env.get("AMQP_URI") or DEFAULT_AMQP_URI,
            data_dir=Path(env.get("HUIWU_DATA_DIR") or "var"),
            database_url=database_url,
            schema_prefix=env.get("HUIWU_SCHEMA_PREFIX", ""),
            http_host=env.get("HUIWU_HTTP_HOST") or "127.0.0.1",
            ports=ports,
            relay_interval=_float(env, "HUIWU_RELAY_INTERVAL", 1.0),
            catch_up_interval=_float(env, "HUIWU_CATCH_UP_INTERVAL", 15.0),
            rpc_timeout=_float(env, "HUIWU_RPC_TIMEOUT", 10.0),
            consumer_max_attempts=int(_float(env, "HUIWU_CONSUMER_MAX_ATTEMPTS", 3)),
            consumer_retry_delay=_float(env, "HUIWU_CONSUMER_RETRY_DELAY", 0.2),
            failpoints=env.get("HUIWU_FAILPOINTS", ""),
        )

    def schema_for(self, service: str) -> str:
        """PostgreSQL schema that holds one service's tables."""
        return f"{self.schema_prefix}{service}"

    def sqlite_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.sqlite"

    def base_url(self, service: str) -> str:
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "") else self.http_host
        return f"http://{host}:{self.ports[service]}"

    def nameko_config(self, service: str) -> dict[str, object]:
        return {
            "AMQP_URI": self.amqp_uri,
            "WEB_SERVER_ADDRESS": f"{self.http_host}:{self.ports[service]}",
            "serializer": "json",
        }
