"""The outbox relay: every stored event published in order; position only after confirms."""

import datetime as dt
import json
import uuid

import pytest

from services.common.amqp import PublishNotConfirmed
from services.common.config import Settings
from services.common.database import Database
from services.common.domain import CommandContext
from services.common.envelope import InvalidStoredEvent, parse
from services.common.failpoints import Failpoints
from services.common.log import NotificationLog
from services.common.metrics import ServiceMetrics
from services.common.relay import OutboxRelay
from services.vendors.application import VendorsApplication
from services.vendors.commands import AddVendor, DraftContract, SignContract
from services.vendors.domain import Contract
from services.vendors.events import CATALOG


class RecordingPublisher:
    """Records each batch's events, and its rings apart; checks the relay has not moved its
    position before the confirm."""

    def __init__(self):
        self.batches: list[list] = []
        self.rings: list[list] = []
        self.positions_seen: list[int] = []
        self.relay: OutboxRelay | None = None

    def publish(self, messages):
        if self.relay is not None:
            self.positions_seen.append(self.relay.position())
        self.batches.append([m for m in messages if m.exchange.endswith(".events")])
        self.rings.append([m for m in messages if not m.exchange.endswith(".events")])

    @property
    def ids(self) -> list[int]:
        return [m.headers["notification_id"] for batch in self.batches for m in batch]


class EveryConference:
    """Vendors asks whether a command's conference exists: in these tests, always."""

    def exists(self, conference_id):
        return True


class RecordingFailpoints(Failpoints):
    """Records the crash points passed, with the relay's position then, instead of dying."""

    def __init__(self):
        super().__init__()
        self.hits: list[tuple[str, int]] = []
        self.relay: OutboxRelay | None = None

    def hit(self, name):
        self.hits.append((name, self.relay.position()))


class FailingPublisher:
    def __init__(self, error=None):
        self.error = error or PublishNotConfirmed("broker nacked 1 message(s)")
        self.calls = 0

    def publish(self, messages):
        self.calls += 1
        raise self.error


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path)


@pytest.fixture
def app(settings):
    app = VendorsApplication.open(settings, conferences=EveryConference())
    yield app
    app.close()


@pytest.fixture
def db(settings):
    db = Database(settings, "vendors")
    yield db
    db.close()


@pytest.fixture
def metrics():
    return ServiceMetrics("vendors")


def make_relay(app, db, metrics, publisher, batch_size=500, failpoints=None):
    kwargs = {} if failpoints is None else {"failpoints": failpoints}
    log = NotificationLog(app, CATALOG)
    relay = OutboxRelay(log, db, publisher, metrics, batch_size=batch_size, **kwargs)
    if isinstance(publisher, RecordingPublisher):
        publisher.relay = relay
    return relay


def store_events(app, contracts=2) -> int:
    """A vendor, then per contract a draft and a signature: 1 + 2 * contracts events."""
    ctx = CommandContext.new("li")
    conference_id = uuid.uuid4()
    vendor = app.add_vendor(
        AddVendor(conference_id=conference_id, name="Expo Hall", categories=("venue",)), ctx
    )
    for n in range(contracts):
        contract = app.draft_contract(
            DraftContract(
                conference_id=conference_id,
                vendor_id=vendor.id,
                category="venue",
                title=f"Hall {n}",
                amount_minor=1000 + n,
                currency="CNY",
            ),
            ctx,
        )
        app.sign_contract(str(contract.id), SignContract(signed_on=dt.date(2026, 3, 1)), ctx)
    return app.max_notification_id()


def published(metrics) -> float:
    return (
        metrics.registry.get_sample_value(
            "huiwu_relay_published_events_total", {"service": "vendors"}
        )
        or 0.0
    )


def failures(metrics, reason) -> float:
    return (
        metrics.registry.get_sample_value(
            "huiwu_relay_failures_total", {"service": "vendors", "reason": reason}
        )
        or 0.0
    )


