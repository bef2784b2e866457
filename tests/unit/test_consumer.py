"""The tracking consumer: messages as doorbells, the upstream's log as the truth; exactly-once
effect, in order, gaps filled, failures dead-lettered."""

import json
import uuid

import pytest
from marshmallow import ValidationError

from services.common.catalog import Catalogs
from services.common.consumer import (
    DEAD_LETTER_REASONS,
    OUTCOMES,
    AlreadyTracked,
    Contended,
    TrackingConsumer,
)
from services.common.envelope import Envelope, event_id_for
from services.common.failpoints import Failpoints
from services.common.metrics import ServiceMetrics
from services.vendors.events import CATALOG as VENDORS

UPSTREAM = "vendors"
CONFERENCE = str(uuid.uuid4())


class FakeSink:
    """Positions in a dict; effects in a list; told to fail the next N applies."""

    def __init__(self):
        self.positions: dict[str, int] = {}
        self.applied: list[int] = []
        self.payloads: list[dict] = []
        self.fail_next = 0
        self.attempts = 0
        self.already_tracked = False
        self.replayed: list[int] = []

    def position(self, upstream):
        return self.positions.get(upstream, 0)

    def apply(self, envelope, payload):
        self.attempts += 1
        if self.already_tracked:
            raise AlreadyTracked("another worker got there first")
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("database is sulking")
        assert envelope.notification_id > self.position(envelope.service)
        self.applied.append(envelope.notification_id)
        self.payloads.append(payload)
        self.positions[envelope.service] = envelope.notification_id

    def skip(self, upstream, notification_id):
        self.positions[upstream] = max(self.position(upstream), notification_id)

    def replay(self, envelope, payload):
        self.replayed.append(envelope.notification_id)


class FakeLog:
    """An upstream notification log served as envelope dicts (as over RPC), or as Envelope
    objects (as a service's own log serves a local read model), recording every fetch."""

    def __init__(self, envelopes=(), as_objects=False):
        self.envelopes: dict[int, Envelope | dict] = {}
        self.add(*envelopes)
        self.calls: list[tuple[str, int, int]] = []
        self.as_objects = as_objects

    def add(self, *envelopes):
        """Envelopes, or envelope dicts the catalogue may not know (a newer upstream)."""
        for e in envelopes:
            nid = e["notification_id"] if isinstance(e, dict) else e.notification_id
            self.envelopes[nid] = e

    def __call__(self, upstream, start, limit):
        self.calls.append((upstream, start, limit))
        ids = sorted(i for i in self.envelopes if i >= start)[:limit]
        found = [self.envelopes[i] for i in ids]
        if self.as_objects:
            return found
        return [e if isinstance(e, dict) else e.to_dict() for e in found]


class FakeDeadLetters:
    def __init__(self):
        self.sent: list[dict] = []

    def send(self, upstream, body, reason, error):
        self.sent.append({"upstream": upstream, "body": body, "reason": reason, "error": error})


def signed(nid: int, **payload_overrides) -> Envelope:
    payload = {
        "vendor_id": str(uuid.UUID(int=1)),
        "category": "venue",
        "amount_minor": 100 * nid,
        "currency": "CNY",
        "signed_on": "2026-03-01",
        "signed_by": "wang",
    }
    payload.update(payload_overrides)
    aggregate_id = str(uuid.UUID(int=1000 + nid))
    return Envelope(
        event_id=event_id_for(aggregate_id, 2),
        event_type="ContractSigned",
        service=UPSTREAM,
        notification_id=nid,
        aggregate_type="Contract",
        aggregate_id=aggregate_id,
        aggregate_version=2,
        conference_id=CONFERENCE,
        occurred_at="2026-03-01T02:00:00+00:00",
        actor="wang",
        correlation_id="corr",
        causation_id=None,
        schema_version=1,
        payload=payload,
    )


