"""ProjectionSink.take_over: a shadow's rows and positions replace the live ones in one
transaction, or nothing changes when the live model is ahead (both stores)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.common.config import Settings
from services.common.database import Database
from services.common.envelope import Envelope
from services.common.sinks import ProjectionSink, ShadowBehind
from services.reporting.audit import INDEXES, AuditTrail


def envelope(service: str, notification_id: int) -> Envelope:
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type="VendorAdded",
        service=service,
        notification_id=notification_id,
        aggregate_type="Vendor",
        aggregate_id=str(uuid.uuid4()),
        aggregate_version=1,
        conference_id="c1",
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat(),
        actor="li",
        correlation_id=str(uuid.uuid4()),
        causation_id=None,
        schema_version=1,
        payload={"n": notification_id},
    )


@pytest.fixture
def sinks(store_env):
    db = Database(Settings.from_env(store_env), "reporting")
    live = ProjectionSink(db, "audit_trail", AuditTrail(db))
    shadow = ProjectionSink(db, "audit_trail_rebuild", AuditTrail(db, "audit_trail_rebuild"))
    yield live, shadow
    db.close()


def fill(sink, service, first, last):
    sink.apply_page([(envelope(service, n), {}) for n in range(first, last + 1)])


def rows(sink):
    return [(e["service"], e["notification_id"]) for e in sink.projection.query()]


def test_the_shadow_replaces_the_rows_and_positions_and_is_emptied(sinks):
    live, shadow = sinks
    fill(live, "vendors", 1, 2)
    fill(shadow, "vendors", 1, 3)
    fill(shadow, "checklist", 1, 1)

    assert live.take_over(shadow) == {"vendors": 3, "checklist": 1}

    assert live.positions() == {"vendors": 3, "checklist": 1}
    assert sorted(rows(live)) == [("checklist", 1), ("vendors", 1), ("vendors", 2), ("vendors", 3)]
    assert rows(shadow) == [] and shadow.positions() == {}


def test_a_live_model_ahead_of_the_shadow_is_left_as_it_was(sinks):
    live, shadow = sinks
    fill(live, "vendors", 1, 3)
    fill(live, "budget", 1, 1)
    fill(shadow, "vendors", 1, 2)

    with pytest.raises(ShadowBehind) as behind:
        live.take_over(shadow)

    assert behind.value.behind == {"vendors": (3, 2), "budget": (1, 0)}
    assert live.positions() == {"vendors": 3, "budget": 1}
    assert len(rows(live)) == 4
    assert shadow.positions() == {"vendors": 2} and len(rows(shadow)) == 2


def indexes(sink) -> list[str]:
    """The roles of the indexes a trail's table has (audit.INDEXES), sorted."""
    with sink.db.transaction() as cur:
        return sink.projection.index_roles(cur)


ROLES = sorted(INDEXES)


def test_the_shadow_is_filled_unindexed_and_becomes_the_indexed_live_table(sinks):
    live, shadow = sinks
    assert indexes(live) == ROLES and indexes(shadow) == []  # rows go in faster without
    for _ in range(3):  # each take-over renames the shadow: no index is lost or doubled
        shadow.reset()
        fill(shadow, "vendors", 1, 4)
        shadow.before_take_over()
        assert indexes(shadow) == ROLES

        live.take_over(shadow)

        assert indexes(live) == ROLES and indexes(shadow) == []
        assert sorted(rows(live)) == [("vendors", n) for n in range(1, 5)]
        assert live.projection.where("event_id", [live.projection.query()[0]["event_id"]], 5)
    fill(shadow, "vendors", 1, 2)  # the emptied shadow takes rows again, as a new one
    assert len(rows(shadow)) == 2


def test_a_reset_shadow_drops_the_indexes_built_for_its_last_take_over(sinks):
    _, shadow = sinks
    fill(shadow, "vendors", 1, 2)
    shadow.before_take_over()
    assert indexes(shadow) == ROLES

    shadow.reset()

    assert indexes(shadow) == [] and rows(shadow) == [] and shadow.positions() == {}