def test_every_stored_notification_is_published_in_order(app, db, metrics):
    stored = store_events(app, contracts=2)
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher)

    assert relay.run() == stored == 5

    assert publisher.ids == [1, 2, 3, 4, 5]
    assert relay.position() == 5
    assert published(metrics) == 5
    assert relay.run() == 0
    assert len(publisher.batches) == 1


def test_each_message_is_the_envelope_on_the_service_exchange(app, db, metrics):
    store_events(app, contracts=1)
    publisher = RecordingPublisher()
    make_relay(app, db, metrics, publisher).run()

    messages = publisher.batches[0]
    assert [m.routing_key for m in messages] == ["VendorAdded", "ContractDrafted", "ContractSigned"]
    for message in messages:
        envelope = parse(message.body)
        assert message.exchange == "vendors.events"
        assert message.routing_key == envelope.event_type
        assert message.message_id == envelope.event_id
        assert message.headers == {"notification_id": envelope.notification_id}
        assert envelope.service == "vendors"
        assert envelope.actor == "li"
        assert "meta" not in envelope.payload
    assert json.loads(messages[2].body)["payload"]["category"] == "venue"


def test_each_batch_rings_the_followers_once_before_its_events(app, db, metrics):
    store_events(app, contracts=3)  # 7 events
    publisher = RecordingPublisher()
    calls = []
    publisher.publish = lambda messages: calls.append(list(messages))
    make_relay(app, db, metrics, publisher, batch_size=3).run()

    assert [[m.exchange for m in batch][:2] for batch in calls] == [
        ["vendors.doorbell", "vendors.events"]
    ] * 3
    rings = [batch[0] for batch in calls]
    assert [(m.headers["first_notification_id"], m.headers["notification_id"]) for m in rings] == [
        (1, 3),
        (4, 6),
        (7, 7),
    ]
    for ring, batch in zip(rings, calls, strict=True):
        assert ring.body == batch[-1].body  # the batch's last envelope, as published
        assert ring.routing_key == batch[-1].routing_key
        assert ring.message_id == batch[-1].message_id
    assert sum(len(batch) for batch in calls) == 7 + 3
    assert published(metrics) == 7  # events, not rings


def test_notifications_are_published_in_batches_of_batch_size(app, db, metrics):
    store_events(app, contracts=3)  # 7 events
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher, batch_size=3)

    assert relay.run() == 7

    assert [[m.headers["notification_id"] for m in b] for b in publisher.batches] == [
        [1, 2, 3],
        [4, 5, 6],
        [7],
    ]
    # before each batch the position was at the end of the previous confirmed one
    assert publisher.positions_seen == [0, 3, 6]
    assert relay.position() == 7


def test_a_later_run_publishes_only_what_is_new(app, db, metrics):
    store_events(app, contracts=1)
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher)
    relay.run()

    store_events(app, contracts=1)
    assert relay.run() == 3

    assert publisher.ids == [1, 2, 3, 4, 5, 6]


def test_the_position_stays_when_the_broker_does_not_confirm_and_nothing_is_lost(app, db, metrics):
    store_events(app, contracts=2)
    failing = FailingPublisher()
    relay = make_relay(app, db, metrics, failing, batch_size=2)

    with pytest.raises(PublishNotConfirmed):
        relay.run()

    assert relay.position() == 0
    assert failing.calls == 1
    assert published(metrics) == 0
    assert failures(metrics, "broker") == 1

    publisher = RecordingPublisher()
    relay.publisher = publisher
    publisher.relay = relay
    assert relay.run() == 5
    assert publisher.ids == [1, 2, 3, 4, 5]
    assert relay.position() == 5


def test_the_position_kept_by_a_failure_midway_resumes_after_the_last_confirmed_batch(
    app, db, metrics
):
    store_events(app, contracts=2)

    class FailsSecondBatch(RecordingPublisher):
        def publish(self, messages):
            if len(self.batches) == 1:
                self.batches.append([])  # remember the attempt, publish nothing
                raise PublishNotConfirmed("timeout")
            super().publish(messages)

    publisher = FailsSecondBatch()
    relay = make_relay(app, db, metrics, publisher, batch_size=2)
    with pytest.raises(PublishNotConfirmed):
        relay.run()
    assert relay.position() == 2

    recording = RecordingPublisher()
    relay.publisher = recording
    relay.run()
    assert recording.ids == [3, 4, 5]