class RecordingFailpoints(Failpoints):
    """Records the crash points passed instead of killing the process."""

    def __init__(self):
        super().__init__()
        self.hits: list[str] = []

    def hit(self, name):
        self.hits.append(name)


class Harness:
    def __init__(
        self, log_envelopes=(), max_attempts=3, page_size=200, as_objects=False, failpoints=None
    ):
        self.sink = FakeSink()
        self.log = FakeLog(log_envelopes, as_objects=as_objects)
        self.dead = FakeDeadLetters()
        self.metrics = ServiceMetrics("checklist")
        self.failpoints = failpoints or RecordingFailpoints()
        self.consumer = TrackingConsumer(
            "checklist",
            [UPSTREAM],
            self.sink,
            Catalogs(VENDORS),
            self.log,
            self.dead,
            self.metrics,
            max_attempts=max_attempts,
            retry_delay=0,
            page_size=page_size,
            failpoints=self.failpoints,
        )

    def handle(self, envelope_or_body):
        """The upstream publishes an event (an Envelope: it is in its log first), or a
        body arrives (bytes, str: only what is already in the log is); its reader runs."""
        if isinstance(envelope_or_body, Envelope):
            self.log.add(envelope_or_body)
            body = envelope_or_body.to_json()
        else:
            body = envelope_or_body
        if self.consumer.handle(UPSTREAM, body):
            self.consumer.pull(UPSTREAM)

    def consumed(self, outcome: str) -> float:
        return (
            self.metrics.registry.get_sample_value(
                "huiwu_consumer_messages_total",
                {"service": "checklist", "upstream": UPSTREAM, "outcome": outcome},
            )
            or 0.0
        )

    def dead_lettered(self, reason: str) -> float:
        return (
            self.metrics.registry.get_sample_value(
                "huiwu_dead_lettered_messages_total",
                {"service": "checklist", "upstream": UPSTREAM, "reason": reason},
            )
            or 0.0
        )

    def lag(self) -> float:
        return self.metrics.registry.get_sample_value(
            "huiwu_consumer_lag", {"service": "checklist", "upstream": UPSTREAM}
        )


@pytest.fixture
def h():
    return Harness()


def test_in_order_messages_are_applied_once_each(h):
    for nid in (1, 2, 3):
        h.handle(signed(nid))

    assert h.sink.applied == [1, 2, 3]
    assert h.sink.position(UPSTREAM) == 3
    assert h.log.calls == [(UPSTREAM, 1, 1), (UPSTREAM, 2, 1), (UPSTREAM, 3, 1)]  # the truth
    assert h.dead.sent == []
    assert h.consumed("processed") == 3
    assert h.consumed("duplicate") == 0
    assert h.lag() == 0


def test_the_payload_is_loaded_with_the_catalogue(h):
    h.handle(signed(1, extra_field_from_a_newer_version="x"))

    (payload,) = h.sink.payloads
    assert "extra_field_from_a_newer_version" not in payload
    assert payload["signed_on"].isoformat() == "2026-03-01"


def test_a_message_at_or_below_the_position_is_a_duplicate_and_skipped(h):
    for nid in (1, 2, 3):
        h.handle(signed(nid))

    h.handle(signed(3))
    h.handle(signed(1))

    assert h.sink.applied == [1, 2, 3]
    assert h.sink.attempts == 3
    assert h.consumed("duplicate") == 2
    assert h.consumed("processed") == 3
    assert h.dead.sent == []


def test_a_gap_is_filled_from_the_log_in_order_before_the_message():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 6)])
    h.handle(signed(1))
    h.log.calls.clear()

    h.handle(signed(4))  # 2 and 3 never arrived

    assert h.sink.applied == [1, 2, 3, 4]
    assert h.log.calls == [(UPSTREAM, 2, 3)]  # through 4 itself: the log must back it
    assert h.consumed("gap_filled") == 2
    assert h.consumed("processed") == 4
    assert h.lag() == 0

    h.handle(signed(2))  # the late delivery of a filled message
    h.handle(signed(5))
    assert h.sink.applied == [1, 2, 3, 4, 5]
    assert h.consumed("duplicate") == 1


