"""Reading other services' notification logs over nameko RPC (`<service>.notifications`,
and `<service>.log_end` for how far a log goes).

One proxy per process, started on first use and restarted after any failure, so a broken
connection or a timeout costs one failed read, not a stuck reader. A request expires in
the broker when its reader stops waiting for it: a service that was stopped or stuck does
not find a pile of stale requests waiting for it when it comes back.

Requests carry the AMQP `user_id` of the reader's broker user (the broker checks it; the
upstream answers only its followers and the auditor), and replies come to queues named
for that user (`rpc.reply-huiwu-<service>-<uuid>`), the only ones it may read. A reply
counts only if the service asked sent it (its `user_id`): anyone who may write nameko's
RPC exchange could otherwise answer in its place with a log of their own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from nameko.exceptions import UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import (
    ClusterProxy,
    ClusterRpcProxy,
    PollingQueueConsumer,
    SingleThreadedReplyListener,
)

from .config import broker_user

log = logging.getLogger(__name__)


class _ExpiringProxy(ClusterProxy):
    """nameko's cluster proxy, its requests published with an expiration and a user_id."""

    def __init__(
        self, worker_ctx: Any, reply_listener: Any, expiration: float, user_id: str
    ) -> None:
        super().__init__(worker_ctx, reply_listener)
        self._expiration = expiration
        self._user_id = user_id

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(
                self._worker_ctx,
                name,
                self._reply_listener,
                expiration=self._expiration,
                user_id=self._user_id,
            )
        return self._proxies[name]


class _CheckedReplies(PollingQueueConsumer):
    """Takes only replies whose AMQP user_id is the one expected; drops (and logs) others."""

    expected_user: str | None = None

    def on_message(self, body: Any, message: Any) -> None:
        sender = message.properties.get("user_id")
        if sender != self.expected_user:
            log.warning("dropped an RPC reply from %r (expected %r)", sender, self.expected_user)
            message.ack()
            return
        super().on_message(body, message)


class _CheckedReplyListener(SingleThreadedReplyListener):
    def __init__(self, timeout: float | None = None) -> None:
        super().__init__(timeout)
        self.queue_consumer = _CheckedReplies(timeout=timeout)


class ExpiringClusterRpcProxy(ClusterRpcProxy):
    """A cluster proxy calling as `user`, the broker user of the AMQP URI in `config`, and
    taking replies only from the user `expect_replies_from` names (one call at a time)."""

    def __init__(self, config: dict[str, Any], timeout: float, user: str) -> None:
        # nameko names reply queues rpc.reply-<container's service name>-<uuid>
        self.ServiceContainer = type(
            "ServiceContainer", (ClusterRpcProxy.ServiceContainer,), {"service_name": user}
        )
        super().__init__(config, timeout=timeout, reply_listener_cls=_CheckedReplyListener)
        self._proxy = _ExpiringProxy(self._worker_ctx, self._reply_listener, timeout, user)

    def expect_replies_from(self, user: str) -> None:
        self._reply_listener.queue_consumer.expected_user = user


class _Reader:
    """One upstream's proxy: each upstream is read on its own, so a slow one (or one
    that is down) never holds back the reading of the others."""

    def __init__(self, amqp_uri: str, user: str, upstream: str, timeout: float) -> None:
        self.amqp_uri, self.user, self.upstream, self.timeout = amqp_uri, user, upstream, timeout
        self.lock = threading.Lock()
        self._cluster: Any = None
        self._proxy: Any = None

    def fetch(self, start: int, limit: int) -> list[dict[str, Any]]:
        return self.call("notifications", start=start, limit=limit)

    def call(self, method: str, **kwargs: Any) -> Any:
        with self.lock:
            if self._proxy is None:
                self._cluster = ExpiringClusterRpcProxy(
                    {"AMQP_URI": self.amqp_uri}, timeout=self.timeout, user=self.user
                )
                self._proxy = self._cluster.start()
                self._cluster.expect_replies_from(broker_user(self.upstream))
            try:
                return getattr(getattr(self._proxy, self.upstream), method)(**kwargs)
            except UnknownService:
                raise  # the upstream is not running; the proxy itself is fine
            except Exception:
                self._stop()  # a timeout or broken connection: start afresh next time
                raise

    def close(self) -> None:
        with self.lock:
            self._stop()

    def _stop(self) -> None:
        cluster, self._cluster, self._proxy = self._cluster, None, None
        if cluster is not None:
            with contextlib.suppress(Exception):  # a broken proxy may fail to stop cleanly
                cluster.stop()


class UpstreamLogs:
    def __init__(self, amqp_uri: str, service: str, timeout: float) -> None:
        self.amqp_uri = amqp_uri
        self.service = service
        self.timeout = timeout
        self._lock = threading.Lock()
        self._readers: dict[str, _Reader] = {}

    def fetch(self, upstream: str, start: int, limit: int) -> list[dict[str, Any]]:
        """Envelopes (as dicts) of `upstream`'s log from `start`, at most `limit`."""
        return self._reader(upstream).fetch(start, limit)

    def end(self, upstream: str) -> int:
        """The highest notification id in `upstream`'s log now (0: an empty log)."""
        return int(self._reader(upstream).call("log_end"))

    def _reader(self, upstream: str) -> _Reader:
        with self._lock:
            reader = self._readers.get(upstream)
            if reader is None:
                user = broker_user(self.service)
                reader = _Reader(self.amqp_uri, user, upstream, self.timeout)
                self._readers[upstream] = reader
        return reader

    def close(self) -> None:
        with self._lock:
            readers = list(self._readers.values())
        for reader in readers:
            reader.close()
