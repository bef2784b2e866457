"""What a service follows: a reader of each upstream's log, its queue's messages as
doorbells, and the dead letters (docs/architecture.md, "Consume").

Each upstream has a loop of its own (`serve`): a delivered message rings it, and it reads
the log up to the newest message heard of; every `interval` seconds without a ring, and on
start, it reads the log to its end. The loops are not the service's workers: a worker only
notes a message and returns, so no worker ever waits for another service's answer, and
two services that follow each other never wait on each other's pools.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .consumer import TrackingConsumer
from .dead_letters import DeadLetterQueue
from .doorbell import Listener
from .upstream_logs import UpstreamLogs

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.5, 1.0, 2.0, 5.0)  # an upstream that cannot be read, with messages waiting


class Following:
    def __init__(
        self, consumer: TrackingConsumer, dead_letters: DeadLetterQueue, logs: UpstreamLogs
    ) -> None:
        self.service = consumer.name
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.logs = logs
        self._problems: dict[str, str | None] = {}
        self._bells = {upstream: Listener() for upstream in consumer.upstreams}

    @property
    def upstreams(self) -> tuple[str, ...]:
        return self.consumer.upstreams

    def handle(self, upstream: str, body: Any, user_id: str | None, first: Any = None) -> None:
        """A delivered message: noted, and the upstream's reader rung."""
        if self.consumer.handle(upstream, body, user_id, first):
            self._bells[upstream].wake()

    def serve(self, upstream: str, interval: float, running: Callable[[], bool]) -> None:
        """The reader of one upstream's log, until `running()` is false."""
        bell, failures = self._bells[upstream], 0
        rung = False  # on start: the whole log
        while running():
            work = self.consumer.pull if rung else self.consumer.catch_up
            if self._attempt(upstream, work):
                failures, wait = 0, interval
            else:
                failures += 1
                wait = interval
                if self.consumer.pending(upstream):  # messages wait: try again soon
                    wait = min(RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1], interval)
            rung = bell.wait(wait) or self.consumer.pending(upstream)

    def catch_up_all(self) -> None:
        """Pull every upstream's log now; one that is down is reported once, not each time."""
        for upstream in self.upstreams:
            self._attempt(upstream, self.consumer.catch_up)

    def _attempt(self, upstream: str, work: Callable[[str], int]) -> bool:
        try:
            work(upstream)
            problem = None
        except Exception as exc:  # noqa: BLE001 - an upstream may simply be down
            problem = f"{type(exc).__name__}: {exc}"
        if problem != self._problems.get(upstream):
            if problem:
                log.info("%s: catch-up from %s postponed: %s", self.service, upstream, problem)
            else:
                log.info("%s: catch-up from %s works again", self.service, upstream)
        self._problems[upstream] = problem
        return problem is None

    def refresher(self, upstream: str) -> Callable[[], int]:
        """Pull one upstream's log now (vendors: has a conference been opened a moment ago?)."""
        return lambda: self.consumer.catch_up(upstream)

    def dead_letter_count(self) -> dict[str, Any]:
        return {"queue": self.dead_letters.queue, "messages": self.dead_letters.count()}

    def replay_dead_letters(self) -> dict[str, Any]:
        return {"queue": self.dead_letters.queue, **self.dead_letters.replay(self.consumer.replay)}

    def close(self) -> None:
        self.logs.close()
        self.dead_letters.publisher.close()