def ring(h, first: int, last: int) -> None:
    """The upstream rings for a published batch `first`..`last`, already in its log."""
    if h.consumer.handle(UPSTREAM, signed(last).to_json(), first=first):
        h.consumer.pull(UPSTREAM)


def test_a_ring_for_a_batch_applies_all_of_it_as_announced_not_as_gaps():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 8)])

    ring(h, 1, 5)
    ring(h, 6, 7)

    assert h.sink.applied == [1, 2, 3, 4, 5, 6, 7]
    assert h.log.calls == [(UPSTREAM, 1, 5), (UPSTREAM, 6, 2)]
    assert h.consumed("processed") == 7
    assert h.consumed("gap_filled") == 0
    assert h.lag() == 0
    ring(h, 1, 5)  # delivered again after a crash: one duplicate message
    assert h.consumed("duplicate") == 1
    assert h.sink.applied == [1, 2, 3, 4, 5, 6, 7]


def test_a_lost_ring_leaves_a_gap_the_next_one_fills():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 8)])
    ring(h, 1, 2)

    ring(h, 6, 7)  # the ring for 3..5 never came

    assert h.sink.applied == [1, 2, 3, 4, 5, 6, 7]
    assert h.consumed("gap_filled") == 3
    assert h.consumed("processed") == 7


@pytest.mark.parametrize("first", [0, -1, 9, "3", True, None, 3.0])
def test_a_ring_with_no_sound_start_is_one_message_and_the_rest_gaps(first):
    h = Harness(log_envelopes=[signed(n) for n in range(1, 6)])

    ring(h, first, 5)

    assert h.sink.applied == [1, 2, 3, 4, 5]
    assert h.consumed("gap_filled") == 4


def test_a_ring_past_the_log_is_forged_and_announces_nothing():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 4)])

    ring(h, 2, 9)

    assert h.sink.applied == [1, 2, 3]
    assert h.consumed("forged") == 1
    assert h.consumer._rung[UPSTREAM] == []
    assert h.sink.position(UPSTREAM) == 3


def test_a_gap_from_the_very_start_is_filled():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 4)])

    h.handle(signed(3))

    assert h.sink.applied == [1, 2, 3]
    assert h.log.calls == [(UPSTREAM, 1, 3)]


def test_a_long_gap_is_filled_page_by_page():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 12)], page_size=4)

    h.handle(signed(11))

    assert h.sink.applied == list(range(1, 12))
    assert h.log.calls == [(UPSTREAM, 1, 4), (UPSTREAM, 5, 4), (UPSTREAM, 9, 3)]


def test_a_hole_in_the_upstream_log_does_not_stop_the_gap_fill():
    # PostgreSQL sequences may skip ids: the log simply has no #3.
    h = Harness(log_envelopes=[signed(n) for n in (1, 2, 4, 5, 6)])

    h.handle(signed(6))

    assert h.sink.applied == [1, 2, 4, 5, 6]


def test_a_payload_failing_its_schema_is_dead_lettered_and_skipped(h):
    h.handle(signed(1))
    bad = signed(2, amount_minor="12")

    h.handle(bad)
    h.handle(signed(3))

    assert h.sink.applied == [1, 3]
    assert h.sink.position(UPSTREAM) == 3
    (letter,) = h.dead.sent
    assert letter["reason"] == "invalid_payload"
    assert letter["upstream"] == UPSTREAM
    assert "amount_minor" in letter["error"]
    assert json.loads(letter["body"])["notification_id"] == 2
    assert h.dead_lettered("invalid_payload") == 1
    assert h.consumed("dead_lettered") == 1
    assert h.consumed("processed") == 2


