"""Sinks: each effect is written atomically with its tracking position."""

import dataclasses
import datetime as dt
import uuid

import pytest
from eventsourcing.application import ProcessingEvent

from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.commands import OpenConference
from services.checklist.domain import entry_id
from services.common.config import Settings
from services.common.consumer import AlreadyTracked
from services.common.database import Database
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.sinks import ProcessSink, ProjectionSink, UpstreamEvent
from services.reporting.audit import AuditTrail

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def envelope(nid, service="vendors", conference_id=None, category="venue", event="ContractSigned"):
    aggregate_id = str(uuid.UUID(int=nid))
    return Envelope(
        event_id=event_id_for(aggregate_id, 2),
        event_type=event,
        service=service,
        notification_id=nid,
        aggregate_type="Contract",
        aggregate_id=aggregate_id,
        aggregate_version=2,
        conference_id=conference_id,
        occurred_at=f"2026-03-01T02:00:{nid:02d}+00:00",
        actor="wang",
        correlation_id="corr",
        causation_id=None,
        schema_version=1,
        payload={"category": category},
    )


class Seen:
    """A tiny projection: one row per event; told to fail after writing its row."""

    tables = ("seen",)

    def __init__(self):
        self.fail = False

    def create(self, cur):
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (service TEXT, notification_id BIGINT, "
            "event_type TEXT, PRIMARY KEY (service, notification_id))",
            t="seen",
        )

    def apply(self, cur, env, payload):
        cur.execute(
            "INSERT INTO {t} (service, notification_id, event_type) VALUES ({p}, {p}, {p})",
            [env.service, env.notification_id, env.event_type],
            t="seen",
        )
        if self.fail:
            raise RuntimeError("projection bug after its insert")


@pytest.fixture
def db(tmp_path):
    db = Database(Settings(data_dir=tmp_path), "reporting")
    yield db
    db.close()


@pytest.fixture
def projection():
    return Seen()


@pytest.fixture
def sink(db, projection):
    return ProjectionSink(db, "seen", projection)


def rows(db):
    with db.transaction() as cur:
        return cur.execute(
            "SELECT service, notification_id FROM {t} ORDER BY service, notification_id",
            t="seen",
        ).fetchall()


def test_apply_writes_the_row_and_the_position(sink, db):
    sink.apply(envelope(1), {})
    sink.apply(envelope(2), {})
    sink.apply(envelope(1, service="budget"), {})

    assert rows(db) == [("budget", 1), ("vendors", 1), ("vendors", 2)]
    assert sink.position("vendors") == 2
    assert sink.position("budget") == 1
    assert sink.position("speakers") == 0


def test_applying_the_same_notification_twice_raises_already_tracked_and_keeps_one_row(sink, db):
    sink.apply(envelope(1), {})

    with pytest.raises(AlreadyTracked):
        sink.apply(envelope(1), {})

    assert rows(db) == [("vendors", 1)]
    assert sink.position("vendors") == 1


def test_applying_an_older_notification_raises_already_tracked(sink, db):
    sink.apply(envelope(5), {})

    with pytest.raises(AlreadyTracked):
        sink.apply(envelope(3), {})

    assert rows(db) == [("vendors", 5)]
    assert sink.position("vendors") == 5


def test_a_failing_projection_rolls_back_both_row_and_position(sink, db, projection):
    sink.apply(envelope(1), {})
    projection.fail = True

    with pytest.raises(RuntimeError):
        sink.apply(envelope(2), {})

    assert rows(db) == [("vendors", 1)]
    assert sink.position("vendors") == 1

    projection.fail = False
    sink.apply(envelope(2), {})
    assert rows(db) == [("vendors", 1), ("vendors", 2)]


def test_skip_moves_the_position_without_a_row_and_never_backwards(sink, db):
    sink.apply(envelope(1), {})

    sink.skip("vendors", 2)
    sink.skip("vendors", 2)
    sink.skip("vendors", 1)

    assert sink.position("vendors") == 2
    assert rows(db) == [("vendors", 1)]


