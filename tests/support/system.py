"""Real service processes for integration and end-to-end tests.

Each service runs as `python -m huiwu.runner <name>`, exactly as `huiwu up` starts it,
against the real broker (a virtual host of the test's own) and a store of the test's own.
The services are those of the registry (`HUIWU_REGISTRY` in the store environment names
another one). When a test ends, every service must stop cleanly on SIGTERM and must have
logged no error the test did not expect (`System.expect_errors`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from amqp.exceptions import ChannelError
from kombu import Connection

from huiwu.broker_users import apply
from services.common import registry
from services.common.broker_access import definitions
from services.common.config import Settings, development_password
from services.common.token_store import TokenStore
from services.common.tokens import token_id_of

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(names: Any) -> dict[str, int]:
    """A distinct free port for each name (the kernel may hand out one port twice)."""
    sockets = []
    try:
        for _ in names:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)  # held until all are chosen: no port is given twice
        return {name: s.getsockname()[1] for name, s in zip(names, sockets, strict=True)}
    finally:
        for sock in sockets:
            sock.close()


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


def http(
    method: str,
    url: str,
    body: Any = None,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
) -> Response:
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return Response(reply.status, reply.read(), reply.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.headers.get("Content-Type", ""))


def grant_users(services: registry.Registry, vhost: str) -> None:
    """The broker users of `services`, with their permissions on `vhost`."""
    apply(definitions(services, vhost, development_password))


def upstreams_of(service: str, source: str = registry.BUILT_IN) -> tuple[str, ...]:
    """The services it follows, as its line in the registry declares them."""
    return registry.load(source).upstreams(service)


def consumers(amqp_uri: str, queue: str) -> int:
    """How many consumers a queue has (0 when it does not exist yet)."""
    with Connection(amqp_uri) as conn:
        try:
            return conn.default_channel.queue_declare(queue, passive=True).consumer_count
        except ChannelError:
            return 0


LOG_RECORD = re.compile(r"^\d{4}-\d{2}-\d{2} [\d:,]+ (?P<level>[A-Z]+) ")


class Identities:
    """Tokens of a test's principals, made in the system's own token table as the `huiwu`
    CLI makes them; each (name, role, conference) gets one, on first use."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._tokens: dict[tuple[str, str, str | None], str] = {}

    def token(
        self,
        name: str = "admin",
        role: str = "admin",
        conference_id: str | None = None,
        expires_at: Any = None,
    ) -> str:
        key = (name, role, conference_id)
        if expires_at is not None or key not in self._tokens:
            store = TokenStore(Settings.from_env(self.env))
            try:
                _, token = store.create(name, role, conference_id, expires_at)
            finally:
                store.close()
            if expires_at is not None:
                return token
            self._tokens[key] = token
        return self._tokens[key]

    def revoke(self, token: str) -> None:
        store = TokenStore(Settings.from_env(self.env))
        try:
            store.revoke(token_id_of(token))
        finally:
            store.close()


def _acting(path: str, body: Any) -> tuple[str, Any, str | None]:
    """Tests say who acts as `"actor": "li"` in a body (or `actor=li` in a query string):
    that becomes li's token, and the field leaves the request."""
    who = None
    if isinstance(body, dict) and "actor" in body:
        body = dict(body)
        who = body.pop("actor")
    base, _, query_string = path.partition("?")
    if query_string:
        pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k != "actor"]
        if len(kept) != len(pairs):
            who = next(v for k, v in pairs if k == "actor")
            path = base + ("?" + urllib.parse.urlencode(kept) if kept else "")
    return path, body, who


