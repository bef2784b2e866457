"""`huiwu up` as a person runs it: six service processes, prefixed logs, Ctrl-C stops all."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from services.common.registry import load
from tests.support.system import ROOT, free_port, wait_until

SERVICES = load().names


class Up:
    """A running `huiwu up` whose output is collected line by line."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "huiwu.cli", "up", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        def seen() -> bool:
            if text in self.output:
                return True
            if self.process.poll() is not None:
                raise AssertionError(f"huiwu up exited early:\n{self.output}")
            return False

        wait_until(seen, timeout=timeout, interval=0.2)

    def pids(self) -> dict[str, int]:
        found = re.findall(r"started (\w+) \(pid (\d+)\)", self.output)
        return {name: int(pid) for name, pid in found}

    def finish(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in self.pids().values():
            if is_runner(pid):
                os.kill(pid, signal.SIGKILL)


def is_runner(pid: int) -> bool:
    """True while pid is a live `huiwu.runner` process (not a zombie, not a reused pid)."""
    proc = Path(f"/proc/{pid}")
    try:
        cmdline = (proc / "cmdline").read_bytes()
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return b"huiwu.runner" in cmdline and state != "Z"


def runners_using(vhost_name: str) -> list[int]:
    """Every live runner process whose broker is this test's virtual host."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not is_runner(int(entry.name)):
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if vhost_name.encode() in environ:
            found.append(int(entry.name))
    return found


def up_env(amqp_uri: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUIWU_", "AMQP_"))}
    env.update({f"HUIWU_PORT_{name.upper()}": str(free_port()) for name in SERVICES})
    env.update({"AMQP_URI": amqp_uri, "HUIWU_DATA_DIR": str(tmp_path / "data")})
    return env


@pytest.fixture
def running():
    started: list[Up] = []
    yield lambda env, *args: started.append(Up(env, *args)) or started[-1]
    for up in started:
        up.kill()


def test_up_runs_every_service_and_ctrl_c_stops_them_all(vhost, tmp_path, running):
    env = up_env(vhost.uri, tmp_path)
    up = running(env)
    up.wait_for(f"all {len(SERVICES)} services ready")

    status = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status
    for name in SERVICES:
        port = env[f"HUIWU_PORT_{name.upper()}"]
        assert re.search(
            rf"^{name}\s*\| .*{name} listening on 127\.0\.0\.1:{port}$", up.output, re.M
        )
        assert f"{name} ready at http://127.0.0.1:{port}" in up.output
    pids = up.pids()
    assert sorted(pids) == sorted(SERVICES)
    assert all(is_runner(pid) for pid in pids.values())

    up.process.send_signal(signal.SIGINT)

    assert up.finish(timeout=20) == 0, up.output
    assert "SIGINT received" in up.output
    for name in SERVICES:
        assert f"{name} stopped (exited with code 0)" in up.output
    assert not [pid for pid in pids.values() if is_runner(pid)]
    assert runners_using(vhost.name) == []


def test_a_service_that_dies_stops_the_others_and_up_exits_1(vhost, tmp_path, running):
    up = running(up_env(vhost.uri, tmp_path), "--only", "vendors,checklist")
    up.wait_for("all 2 services ready")
    pids = up.pids()
    assert sorted(pids) == ["checklist", "vendors"]

    os.kill(pids["vendors"], signal.SIGKILL)

    assert up.finish(timeout=20) == 1, up.output
    assert "vendors was killed by SIGKILL; stopping the others" in up.output
    assert "checklist stopped" in up.output
    assert runners_using(vhost.name) == []


def test_up_without_a_broker_says_where_it_tried_and_how_to_start_one(tmp_path):
    port = free_port()
    env = up_env(f"amqp://guest:guest@127.0.0.1:{port}/", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", "up"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr
    assert "rabbitmq-server" in result.stderr
    assert "started" not in result.stdout


def test_up_names_a_port_that_is_taken(vhost, tmp_path):
    env = up_env(vhost.uri, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["HUIWU_PORT_REPORTING"])))
        taken.listen()
        result = subprocess.run(
            [sys.executable, "-m", "huiwu.cli", "up"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"port {env['HUIWU_PORT_REPORTING']} for reporting" in result.stderr
    assert "HUIWU_PORT_REPORTING" in result.stderr