def test_reset_empties_the_tables_and_forgets_the_positions(sink, db):
    sink.apply(envelope(1), {})
    sink.apply(envelope(1, service="budget"), {})

    sink.reset()

    assert rows(db) == []
    assert sink.position("vendors") == 0
    assert sink.position("budget") == 0
    sink.apply(envelope(1), {})
    assert rows(db) == [("vendors", 1)]


def test_reset_leaves_other_projections_positions_alone(db, sink):
    other = ProjectionSink(db, "other", Seen())
    other.skip("vendors", 7)
    sink.apply(envelope(1), {})

    sink.reset()

    assert other.position("vendors") == 7


def test_positions_survive_a_new_connection(tmp_path, projection):
    first = Database(Settings(data_dir=tmp_path), "reporting")
    ProjectionSink(first, "seen", projection).apply(envelope(3), {})
    first.close()

    second = Database(Settings(data_dir=tmp_path), "reporting")
    assert ProjectionSink(second, "seen", Seen()).position("vendors") == 3
    second.close()


def test_the_audit_trail_keeps_who_when_and_what(db):
    trail = AuditTrail(db)
    sink = ProjectionSink(db, "audit_trail", trail)
    sink.apply(envelope(1, conference_id="c1"), {})
    sink.apply(envelope(2, conference_id="c2"), {})

    (record,) = trail.query(conference_id="c1")

    assert record["actor"] == "wang"
    assert record["event_type"] == "ContractSigned"
    assert record["occurred_at"] == "2026-03-01T02:00:01+00:00"
    assert record["payload"] == {"category": "venue"}
    assert trail.count() == 2
    sink.reset()
    assert trail.count() == 0


# -- the process sink, on the in-memory event store ------------------------------------
def starter_checklist(cls=ChecklistApplication):
    """The small starter template keeps these tests about one rule."""
    return cls(env=POPO, template=templates.load("starter"))


@pytest.fixture
def checklist():
    app = starter_checklist()
    yield app
    app.close()


def open_conference(app) -> str:
    conference = app.open_conference(
        OpenConference(
            name="Annual Meeting",
            starts_on=dt.date(2026, 10, 10),
            ends_on=dt.date(2026, 10, 12),
            city="Hangzhou",
            expected_attendance=800,
            profile="academic",
            timezone="Asia/Shanghai",
        ),
        CommandContext.new("li"),
    )
    return str(conference.id)


def status(app, conference_id, code="1.3.5"):
    return app.repository.get(entry_id(conference_id, code)).state.status


def test_process_sink_records_the_policys_events_with_the_tracking_position(checklist):
    conference_id = open_conference(checklist)
    stored = checklist.max_notification_id()
    sink = ProcessSink(checklist)

    sink.apply(envelope(4, conference_id=conference_id), {"category": "venue"})

    assert sink.position("vendors") == 4
    assert checklist.max_notification_id() == stored + 1
    assert status(checklist, conference_id) == "verified"


def test_process_sink_tracks_a_message_that_caused_no_event(checklist):
    conference_id = open_conference(checklist)
    stored = checklist.max_notification_id()
    sink = ProcessSink(checklist)

    sink.apply(envelope(1, conference_id=conference_id, category="catering"), {"category": "av"})

    assert sink.position("vendors") == 1
    assert checklist.max_notification_id() == stored


def test_process_sink_raises_already_tracked_for_a_duplicate_and_records_nothing(checklist):
    conference_id = open_conference(checklist)
    sink = ProcessSink(checklist)
    sink.apply(envelope(1, conference_id=conference_id), {"category": "venue"})
    stored = checklist.max_notification_id()

    with pytest.raises(AlreadyTracked):
        sink.apply(envelope(1, conference_id=conference_id), {"category": "venue"})

    assert checklist.max_notification_id() == stored
    assert sink.position("vendors") == 1


