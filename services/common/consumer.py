"""The tracking consumer: exactly-once effect, in order, per upstream (docs/architecture.md,
"Consume").

A message is a doorbell, never the event itself: the upstream's notification log is the
truth. A delivered message is checked (its broker user, its envelope) and noted as a hint,
`(notification_id, event_id)`; the reader of that upstream (`pull`) then reads the log
from the position up to the newest hint and applies the log's events, in order. The
upstream rings once per batch it publishes (exchanges.py): the batch's last event, with
where the batch began, so the events before it in the batch count as announced, not as
gaps the log filled. A hint
the log backs (the same event at that position) is simply done; one it does not (another
event there, or a position the log does not hold) is dead-lettered `forged`, and never
moves a position.

For each upstream the sink keeps a position, written in the same transaction as the
effect. A payload that fails its schema, or an effect that keeps failing, goes to the
dead-letter queue and the position moves past it, so one bad event never blocks the ones
behind it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from marshmallow import ValidationError

from . import envelope as envelopes
from .catalog import Catalogs, UnknownEventType
from .envelope import Envelope
from .failpoints import NONE, Failpoints
from .metrics import ServiceMetrics

log = logging.getLogger(__name__)

OUTCOMES = (
    "processed",
    "duplicate",
    "gap_filled",
    "caught_up",
    "dead_lettered",
    "malformed",
    "forged",
    "replayed",
)
DEAD_LETTER_REASONS = (
    "undecodable",
    "malformed_envelope",
    "wrong_service",
    "invalid_payload",
    "handler_failed",
    "forged",
)

FetchRange = Callable[[str, int, int], Sequence[dict[str, Any] | Envelope]]
"""fetch(upstream, start, limit) -> envelopes (as dicts over RPC), from the upstream's log."""


@dataclass(frozen=True)
class _Hint:
    """A delivered message, noted until the log is read that far: what it claims is at
    its position, its body (dead-lettered if the log disagrees), and when it was noted."""

    event_id: str
    raw: bytes
    seq: int


class AlreadyTracked(Exception):
    """Another worker recorded this position first: the message is a duplicate."""


