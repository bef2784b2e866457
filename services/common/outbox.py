"""What a service writes and publishes: its store, its notification log, the relay that
publishes the log, and the read models that follow the log in-process.

The application rings the doorbell after each commit; the relay and each local read model,
each in its loop (`serve`), then run at once, and also every `interval` seconds, so a crash
or a missed ring delays an event but never loses it (docs/architecture.md, "Publish").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from .catalog import EventCatalog
from .consumer import TrackingConsumer
from .doorbell import Doorbell
from .log import NotificationLog
from .relay import OutboxRelay
from .store import ServiceApplication

log = logging.getLogger(__name__)


class LocalReadModel:
    """A read model of the service's own events, fed from its own log by a tracking
    consumer (the same exactly-once rules as any projection), with no broker between."""

    def __init__(self, consumer: TrackingConsumer) -> None:
        (self.service,) = consumer.upstreams
        self.consumer = consumer

    def catch_up(self) -> int:
        """Apply what the log holds beyond the read model's position; before each read too."""
        return self.consumer.catch_up(self.service)


class Outbox:
    def __init__(
        self,
        app: ServiceApplication,
        log: NotificationLog,
        relay: OutboxRelay,
        doorbell: Doorbell,
        read_models: Sequence[LocalReadModel] = (),
        log_readers: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.log_readers = log_readers  # broker users the `notifications` RPC answers
        self.log = log
        self.relay = relay
        self.doorbell = doorbell
        self.read_models = tuple(read_models)

    @property
    def catalog(self) -> EventCatalog:
        return self.log.catalog

    def workers(self) -> list[Callable[[], object]]:
        """What runs in the background, each on its own: the relay, and each read model."""
        return [self.relay.trigger, *(model.catch_up for model in self.read_models)]

    def serve(self, work: Callable[[], object], interval: float, running: Callable[[], bool]):
        """Run `work` after each ring, and every `interval` seconds when nothing rings.

        The relay and the read models each have a loop of their own, so a slow read
        model never holds the relay back (nor the other way round).
        """
        listener = self.doorbell.listener()
        while running():
            time.sleep(0)  # woken by a commit: let its request answer first, then publish
            try:
                work()
            except Exception:  # noqa: BLE001 - the next ring or tick retries
                log.exception("%s: background work failed", self.log.service)
            listener.wait(interval)
