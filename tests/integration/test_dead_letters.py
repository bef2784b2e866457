"""A service's dead-letter queue on the real broker: what it keeps, and replaying it in order."""

import pytest
from kombu import Connection

from services.common.amqp import ConfirmingPublisher, OutgoingMessage
from services.common.dead_letters import DeadLetterQueue
from tests.support import amqp


@pytest.fixture
def publisher(vhost):
    publisher = ConfirmingPublisher(vhost.uri, confirm_timeout=5.0)
    yield publisher
    publisher.close()


@pytest.fixture
def dead_letters(publisher):
    return DeadLetterQueue(publisher, "budget")


def send(dead_letters, *bodies):
    for body in bodies:
        dead_letters.send("registration", body, "handler-failed", f"ValueError: {body.decode()}")


def take_headers(vhost, queue):
    """The headers of every queued message, in order; the messages are removed."""
    with Connection(vhost.uri, connect_timeout=3) as conn:
        channel = conn.default_channel
        found = []
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            found.append(dict(message.headers))
        return found


def as_bytes(body):
    # py-amqp decodes a body that has a content_encoding, so apply may be handed a str
    # (the real consumer's replay takes bytes or str).
    return body.encode("utf-8") if isinstance(body, str) else body


class Recorder:
    """An apply that records the bodies it applied, in order."""

    def __init__(self):
        self.applied = []

    def __call__(self, body):
        self.applied.append(as_bytes(body))


class Flaky(Recorder):
    """An apply that fails on one body until it is fixed."""

    def __init__(self, fails_on):
        super().__init__()
        self.fails_on = fails_on

    def __call__(self, body):
        if as_bytes(body) == self.fails_on:
            raise RuntimeError(f"no budget line for {as_bytes(body).decode()}")
        super().__call__(body)


def test_sent_messages_are_counted_and_keep_why_they_failed(vhost, dead_letters):
    send(dead_letters, b"one", b"two")

    assert dead_letters.count() == 2
    headers = take_headers(vhost, "budget.dead-letters")
    assert [h["x-huiwu-error"] for h in headers] == ["ValueError: one", "ValueError: two"]
    assert {h["x-huiwu-reason"] for h in headers} == {"handler-failed"}
    assert {h["x-huiwu-upstream"] for h in headers} == {"registration"}
    assert {h["x-huiwu-consumer"] for h in headers} == {"budget"}
    assert all(h["x-huiwu-dead-lettered-at"] for h in headers)


def test_an_empty_queue_counts_zero_and_replays_nothing(dead_letters):
    apply = Recorder()

    result = dead_letters.replay(apply)

    assert dead_letters.count() == 0
    assert result == {"replayed": 0, "discarded": 0, "failed": None, "remaining": 0}
    assert apply.applied == []


def test_a_replay_applies_every_message_in_order_and_removes_them(dead_letters):
    send(dead_letters, b"one", b"two", b"three")
    apply = Recorder()

    result = dead_letters.replay(apply)

    assert apply.applied == [b"one", b"two", b"three"]
    assert result == {"replayed": 3, "discarded": 0, "failed": None, "remaining": 0}
    assert dead_letters.count() == 0


def test_a_replay_stops_at_the_first_failure_and_leaves_it_and_the_rest_queued(dead_letters):
    send(dead_letters, b"one", b"two", b"three", b"four")
    apply = Flaky(fails_on=b"two")

    result = dead_letters.replay(apply)

    assert apply.applied == [b"one"]
    assert result["replayed"] == 1
    assert result["failed"]["error"] == "RuntimeError: no budget line for two"
    assert result["failed"]["headers"]["x-huiwu-error"] == "ValueError: two"
    assert result["failed"]["headers"]["x-huiwu-upstream"] == "registration"
    assert result["remaining"] == 3
    assert dead_letters.count() == 3


def test_a_later_replay_after_the_fix_applies_the_rest_in_order(dead_letters):
    send(dead_letters, b"one", b"two", b"three", b"four")
    apply = Flaky(fails_on=b"two")
    assert dead_letters.replay(apply)["replayed"] == 1

    apply.fails_on = None  # the cause is fixed
    result = dead_letters.replay(apply)

    assert apply.applied == [b"one", b"two", b"three", b"four"]
    assert result == {"replayed": 3, "discarded": 0, "failed": None, "remaining": 0}
    assert dead_letters.count() == 0


def test_a_replay_applies_at_most_its_limit_and_the_next_one_continues(dead_letters):
    send(dead_letters, b"one", b"two", b"three", b"four", b"five")
    apply = Recorder()

    first = dead_letters.replay(apply, limit=2)

    assert apply.applied == [b"one", b"two"]
    assert first == {"replayed": 2, "discarded": 0, "failed": None, "remaining": 3}
    assert dead_letters.count() == 3

    second = dead_letters.replay(apply, limit=2)

    assert apply.applied == [b"one", b"two", b"three", b"four"]
    assert second == {"replayed": 2, "discarded": 0, "failed": None, "remaining": 1}


def test_a_replay_discards_forged_letters_and_letters_put_there_by_another_user(
    vhost, dead_letters
):
    send(dead_letters, b"one")
    dead_letters.send("registration", b"forged", "forged", "published by 'guest'")
    # Any service may write the dead-letter exchange: checklist, into budget's queue.
    checklist = ConfirmingPublisher(amqp.as_user(vhost.uri, "checklist"), confirm_timeout=5.0)
    try:
        checklist.publish(
            [
                OutgoingMessage(
                    exchange="huiwu.dead-letters",
                    routing_key="budget",
                    body=b"planted",
                    message_id="planted",
                    headers={"x-huiwu-reason": "handler_failed"},
                )
            ]
        )
    finally:
        checklist.close()
    send(dead_letters, b"two")
    apply = Recorder()

    result = dead_letters.replay(apply)

    assert apply.applied == [b"one", b"two"]
    assert result == {"replayed": 2, "discarded": 2, "failed": None, "remaining": 0}