class ServiceProcess:
    def __init__(
        self,
        name: str,
        env: dict[str, str],
        port: int,
        log_dir: Path,
        identities: Identities | None = None,
    ) -> None:
        self.name = name
        self.env = env
        self.identities = identities or Identities(env)
        self.port = port
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.killed = False  # by the test, on purpose: its exit code is not a failure
        self.asked_to_stop = False  # SIGTERM sent by stop_all, which then waits for each

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def upstreams(self) -> tuple[str, ...]:
        return upstreams_of(self.name, self.env.get("HUIWU_REGISTRY") or registry.BUILT_IN)

    def start(self, extra_env: dict[str, str] | None = None, wait: bool = True) -> ServiceProcess:
        env = {**self.env, **(extra_env or {})}
        log = self.log_path.open("ab")
        self.killed = False
        self.asked_to_stop = False
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
        for upstream in self.upstreams:
            wait_until(
                lambda u=upstream: consumers(self.env["AMQP_URI"], f"{self.name}.{u}-events"),
                timeout=timeout,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.killed = True
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def ask_to_stop(self) -> None:
        """SIGTERM, without waiting: services of a system stop side by side."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.asked_to_stop = True

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (unless asked already), and its exit code; an AssertionError if it does
        not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        if not self.asked_to_stop:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} did not stop on SIGTERM:\n{self.log_tail()}"
            ) from None

    def exited_on_its_own(self) -> int | None:
        """The exit code of a process that died without being asked to (else None)."""
        if self.process is None or self.killed:
            return None
        code = self.process.poll()
        return code if code not in (None, 0) else None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def unexpected_errors(self, expected: list[str]) -> list[str]:
        """Log records at ERROR or above, and tracebacks outside them, none expected."""
        if not self.log_path.exists():
            return []
        found, level, header = [], "INFO", ""
        for line in self.log_path.read_text(errors="replace").splitlines():
            record = LOG_RECORD.match(line)
            if record:
                level, header = record["level"], line
                if level in ("ERROR", "CRITICAL") and not _expected(line, expected):
                    found.append(line)
            elif (
                line.startswith("Traceback")
                and level not in ("ERROR", "CRITICAL")
                and not _expected(header, expected)
            ):
                found.append(f"a traceback after: {header or '(start of log)'}")
        return found

    # HTTP helpers: each request carries a token, an admin's unless `as_` names another
    # principal (made an admin) or `token` is given; `token=""` sends none.
    @property
    def headers(self) -> dict[str, str]:
        return self.auth()

    def auth(self, as_: str | None = None, token: str | None = None) -> dict[str, str]:
        if token is None:
            token = self.identities.token(as_ or "admin")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(
        self, path: str, as_: str | None = None, token: str | None = None, **kwargs: Any
    ) -> Response:
        who = None
        if as_ is None and token is None:
            path, _, who = _acting(path, None)
        headers = {**self.auth(as_ or who, token), **kwargs.pop("headers", {})}
        return http("GET", self.url + path, headers=headers, **kwargs)

    def post(
        self,
        path: str,
        body: Any = None,
        as_: str | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> Response:
        who = None
        if as_ is None and token is None:  # else a body's "actor" is sent as it is
            path, body, who = _acting(path, body)
        headers = {**self.auth(as_ or who, token), **kwargs.pop("headers", {})}
        body = body if body is not None else {}
        return http("POST", self.url + path, body, headers=headers, **kwargs)

    def delete(self, path: str, as_: str | None = None, token: str | None = None) -> Response:
        return http("DELETE", self.url + path, headers=self.auth(as_, token))

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample on /metrics; a LookupError when no such sample exists."""
        return metric_value(self.get("/metrics").text, name, **labels)


def metric_value(text: str, name: str, **labels: str) -> float:
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
    raise LookupError(f"no sample {name}{labels or ''} in the metrics")


def _expected(line: str, expected: list[str]) -> bool:
    return any(pattern in line for pattern in expected)


class System:
    """A set of services sharing one broker virtual host and one store location."""

    def __init__(self, amqp_uri: str, store_env: dict[str, str], log_dir: Path) -> None:
        self.amqp_uri = amqp_uri
        self.store_env = store_env
        self.log_dir = log_dir
        self.services: dict[str, ServiceProcess] = {}
        self.registry = registry.load(store_env.get("HUIWU_REGISTRY") or registry.BUILT_IN)
        if self.registry.source != registry.BUILT_IN:  # its services need broker users too
            grant_users(self.registry, unquote(urlsplit(amqp_uri).path[1:]))
        self.ports = free_ports(self.registry.names)
        self.expected_errors: list[str] = []
        self.identities = Identities(self.env())

    def token(
        self, name: str, role: str = "admin", conference_id: str | None = None, **kwargs: Any
    ) -> str:
        """A token for `name` in this system's token table (see `Identities`)."""
        return self.identities.token(name, role, conference_id, **kwargs)

    def expect_errors(self, *patterns: str) -> None:
        """Log lines containing any of these are part of what the test provokes."""
        self.expected_errors += patterns

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

    def start(
        self, *names: str, extra_env: dict[str, str] | None = None, timeout: float = 30.0
    ) -> System:
        for name in names:
            if name not in self.services:
                self.services[name] = ServiceProcess(
                    name, self.env(), self.ports[name], self.log_dir, self.identities
                )
            self.services[name].start(extra_env, wait=False)
        for name in names:
            self.services[name].wait_healthy(timeout)
        return self

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def stop_all(self) -> list[str]:
        """Stop every service; what went wrong: a bad exit, no stop on SIGTERM, an error."""
        problems = []
        died_before = {name: s.exited_on_its_own() for name, s in self.services.items()}
        for service in self.services.values():
            service.ask_to_stop()
        for name, service in self.services.items():
            died = died_before[name]
            try:
                code = service.stop()
            except AssertionError as exc:
                problems.append(str(exc).splitlines()[0])
                continue
            if died is not None:
                problems.append(f"{name} had exited on its own with code {died}")
            elif code not in (None, 0) and not service.killed:
                problems.append(f"{name} exited with code {code} on SIGTERM")
            problems += [
                f"{name}: {line}" for line in service.unexpected_errors(self.expected_errors)
            ]
        return problems

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n{service.log_tail(60)}" for name, service in self.services.items()
        )