class Contended(Exception):
    """Another writer changed what the effect changes, in between: apply it again, from
    what is there now. Not a failure: it is retried until it goes through."""


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
        upstreams: Sequence[str],
        sink: Sink,
        catalogs: Catalogs,
        fetch: FetchRange,
        dead_letters: DeadLetters,
        metrics: ServiceMetrics,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
        page_size: int = 200,
        failpoints: Failpoints = NONE,
        load_payloads: bool = True,
        max_contended: int = 200,
        max_hints: int = 10_000,
        publishers: Mapping[str, str] | None = None,
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
        self.failpoints = failpoints
        self.load_payloads = load_payloads  # False: its own log, already checked by schema
        self.max_contended = max_contended  # retries of an effect raced by a command
        self.max_hints = max_hints  # messages noted per upstream, awaiting the log
        self.upstreams = tuple(upstreams)
        self._hints: dict[str, dict[int, list[_Hint]]] = defaultdict(dict)
        self._farthest: dict[str, int] = defaultdict(int)  # heard of beyond max_hints
        # Each upstream's position as this consumer last read or moved it: a message is
        # judged against it without a query. It may lag behind the sink's (another replica,
        # a take-over), never run ahead of it, so a message it lets through as new is only
        # judged again when the log is read.
        self._known: dict[str, int] = {}
        self._heard: dict[str, int] = defaultdict(int)  # the newest message noted
        # the ranges of the log a ring announced, until the position passes them
        self._rung: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._seq = 0
        # upstream -> the broker user that alone may publish its events (None: not over a
        # broker, as a read model of the service's own log)
        self.publishers = None if publishers is None else dict(publishers)
        self._locks: dict[str, threading.RLock] = {
            upstream: threading.RLock() for upstream in upstreams
        }
        # Every series shows from the start, so a dashboard sees 0 rather than nothing.
        service = self.metrics.service
        for upstream in self.upstreams:
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
    def handle(
        self,
        upstream: str,
        body: bytes | str | dict[str, Any],
        user_id: str | None = None,
        first: Any = None,
    ) -> bool:
        """Take one delivered message (`user_id`: its AMQP user_id, which the broker
        checked; `first`: where the batch it rings for began). True when it is a hint the
        upstream's log must now be read for (`pull`); the message itself may be acked at
        once: what it announces is in the log."""
        raw = _as_bytes(body)
        if self.publishers is not None and user_id != self.publishers.get(upstream):
            self._forged(upstream, raw, f"published by {user_id or 'an unnamed user'!r}")
            return False
        try:
            envelope = envelopes.parse(body)
        except (ValidationError, TypeError) as exc:
            self._count(upstream, "malformed")
            self._dead_letter(upstream, raw, "malformed_envelope", str(exc))
            return False
        if envelope.service != upstream:
            self._count(upstream, "malformed")
            self._dead_letter(
                upstream,
                raw,
                "wrong_service",
                f"message from {envelope.service!r} arrived on the {upstream!r} queue",
            )
            return False
        return self._note(envelope, raw, first)

    def _note(self, envelope: Envelope, raw: bytes, first: Any = None) -> bool:
        upstream, wanted = envelope.service, envelope.notification_id
        with self.lock(upstream):
            position = self._known.get(upstream)
            if position is None:
                position = self._known[upstream] = self.sink.position(upstream)
            if wanted <= position:
                self._count(upstream, "duplicate")
                return False
            hints = self._hints[upstream]
            if wanted in hints or len(hints) < self.max_hints:
                self._seq += 1
                hints.setdefault(wanted, []).append(_Hint(envelope.event_id, raw, self._seq))
                if _is_position(first) and position < first < wanted:
                    self._rung[upstream].append((first, wanted - 1))
            else:  # a flood: read the log that far all the same, judge only what was kept
                self._farthest[upstream] = max(self._farthest[upstream], wanted)
            # the newest heard of, kept as messages come (not found again among the hints)
            heard = self._heard[upstream] = max(self._heard[upstream], wanted)
            self.metrics.consumer_lag.labels(self.metrics.service, upstream).set(heard - position)
        return True

    def pending(self, upstream: str) -> bool:
        """Whether messages of `upstream` wait for its log to be read."""
        return bool(self._hints[upstream] or self._farthest[upstream])

    def pull(self, upstream: str) -> int:
        """Read the upstream's log up to the newest message heard of and apply it; judge
        each message against it. Events it holds whose message never came are counted
        `gap_filled`. Returns how many events were applied."""
        with self.lock(upstream):
            if not self.pending(upstream):
                return 0
            stop = max([*self._hints[upstream], self._farthest[upstream]])
        applied = self._follow(upstream, stop, unheard="gap_filled")
        if applied:
            self.failpoints.hit("consumer.after_commit")  # committed; its message acked, or not
        return applied

    def catch_up(self, upstream: str) -> int:
        """Pull everything after the position from the upstream's log (start-up, timer,
        a local read model before a read)."""
        pulled = self._follow(upstream, None, unheard="caught_up")
        if pulled:  # a message's event may be taken by a catch-up before its ring
            self.failpoints.hit("consumer.after_commit")
        return pulled

    def undecodable(
        self, upstream: str, body: bytes, error: str, user_id: str | None = None
    ) -> None:
        """A message the broker client could not decode (not JSON, another content type):
        dead-lettered with why, and counted, never acked away."""
        if self.publishers is not None and user_id != self.publishers.get(upstream):
            self._forged(upstream, body, f"published by {user_id or 'an unnamed user'!r}")
            return
        self._count(upstream, "malformed")
        self._dead_letter(upstream, body, "undecodable", error)

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
    def _follow(self, upstream: str, stop: int | None, unheard: str) -> int:
        """Read the log from the position, page by page, to `stop` (None: to its end), and
        take each page under the lock.

        The log is read without the lock: a lock held across an RPC stalls every message
        queued behind it, and two services that follow each other would each wait for the
        other to answer.
        """
        with self.lock(upstream):
            asked_at = self._seq  # hints noted before this read are judged by it
            position = self._known[upstream] = self.sink.position(upstream)
            start = position + 1
            if stop is not None and stop < start:  # others applied it all meanwhile
                self._settle_applied(upstream, position)
                return 0
        applied = 0
        while stop is None or start <= stop:
            limit = self.page_size if stop is None else min(self.page_size, stop - start + 1)
            page = [
                data if isinstance(data, Envelope) else envelopes.parse(data)
                for data in self.fetch(upstream, start, limit)
            ]
            ended = len(page) < limit  # the log holds nothing more, for now
            end = page[-1].notification_id if page else start - 1
            through = end if stop is None else min(end, stop)  # the log, read this far
            with self.lock(upstream):
                wanted = [e for e in page if e.notification_id <= through]
                applied += self._take(upstream, wanted, start, through, unheard)
                if ended:
                    self._judge_beyond(upstream, end, asked_at)
            if ended or (stop is not None and end >= stop):
                break
            start = end + 1
            time.sleep(0)  # let requests and other green threads run between pages
        return applied

    def _take(
        self, upstream: str, page: list[Envelope], start: int, through: int, unheard: str
    ) -> int:
        """Apply what of a page of the log (read from `start` to `through`) is still ahead
        of the position, and settle each message noted for a position in that range: the
        log was read there, so one it does not hold there never will be. A message for a
        position the page did not cover, but which others (a rebuild's take-over, another
        replica) have moved past meanwhile, is a duplicate."""
        position = self.sink.position(upstream)
        hints = self._hints[upstream]
        ahead = []
        for event in page:
            noted = hints.pop(event.notification_id, [])
            for hint in noted:
                if hint.event_id != event.event_id:
                    why = (
                        f"{upstream}'s log holds event {event.event_id} at "
                        f"#{event.notification_id}, not this one"
                    )
                    self._forged(upstream, hint.raw, why)
            if event.notification_id > position:
                ahead.append(event)
                heard = any(h.event_id == event.event_id for h in noted)
                if not heard and not self._announced(upstream, event.notification_id):
                    self._count(upstream, unheard)
        applied = self._apply_in_order(upstream, ahead)
        position = self._known[upstream] = self.sink.position(upstream)
        for notification_id in [n for n in hints if start <= n <= through]:  # a hole
            for hint in hints.pop(notification_id):
                self._forged(upstream, hint.raw, f"#{notification_id} is not in {upstream}'s log")
        self._settle_applied(upstream, position)
        return applied

    def _announced(self, upstream: str, notification_id: int) -> bool:
        return any(lo <= notification_id <= hi for lo, hi in self._rung[upstream])

    def _settle_applied(self, upstream: str, position: int) -> None:
        """Messages noted for positions the sink has passed (applied here, or by others: a
        rebuild's take-over, another replica) are duplicates."""
        rung = self._rung[upstream]
        if rung:
            rung[:] = [(lo, hi) for lo, hi in rung if hi > position]
        hints = self._hints[upstream]
        if self._farthest[upstream] <= position:
            self._farthest[upstream] = 0
        for notification_id in [n for n in hints if n <= position]:
            self._count(upstream, "duplicate", len(hints.pop(notification_id)))
        self._set_lag(upstream, position)

    def _judge_beyond(self, upstream: str, end: int, asked_at: int) -> None:
        """The log ends at `end`: a message noted before it was read, for a position
        beyond, announced what the log does not hold (an impossible jump)."""
        hints = self._hints[upstream]
        for notification_id in [n for n in hints if n > end]:
            kept = [h for h in hints[notification_id] if h.seq > asked_at]
            for hint in hints[notification_id]:
                if hint.seq <= asked_at:
                    why = f"#{notification_id} is not in {upstream}'s log (it ends at #{end})"
                    self._forged(upstream, hint.raw, why)
            if kept:
                hints[notification_id] = kept
            else:
                del hints[notification_id]
        rung = self._rung[upstream]
        if rung:  # what the log does not hold was never announced
            rung[:] = [(lo, hi) for lo, hi in rung if hi <= end]
        if self._farthest[upstream] > end:
            log.warning(
                "%s: messages of %s announced up to #%s; its log ends at #%s",
                self.name,
                upstream,
                self._farthest[upstream],
                end,
            )
        self._farthest[upstream] = 0
        self._set_lag(upstream, self.sink.position(upstream))

    def _set_lag(self, upstream: str, position: int) -> None:
        """After a page: how far behind what it has heard of the consumer is."""
        heard = max([*self._hints[upstream], self._farthest[upstream], position])
        self._heard[upstream] = heard
        self.metrics.consumer_lag.labels(self.metrics.service, upstream).set(heard - position)

    def _apply_in_order(self, upstream: str, ahead: list[Envelope]) -> int:
        """Process events ahead of the position, in order; the caller holds the lock.

        A sink that can (`apply_page`) takes the whole page in one transaction; if that
        fails, each event goes its own way (retries, dead letters, duplicates).
        """
        apply_page = getattr(self.sink, "apply_page", None)
        if apply_page is not None and len(ahead) > 1:
            try:
                apply_page([(e, self._payload(e)) for e in ahead])
                self._count(upstream, "processed", len(ahead))
                return len(ahead)
            except Exception as exc:  # noqa: BLE001 - each event on its own, below
                if self.sink.position(upstream) >= ahead[-1].notification_id:
                    # committed with its position, then failed after (ringing the relay):
                    # applied all the same, and no other worker took it
                    self._count(upstream, "processed", len(ahead))
                    return len(ahead)
                log.info("%s: a page of %s is applied one by one: %s", self.name, upstream, exc)
        for envelope in ahead:
            self._process(envelope)
        return len(ahead)

    def _payload(self, envelope: Envelope) -> dict[str, Any]:
        if not self.load_payloads:
            return envelope.payload
        return self.catalogs[envelope.service].load_incoming(envelope.event_type, envelope.payload)

    def _process(self, envelope: Envelope) -> None:
        """Apply one event of the log (dead-lettered as the log holds it, if it fails)."""
        upstream = envelope.service
        try:
            payload = self._payload(envelope)
        except (ValidationError, UnknownEventType) as exc:
            self._dead_letter(upstream, envelope, "invalid_payload", _describe(exc))
            self.sink.skip(upstream, envelope.notification_id)
            return
        error: Exception | None = None
        attempt = contended = 0
        while attempt < self.max_attempts:
            try:
                self.sink.apply(envelope, payload)
                self._count(upstream, "processed")
                return
            except AlreadyTracked:
                self._count(upstream, "duplicate")
                return
            except Contended as exc:
                contended += 1
                if contended <= self.max_contended:  # load again and apply again, at once
                    time.sleep(self.retry_delay * random.random())
                    continue
                error, attempt, contended = exc, attempt + 1, 0
            except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered with its error
                error = exc
                attempt += 1
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
        self._dead_letter(upstream, envelope, "handler_failed", f"{type(error).__name__}: {error}")
        self.sink.skip(upstream, envelope.notification_id)

    def _forged(self, upstream: str, raw: bytes, why: str) -> None:
        self._count(upstream, "forged")
        self._dead_letter(upstream, raw, "forged", why)

    def _dead_letter(self, upstream: str, raw: Any, reason: str, error: str) -> None:
        if isinstance(raw, Envelope):
            raw = raw.to_json()
        self.dead_letters.send(upstream, raw, reason, error)
        self.metrics.dead_lettered.labels(self.metrics.service, upstream, reason).inc()
        self._count(upstream, "dead_lettered")
        log.error(
            "%s: dead-lettered a message from %s (%s): %s", self.name, upstream, reason, error
        )


def _is_position(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


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
