"""Publishing with publisher confirms, in batches: send many, then wait for their acks.

py-amqp's confirm mode waits for each message in turn; here the channel is put in confirm
mode by hand and acks are counted as they arrive, so a batch costs one round trip.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import amqp
from kombu import Connection


class PublishNotConfirmed(Exception):
    """The broker nacked a message or did not confirm it in time; publish again."""


@dataclass(frozen=True)
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    headers: dict[str, Any] = field(default_factory=dict)


class ConfirmingPublisher:
    """One connection and channel in confirm mode. Not shared between green threads.

    Every message carries the AMQP `user_id` of the connection's user, which RabbitMQ
    checks: a consumer knows who published it (docs/architecture.md, "Broker users").
    """

    def __init__(self, amqp_uri: str, connect_timeout: float = 3.0, confirm_timeout: float = 10.0):
        self.amqp_uri = amqp_uri
        self.user_id = unquote(urlsplit(amqp_uri).username or "guest")
        self.connect_timeout = connect_timeout
        self.confirm_timeout = confirm_timeout
        self._conn: Connection | None = None
        self._channel: Any = None
        self._declared: set[str] = set()
        self._next_tag = 1
        self._acked_upto = 0
        self._nacked: set[int] = set()
        self._single_acks: set[int] = set()
        self._lock = threading.RLock()

    def _ensure_channel(self) -> Any:
        if self._channel is not None:
            return self._channel
        conn = Connection(self.amqp_uri, connect_timeout=self.connect_timeout)
        conn.connect()
        channel = conn.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._conn, self._channel = conn, channel
        self._declared.clear()
        self._next_tag, self._acked_upto = 1, 0
        self._nacked, self._single_acks = set(), set()
        return channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._acked_upto = max(self._acked_upto, delivery_tag)
            self._single_acks = {tag for tag in self._single_acks if tag > self._acked_upto}
        elif delivery_tag == self._acked_upto + 1:
            self._acked_upto = delivery_tag
        else:
            self._single_acks.add(delivery_tag)  # acks may arrive out of order
        self._advance_single_acks()

    def _advance_single_acks(self) -> None:
        while self._acked_upto + 1 in self._single_acks:
            self._single_acks.discard(self._acked_upto + 1)
            self._acked_upto += 1

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            # Only the tags still unconfirmed are nacked; some may have been acked already.
            self._nacked.update(
                tag
                for tag in range(self._acked_upto + 1, delivery_tag + 1)
                if tag not in self._single_acks
            )
            self._acked_upto = max(self._acked_upto, delivery_tag)
            self._single_acks = {tag for tag in self._single_acks if tag > self._acked_upto}
        else:
            self._nacked.add(delivery_tag)
            self._single_acks.add(delivery_tag)
        self._advance_single_acks()

    def declare_topic_exchange(self, name: str) -> None:
        channel = self._ensure_channel()
        if name not in self._declared:
            channel.exchange_declare(name, "topic", durable=True, auto_delete=False)
            self._declared.add(name)

    def declare_queue(self, queue: str, exchange: str, routing_key: str) -> None:
        """A durable queue bound to a durable topic exchange (for dead letters)."""
        with self._lock:
            try:
                channel = self._ensure_channel()
                self.declare_topic_exchange(exchange)
                channel.queue_declare(queue, durable=True, auto_delete=False)
                channel.queue_bind(queue, exchange, routing_key)
            except (OSError, amqp.exceptions.AMQPError) as exc:
                self.close()
                raise PublishNotConfirmed(f"broker at {self.safe_uri}: {exc}") from exc

    def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish all messages persistently; return only once the broker confirmed each."""
        if not messages:
            return
        try:
            with self._lock:
                self._publish(messages)
        except PublishNotConfirmed:
            raise
        except (TimeoutError, OSError, amqp.exceptions.AMQPError) as exc:
            self.close()
            raise PublishNotConfirmed(f"broker at {self.safe_uri}: {exc}") from exc

    def _publish(self, messages: Sequence[OutgoingMessage]) -> None:
        channel = self._ensure_channel()
        for exchange in {m.exchange for m in messages}:
            self.declare_topic_exchange(exchange)
        first_tag = self._next_tag
        for message in messages:
            channel.basic_publish(
                amqp.Message(
                    message.body,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message.message_id,
                    user_id=self.user_id,
                    application_headers=message.headers,
                ),
                exchange=message.exchange,
                routing_key=message.routing_key,
            )
            self._next_tag += 1
        last_tag = self._next_tag - 1
        deadline = time.monotonic() + self.confirm_timeout
        while self._acked_upto < last_tag:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise PublishNotConfirmed(
                    f"broker at {self.safe_uri} did not confirm {last_tag - self._acked_upto} "
                    f"message(s) within {self.confirm_timeout}s"
                )
            try:
                self._conn.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        nacked = [tag for tag in range(first_tag, last_tag + 1) if tag in self._nacked]
        self._nacked.difference_update(range(first_tag, last_tag + 1))
        if nacked:
            raise PublishNotConfirmed(f"broker nacked {len(nacked)} message(s)")

    @property
    def safe_uri(self) -> str:
        return safe_amqp_uri(self.amqp_uri)

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to close
                conn.release()


def safe_amqp_uri(uri: str) -> str:
    """The URI without its password, for messages people read."""
    return Connection(uri).as_uri(include_password=False)
