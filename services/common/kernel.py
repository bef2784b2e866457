"""The nameko dependency that wires the kernel into a service, built once in setup().

It owns the event store, the relay (run after each save and on a timer), the metrics and,
for services that follow others, the tracking consumer with its catch-up timer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import eventlet
from kombu import Connection
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.standalone.rpc import ClusterRpcProxy

from .amqp import ConfirmingPublisher, safe_amqp_uri
from .catalog import Catalogs, EventCatalog
from .config import Settings
from .consumer import Sink, TrackingConsumer
from .database import Database
from .dead_letters import DeadLetterQueue
from .errors import NotFound
from .metrics import ServiceMetrics
from .relay import OutboxRelay, build_envelope
from .store import ServiceApplication

log = logging.getLogger(__name__)

MAX_PAGE = 1000


class Kernel(DependencyProvider):
    def __init__(
        self,
        app_class: type[ServiceApplication],
        catalog: EventCatalog,
        upstreams: Sequence[str] = (),
        catalogs: Catalogs | None = None,
        sink_factory: Callable[[Kernel], Sink] | None = None,
    ) -> None:
        self.app_class = app_class
        self.catalog = catalog
        self.upstreams = tuple(upstreams)
        self.catalogs = catalogs
        self.sink_factory = sink_factory
        self.consumer: TrackingConsumer | None = None
        self._rpc: Any = None
        self._rpc_cluster: Any = None
        self._rpc_lock = threading.Lock()
        self._loops: list[Any] = []
        self._catch_up_problems: dict[str, str | None] = {}

    @property
    def service(self) -> str:
        return self.app_class.name

    def setup(self) -> None:
        self.settings = Settings.from_env()
        self.metrics = ServiceMetrics(self.service)
        self.app = self.app_class.build(self.settings)
        self.db = Database(self.settings, self.service)
        self.relay = OutboxRelay(
            self.app,
            self.catalog,
            self.db,
            ConfirmingPublisher(self.settings.amqp_uri),
            self.metrics,
            batch_size=self.settings.relay_batch_size,
            failpoints_enabled=self.settings.failpoints,
        )
        self.app.on_saved = self.relay.trigger
        self.metrics.watch_store(self.app.max_notification_id, self.relay.position)
        if self.upstreams:
            assert self.catalogs is not None and self.sink_factory is not None
            self.dead_letters = DeadLetterQueue(
                ConfirmingPublisher(self.settings.amqp_uri), self.service
            )
            self.consumer = TrackingConsumer(
                self.service,
                self.sink_factory(self),
                self.catalogs,
                self.fetch_log,
                self.dead_letters,
                self.metrics,
                max_attempts=self.settings.consumer_max_attempts,
                retry_delay=self.settings.consumer_retry_delay,
            )
            self.consumer.watch(self.upstreams)

    def start(self) -> None:
        self._loops.append(eventlet.spawn(self._every, self.settings.relay_interval, self._relay))
        if self.consumer is not None:
            self._loops.append(
                eventlet.spawn(self._every, self.settings.catch_up_interval, self.catch_up_all)
            )

    def stop(self) -> None:
        for loop in self._loops:
            loop.kill()
        self._loops.clear()
        with self._rpc_lock:
            self._stop_rpc()
        self.relay.publisher.close()
        self.db.close()
        self.app.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Kernel:
        return self

    # -- background work ----------------------------------------------------------
    @staticmethod
    def _every(interval: float, work: Callable[[], Any]) -> None:
        while True:
            try:
                work()
            except Exception:  # noqa: BLE001 - keep the loop alive; the next tick retries
                log.exception("background task failed")
            eventlet.sleep(interval)

    def _relay(self) -> None:
        self.relay.trigger()

    def catch_up_all(self) -> None:
        assert self.consumer is not None
        for upstream in self.upstreams:
            try:
                self.consumer.catch_up(upstream)
                problem = None
            except Exception as exc:  # noqa: BLE001 - an upstream may simply be down
                problem = f"{type(exc).__name__}: {exc}"
            if problem != self._catch_up_problems.get(upstream):  # say it once, not each tick
                if problem:
                    log.info("%s: catch-up from %s postponed: %s", self.service, upstream, problem)
                else:
                    log.info("%s: catch-up from %s works again", self.service, upstream)
            self._catch_up_problems[upstream] = problem

    # -- the notification log, served and read ------------------------------------
    def notifications(self, start: int, limit: int) -> list[dict[str, Any]]:
        if not isinstance(start, int) or start < 1:
            raise ValueError(f"start must be an integer >= 1, got {start!r}")
        if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be an integer from 1 to {MAX_PAGE}, got {limit!r}")
        return [
            build_envelope(self.app, self.catalog, n).to_dict()
            for n in self.app.select_notifications(start, limit)
        ]

    def fetch_log(self, upstream: str, start: int, limit: int) -> list[dict[str, Any]]:
        with self._rpc_lock:
            if self._rpc is None:
                self._rpc_cluster = ClusterRpcProxy(
                    {"AMQP_URI": self.settings.amqp_uri}, timeout=self.settings.rpc_timeout
                )
                self._rpc = self._rpc_cluster.start()
            try:
                return getattr(self._rpc, upstream).notifications(start=start, limit=limit)
            except UnknownService:
                raise  # the upstream is not running; the proxy itself is fine
            except Exception:
                self._stop_rpc()  # a timeout or broken connection: start afresh next time
                raise

    def _stop_rpc(self) -> None:
        cluster, self._rpc_cluster, self._rpc = self._rpc_cluster, None, None
        if cluster is not None:
            try:
                cluster.stop()
            except Exception:  # noqa: BLE001 - a broken proxy may fail to stop cleanly
                log.debug("rpc proxy stop failed", exc_info=True)

    # -- dead letters ---------------------------------------------------------------
    def _require_consumer(self) -> TrackingConsumer:
        if self.consumer is None:
            raise NotFound(f"{self.service} follows no other service, so it has no dead letters")
        return self.consumer

    def dead_letter_count(self) -> dict[str, Any]:
        self._require_consumer()
        return {"queue": self.dead_letters.queue, "messages": self.dead_letters.count()}

    def replay_dead_letters(self) -> dict[str, Any]:
        consumer = self._require_consumer()
        return {"queue": self.dead_letters.queue, **self.dead_letters.replay(consumer.replay)}

    # -- health ---------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            self.db.ping()
            self.app.max_notification_id()
            checks["store"] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["store"] = {"ok": False, "error": str(exc)}
        try:
            with Connection(self.settings.amqp_uri, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = {"ok": True, "uri": safe_amqp_uri(self.settings.amqp_uri)}
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["broker"] = {
                "ok": False,
                "uri": safe_amqp_uri(self.settings.amqp_uri),
                "error": str(exc),
            }
        return {
            "service": self.service,
            "ok": all(check["ok"] for check in checks.values()),
            "checks": checks,
        }