def test_an_unknown_event_type_is_dead_lettered_as_an_invalid_payload(h):
    unknown = {**signed(1).to_dict(), "event_type": "ContractVoided"}
    h.log.add(unknown)  # a newer vendors publishes what this catalogue does not know
    h.handle(json.dumps(unknown))
    h.handle(signed(2))

    assert h.sink.applied == [2]
    assert [letter["reason"] for letter in h.dead.sent] == ["invalid_payload"]
    assert "ContractVoided" in h.dead.sent[0]["error"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[1, 2, 3]",
        json.dumps({"event_type": "ContractSigned"}).encode(),
        json.dumps({**signed(1).to_dict(), "notification_id": 0}).encode(),
    ],
)
def test_a_malformed_envelope_is_dead_lettered_and_nothing_applied(h, body):
    h.handle(body)

    assert h.sink.applied == []
    assert h.sink.position(UPSTREAM) == 0
    (letter,) = h.dead.sent
    assert letter["reason"] == "malformed_envelope"
    assert letter["body"] == body
    assert h.consumed("malformed") == 1
    assert h.dead_lettered("malformed_envelope") == 1
    assert h.consumed("processed") == 0

    h.handle(signed(1))
    assert h.sink.applied == [1]


def test_a_message_from_another_service_on_this_queue_is_dead_lettered(h):
    stray = json.dumps({**signed(1).to_dict(), "service": "budget"})

    h.handle(stray)

    assert h.sink.applied == []
    assert [letter["reason"] for letter in h.dead.sent] == ["wrong_service"]
    assert h.dead_lettered("wrong_service") == 1


def test_an_effect_that_keeps_failing_is_dead_lettered_and_skipped():
    h = Harness(max_attempts=3)
    h.sink.fail_next = 3

    h.handle(signed(1))

    assert h.sink.attempts == 3
    assert h.sink.applied == []
    assert h.sink.position(UPSTREAM) == 1
    (letter,) = h.dead.sent
    assert letter["reason"] == "handler_failed"
    assert "RuntimeError" in letter["error"]
    assert "sulking" in letter["error"]
    assert h.dead_lettered("handler_failed") == 1
    assert h.consumed("processed") == 0

    h.handle(signed(2))
    assert h.sink.applied == [2]
    assert h.consumed("processed") == 1


def test_an_effect_that_fails_fewer_times_than_allowed_is_applied_once():
    h = Harness(max_attempts=3)
    h.sink.fail_next = 2

    h.handle(signed(1))

    assert h.sink.attempts == 3
    assert h.sink.applied == [1]
    assert h.dead.sent == []
    assert h.consumed("processed") == 1
    assert h.dead_lettered("handler_failed") == 0


def test_already_tracked_from_the_sink_counts_as_a_duplicate(h):
    h.sink.already_tracked = True

    h.handle(signed(1))

    assert h.sink.attempts == 1  # not retried
    assert h.consumed("duplicate") == 1
    assert h.consumed("processed") == 0
    assert h.dead.sent == []


def test_catch_up_pulls_pages_until_a_short_page_ends_the_log():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 6)], page_size=2)

    pulled = h.consumer.catch_up(UPSTREAM)

    assert pulled == 5
    assert h.sink.applied == [1, 2, 3, 4, 5]
    assert h.log.calls == [(UPSTREAM, 1, 2), (UPSTREAM, 3, 2), (UPSTREAM, 5, 2)]
    assert h.consumed("caught_up") == 5


def test_catch_up_of_a_full_last_page_asks_once_more_and_stops_on_empty():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 5)], page_size=2)

    assert h.consumer.catch_up(UPSTREAM) == 4
    assert h.log.calls == [(UPSTREAM, 1, 2), (UPSTREAM, 3, 2), (UPSTREAM, 5, 2)]


