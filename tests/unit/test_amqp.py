"""The ConfirmingPublisher's confirm bookkeeping and its publish waits, against a fake broker."""

import threading
import time
from collections import defaultdict

import amqp
import kombu
import pytest

from services.common import amqp as amqp_module
from services.common.amqp import (
    ConfirmingPublisher,
    OutgoingMessage,
    PublishNotConfirmed,
    safe_amqp_uri,
)

URI = "amqp://guest:secret@127.0.0.1:5672/"


@pytest.fixture
def publisher():
    # Nothing connects until a message is published.
    return ConfirmingPublisher(URI)


def test_single_acks_in_order_advance_one_by_one(publisher):
    for tag in (1, 2, 3):
        publisher._on_ack(tag, False)

    assert publisher._acked_upto == 3
    assert publisher._nacked == set()


def test_a_multiple_ack_confirms_everything_up_to_its_tag(publisher):
    publisher._on_ack(5, True)

    assert publisher._acked_upto == 5
    publisher._on_ack(3, True)  # an older multiple ack changes nothing
    assert publisher._acked_upto == 5


def test_single_acks_out_of_order_wait_for_the_missing_one(publisher):
    publisher._on_ack(2, False)
    publisher._on_ack(4, False)
    assert publisher._acked_upto == 0

    publisher._on_ack(1, False)
    assert publisher._acked_upto == 2

    publisher._on_ack(3, False)
    assert publisher._acked_upto == 4
    assert publisher._single_acks == set()


def test_a_multiple_ack_then_pending_single_acks_advance_together(publisher):
    publisher._on_ack(4, False)
    publisher._on_ack(5, False)

    publisher._on_ack(3, True)

    assert publisher._acked_upto == 5


def test_a_single_nack_is_confirmed_but_remembered_as_nacked(publisher):
    publisher._on_ack(1, False)
    publisher._on_nack(2, False)
    publisher._on_ack(3, False)

    assert publisher._acked_upto == 3
    assert publisher._nacked == {2}


def test_a_single_nack_out_of_order(publisher):
    publisher._on_nack(3, False)
    assert publisher._acked_upto == 0

    publisher._on_ack(2, True)
    assert publisher._acked_upto == 3
    assert publisher._nacked == {3}


def test_a_multiple_nack_marks_every_unconfirmed_tag_up_to_it(publisher):
    publisher._on_ack(2, True)

    publisher._on_nack(5, True)

    assert publisher._acked_upto == 5
    assert publisher._nacked == {3, 4, 5}


def test_a_multiple_nack_spares_tags_already_acked_out_of_order(publisher):
    publisher._on_ack(3, False)

    publisher._on_nack(4, True)

    assert publisher._acked_upto == 4
    assert publisher._nacked == {1, 2, 4}


def test_a_multiple_nack_lets_later_single_acks_advance(publisher):
    publisher._on_ack(4, False)  # 4 arrived before the nack of 1..3

    publisher._on_nack(3, True)

    assert publisher._acked_upto == 4
    assert publisher._nacked == {1, 2, 3}


def test_the_uri_shown_to_people_has_no_password(publisher):
    assert "secret" not in publisher.safe_uri
    assert "secret" not in safe_amqp_uri("amqp://u:secret@broker:5672/vh")
    assert "broker" in safe_amqp_uri("amqp://u:secret@broker:5672/vh")


def test_publishing_nothing_needs_no_broker(publisher):
    publisher.publish([])

    assert publisher._channel is None


# A fake broker in place of kombu's Connection: the publisher's own _ensure_channel connects
# to it, puts its channel in confirm mode and registers its ack/nack callbacks, as it would
# with py-amqp. Confirms are scripted per test and delivered one per drain_events call.


