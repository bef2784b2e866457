"""A RabbitMQ virtual host per test, so queues and exchanges never leak between tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from urllib.parse import quote

BROKER_HOST = os.environ.get("HUIWU_TEST_AMQP_HOST", "127.0.0.1:5672")
BROKER_USER = os.environ.get("HUIWU_TEST_AMQP_USER", "guest")
BROKER_PASSWORD = os.environ.get("HUIWU_TEST_AMQP_PASSWORD", "guest")


def _rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


class VirtualHost:
    def __init__(self) -> None:
        self.name = f"huiwu-test-{uuid.uuid4().hex[:12]}"

    @property
    def uri(self) -> str:
        return f"amqp://{BROKER_USER}:{BROKER_PASSWORD}@{BROKER_HOST}/{quote(self.name, safe='')}"

    def create(self) -> VirtualHost:
        _rabbitmqctl("add_vhost", self.name)
        _rabbitmqctl("set_permissions", "-p", self.name, BROKER_USER, ".*", ".*", ".*")
        return self

    def delete(self) -> None:
        _rabbitmqctl("delete_vhost", self.name)
