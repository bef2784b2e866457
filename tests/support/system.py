"""Real service processes for integration and end-to-end tests.

Each service runs as `python -m huiwu.runner <name>`, exactly as `huiwu up` starts it,
against the real broker (a virtual host of the test's own) and a store of the test's own.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amqp.exceptions import ChannelError
from kombu import Connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll until predicate returns something truthy; fail with what it returned last."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


class Response:
    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status = status
        self.raw = body
        self.content_type = content_type

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8")

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.raw[:300]!r}>"


def http(method: str, url: str, body: Any = None, timeout: float = 30.0) -> Response:
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Response(reply.status, reply.read(), reply.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.headers.get("Content-Type", ""))


def upstreams_of(service: str) -> tuple[str, ...]:
    """The services it follows, as its own kernel declares them."""
    module = importlib.import_module(f"services.{service}.service")
    return tuple(module.Service.kernel.upstreams)


def consumers(amqp_uri: str, queue: str) -> int:
    """How many consumers a queue has (0 when it does not exist yet)."""
    with Connection(amqp_uri) as conn:
        try:
            return conn.default_channel.queue_declare(queue, passive=True).consumer_count
        except ChannelError:
            return 0


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], port: int, log_dir: Path) -> None:
        self.name = name
        self.env = env
        self.port = port
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None, wait: bool = True) -> ServiceProcess:
        env = {**self.env, **(extra_env or {})}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "huiwu.runner", self.name],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        def healthy() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                return http("GET", f"{self.url}/health", timeout=2).status == 200
            except OSError:
                return False

        wait_until(healthy, timeout=timeout)
        # /health answers before nameko has bound the consumers' queues; an event published
        # in between reaches no queue, which only the catch-up from the log would repair.
        for upstream in upstreams_of(self.name):
            wait_until(
                lambda u=upstream: consumers(self.env["AMQP_URI"], f"{self.name}.{u}-events"),
                timeout=timeout,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} did not stop on SIGTERM:\n{self.log_tail()}"
            ) from None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # HTTP helpers
    def get(self, path: str, **kwargs: Any) -> Response:
        return http("GET", self.url + path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return http("POST", self.url + path, body if body is not None else {}, **kwargs)

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample on /metrics (0 when absent)."""
        text = self.get("/metrics").text
        for line in text.splitlines():
            if line.startswith("#") or not line.startswith(name):
                continue
            sample, _, value = line.rpartition(" ")
            metric_name, _, label_text = sample.partition("{")
            if metric_name != name:
                continue
            found = dict(
                part.split("=", 1) for part in label_text.rstrip("}").split(",") if "=" in part
            )
            found = {k: v.strip('"') for k, v in found.items()}
            if all(found.get(k) == v for k, v in labels.items()):
                return float(value)
        return 0.0


class System:
    """A set of services sharing one broker virtual host and one store location."""

    def __init__(self, amqp_uri: str, store_env: dict[str, str], log_dir: Path) -> None:
        self.amqp_uri = amqp_uri
        self.store_env = store_env
        self.log_dir = log_dir
        self.services: dict[str, ServiceProcess] = {}
        self.ports = {
            name: free_port()
            for name in ("registration", "budget", "vendors", "speakers", "checklist", "reporting")
        }

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HUIWU_", "AMQP_")) and k != "PYTHONWARNINGS"
        }
        env.update(self.store_env)
        env.update(
            {
                "AMQP_URI": self.amqp_uri,
                "HUIWU_RELAY_INTERVAL": "0.5",
                "HUIWU_CATCH_UP_INTERVAL": "2",
                "HUIWU_RPC_TIMEOUT": "5",
                "HUIWU_CONSUMER_RETRY_DELAY": "0.05",
                "PYTHONWARNINGS": "ignore",
            }
        )
        env.update({f"HUIWU_PORT_{k.upper()}": str(v) for k, v in self.ports.items()})
        return env

    def start(self, *names: str, extra_env: dict[str, str] | None = None) -> System:
        for name in names:
            if name not in self.services:
                self.services[name] = ServiceProcess(
                    name, self.env(), self.ports[name], self.log_dir
                )
            self.services[name].start(extra_env, wait=False)
        for name in names:
            self.services[name].wait_healthy()
        return self

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def stop_all(self) -> None:
        for service in self.services.values():
            with contextlib.suppress(AssertionError):  # already killed and reported
                service.stop()

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n{service.log_tail(60)}" for name, service in self.services.items()
        )