class FakeChannel:
    def __init__(self, broker):
        self.broker = broker
        self.events = defaultdict(set)  # as py-amqp's Channel.events
        self.confirm_mode = False
        self.published = []

    def confirm_select(self):
        self.confirm_mode = True

    def exchange_declare(self, exchange, type, durable=False, auto_delete=True):
        self.broker.declared.append((exchange, type, durable, auto_delete))

    def basic_publish(self, message, exchange="", routing_key=""):
        assert self.confirm_mode, "published before the channel was in confirm mode"
        if self.broker.fail_publish_at == len(self.published) + 1:
            raise ConnectionResetError(104, "Connection reset by peer")
        self.published.append((exchange, routing_key, message))


class FakeConnection:
    def __init__(self, broker, uri, connect_timeout=None):
        self.broker = broker
        self.uri = uri
        self.released = False
        self.channels = []

    def as_uri(self, include_password=True):
        return kombu.Connection(self.uri).as_uri(include_password=include_password)

    def connect(self):
        self.broker.connections.append(self)

    def channel(self):
        channel = FakeChannel(self.broker)
        self.channels.append(channel)
        return channel

    def drain_events(self, timeout=None):
        self.broker.drains += 1
        if self.broker.drain_error is not None:
            raise self.broker.drain_error
        if not self.broker.confirms:
            # Nothing from the broker: block for the timeout, as a socket read would.
            self.broker.waited.append(timeout)
            threading.Event().wait(timeout)
            raise TimeoutError("timed out")
        method, delivery_tag, multiple = self.broker.confirms.pop(0)
        for callback in list(self.channels[-1].events[method]):
            callback(delivery_tag, multiple)

    def release(self):
        self.released = True


class FakeBroker:
    def __init__(self):
        self.connections = []
        self.declared = []
        self.confirms = []  # (method, delivery_tag, multiple), e.g. ("basic_ack", 3, True)
        self.fail_publish_at = None
        self.drain_error = None
        self.drains = 0
        self.waited = []  # the timeouts of drain_events calls that found nothing

    def connection(self, uri, connect_timeout=None):
        return FakeConnection(self, uri, connect_timeout)

    def ack(self, delivery_tag, multiple=False):
        self.confirms.append(("basic_ack", delivery_tag, multiple))

    def nack(self, delivery_tag, multiple=False):
        self.confirms.append(("basic_nack", delivery_tag, multiple))

    @property
    def channel(self):
        return self.connections[-1].channels[-1]


@pytest.fixture
def broker(monkeypatch):
    fake = FakeBroker()
    monkeypatch.setattr(amqp_module, "Connection", fake.connection)
    return fake


@pytest.fixture
def confirming(broker):
    return ConfirmingPublisher(URI, confirm_timeout=0.05)


def batch(count, exchange="registration.events"):
    return [
        OutgoingMessage(
            exchange=exchange,
            routing_key="AttendeeRegistered",
            body=b'{"n": %d}' % n,
            message_id=f"m-{n}",
            headers={"n": n},
        )
        for n in range(1, count + 1)
    ]


def test_a_batch_acked_with_one_multiple_ack_returns_normally(broker, confirming):
    broker.ack(3, multiple=True)

    confirming.publish(batch(3))

    assert broker.channel.confirm_mode
    assert [m.properties["message_id"] for _, _, m in broker.channel.published] == [
        "m-1",
        "m-2",
        "m-3",
    ]
    assert {m.properties["delivery_mode"] for _, _, m in broker.channel.published} == {2}
    assert broker.declared == [("registration.events", "topic", True, False)]
    assert broker.drains == 1
    assert not broker.connections[0].released


def test_a_batch_waits_for_the_ack_of_its_last_message(broker, confirming):
    broker.ack(1)
    broker.ack(2, multiple=True)
    broker.ack(3)

    confirming.publish(batch(3))

    assert broker.drains == 3
    assert broker.confirms == []


