"""Authentic events: a consumer takes messages only from the upstream's broker user, as
hints, and applies only the upstream's log: a position moves only along it."""

import json

from services.common.catalog import Catalogs
from services.common.consumer import TrackingConsumer
from services.common.metrics import ServiceMetrics
from services.vendors.events import CATALOG as VENDORS
from tests.unit.test_consumer import UPSTREAM, FakeDeadLetters, FakeLog, FakeSink, signed

VENDORS_USER = "huiwu-vendors"


class Harness:
    def __init__(self, log_envelopes=()):
        self.sink = FakeSink()
        self.log = FakeLog(log_envelopes)
        self.dead = FakeDeadLetters()
        self.metrics = ServiceMetrics("checklist")
        self.consumer = TrackingConsumer(
            "checklist",
            [UPSTREAM],
            self.sink,
            Catalogs(VENDORS),
            self.log,
            self.dead,
            self.metrics,
            retry_delay=0,
            publishers={UPSTREAM: VENDORS_USER},
        )

    def handle(self, envelope, user_id=VENDORS_USER):
        if self.consumer.handle(UPSTREAM, envelope.to_json(), user_id):
            self.consumer.pull(UPSTREAM)

    def sample(self, name, **labels):
        labels = {"service": "checklist", "upstream": UPSTREAM, **labels}
        return self.metrics.registry.get_sample_value(name, labels) or 0.0

    def forged(self):
        return [letter for letter in self.dead.sent if letter["reason"] == "forged"]


def test_a_message_from_another_user_or_none_is_dead_lettered_as_forged():
    h = Harness([signed(1), signed(2)])

    h.handle(signed(1), user_id="huiwu-checklist")
    h.handle(signed(1), user_id="guest")
    h.handle(signed(1), user_id=None)

    assert h.sink.applied == []
    assert h.log.calls == []  # a forged message costs no log read
    assert [json.loads(letter["body"])["notification_id"] for letter in h.forged()] == [1, 1, 1]
    assert "'huiwu-checklist'" in h.forged()[0]["error"]
    assert "unnamed" in h.forged()[2]["error"]
    assert h.sample("huiwu_dead_lettered_messages_total", reason="forged") == 3
    assert h.sample("huiwu_consumer_messages_total", outcome="forged") == 3

    h.handle(signed(1))
    h.handle(signed(2))
    assert h.sink.applied == [1, 2]


def test_an_undecodable_message_from_another_user_is_forged():
    h = Harness()

    h.consumer.undecodable(UPSTREAM, b"{junk", "not JSON", "guest")
    h.consumer.undecodable(UPSTREAM, b"{junk", "not JSON", VENDORS_USER)

    assert [letter["reason"] for letter in h.dead.sent] == ["forged", "undecodable"]


def test_an_id_the_log_does_not_have_never_moves_the_position():
    h = Harness([signed(1), signed(2), signed(3)])
    h.handle(signed(1))

    h.handle(signed(10**12))

    assert h.sink.applied == [1, 2, 3]  # the log, up to its end
    assert h.sink.position(UPSTREAM) == 3
    (letter,) = h.forged()
    assert "not in vendors's log" in letter["error"]
    assert h.sample("huiwu_consumer_lag") == 0
    h.log.add(signed(4))
    h.handle(signed(4))
    assert h.sink.applied == [1, 2, 3, 4]


def test_a_message_that_disagrees_with_the_log_at_its_position_is_forged_and_the_log_wins():
    real = [signed(n) for n in range(1, 4)]
    h = Harness(real)
    h.handle(real[0])
    impostor = signed(3, amount_minor=1)
    impostor = type(impostor)(**{**impostor.to_dict(), "event_id": "1" * 32})

    h.handle(impostor)

    assert h.sink.applied == [1, 2, 3]
    assert h.sink.payloads[-1]["amount_minor"] == real[2].payload["amount_minor"]
    (letter,) = h.forged()
    assert "holds event" in letter["error"]
    h.handle(real[2])  # the real one, late: a duplicate
    assert h.sink.applied == [1, 2, 3]


def test_a_gap_closed_by_the_real_message_applies_the_logs_copy():
    h = Harness([signed(1), signed(2), signed(3)])

    h.handle(signed(3))

    assert h.sink.applied == [1, 2, 3]
    assert h.dead.sent == []
    assert h.sample("huiwu_consumer_messages_total", outcome="gap_filled") == 2


def with_event_id(envelope, event_id):
    return type(envelope)(**{**envelope.to_dict(), "event_id": event_id})


def test_the_next_message_is_checked_against_the_log_too():
    """No fast path: even the message right after the position is only a hint."""
    real = [signed(1), signed(2)]
    h = Harness(real)
    h.handle(real[0])

    h.handle(with_event_id(signed(2, amount_minor=1), "2" * 32))  # next in line, not real

    assert h.sink.applied == [1, 2]
    assert h.sink.payloads[-1]["amount_minor"] == real[1].payload["amount_minor"]  # the log's
    (letter,) = h.forged()
    assert "holds event" in letter["error"]
    assert h.sample("huiwu_consumer_messages_total", outcome="gap_filled") == 1


def test_a_message_with_the_real_event_id_but_another_payload_applies_the_logs_payload():
    real = signed(1)
    h = Harness([real])
    doctored = type(real)(
        **{**real.to_dict(), "payload": {**real.to_dict()["payload"], "amount_minor": 1}}
    )

    h.handle(doctored)

    assert h.sink.payloads == [
        h.consumer.catalogs[UPSTREAM].load_incoming("ContractSigned", real.payload)
    ]
    assert h.dead.sent == []


def test_a_message_for_a_hole_in_the_log_is_forged():
    h = Harness([signed(1), signed(2), signed(4)])  # PostgreSQL skipped #3

    h.handle(signed(3))

    assert h.sink.applied == [1, 2]
    (letter,) = h.forged()
    assert "#3 is not in vendors's log" in letter["error"]
    assert h.sample("huiwu_consumer_lag") == 0


def test_a_message_noted_while_the_log_is_read_is_judged_by_the_next_read():
    """The log read before a message arrived cannot hold its event yet: not forged."""
    h = Harness([signed(1)])
    original = h.log.__call__

    def fetch(upstream, start, limit):
        page = original(upstream, start, limit)
        if not h.log.calls[1:]:  # while the first read is under way, #2 commits and rings
            h.log.add(signed(2))
            assert h.consumer.handle(UPSTREAM, signed(2).to_json(), VENDORS_USER) is True
        return page

    h.consumer.fetch = fetch
    assert h.consumer.handle(UPSTREAM, signed(1).to_json(), VENDORS_USER) is True
    h.consumer.pull(UPSTREAM)
    assert h.forged() == [] and h.consumer.pending(UPSTREAM)

    h.consumer.pull(UPSTREAM)

    assert h.sink.applied == [1, 2] and h.forged() == []
    assert not h.consumer.pending(UPSTREAM)


def test_a_flood_of_messages_keeps_a_bounded_number_of_hints_and_reads_as_far():
    h = Harness([signed(n) for n in range(1, 8)])
    h.consumer.max_hints = 3

    for n in range(1, 8):
        assert h.consumer.handle(UPSTREAM, signed(n).to_json(), VENDORS_USER) is True
    assert len(h.consumer._hints[UPSTREAM]) == 3

    h.consumer.pull(UPSTREAM)

    assert h.sink.applied == list(range(1, 8))
    assert not h.consumer.pending(UPSTREAM) and h.forged() == []
