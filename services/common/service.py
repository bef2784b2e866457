"""What every nameko service has, and the consumers generated from the registry.

`HuiwuService` serves the notification-log RPC, `/health`, `/metrics`, the event
catalogue and the service's OpenAPI description. `service_class(spec)` adds, for a service
that follows others, one consumer per upstream (from its registry line), the catch-up and
the dead-letter endpoints.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from kombu import Connection, Exchange, Queue
from marshmallow import Schema, fields
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.messaging import Consumer, QueueConsumer
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from . import openapi
from .as_of import AggregateAsOfAnswer, AsOfQuerySchema, last_event, public_state
from .errors import NotFound
from .exchanges import FIRST_NOTIFICATION_ID, doorbell_exchange, events_exchange, upstream_of
from .http import RawJson, command, json_response, query
from .metrics import CONTENT_TYPE
from .providers import Follower, Gate, Monitor, Outbox, Replies, Wiring
from .registry import Registry, ServiceSpec

log = logging.getLogger(__name__)


def upstream_queue(service: str, upstream: str) -> Queue:
    """The durable queue through which `service` hears of `upstream`'s events: bound to its
    doorbell, rung once per published batch (exchanges.py)."""
    return Queue(
        f"{service}.{upstream}-events",
        exchange=Exchange(doorbell_exchange(upstream), type="topic", durable=True),
        routing_key="#",
        durable=True,
    )


class _SignedPublisher(Publisher):
    """nameko's publisher, every message with the AMQP user_id of its connection's user."""

    def __init__(self, amqp_uri: str, **kwargs: Any) -> None:
        super().__init__(amqp_uri, user_id=Connection(amqp_uri).userid, **kwargs)


class _SignedResponder(Responder):
    """RPC replies say who sends them (the broker checks it): a reader of a log takes a
    page only from the service it asked (upstream_logs.py)."""

    publisher_cls = _SignedPublisher


class _SafeRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, its replies signed, except when a reply cannot be sent (the
    broker went away, access was revoked): nameko then stops the whole service; here it
    is logged, the request is let go (its caller has stopped waiting, or reads again), and
    the service goes on."""

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        try:
            return self._reply(message, result, exc_info)
        except Exception:  # noqa: BLE001 - see the class docstring
            log.exception("could not send an RPC reply; the service goes on")
            try:
                self.queue_consumer.ack_message(message)
            except Exception:  # noqa: BLE001 - the connection is gone: it is requeued
                log.debug("could not ack the RPC request either", exc_info=True)
            return result, exc_info

    def _reply(self, message: Any, result: Any, exc_info: Any) -> Any:
        """nameko's RpcConsumer.handle_result, with the signed responder."""
        config = self.container.config
        responder = _SignedResponder(
            config[AMQP_URI_CONFIG_KEY],
            get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class _SafeRpc(Rpc):
    rpc_consumer = _SafeRpcConsumer()


rpc = _SafeRpc.decorator


class LogRefused(Exception):
    """The caller may not read this service's log: it neither follows it nor audits."""


class _LogRpc(_SafeRpc):
    """The log's RPC entrypoint: it answers only the broker users the outbox names (the
    service's followers and the auditor), by the request's AMQP `user_id`, which the broker
    checks against the connection's user. Anyone else is refused before any worker runs,
    with a warning in the log."""

    wiring = Wiring()

    def handle_message(self, body: Any, message: Any) -> None:
        caller = message.properties.get("user_id")
        if caller in self.wiring.build().outbox.log_readers:
            super().handle_message(body, message)
            return
        service = self.container.service_name
        log.warning("%s: refused its log to %r", service, caller)
        refusal = LogRefused(f"{caller or 'an unnamed caller'!r} may not read {service}'s log")
        self.rpc_consumer.handle_result(message, None, (LogRefused, refusal, None))


class HuiwuService:
    """Base class of every service's `service.py`; each sets `name`."""

    name: str
    outbox = Outbox()
    monitor = Monitor()
    gate = Gate()
    replies = Replies()

    @_LogRpc.decorator
    def notifications(self, start: int, limit: int = 100) -> list[dict[str, Any]]:
        """Envelopes of the notification log from `start` (inclusive), at most `limit`;
        only for the services that follow this one, and the auditor."""
        return self.outbox.log.page(start, limit)

    @_LogRpc.decorator
    def log_end(self) -> int:
        """The highest notification id of the log (0 while it is empty), for the same
        readers: how far a rebuild has to read."""
        return self.outbox.log.last_id()

    @http("GET", "/health")
    def health(self, request: Request) -> Response:
        report = self.monitor.health.report()
        return json_response(report, 200 if report["ok"] else 503)

    @http("GET", "/metrics")
    def metrics(self, request: Request) -> Response:
        return Response(self.monitor.metrics.render(), status=200, content_type=CONTENT_TYPE)

    @http("GET", "/events/catalog")
    @query("EventCatalog")
    def event_catalog(self) -> dict[str, Any]:
        return self.outbox.catalog.describe()

    @http("GET", "/aggregates/<string:aggregate_id>/as-of")
    @query("GetAggregateAsOf", AsOfQuerySchema, AggregateAsOfAnswer)
    def aggregate_as_of(self, as_of, aggregate_id):
        """Query: at (ISO 8601 with offset). The aggregate as its events up to that moment
        made it, and the last of them."""
        found = self.outbox.app.as_of(aggregate_id, as_of.at)
        if found is None:
            raise NotFound(
                f"no aggregate {aggregate_id} in {self.name} as of {as_of.at.isoformat()}",
                field="aggregate_id",
            )
        aggregate, event = found
        return {
            "aggregate_id": str(aggregate.id),
            "aggregate_type": type(aggregate).__name__,
            "at": as_of.at.isoformat(),
            "version": aggregate.version,
            "state": public_state(aggregate),
            "last_event": last_event(event),
        }

    @http("GET", "/openapi.json")
    @query("OpenApi")
    def openapi_document(self) -> RawJson:
        """This service's HTTP API as OpenAPI 3, made from its routes and schemas."""
        return RawJson(openapi.document(type(self)))


class DeadLettersAnswer(Schema):
    queue = fields.String()
    messages = fields.Integer()


class ReplayedAnswer(Schema):
    queue = fields.String()
    replayed = fields.Integer()
    discarded = fields.Integer()
    failed = fields.Dict(allow_none=True)
    remaining = fields.Integer()


class Follows:
    """What a following service adds: dead letters to count and replay."""

    follower = Follower()

    @http("GET", "/dead-letters")
    @query("CountDeadLetters", answer=DeadLettersAnswer)
    def dead_letters(self) -> dict[str, Any]:
        """How many messages wait in this service's dead-letter queue."""
        return self.follower.dead_letter_count()

    @http("POST", "/dead-letters/replay")
    @command("ReplayDeadLetters", answer=ReplayedAnswer)
    def replay_dead_letters(self, cmd: None, ctx: Any) -> dict[str, Any]:
        """{}: apply the queued messages in order, stopping at one that fails."""
        return self.follower.replay_dead_letters()


class UpstreamQueueConsumer(QueueConsumer):
    """The consumer of a service's upstream queues. Their messages are doorbells (the log
    is the truth; docs/architecture.md, "Consume"): each is noted where it is delivered,
    in this consumer's own green thread, rather than on a worker of its own, and acked
    with the ones before it: every `ACK_EVERY`, or when the consumer turns to the broker
    again `ACK_WITHIN` seconds or more after the first was noted (within its one-second
    wait when no more come). A message redelivered after a crash before its ack is a
    duplicate, judged as one.

    A message that cannot be decoded (not JSON, a content type other than JSON), which
    kombu's consumer would ack away, goes to the service's dead letters with why."""

    wiring = Wiring()
    PREFETCH = 1000
    ACK_EVERY = 200
    ACK_WITHIN = 0.05

    def __init__(self) -> None:
        super().__init__()
        self._unacked: Any = None  # the last message noted and not yet acked
        self._unacked_count = 0
        self._unacked_since = 0.0

    @property
    def prefetch_count(self) -> int:
        return self.PREFETCH

    def handle_message(self, provider: Any, body: Any, message: Any) -> None:
        try:
            following = self.wiring.build().following
            assert following is not None
            following.handle(
                provider.upstream,
                body,
                message.properties.get("user_id"),
                (message.headers or {}).get(FIRST_NOTIFICATION_ID),
            )
        except Exception:  # noqa: BLE001 - not noted: it comes back
            log.exception("a message from %s could not be noted", provider.upstream)
            self._requeue(message)
            return
        self._ack_later(message)

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        exchange = (message.delivery_info or {}).get("exchange") or ""
        upstream = upstream_of(exchange)
        error = f"{type(exc).__name__}: {exc} (content type {message.content_type!r})"
        try:
            following = self.wiring.build().following
            assert following is not None
            following.consumer.undecodable(
                upstream, message.body, error[:2000], message.properties.get("user_id")
            )
        except Exception:  # noqa: BLE001 - not dead-lettered: keep it, it comes back
            log.exception("an undecodable message from %s could not be dead-lettered", upstream)
            self._requeue(message)
            return
        self._ack_later(message)

    def on_iteration(self) -> None:
        if self._unacked is not None and (
            self.should_stop or time.monotonic() - self._unacked_since >= self.ACK_WITHIN
        ):
            self._flush_acks()
        super().on_iteration()

    def on_connection_revived(self) -> None:
        # Tags of the lost channel mean nothing on the new one; their messages come again.
        self._unacked, self._unacked_count = None, 0
        super().on_connection_revived()

    def _ack_later(self, message: Any) -> None:
        if self._unacked is None:
            self._unacked_since = time.monotonic()
        self._unacked = message
        self._unacked_count += 1
        if self._unacked_count >= self.ACK_EVERY:
            self._flush_acks()

    def _flush_acks(self) -> None:
        message, self._unacked, self._unacked_count = self._unacked, None, 0
        if message is None or not message.channel.connection:
            return  # the broker has taken them back already
        with contextlib.suppress(ConnectionError):  # closing: the messages come again
            message.channel.basic_ack(message.delivery_tag, multiple=True)

    def _requeue(self, message: Any) -> None:
        self._flush_acks()  # a later ack of several must not take this one with it
        self.requeue_message(message)


class UpstreamConsumer(Consumer):
    """`@consume` of one upstream's queue. Its messages are noted by the queue consumer
    above, with who published each (its AMQP `user_id`, which the broker checked), not
    run as the method's workers."""

    queue_consumer = UpstreamQueueConsumer()

    def __init__(self, queue: Any, upstream: str, **kwargs: Any) -> None:
        super().__init__(queue, **kwargs)
        self.upstream = upstream

    def setup(self) -> None:
        super().setup()
        unbind_events(self.container.config[AMQP_URI_CONFIG_KEY], self.queue.name, self.upstream)


def unbind_events(amqp_uri: str, queue: str, upstream: str) -> None:
    """Take away the binding of a follower's queue to the upstream's events exchange, which
    it had before doorbells: its messages would come as well as the rings. Nothing to do
    on a broker that never had it; a broker that does not answer is left to the start."""
    try:
        with Connection(amqp_uri, connect_timeout=5, transport_options={"max_retries": 1}) as conn:
            conn.default_channel.queue_unbind(queue, events_exchange(upstream), "#")
    except Exception as exc:  # noqa: BLE001 - no such queue or exchange yet, or no broker
        log.debug("%s: no binding to %s taken away: %s", queue, events_exchange(upstream), exc)


def _consumer(upstream: str) -> Callable[[Any, Any, Any], None]:
    def handle(self: Any, body: Any, user_id: str | None) -> None:
        self.follower.handle(upstream, body, user_id)

    handle.__name__ = f"on_{upstream}_event"
    return handle


def service_class(spec: ServiceSpec, registry: Registry) -> type:
    """The nameko service of `spec`: its `service.py` class, plus one consumer per upstream."""
    base = spec.module("service").Service
    upstreams = registry.upstreams(spec.name)
    if not upstreams:
        return base
    consumers = {
        f"on_{upstream}_event": UpstreamConsumer.decorator(
            upstream_queue(spec.name, upstream), upstream=upstream, requeue_on_error=True
        )(_consumer(upstream))
        for upstream in upstreams
    }
    return type(base.__name__, (base, Follows), {**consumers, "__module__": base.__module__})