def test_the_position_survives_a_new_relay(app, db, metrics, settings):
    store_events(app, contracts=1)
    make_relay(app, db, metrics, RecordingPublisher()).run()
    store_events(app, contracts=1)

    other_db = Database(settings, "vendors")
    publisher = RecordingPublisher()
    make_relay(app, other_db, ServiceMetrics("vendors"), publisher).run()
    other_db.close()

    assert publisher.ids == [4, 5, 6]


def test_a_stored_event_that_fails_its_schema_stops_the_relay_before_it(app, db, metrics):
    ctx = CommandContext.new("li")
    store_events(app, contracts=1)  # 1..3 are fine
    broken = Contract(
        contract_id=uuid.uuid4(),
        conference_id=str(uuid.uuid4()),
        vendor_id="v",
        category="venue",
        scope="conference",
        title="Negative money",
        amount_minor=-5,  # the schema says never
        currency="CNY",
        meta=ctx.meta(None),
    )
    app.save(broken)  # 4
    store_events(app, contracts=1)  # 5..7
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher, batch_size=1)

    with pytest.raises(InvalidStoredEvent, match="notification 4"):
        relay.run()

    assert publisher.ids == [1, 2, 3]
    assert relay.position() == 3
    assert failures(metrics, "invalid_event") == 1

    with pytest.raises(InvalidStoredEvent):
        relay.run()
    assert publisher.ids == [1, 2, 3]  # never skipped


def test_trigger_never_raises(app, db, metrics):
    store_events(app, contracts=1)
    for publisher in (FailingPublisher(), FailingPublisher(RuntimeError("socket closed"))):
        relay = make_relay(app, db, metrics, publisher)

        relay.trigger()
        relay.trigger()

        assert relay.position() == 0


def test_trigger_never_raises_on_an_invalid_stored_event(app, db, metrics):
    app.save(
        Contract(
            contract_id=uuid.uuid4(),
            conference_id="c",
            vendor_id="v",
            category="spa",
            scope="conference",
            title="t",
            amount_minor=1,
            currency="CNY",
            meta=CommandContext.new("li").meta(None),
        )
    )
    relay = make_relay(app, db, metrics, RecordingPublisher())

    relay.trigger()

    assert relay.position() == 0


def test_trigger_publishes_what_is_pending(app, db, metrics):
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher)
    app.on_saved = relay.trigger

    store_events(app, contracts=1)

    assert publisher.ids == [1, 2, 3]
    assert relay.position() == 3


def test_a_run_under_way_is_not_entered_twice(app, db, metrics):
    store_events(app, contracts=1)

    class Reentrant(RecordingPublisher):
        def publish(self, messages):
            assert self.relay.run() == 0  # the running one will pick up what is new
            super().publish(messages)

    publisher = Reentrant()
    relay = make_relay(app, db, metrics, publisher)

    assert relay.run() == 3
    assert publisher.ids == [1, 2, 3]


def test_the_before_publish_failpoint_is_passed_before_each_batch_is_published(app, db, metrics):
    store_events(app, contracts=2)  # 5 events
    failpoints = RecordingFailpoints()
    publisher = RecordingPublisher()
    relay = make_relay(app, db, metrics, publisher, batch_size=2, failpoints=failpoints)
    failpoints.relay = relay

    relay.run()

    # Once per batch, with the position of the last confirmed batch: a crash there
    # re-publishes that batch, and loses nothing.
    assert failpoints.hits == [
        ("relay.before_publish", 0),
        ("relay.before_publish", 2),
        ("relay.before_publish", 4),
    ]
    assert publisher.ids == [1, 2, 3, 4, 5]