def test_the_upstream_log_is_read_without_holding_the_lock():
    """A lock held across the RPC would stall every worker queued behind it."""
    h = Harness(log_envelopes=[signed(n) for n in range(1, 4)])
    held_during_fetch = []
    original = h.log.__call__

    def fetch(upstream, start, limit):
        held_during_fetch.append(h.consumer.lock(upstream)._is_owned())
        return original(upstream, start, limit)

    h.consumer.fetch = fetch
    h.handle(signed(3))  # a gap: 1 and 2 come from the log
    h.consumer.catch_up(UPSTREAM)

    assert h.sink.applied == [1, 2, 3]
    assert held_during_fetch and not any(held_during_fetch)


def test_catch_up_starts_after_the_position_and_then_finds_nothing_new():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 4)])
    h.handle(signed(1))
    h.log.calls.clear()

    assert h.consumer.catch_up(UPSTREAM) == 2
    assert h.log.calls[0] == (UPSTREAM, 2, 200)
    assert h.consumer.catch_up(UPSTREAM) == 0
    assert h.sink.applied == [1, 2, 3]

    h.log.add(signed(4))
    assert h.consumer.catch_up(UPSTREAM) == 1
    assert h.sink.applied == [1, 2, 3, 4]


def test_catch_up_dead_letters_an_invalid_payload_and_goes_on():
    h = Harness(log_envelopes=[signed(1), signed(2, currency="yuan"), signed(3)])

    assert h.consumer.catch_up(UPSTREAM) == 3

    assert h.sink.applied == [1, 3]
    assert [letter["reason"] for letter in h.dead.sent] == ["invalid_payload"]
    assert h.sink.position(UPSTREAM) == 3


def test_a_dict_body_is_accepted(h):
    h.log.add(signed(1))

    assert h.consumer.handle(UPSTREAM, signed(1).to_dict()) is True
    assert h.consumer.pull(UPSTREAM) == 1

    assert h.sink.applied == [1]


def test_replaying_a_dead_letter_applies_its_effect_without_moving_the_position():
    h = Harness(max_attempts=2)
    h.sink.fail_next = 2
    h.handle(signed(1))
    h.handle(signed(2))
    assert h.sink.applied == [2] and h.sink.position(UPSTREAM) == 2
    (dead,) = h.dead.sent

    replayed = h.consumer.replay(dead["body"])

    assert replayed.notification_id == 1
    assert h.sink.replayed == [1]
    assert h.sink.position(UPSTREAM) == 2
    assert h.consumed("replayed") == 1


def test_replaying_a_message_that_still_fails_its_schema_raises_and_applies_nothing():
    h = Harness()
    h.handle(signed(1, amount_minor="lots"))
    (dead,) = h.dead.sent

    with pytest.raises(ValidationError):
        h.consumer.replay(dead["body"])
    assert h.sink.replayed == []


def test_every_series_of_each_upstream_shows_from_the_constructor_on():
    metrics = ServiceMetrics("reporting")
    TrackingConsumer(
        "reporting",
        ["vendors", "budget"],
        FakeSink(),
        Catalogs(VENDORS),
        FakeLog(),
        FakeDeadLetters(),
        metrics,
    )

    def sample(name, **labels):
        return metrics.registry.get_sample_value(name, {"service": "reporting", **labels})

    for upstream in ("vendors", "budget"):
        assert sample("huiwu_consumer_lag", upstream=upstream) == 0.0
        for outcome in OUTCOMES:
            assert sample("huiwu_consumer_messages_total", upstream=upstream, outcome=outcome) == 0
        for reason in DEAD_LETTER_REASONS:
            labels = {"upstream": upstream, "reason": reason}
            assert sample("huiwu_dead_lettered_messages_total", **labels) == 0
    assert sample("huiwu_consumer_lag", upstream="speakers") is None  # not followed


