"""`huiwu up`: run services as child processes, prefix their logs, stop them together.

Children run in process groups of their own, so a Ctrl-C in the terminal reaches only the
supervisor, which then stops every child with SIGTERM (SIGKILL after a grace period). On
Linux a child also gets SIGTERM if the supervisor itself dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

COLOURS = ("36", "33", "35", "32", "34", "31")
SUPERVISOR = "huiwu"
PR_SET_PDEATHSIG = 1


def runner_command(service: str) -> list[str]:
    return [sys.executable, "-m", "huiwu.runner", service]


def health_ok(url: str, timeout: float = 1.0) -> tuple[bool, str]:
    """(True, "") when GET url answers 200, else (False, why)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status == 200, f"HTTP {answer.status}"
    except urllib.error.HTTPError as error:
        return False, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return False, str(getattr(error, "reason", error))


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec function asking Linux to SIGTERM the child when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return preexec


@dataclass
class Child:
    name: str
    command: Sequence[str]
    health_url: str
    process: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = None
    ready: bool = False
    last_health: str = "not started"
    warned_slow: bool = False


@dataclass
class Supervisor:
    """Starts every child, prints their output line by line, stops them all on a signal."""

    children: list[Child]
    env: Mapping[str, str]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    colour: bool = False
    stop_timeout: float = 15.0
    ready_timeout: float = 60.0
    poll_interval: float = 0.25
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _signals: list[int] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max(len(SUPERVISOR), *(len(child.name) for child in self.children))

    # -- output ---------------------------------------------------------------------
    def say(self, text: str, source: str = SUPERVISOR) -> None:
        prefix = f"{source.ljust(self.width)} |"
        if self.colour:
            names = [child.name for child in self.children]
            code = "1" if source not in names else COLOURS[names.index(source) % len(COLOURS)]
            prefix = f"\033[{code}m{prefix}\033[0m"
        with self._lock, contextlib.suppress(OSError):  # a closed terminal must not stop us
            self.out.write(f"{prefix} {text}\n" if text else f"{prefix}\n")
            self.out.flush()

    def _pump(self, child: Child) -> None:
        assert child.process is not None and child.process.stdout is not None
        for raw in iter(child.process.stdout.readline, b""):
            self.say(raw.decode("utf-8", errors="replace").rstrip("\r\n"), child.name)
        child.process.stdout.close()

    # -- signals --------------------------------------------------------------------
    def request_stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self._signals.append(signum)
        self._stop.set()

    @contextlib.contextmanager
    def _signal_handlers(self):
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.request_stop) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    # -- life cycle -----------------------------------------------------------------
    def run(self) -> int:
        """Run until a signal (exit 0) or until a child dies on its own (exit 1)."""
        failed = True
        with self._signal_handlers():
            try:
                failed = not self._start_all() or self._watch()
            finally:
                self._stop_all()
        return 1 if failed else 0

    def _start_all(self) -> bool:
        """Start every child; False (after saying why) when one cannot be started."""
        env = {**self.env, "PYTHONUNBUFFERED": "1"}
        preexec = _parent_death_signal()
        for child in self.children:  # fork every child before any reader thread exists
            try:
                child.process = subprocess.Popen(
                    list(child.command),
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    process_group=0,
                    preexec_fn=preexec,
                )
            except OSError as exc:
                self.say(f"cannot start {child.name} ({' '.join(child.command)}): {exc}")
                return False
        for child in self.children:
            assert child.process is not None
            self.say(f"started {child.name} (pid {child.process.pid})")
            child.reader = threading.Thread(
                target=self._pump, args=(child,), name=f"log-{child.name}", daemon=True
            )
            child.reader.start()
        return True

    def _watch(self) -> bool:
        """Wait for a stop request; True when a child died on its own first."""
        started = time.monotonic()
        announced = False
        while not self._stop.is_set():
            for child in self.children:
                assert child.process is not None
                code = child.process.poll()
                if code is not None:
                    self.say(f"{child.name} {describe_exit(code)}; stopping the others")
                    return True
            for child in self.children:
                if self._stop.is_set():
                    break
                if not child.ready:
                    self._check_ready(child, time.monotonic() - started)
            if not announced and all(child.ready for child in self.children):
                announced = True
                self.say(f"all {len(self.children)} services ready; Ctrl-C stops them")
            self._stop.wait(self.poll_interval)
        name = signal.Signals(self._signals[0]).name if self._signals else "stop"
        self.say(f"{name} received; stopping {len(self.children)} services")
        return False

    def _check_ready(self, child: Child, elapsed: float) -> None:
        child.ready, child.last_health = health_ok(child.health_url)
        if child.ready:
            base = child.health_url.rsplit("/health", 1)[0]
            self.say(f"{child.name} ready at {base}")
        elif elapsed > self.ready_timeout and not child.warned_slow:
            child.warned_slow = True
            self.say(
                f"{child.name} is not healthy after {self.ready_timeout:g}s "
                f"({child.health_url}: {child.last_health}); still waiting"
            )

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        handled = len(self._signals)
        while any(c.process.poll() is None for c in running) and time.monotonic() < deadline:
            if len(self._signals) > handled:
                self.say("second signal: killing the services now")
                break
            time.sleep(0.1)
        for child in running:
            if child.process.poll() is None:
                self.say(f"{child.name} did not stop in time; sending SIGKILL")
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                child.process.wait()
        for child in self.children:
            if child.reader is not None:
                child.reader.join(timeout=2)
        for child in running:
            self.say(f"{child.name} stopped ({describe_exit(child.process.returncode)})")
        self.say("all services stopped")


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def supervise(
    services: Sequence[str],
    base_urls: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run `python -m huiwu.runner <service>` for each service until Ctrl-C."""
    out = out or sys.stdout
    colour = out.isatty() and not os.environ.get("NO_COLOR")
    children = [Child(name, runner_command(name), f"{base_urls[name]}/health") for name in services]
    supervisor = Supervisor(children, dict(os.environ if env is None else env), out, colour)
    return supervisor.run()