def wait_settled(system: System, timeout: float = 20.0) -> None:
    """Wait until every running service has applied every event its running upstreams
    stored: services that record events of their own from others' (checklist, budget)
    have then recorded all they will, so that what a test counts next stays counted."""
    running = set(system.services)
    behind: dict[str, tuple[float, float]] = {}

    def caught_up() -> bool:
        behind.clear()
        for name in running:
            for upstream in set(system[name].upstreams) & running:
                stored = system[upstream].metric("huiwu_events_stored", service=upstream)
                applied = system[name].metric(
                    "huiwu_consumer_messages_total",
                    service=name,
                    upstream=upstream,
                    outcome="processed",
                )
                if applied < stored and applied < events_in(upstream):
                    behind[f"{name}<-{upstream}"] = (applied, stored)
        return not behind

    def events_in(upstream: str) -> int:
        """How many events the upstream's log holds: on PostgreSQL a write rolled back
        leaves its notification id unused, so the highest id may count one never stored."""
        from tests.support.stores import OpenStores  # imports the services' stores

        if not opened:
            opened.append(OpenStores(system))
        return len(opened[0].app(upstream).select_notifications(1, 1_000_000))

    opened: list[Any] = []
    try:
        wait_until(caught_up, timeout=timeout)
    except AssertionError:
        raise AssertionError(f"not settled within {timeout}s: (applied, stored) {behind}") from None
    finally:
        for store in opened:
            store.close()


def running_system(amqp_uri: str, env: dict[str, str], tmp_path: Path, request: Any):
    """A fixture's body: a System for the test; at its end, every service stopped, its logs
    shown if the test failed, and the test failed if a service did not end cleanly."""
    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)
    system = System(amqp_uri, env, log_dir)
    yield system
    problems = system.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(system.logs())
    elif problems:
        print(system.logs())
        pytest.fail("the services did not end cleanly:\n" + "\n".join(problems), pytrace=False)