def test_catch_up_pages_through_the_log_in_order_and_resumes_from_the_position():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 8)], page_size=3)
    h.handle(signed(1))
    h.handle(signed(2))
    h.log.calls.clear()

    pulled = h.consumer.catch_up(UPSTREAM)

    assert pulled == 5
    assert h.sink.applied == [1, 2, 3, 4, 5, 6, 7]
    # From the position on, one page after the other; the short page (7 alone) ends it.
    assert h.log.calls == [(UPSTREAM, 3, 3), (UPSTREAM, 6, 3)]
    assert h.consumed("caught_up") == 5
    assert h.consumed("processed") == 7
    assert h.consumed("duplicate") == 0

    h.log.add(signed(8), signed(9))
    h.log.calls.clear()

    assert h.consumer.catch_up(UPSTREAM) == 2
    assert h.log.calls == [(UPSTREAM, 8, 3)]
    assert h.sink.applied == list(range(1, 10))
    assert h.consumed("caught_up") == 7
    assert h.sink.position(UPSTREAM) == 9


def test_catch_up_accepts_envelope_objects_from_a_local_log():
    # A service's own NotificationLog serves Envelope objects, not dicts.
    h = Harness(log_envelopes=[signed(n) for n in range(1, 6)], page_size=2, as_objects=True)

    assert h.consumer.catch_up(UPSTREAM) == 5

    assert h.sink.applied == [1, 2, 3, 4, 5]
    assert h.log.calls == [(UPSTREAM, 1, 2), (UPSTREAM, 3, 2), (UPSTREAM, 5, 2)]
    assert h.sink.payloads[0]["signed_on"].isoformat() == "2026-03-01"  # loaded, typed
    assert h.consumed("caught_up") == 5


def test_a_gap_is_filled_from_envelope_objects_too():
    h = Harness(log_envelopes=[signed(n) for n in range(1, 5)], as_objects=True)

    h.handle(signed(4))

    assert h.sink.applied == [1, 2, 3, 4]
    assert h.log.calls == [(UPSTREAM, 1, 4)]
    assert h.consumed("gap_filled") == 3


def test_the_after_commit_failpoint_is_hit_once_per_read_of_the_log_that_committed(h):
    h.handle(signed(1))
    h.handle(signed(1))  # a duplicate: nothing read, nothing committed

    assert h.failpoints.hits == ["consumer.after_commit"]
    assert h.sink.applied == [1]


def test_a_catch_up_that_committed_hits_the_after_commit_failpoint_too():
    h = Harness(log_envelopes=[signed(1), signed(2)])

    h.consumer.catch_up(UPSTREAM)
    h.consumer.catch_up(UPSTREAM)  # nothing new: nothing committed

    assert h.failpoints.hits == ["consumer.after_commit"]
    assert h.sink.applied == [1, 2]


class PageSink(FakeSink):
    """A sink that takes a page in one go, as ProjectionSink does; told to fail pages."""

    def __init__(self, fail_pages: bool = False):
        super().__init__()
        self.pages: list[list[int]] = []
        self.fail_pages = fail_pages

    def apply_page(self, items):
        if self.fail_pages:
            raise RuntimeError("the page does not fit")
        ids = [envelope.notification_id for envelope, _ in items]
        assert ids[0] > self.position(UPSTREAM) and ids == sorted(ids)
        self.pages.append(ids)
        self.payloads += [payload for _, payload in items]
        self.positions[UPSTREAM] = ids[-1]


def paged_harness(sink: PageSink, envelopes, **options) -> Harness:
    h = Harness(envelopes, **options)
    h.sink = sink
    h.consumer.sink = sink
    return h


def test_a_sink_that_takes_pages_gets_each_page_of_a_catch_up_in_one_call():
    sink = PageSink()
    h = paged_harness(sink, [signed(n) for n in range(1, 8)], page_size=3)

    assert h.consumer.catch_up(UPSTREAM) == 7

    assert sink.pages == [[1, 2, 3], [4, 5, 6]]  # pages of one go one by one: 7 alone
    assert sink.applied == [7]
    assert h.consumed("processed") == 7 and h.consumed("caught_up") == 7
    assert sink.payloads[0]["signed_on"].isoformat() == "2026-03-01"  # loaded


