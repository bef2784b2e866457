"""Building a service's object graph: the parts every service is made of, and the result
a service's `bootstrap` returns (docs/adding-a-service.md).

Everything is passed to constructors, in dependency order; nothing is assigned later.
A bootstrap uses `Parts` for the kernel's pieces and adds its own (applications,
projections, policies) between them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .amqp import ConfirmingPublisher
from .authentication import Gatekeeper
from .broker_access import log_readers
from .config import Settings, broker_user
from .consumer import Sink, TrackingConsumer
from .database import Database
from .dead_letters import DeadLetterQueue
from .doorbell import Doorbell
from .failpoints import Failpoints
from .following import Following
from .health import Health
from .idempotency import Replies
from .log import NotificationLog
from .metrics import ServiceMetrics
from .outbox import LocalReadModel, Outbox
from .relay import OutboxRelay
from .sinks import Projection, ProjectionSink
from .store import ServiceApplication
from .token_store import TokenStore
from .upstream_logs import UpstreamLogs

App = TypeVar("App", bound=ServiceApplication)


@dataclass(frozen=True)
class Wired:
    """A service, built: what its dependency providers run, serve and close."""

    service: str
    settings: Settings
    metrics: ServiceMetrics
    outbox: Outbox
    health: Health
    following: Following | None = None
    uses: Mapping[str, Any] = field(default_factory=dict)
    projections: Sequence[ProjectionSink] = ()  # every read model it keeps, to rebuild
    gatekeeper: Gatekeeper | None = None
    replies: Replies | None = None
    closers: Sequence[Callable[[], None]] = ()

    def close(self) -> None:
        for close in self.closers:
            close()


class Parts:
    """The kernel's pieces for one service, made in the order they depend on each other."""

    def __init__(self, settings: Settings, service: str) -> None:
        self.settings = settings
        self.service = service
        self.metrics = ServiceMetrics(service)
        self.db = Database(settings, service)
        self.doorbell = Doorbell()
        self.failpoints = Failpoints(settings.failpoints)
        self.broker_uri = settings.broker_uri(service)  # as its own broker user, never guest
        self._closers: list[Callable[[], None]] = []
        self._projections: list[ProjectionSink] = []
        self._dead_letters: DeadLetterQueue | None = None
        self._log: NotificationLog | None = None

    def store(self, app_class: type[App], **kwargs: Any) -> App:
        """The service's application on its store; each commit rings the doorbell."""
        app = app_class.open(self.settings, on_saved=self.doorbell.ring, **kwargs)
        self._closers.append(app.close)
        return app

    def dead_letters(self) -> DeadLetterQueue:
        if self._dead_letters is None:
            publisher = ConfirmingPublisher(self.broker_uri)
            self._dead_letters = DeadLetterQueue(publisher, self.service)
            self._closers.append(publisher.close)
        return self._dead_letters

    def consumer(
        self, upstreams: Sequence[str], sink: Sink, fetch: Any, own_log: bool = False
    ) -> TrackingConsumer:
        settings = self.settings
        return TrackingConsumer(
            self.service,
            upstreams,
            sink,
            settings.registry.catalogs(upstreams),
            fetch,
            self.dead_letters(),
            self.metrics,
            max_attempts=settings.consumer_max_attempts,
            retry_delay=settings.consumer_retry_delay,
            page_size=settings.consumer_page_size,
            failpoints=self.failpoints,
            load_payloads=not own_log,
            # over the broker, an upstream's events count only as published by its user
            publishers=None if own_log else {u: broker_user(u) for u in upstreams},
        )

    def follow(self, sink: Sink) -> Following:
        """Follow the upstreams the registry lists for this service, into `sink`."""
        upstreams = self.settings.registry.upstreams(self.service)
        logs = UpstreamLogs(self.broker_uri, self.service, self.settings.rpc_timeout)
        following = Following(self.consumer(upstreams, sink, logs.fetch), self.dead_letters(), logs)
        self._closers.insert(0, logs.close)
        return following

    def projection(self, name: str, projection: Projection) -> ProjectionSink:
        sink = ProjectionSink(self.db, name, projection)
        self._projections.append(sink)
        return sink

    def log(self, app: ServiceApplication) -> NotificationLog:
        """The log of the service's store: one, so each event is built once for all."""
        if self._log is None:
            self._log = NotificationLog(app, self.settings.registry.catalog(self.service))
        assert self._log.app is app, "a service has one store"
        return self._log

    def read_model(self, app: ServiceApplication, sink: ProjectionSink) -> LocalReadModel:
        """A projection of the service's own events, fed from its own log."""
        log = self.log(app)
        return LocalReadModel(self.consumer((self.service,), sink, log.fetch, own_log=True))

    def wire(
        self,
        app: ServiceApplication,
        uses: Mapping[str, Any],
        following: Following | None = None,
        read_models: Sequence[LocalReadModel] = (),
    ) -> Wired:
        """Add the outbox (log, relay) and health around the application; the result."""
        log = self.log(app)
        publisher = ConfirmingPublisher(self.broker_uri)
        relay = OutboxRelay(
            log,
            self.db,
            publisher,
            self.metrics,
            batch_size=self.settings.relay_batch_size,
            failpoints=self.failpoints,
        )
        self.metrics.watch_store(app.max_notification_id, relay.position)
        readers = log_readers(self.settings.registry, self.service)
        outbox = Outbox(app, log, relay, self.doorbell, read_models, readers)
        health = Health(
            self.service,
            self.broker_uri,
            {"database": self.db.ping, "events": app.max_notification_id},
        )
        tokens = TokenStore(self.settings, reader=self.service)
        replies = Replies(self.db)
        replies.create_table()
        closers = [*self._closers, publisher.close, tokens.close, self.db.close]
        return Wired(
            self.service,
            self.settings,
            self.metrics,
            outbox,
            health,
            following,
            uses,
            tuple(self._projections),
            Gatekeeper(tokens),
            replies,
            tuple(closers),
        )
