"""The supervisor behind `huiwu up` and its checks, with stand-in child processes."""

from __future__ import annotations

import io
import socket
import sys
import threading
import time

import pytest

from huiwu import preflight
from huiwu.up import Child, Supervisor, describe_exit
from services.common.config import Settings
from tests.support.fake_http import FakeService
from tests.support.system import free_port, wait_until

HEALTHY = {("GET", "/health"): (200, {"ok": True})}


def child_command(code: str) -> list[str]:
    return [sys.executable, "-c", code]


SERVE = "import sys, time; print('hello from', sys.argv[0], flush=True); time.sleep(60)"
DEAF = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('deaf', flush=True); time.sleep(60)"
)


def supervisor(children: list[Child], **kwargs) -> tuple[Supervisor, io.StringIO]:
    out = io.StringIO()
    return Supervisor(children, env={}, out=out, poll_interval=0.05, **kwargs), out


def stop_once(sup: Supervisor, out: io.StringIO, *texts: str) -> None:
    """Ask the supervisor to stop (as its signal handler does) once `texts` were printed."""

    def later() -> None:
        wait_until(lambda: all(text in out.getvalue() for text in texts))
        sup.request_stop()

    threading.Thread(target=later, daemon=True).start()


@pytest.fixture
def health():
    with FakeService(HEALTHY) as service:
        yield f"{service.url}/health"


def test_output_is_prefixed_and_a_stop_request_stops_every_child(health):
    children = [
        Child("vendors", child_command(SERVE), health),
        Child("reporting", child_command(SERVE), health),
    ]
    sup, out = supervisor(children)
    stop_once(sup, out, "all 2 services ready", "vendors   | hello", "reporting | hello")
    assert sup.run() == 0
    lines = out.getvalue().splitlines()
    assert "vendors   | hello from -c" in lines
    assert "reporting | hello from -c" in lines
    assert any(line.startswith("huiwu     | vendors ready at") for line in lines)
    assert "huiwu     | all services stopped" in lines
    assert all(child.process.poll() is not None for child in children)


def test_a_child_that_dies_stops_the_others_and_exits_1(health):
    dying = Child("budget", child_command("import sys, time; time.sleep(0.3); sys.exit(3)"), health)
    staying = Child("speakers", child_command(SERVE), health)
    sup, out = supervisor([dying, staying])
    assert sup.run() == 1
    assert "budget exited with code 3; stopping the others" in out.getvalue()
    assert staying.process.poll() is not None


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(health):
    deaf = Child("checklist", child_command(DEAF), health)
    sup, out = supervisor([deaf], stop_timeout=0.5)
    stop_once(sup, out, "checklist | deaf")
    started = time.monotonic()
    assert sup.run() == 0
    assert time.monotonic() - started < 10
    assert "checklist did not stop in time; sending SIGKILL" in out.getvalue()
    assert deaf.process.returncode == -9


def test_exit_descriptions():
    assert describe_exit(0) == "exited with code 0"
    assert describe_exit(-9) == "was killed by SIGKILL"


def test_a_closed_broker_port_says_where_and_how_to_start_one():
    port = free_port()
    problem = preflight.check_broker(f"amqp://guest:secret@127.0.0.1:{port}/", timeout=1)
    assert f"127.0.0.1:{port}" in problem
    assert "rabbitmq-server" in problem and "docker-compose up -d rabbitmq" in problem
    assert "secret" not in problem


def test_an_unreachable_database_says_where_and_how_to_start_one():
    port = free_port()
    problem = preflight.check_database(f"postgresql://app:secret@127.0.0.1:{port}/huiwu", 1)
    assert f"postgresql://app:***@127.0.0.1:{port}/huiwu" in problem
    assert "pg_ctlcluster" in problem and "docker-compose up -d postgres" in problem
    assert "secret" not in problem


def test_a_taken_port_is_named():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings.from_env({"HUIWU_PORT_VENDORS": str(port)})
        (problem,) = preflight.check_ports(settings, ["vendors"])
    assert f"port {port} for vendors" in problem
    assert "HUIWU_PORT_VENDORS" in problem
    assert preflight.check_ports(settings, ["vendors"]) == []


def test_a_child_that_cannot_be_started_stops_those_already_started(health):
    first = Child("registration", child_command(SERVE), health)
    missing = Child("budget", ["/nonexistent/python", "-m", "huiwu.runner", "budget"], health)
    sup, out = supervisor([first, missing])
    assert sup.run() == 1
    assert "cannot start budget" in out.getvalue()
    assert first.process.poll() is not None