class FailingPolicy(ChecklistApplication):
    """A policy with a bug: it collects an event, then fails."""

    calls: list

    def page_policy(self, domain_events, processing_event: ProcessingEvent):
        (domain_event,) = domain_events
        type(self).calls.append(domain_event)
        envelope = domain_event.envelope
        entry = self.repository.get(entry_id(envelope.conference_id, "1.3.5"))
        entry.waive("half done", "policy", {"conference_id": envelope.conference_id})
        processing_event.collect_events(entry)
        raise RuntimeError("policy bug")


def test_process_sink_records_nothing_when_the_policy_fails():
    FailingPolicy.calls = []
    checklist = starter_checklist(FailingPolicy)
    conference_id = open_conference(checklist)
    stored = checklist.max_notification_id()
    sink = ProcessSink(checklist)

    with pytest.raises(RuntimeError, match="policy bug"):
        sink.apply(envelope(1, conference_id=conference_id), {"category": "venue"})

    (received,) = FailingPolicy.calls
    assert received == UpstreamEvent(
        envelope(1, conference_id=conference_id), {"category": "venue"}
    )
    assert sink.position("vendors") == 0
    assert checklist.max_notification_id() == stored
    assert status(checklist, conference_id) == "open"
    checklist.close()


def test_process_sink_skip_advances_the_position_and_is_idempotent(checklist):
    sink = ProcessSink(checklist)

    sink.skip("vendors", 3)
    sink.skip("vendors", 3)
    sink.skip("vendors", 2)

    assert sink.position("vendors") == 3
    assert sink.position("budget") == 0
    assert checklist.max_notification_id() == 0


def test_process_sink_replay_records_the_effect_without_moving_the_position(checklist):
    conference_id = open_conference(checklist)
    sink = ProcessSink(checklist)
    sink.skip("vendors", 5)  # #4 was dead-lettered, and the position moved past it
    stored = checklist.max_notification_id()

    sink.replay(envelope(4, conference_id=conference_id), {"category": "venue"})

    assert checklist.max_notification_id() == stored + 1
    assert status(checklist, conference_id) == "verified"
    assert sink.position("vendors") == 5


def test_a_projection_takes_a_page_in_one_transaction_and_refuses_a_page_behind_it(tmp_path):
    db = Database(Settings(data_dir=tmp_path), "reporting")
    trail = AuditTrail(db)
    sink = ProjectionSink(db, "audit_trail", trail)
    page = [(envelope(n), {}) for n in (1, 2, 3)]

    sink.apply_page(page)

    assert sink.position("vendors") == 3 and trail.count() == 3
    with pytest.raises(AlreadyTracked):  # another replica took these already: nothing doubles
        sink.apply_page([(envelope(n), {}) for n in (3, 4)])
    assert sink.position("vendors") == 3 and trail.count() == 3
    sink.apply_page([(envelope(n), {}) for n in (4, 5)])
    assert sink.position("vendors") == 5 and trail.count() == 5
    db.close()


def test_the_audit_trail_keeps_whom_the_actor_acted_for_even_in_a_trail_made_before(db):
    with db.transaction() as cur:  # the trail as the first release made it
        cur.execute(
            "CREATE TABLE audit_trail (service TEXT NOT NULL, notification_id BIGINT NOT NULL, "
            "event_id TEXT NOT NULL, event_type TEXT NOT NULL, aggregate_type TEXT NOT NULL, "
            "aggregate_id TEXT NOT NULL, aggregate_version BIGINT NOT NULL, conference_id TEXT, "
            "occurred_at TEXT NOT NULL, actor TEXT NOT NULL, correlation_id TEXT NOT NULL, "
            "causation_id TEXT, payload TEXT NOT NULL, PRIMARY KEY (service, notification_id))"
        )
    trail = AuditTrail(db)
    sink = ProjectionSink(db, "audit_trail", trail)
    sink.apply(envelope(1, conference_id="c1"), {})
    acting = dataclasses.replace(envelope(2, conference_id="c1"), on_behalf_of="李总 (CEO)")
    sink.apply(acting, {})

    first, second = trail.query(conference_id="c1")

    assert (first["actor"], first["on_behalf_of"]) == ("wang", None)
    assert (second["actor"], second["on_behalf_of"]) == ("wang", "李总 (CEO)")