def test_the_next_batch_on_the_same_channel_is_confirmed_by_its_own_tags(broker, confirming):
    broker.ack(2, multiple=True)
    confirming.publish(batch(2))
    broker.ack(3)  # the first message of the next batch only: not enough
    broker.ack(5, multiple=True)

    confirming.publish(batch(3))

    assert len(broker.connections) == 1
    assert len(broker.channel.published) == 5
    assert broker.drains == 3
    assert len(broker.declared) == 1  # the exchange is declared once per channel


def test_acks_arriving_out_of_order_confirm_the_batch_once_all_arrived(broker, confirming):
    broker.ack(3)
    broker.ack(1)
    broker.ack(4)
    broker.ack(2)

    confirming.publish(batch(4))

    assert broker.drains == 4
    assert broker.confirms == []


def test_a_single_nack_raises_naming_one_nacked_message(broker, confirming):
    broker.ack(1)
    broker.nack(2)
    broker.ack(3)

    with pytest.raises(PublishNotConfirmed, match=r"nacked 1 message\(s\)"):
        confirming.publish(batch(3))

    assert broker.confirms == []  # it waited for every confirm before raising


def test_a_multiple_nack_raises_naming_every_message_it_nacked(broker, confirming):
    broker.ack(1)
    broker.nack(4, multiple=True)

    with pytest.raises(PublishNotConfirmed, match=r"nacked 3 message\(s\)"):
        confirming.publish(batch(4))


def test_a_multiple_nack_counts_only_the_tags_of_its_own_batch(broker, confirming):
    broker.ack(2, multiple=True)
    confirming.publish(batch(2))
    broker.ack(4)  # acked before the nack: spared by it
    broker.nack(5, multiple=True)

    with pytest.raises(PublishNotConfirmed, match=r"nacked 2 message\(s\)"):
        confirming.publish(batch(3))


def test_a_nacked_batch_does_not_fail_the_next_batch(broker, confirming):
    broker.nack(2, multiple=True)
    with pytest.raises(PublishNotConfirmed, match=r"nacked 2 message\(s\)"):
        confirming.publish(batch(2))
    broker.ack(4, multiple=True)

    confirming.publish(batch(2))

    assert len(broker.connections) == 1
    assert confirming._nacked == set()


def test_a_broker_that_never_confirms_fails_the_batch_after_the_confirm_timeout(broker, confirming):
    broker.ack(1)  # one of three is confirmed, then nothing
    started = time.monotonic()

    with pytest.raises(PublishNotConfirmed, match=r"did not confirm 2 message\(s\) within 0.05s"):
        confirming.publish(batch(3))

    assert time.monotonic() - started >= 0.05
    assert 0 < sum(broker.waited) <= 0.05  # it never waited past the deadline
    assert broker.connections[0].released
    assert confirming._channel is None


def test_after_a_confirm_timeout_the_next_batch_reconnects_and_counts_tags_from_one(
    broker, confirming
):
    with pytest.raises(PublishNotConfirmed):
        confirming.publish(batch(2))
    broker.ack(1)

    confirming.publish(batch(1))

    assert len(broker.connections) == 2
    assert broker.connections[1].channels[0].confirm_mode
    assert not broker.connections[1].released
    assert len(broker.declared) == 2  # declared again on the new channel


def test_a_socket_error_while_publishing_closes_the_connection_and_raises(broker, confirming):
    broker.fail_publish_at = 2

    with pytest.raises(PublishNotConfirmed) as raised:
        confirming.publish(batch(3))

    assert isinstance(raised.value.__cause__, ConnectionResetError)
    assert "127.0.0.1" in str(raised.value)
    assert "secret" not in str(raised.value)
    assert broker.connections[0].released
    assert confirming._channel is None
    assert broker.drains == 0


def test_a_connection_lost_while_waiting_for_confirms_closes_and_raises(broker, confirming):
    broker.drain_error = amqp.exceptions.ConnectionForced("broker shutting down")

    with pytest.raises(PublishNotConfirmed, match="broker shutting down"):
        confirming.publish(batch(2))

    assert broker.connections[0].released
    assert confirming._channel is None