def test_a_page_that_fails_is_applied_message_by_message_with_dead_letters():
    sink = PageSink(fail_pages=True)
    log = [signed(1), signed(2, amount_minor="a lot"), signed(3)]
    h = paged_harness(sink, log)

    assert h.consumer.catch_up(UPSTREAM) == 3

    assert sink.pages == [] and sink.applied == [1, 3]
    assert [d["reason"] for d in h.dead.sent] == ["invalid_payload"]
    assert json.loads(h.dead.sent[0]["body"])["notification_id"] == 2
    assert sink.position(UPSTREAM) == 3
    assert h.consumed("processed") == 2 and h.consumed("dead_lettered") == 1


def test_a_consumer_of_its_own_log_takes_payloads_as_stored():
    sink = PageSink()
    h = paged_harness(sink, [signed(1), signed(2)], as_objects=True)
    h.consumer.load_payloads = False

    h.consumer.catch_up(UPSTREAM)

    assert sink.pages == [[1, 2]]
    assert sink.payloads[0]["signed_on"] == "2026-03-01"  # the JSON form, not loaded again


class RacedSink(FakeSink):
    """A sink whose effect loses the race to a command `races` times before it goes in."""

    def __init__(self, races: int):
        super().__init__()
        self.races = races

    def apply(self, envelope, payload):
        if self.races:
            self.races -= 1
            self.attempts += 1
            raise Contended("a person saved the entry first")
        super().apply(envelope, payload)


def test_an_effect_raced_by_commands_is_applied_again_until_it_goes_in_never_dead_lettered():
    h = Harness(max_attempts=3)
    h.sink = h.consumer.sink = RacedSink(races=50)  # far more than max_attempts

    h.handle(signed(1))

    assert h.sink.applied == [1] and h.sink.attempts == 51
    assert h.dead.sent == [] and h.consumed("processed") == 1


def test_an_effect_raced_without_end_counts_as_failed_attempts_then_is_dead_lettered():
    h = Harness(max_attempts=2)
    h.consumer.max_contended = 3
    h.sink = h.consumer.sink = RacedSink(races=10**6)

    h.handle(signed(1))

    assert h.sink.applied == [] and h.sink.attempts == 2 * 4
    assert [d["reason"] for d in h.dead.sent] == ["handler_failed"]
    assert "Contended" in h.dead.sent[0]["error"]


def test_messages_the_position_was_moved_past_meanwhile_are_duplicates_not_forgeries(h):
    # A rebuild's take-over (or another replica) moves the position past messages
    # noted before it: the log was never read there by this reader, and need not be.
    for nid in (1, 2, 3, 4):
        h.log.add(signed(nid))
    for nid in (1, 2, 3):
        assert h.consumer.handle(UPSTREAM, signed(nid).to_json())
    h.sink.positions[UPSTREAM] = 3  # taken over with a trail that holds #1 to #3
    assert h.consumer.handle(UPSTREAM, signed(4).to_json())

    assert h.consumer.pull(UPSTREAM) == 1

    assert h.sink.applied == [4]
    assert h.dead.sent == []
    assert h.consumed("duplicate") == 3
    assert h.lag() == 0


class CommitsThenFails(PageSink):
    """A page committed with its position, then an error after the commit."""

    def apply_page(self, items):
        for envelope, payload in items:
            FakeSink.apply(self, envelope, payload)
        raise RuntimeError("after the commit")


def test_a_page_committed_before_an_error_counts_as_processed_once():
    sink = CommitsThenFails()
    h = Harness(log_envelopes=[signed(n) for n in range(1, 4)])
    h.consumer.sink = sink

    h.handle(signed(3))

    assert sink.applied == [1, 2, 3]
    assert h.consumed("processed") == 3
    assert h.consumed("duplicate") == 0
