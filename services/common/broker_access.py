"""Who may do what on the broker: one RabbitMQ user per service, and the auditor.

Computed from the registry, so the set-up script, docker-compose's definitions and the
tests grant exactly the same (docs/architecture.md, "Broker users"). RabbitMQ permissions
are three regular expressions over resource names (configure, write, read):

- a service writes only its own exchanges (events and doorbell), the dead letters and
  nameko's RPC exchange (requests and replies); it reads only its own queues, the
  upstream doorbells it binds to (and their events exchanges, only to take a binding
  made before doorbells away), and the RPC exchange its queues bind to;
- the auditor may only call RPC (read logs) and receive its replies.

No service may set another's AMQP `user_id` (none has the `impersonator` tag), which is
what makes an event's publisher known.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .config import AUDITOR, broker_user
from .exchanges import doorbell_exchange, events_exchange
from .registry import Registry

RPC_EXCHANGE = "nameko-rpc"
DEAD_LETTERS = "huiwu.dead-letters"


def reply_queue_prefix(principal: str) -> str:
    """Reply queues of `principal`'s RPC calls are named `rpc.reply-huiwu-<principal>-<uuid>`."""
    return f"rpc.reply-{broker_user(principal)}-"


@dataclass(frozen=True)
class Permissions:
    user: str
    configure: str
    write: str
    read: str


def _any_of(names: Iterable[str], prefixes: Iterable[str] = ()) -> str:
    parts = [re.escape(name) for name in names]
    parts += [re.escape(prefix) + ".*" for prefix in prefixes]
    return "^(" + "|".join(parts) + ")$"


def service_permissions(registry: Registry, service: str) -> Permissions:
    upstreams = registry.upstreams(service)
    own_exchanges = [events_exchange(service), doorbell_exchange(service)]
    own_queues = [f"{service}.{upstream}-events" for upstream in upstreams]
    own_queues += [f"{service}.dead-letters", f"rpc-{service}"]
    doorbells = [doorbell_exchange(upstream) for upstream in upstreams]
    # Read on an upstream's events exchange only to take a binding made before doorbells
    # away (service.UpstreamConsumer); no queue of a service binds to it.
    unbound = [events_exchange(upstream) for upstream in upstreams]
    replies = [reply_queue_prefix(service)]
    return Permissions(
        broker_user(service),
        # Upstream doorbells: declared if missing, so start order does not matter.
        configure=_any_of(
            [*own_exchanges, DEAD_LETTERS, RPC_EXCHANGE, *doorbells, *own_queues], replies
        ),
        # Write on a queue is what binding it takes; messages go only to exchanges.
        write=_any_of([*own_exchanges, DEAD_LETTERS, RPC_EXCHANGE, *own_queues], replies),
        read=_any_of([DEAD_LETTERS, RPC_EXCHANGE, *doorbells, *unbound, *own_queues], replies),
    )


def auditor_permissions() -> Permissions:
    pattern = _any_of([RPC_EXCHANGE], [reply_queue_prefix(AUDITOR)])
    return Permissions(broker_user(AUDITOR), pattern, pattern, pattern)


def every_permission(registry: Registry) -> list[Permissions]:
    return [service_permissions(registry, name) for name in registry.names] + [
        auditor_permissions()
    ]


def log_readers(registry: Registry, service: str) -> frozenset[str]:
    """Who may read `service`'s notification log over RPC: the broker users of the services
    that follow it (by the registry), and the auditor."""
    followers = [name for name in registry.names if service in registry.upstreams(name)]
    return frozenset([*(broker_user(name) for name in followers), broker_user(AUDITOR)])


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(
    registry: Registry,
    vhost: str,
    password: Callable[[str], str],
    extra_users: Iterable[dict[str, Any]] = (),
    extra_permissions: Iterable[dict[str, str]] = (),
) -> dict[str, Any]:
    """A RabbitMQ definitions document: the virtual host, every service user and the
    auditor with its password (`password(principal)`) and permissions there. Importing it
    again changes nothing but the passwords' salt."""
    principals = [*registry.names, AUDITOR]
    users = [
        {
            "name": broker_user(principal),
            "password_hash": password_hash(password(principal)),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": [],
        }
        for principal in principals
    ]
    permissions = [
        {
            "user": p.user,
            "vhost": vhost,
            "configure": p.configure,
            "write": p.write,
            "read": p.read,
        }
        for p in every_permission(registry)
    ]
    return {
        "users": [*users, *extra_users],
        "vhosts": [{"name": vhost}],
        "permissions": [*permissions, *extra_permissions],
    }
