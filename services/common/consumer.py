"""The tracking consumer: exactly-once effect, in order, per upstream (invariant 5).

For each upstream service the sink keeps a position, written in the same transaction as
the effect. A message at or below it is a duplicate; one beyond position + 1 reveals a
gap, filled from the upstream's notification log before going on. A payload that fails
its schema, or an effect that keeps failing, goes to the dead-letter queue and the
position moves past it, so one bad message never blocks the ones behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from marshmallow import ValidationError

from . import envelope as envelopes
from . import failpoints
from .catalog import Catalogs, UnknownEventType
from .envelope import Envelope
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

OUTCOMES = (
    "processed",
    "duplicate",
    "gap_filled",
    "caught_up",
    "dead_lettered",
    "malformed",
    "replayed",
)
DEAD_LETTER_REASONS = ("malformed_envelope", "wrong_service", "invalid_payload", "handler_failed")

FetchRange = Callable[[str, int, int], Sequence[dict[str, Any]]]
"""fetch(upstream, start, limit) -> envelopes as dicts, from the upstream's log."""


class AlreadyTracked(Exception):
    """Another worker recorded this position first: the message is a duplicate."""


class Sink(Protocol):
    def position(self, upstream: str) -> int: ...

    def apply(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        """Record the effect and the new position atomically (raise AlreadyTracked)."""

    def skip(self, upstream: str, notification_id: int) -> None:
        """Move the position past a message that was dead-lettered."""

    def replay(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        """Record the effect of a dead-lettered message; the position has moved on already."""


class DeadLetters(Protocol):
    def send(self, upstream: str, body: bytes, reason: str, error: str) -> None: ...


class TrackingConsumer:
    def __init__(
        self,
        name: str,
        sink: Sink,
        catalogs: Catalogs,
        fetch: FetchRange,
        dead_letters: DeadLetters,
        metrics: ServiceMetrics,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
        page_size: int = 200,
    ) -> None:
        self.name = name
        self.sink = sink
        self.catalogs = catalogs
        self.fetch = fetch
        self.dead_letters = dead_letters
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.page_size = page_size
        self._locks: dict[str, threading.RLock] = {}

    def watch(self, upstreams: Sequence[str]) -> None:
        """Show every series from the start, so a dashboard sees 0 rather than nothing."""
        service = self.metrics.service
        for upstream in upstreams:
            self.metrics.consumer_lag.labels(service, upstream).set(0)
            for outcome in OUTCOMES:
                self.metrics.consumed.labels(service, upstream, outcome)
            for reason in DEAD_LETTER_REASONS:
                self.metrics.dead_lettered.labels(service, upstream, reason)

    def lock(self, upstream: str) -> threading.RLock:
        return self._locks.setdefault(upstream, threading.RLock())

    def _count(self, upstream: str, outcome: str, n: int = 1) -> None:
        self.metrics.consumed.labels(self.metrics.service, upstream, outcome).inc(n)

    # -- entry points -------------------------------------------------------------
    def handle(self, upstream: str, body: bytes | str | dict[str, Any]) -> None:
        """Handle one delivered message. Returns once its effect is committed (ack then)."""
        raw = _as_bytes(body)
        try:
            envelope = envelopes.parse(body)
        except (ValidationError, TypeError) as exc:
            self._count(upstream, "malformed")
            self._dead_letter(upstream, raw, "malformed_envelope", str(exc))
            return
        if envelope.service != upstream:
            self._count(upstream, "malformed")
            self._dead_letter(
                upstream,
                raw,
                "wrong_service",
                f"message from {envelope.service!r} arrived on the {upstream!r} queue",
            )
            return
        if not self._handle_in_order(envelope, raw):
            # A gap. The upstream's log is read without the lock: a lock held across an
            # RPC stalls every worker queued behind it, and two services that follow each
            # other would each wait for the other to answer.
            position = self.sink.position(upstream)
            missing = self._read_log(upstream, position + 1, stop=envelope.notification_id - 1)
            with self.lock(upstream):
                self._count(upstream, "gap_filled", self._apply_in_order(upstream, missing))
                self._handle_in_order(envelope, raw, gap_filled=True)
        failpoints.hit("consumer.after_commit")  # committed, not yet acked

    def _handle_in_order(self, envelope: Envelope, raw: bytes, gap_filled: bool = False) -> bool:
        """Process the message if it is next (or a duplicate); False if a gap is in front.

        Workers queue on the lock in delivery order, so the messages before this one are
        usually handled by the time it gets the lock: a gap seen here is a real one.
        """
        upstream = envelope.service
        with self.lock(upstream):
            position = self.sink.position(upstream)
            lag = self.metrics.consumer_lag.labels(self.metrics.service, upstream)
            lag.set(max(envelope.notification_id - position, 0))
            if envelope.notification_id <= position:
                self._count(upstream, "duplicate")
                return True
            if envelope.notification_id > position + 1 and not gap_filled:
                return False
            self._process(envelope, raw)  # after a gap fill, the log was the whole truth
            lag.set(0)
            return True

    def catch_up(self, upstream: str) -> int:
        """Pull everything after the position from the upstream's log (start-up, timer)."""
        pulled = 0
        while True:
            page = self._read_log(upstream, self.sink.position(upstream) + 1, stop=None)
            if not page:
                break
            with self.lock(upstream):
                pulled += self._apply_in_order(upstream, page)
            if len(page) < self.page_size:
                break
        self._count(upstream, "caught_up", pulled)
        return pulled

    def replay(self, body: bytes | str | dict[str, Any]) -> Envelope:
        """Apply a message taken from the dead-letter queue (after the cause was fixed).

        Raises if it still fails; the caller then leaves it in the queue.
        """
        envelope = envelopes.parse(body)
        payload = self.catalogs[envelope.service].load_incoming(
            envelope.event_type, envelope.payload
        )
        with self.lock(envelope.service):
            self.sink.replay(envelope, payload)
        self._count(envelope.service, "replayed")
        return envelope

    # -- internals ----------------------------------------------------------------
    def _read_log(self, upstream: str, start: int, stop: int | None) -> list[Envelope]:
        """Envelopes from `start` up to `stop` (or one page when stop is None)."""
        found: list[Envelope] = []
        while stop is None or start <= stop:
            limit = self.page_size if stop is None else min(self.page_size, stop - start + 1)
            page = [envelopes.parse(data) for data in self.fetch(upstream, start, limit)]
            found += [e for e in page if stop is None or e.notification_id <= stop]
            if stop is None or not page or page[-1].notification_id >= stop:
                break
            start = page[-1].notification_id + 1
        return found

    def _apply_in_order(self, upstream: str, log: list[Envelope]) -> int:
        """Process what is still ahead of the position; the caller holds the lock."""
        processed = 0
        for envelope in log:
            if envelope.notification_id <= self.sink.position(upstream):
                continue  # another worker got there while the log was read
            self._process(envelope, envelope.to_json())
            processed += 1
        return processed

    def _process(self, envelope: Envelope, raw: bytes) -> None:
        upstream = envelope.service
        try:
            payload = self.catalogs[upstream].load_incoming(envelope.event_type, envelope.payload)
        except (ValidationError, UnknownEventType) as exc:
            self._dead_letter(upstream, raw, "invalid_payload", _describe(exc))
            self.sink.skip(upstream, envelope.notification_id)
            return
        error: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                self.sink.apply(envelope, payload)
                self._count(upstream, "processed")
                return
            except AlreadyTracked:
                self._count(upstream, "duplicate")
                return
            except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered with its error
                error = exc
                log.warning(
                    "%s: %s #%s failed (attempt %s/%s): %s",
                    self.name,
                    upstream,
                    envelope.notification_id,
                    attempt,
                    self.max_attempts,
                    exc,
                )
                if attempt < self.max_attempts:
                    time.sleep(self.retry_delay * 2 ** (attempt - 1))
        self._dead_letter(upstream, raw, "handler_failed", f"{type(error).__name__}: {error}")
        self.sink.skip(upstream, envelope.notification_id)

    def _dead_letter(self, upstream: str, raw: bytes, reason: str, error: str) -> None:
        self.dead_letters.send(upstream, raw, reason, error)
        self.metrics.dead_lettered.labels(self.metrics.service, upstream, reason).inc()
        self._count(upstream, "dead_lettered")
        log.error(
            "%s: dead-lettered a message from %s (%s): %s", self.name, upstream, reason, error
        )


def _as_bytes(body: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    import json

    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"payload failed its schema: {exc.messages}"
    return str(exc)
