"""Checks `huiwu up` makes before starting anything: broker, database, free ports.

Each check returns a message for people (where it tried, what failed, how to fix it), or
None when all is well.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from services.common.amqp import safe_amqp_uri
from services.common.config import Settings

BROKER_HINT = (
    "start one: `rabbitmq-server -detached` (local install) or `docker-compose up -d rabbitmq`, "
    "or point AMQP_URI at a running broker"
)


def check_broker(amqp_uri: str, timeout: float = 3.0) -> str | None:
    """Connect once to RabbitMQ."""
    import amqp
    from kombu import Connection

    try:
        where = safe_amqp_uri(amqp_uri)
    except (ValueError, KeyError) as exc:
        return f"AMQP_URI is not a usable broker URI ({exc}); use amqp://user:password@host:5672/"
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout
            )
    except (amqp.exceptions.AccessRefused, amqp.exceptions.NotAllowed) as exc:
        return (
            f"RabbitMQ at {where} refused the connection: {exc}; "
            "check the user, password and virtual host in AMQP_URI"
        )
    except Exception as exc:  # noqa: BLE001 - any failure means no usable broker
        return f"RabbitMQ is not reachable at {where}: {exc or type(exc).__name__}; {BROKER_HINT}"
    return None


def check_broker_users(settings: Settings, services: list[str]) -> list[str]:
    """Each service connects as its own broker user (AMQP_URI's host and virtual host)."""
    problems = []
    for service in services:
        problem = check_broker(settings.broker_uri(service))
        if problem and "refused" not in problem:
            return [problem]  # no broker at all: once is enough
        if problem:
            problems.append(
                f"{problem}; the services' broker users are made by scripts/setup.sh "
                "(python -m huiwu.broker_users apply, see docs/operations.md)"
            )
    return problems


def safe_database_url(url: str) -> str:
    """The URL without its password, for messages people read."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def postgres_hint() -> str:
    root = Path("/etc/postgresql")
    versions = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    version = versions[-1] if len(versions) == 1 else "<version>"
    return (
        f"start it: `sudo pg_ctlcluster {version} main start` (local cluster) or "
        "`docker-compose up -d postgres`, or unset HUIWU_DATABASE_URL to use SQLite files"
    )


def check_database(database_url: str, timeout: int = 3) -> str | None:
    """Connect once to PostgreSQL."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=timeout):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure means no usable database
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return (
            f"PostgreSQL is not reachable at {safe_database_url(database_url)}: {reason}; "
            f"{postgres_hint()}"
        )
    return None


def port_taken(host: str, port: int) -> str | None:
    """Why a listener cannot bind host:port, or None when it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "in use"
            return exc.strerror or str(exc)
    return None


def check_ports(settings: Settings, services: Iterable[str]) -> list[str]:
    problems = []
    host = settings.http_host
    for service in services:
        port = settings.ports[service]
        reason = port_taken(host, port)
        if reason:
            problems.append(
                f"port {port} for {service} on {host} is not free ({reason}); stop what holds "
                f"it (another `huiwu up`?) or set HUIWU_PORT_{service.upper()} to a free port"
            )
    return problems


def preflight(settings: Settings, services: Iterable[str]) -> list[str]:
    """Every problem that would stop the services from starting; empty when ready."""
    services = list(services)
    problems = check_broker_users(settings, services)
    if settings.database_url:
        problem = check_database(settings.database_url)
        if problem:
            problems.append(problem)
    problems.extend(check_ports(settings, services))
    return problems
