"""The nameko side of the kernel: small dependency providers over a service's built graph.

`Wiring` builds the graph once per container with the service's `bootstrap`; each
provider then runs and serves one part of it:

- `Outbox`: what the service writes and publishes (the relay and local read models,
  after each commit and on a timer; the notification log for the RPC);
- `Follower`: what it follows (a reader of each upstream's log, rung by its messages and
  on a timer; its consumers and dead letters);
- `Monitor`: health and metrics, and every command counted and timed by its answer;
- `Use(name)`: one of the objects the entrypoints call (the service's use cases).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
import time
from typing import Any

from nameko.extensions import DependencyProvider, SharedExtension
from nameko.timer import Timer

from .config import Settings
from .wiring import Wired

log = logging.getLogger(__name__)

# A command's outcome, from the status of its answer (http.STATUS maps errors to those).
OUTCOMES = {
    200: "ok",
    201: "ok",
    202: "ok",
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    503: "unavailable",
    500: "error",
}


def outcome_of(status: int) -> str:
    return OUTCOMES.get(status) or ("invalid" if 400 <= status < 500 else "error")


class Wiring(SharedExtension):
    """The service's object graph, built once per container by its bootstrap."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._wired: Wired | None = None
        self._stopped = False

    def setup(self) -> None:
        self.build()

    def build(self) -> Wired:
        with self._lock:  # every provider asks during setup, in no fixed order
            if self._stopped:
                raise RuntimeError(f"{self.container.service_name} is stopping")
            if self._wired is None:
                settings = Settings.from_env()
                spec = settings.registry.spec(self.container.service_name)
                bootstrap = importlib.import_module(f"{spec.package}.bootstrap").bootstrap
                self._wired = bootstrap(settings)
            return self._wired

    def stop(self) -> None:
        with self._lock:
            wired, self._wired, self._stopped = self._wired, None, True
        if wired is not None:
            wired.close()

    def kill(self) -> None:
        self.stop()


class _Part(DependencyProvider):
    wiring = Wiring()

    @property
    def wired(self) -> Wired:
        return self.wiring.build()

    def setup(self) -> None:
        self.wiring.build()


class _Loop:
    """A background loop in a managed green thread, stopped with its provider."""

    def __init__(self) -> None:
        self.running = False
        self.thread: Any = None

    def start(self, container: Any, target: Any, *args: Any) -> None:
        self.running = True
        self.thread = container.spawn_managed_thread(lambda: target(*args))

    def stop(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.kill()
            self.thread = None


class Gate(_Part):
    """Who sends each request: the token checked against the token table."""

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.wired.gatekeeper


class Replies(_Part):
    """The first answers of commands given with an Idempotency-Key."""

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.wired.replies


class Outbox(_Part):
    def __init__(self) -> None:
        super().__init__()
        self.loops: list[_Loop] = []

    def start(self) -> None:
        outbox, interval = self.wired.outbox, self.wired.settings.relay_interval
        for work in outbox.workers():
            loop = _Loop()
            loop.start(self.container, outbox.serve, work, interval, lambda loop=loop: loop.running)
            self.loops.append(loop)

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        self.loops.clear()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.wired.outbox


class Follower(_Part):
    """Runs a reader of each upstream's log (following.py), and serves the consumers."""

    def __init__(self) -> None:
        super().__init__()
        self.loops: list[_Loop] = []

    def start(self) -> None:
        following = self.wired.following
        assert following is not None, f"{self.container.service_name} follows no service"
        interval = self.wired.settings.catch_up_interval
        for upstream in following.upstreams:
            loop = _Loop()
            loop.start(
                self.container,
                following.serve,
                upstream,
                interval,
                lambda loop=loop: loop.running,
            )
            self.loops.append(loop)

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        self.loops.clear()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.wired.following


class Monitor(_Part):
    """Health and metrics; counts and times each command entrypoint by its answer."""

    def __init__(self) -> None:
        super().__init__()
        self._started: dict[Any, float] = {}

    def setup(self) -> None:
        # Every command's series exist from the start: a dashboard (and a test) sees 0.
        metrics = self.wired.metrics
        for _, method in inspect.getmembers(self.container.service_cls, callable):
            command = getattr(method, "huiwu_command", None)
            if command is not None:
                metrics.declare_command(command, set(OUTCOMES.values()))

    def get_dependency(self, worker_ctx: Any) -> Wired:
        return self.wired

    def worker_setup(self, worker_ctx: Any) -> None:
        if _command_of(worker_ctx) is not None:
            self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(worker_ctx, None)
        command = _command_of(worker_ctx)
        if started is None or command is None:
            return
        status = getattr(result, "status_code", 500) if exc_info is None else 500
        self.wired.metrics.count_command(command, outcome_of(status), time.perf_counter() - started)


def _command_of(worker_ctx: Any) -> str | None:
    method = getattr(type(worker_ctx.service), worker_ctx.entrypoint.method_name, None)
    return getattr(method, "huiwu_command", None)


class Use(_Part):
    """One of the objects the entrypoints call, by the name the bootstrap gave it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.wired.uses[self.name]


class Every(Timer):
    """A timer whose interval is a Settings field: `@every("overdue_interval")`."""

    wiring = Wiring()

    def __init__(self, setting: str, **kwargs: Any) -> None:
        super().__init__(interval=None, **kwargs)
        self.setting = setting

    def setup(self) -> None:
        self.interval = getattr(self.wiring.build().settings, self.setting)


every = Every.decorator
