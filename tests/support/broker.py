"""A RabbitMQ virtual host per test, so queues and exchanges never leak between tests.

The test's own user (guest by default) may do anything there; the services' users and the
auditor get exactly the permissions a deployment grants them (services/common/
broker_access.py), made in one `rabbitmqctl import_definitions`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from urllib.parse import quote

from huiwu.broker_users import apply
from services.common import registry
from services.common.broker_access import definitions
from services.common.config import development_password

BROKER_HOST = os.environ.get("HUIWU_TEST_AMQP_HOST", "127.0.0.1:5672")
BROKER_USER = os.environ.get("HUIWU_TEST_AMQP_USER", "guest")
BROKER_PASSWORD = os.environ.get("HUIWU_TEST_AMQP_PASSWORD", "guest")


def rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


class VirtualHost:
    def __init__(self, registry_module: str = registry.BUILT_IN) -> None:
        self.name = f"huiwu-test-{uuid.uuid4().hex[:12]}"
        self.registry = registry.load(registry_module)

    @property
    def uri(self) -> str:
        return self.uri_for(BROKER_USER, BROKER_PASSWORD)

    def uri_for(self, user: str, password: str) -> str:
        return f"amqp://{user}:{password}@{BROKER_HOST}/{quote(self.name, safe='')}"

    def user_uri(self, principal: str) -> str:
        """As a service's (or the auditor's) broker user, with its development password."""
        return self.uri_for(f"huiwu-{principal}", development_password(principal))

    def create(self) -> VirtualHost:
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        apply(
            definitions(
                self.registry,
                self.name,
                development_password,
                extra_permissions=[{"user": BROKER_USER, "vhost": self.name, **everything}],
            )
        )
        return self

    def grant(self, principal: str) -> None:
        """Give a user its permissions here again (after a test revoked them)."""
        (permissions,) = [
            p
            for p in definitions(self.registry, self.name, development_password)["permissions"]
            if p["user"] == f"huiwu-{principal}"
        ]
        rabbitmqctl(
            "set_permissions",
            "-p",
            self.name,
            permissions["user"],
            permissions["configure"],
            permissions["write"],
            permissions["read"],
        )

    def revoke(self, principal: str) -> None:
        """Take a user's permissions here away and close its connections: it is cut off."""
        user = f"huiwu-{principal}"
        rabbitmqctl("clear_permissions", "-p", self.name, user)
        rabbitmqctl("close_all_user_connections", user, "access revoked by the test")

    def delete(self) -> None:
        """Delete it in the background: the test is over, and the next one's start need not
        wait for the broker's command-line tool (half a second each). `settle_deletes`
        waits for them all."""
        ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
        _deleting.append(
            subprocess.Popen(
                [ctl, "-q", "delete_vhost", self.name],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )


_deleting: list[subprocess.Popen] = []


def settle_deletes(timeout: float = 120) -> list[str]:
    """Wait for the virtual hosts being deleted; what failed, and why."""
    failed = []
    while _deleting:
        process = _deleting.pop()
        _, stderr = process.communicate(timeout=timeout)
        if process.returncode != 0:
            failed.append(f"{' '.join(process.args[-2:])}: {stderr.decode().strip()}")
    return failed
