"""Registration's warnings on the in-memory store: a quota nearly sold out says so once per
crossing (QuotaNearlyReached), and a target whose day has come warns once when the
registrations paid for are under its share (RegistrationBelowTarget), whatever the
number of checks or a reload of the set-up."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.common.domain import CommandContext
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.domain import RegistrationSetup, setup_id
from services.registration.domain import targets as target_rules
from services.registration.domain.quota import Quota
from tests.unit.test_registration_application import (
    CONFERENCE,
    POPO,
    Conferences,
    fees,
    line,
    order_cmd,
    payment,
    published,
)


class Clock:
    def __init__(self):
        self.now = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def ctx():
    return CommandContext.new("li", "corr-1")


def application(clock, **kwargs):
    return RegistrationApplication(env=POPO, conferences=Conferences(), clock=clock, **kwargs)


@pytest.fixture
def app(clock):
    app = application(clock, quota_nearly_percent=80)
    yield app
    app.close()


def payloads(app, event_type):
    return [e.payload for e in published(app) if e.event_type == event_type]


# -- quota nearly reached ----------------------------------------------------------------


def test_a_quota_crossing_its_share_warns_once_and_again_after_falling_under(app, ctx, clock):
    fees(app, ctx, line(quota=10))
    later = clock.now + dt.timedelta(hours=1)
    first = app.place_order(
        order_cmd(*(f"a{n}@example.cn" for n in range(7)), expires_at=later), ctx
    )
    assert payloads(app, "QuotaNearlyReached") == []  # 70% is under 80%
    app.place_order(order_cmd("b@example.cn"), ctx)  # 8 of 10: 80%
    app.place_order(order_cmd("c@example.cn"), ctx)  # 9 of 10: still over, no second one
    assert payloads(app, "QuotaNearlyReached") == [
        {"quota": "full", "ticket_type": "full", "size": 10, "reserved": 8, "percent": 80}
    ]

    clock.now += dt.timedelta(hours=2)  # the 7 places come back: 2 of 10 taken
    app.expire_due([str(first.id)], ctx)
    app.place_order(order_cmd(*(f"d{n}@example.cn" for n in range(6))), ctx)  # 8 again
    assert [p["reserved"] for p in payloads(app, "QuotaNearlyReached")] == [8, 8]


def test_selling_out_at_once_says_quota_reached_not_nearly(app, ctx):
    fees(app, ctx, line(quota=2))
    app.place_order(order_cmd("a@example.cn", "b@example.cn"), ctx)
    assert payloads(app, "QuotaNearlyReached") == []
    assert len(payloads(app, "QuotaReached")) == 1


def test_the_share_warned_at_is_the_events_so_a_replay_decides_alike():
    meta = {"conference_id": CONFERENCE}
    quota = Quota(ticket_type="full", meta=meta)
    quota.reserve(9, 10, meta, order_id="o1", nearly_percent=90)
    assert quota.nearly == {"size": 10, "percent": 90}
    replayed = None
    for stored in quota.collect_events():
        replayed = stored.mutate(replayed)
    assert replayed.nearly == {"size": 10, "percent": 90}
    replayed.release(meta, order_id="o1")
    assert replayed.nearly is None


def test_the_default_share_is_ninety_percent(clock, ctx):
    app = application(clock)
    try:
        fees(app, ctx, line(quota=10))
        app.place_order(order_cmd(*(f"a{n}@example.cn" for n in range(8))), ctx)
        assert payloads(app, "QuotaNearlyReached") == []
        app.place_order(order_cmd("b@example.cn"), ctx)
        assert payloads(app, "QuotaNearlyReached")[0]["percent"] == 90
    finally:
        app.close()


# -- registration below target -------------------------------------------------------------


def targets(app, ctx, *stages, percent=80, categories=()):
    cmd = c.SetRegistrationTargets(
        tuple({"by": dt.date.fromisoformat(by), "registered": n} for by, n in stages),
        percent,
        categories,
    )
    return app.set_targets(CONFERENCE, cmd, ctx)


def test_the_current_target_is_the_latest_whose_day_has_come():
    stages = [{"by": "2027-03-01", "registered": 10}, {"by": "2027-04-01", "registered": 50}]
    assert target_rules.current_target(stages, "2027-02-28") is None
    assert target_rules.current_target(stages, "2027-03-01") == stages[0]
    assert target_rules.current_target(stages, "2027-04-30") == stages[1]


@pytest.mark.parametrize(("registered", "below"), [(0, True), (7, True), (8, False), (10, False)])
def test_below_is_under_the_share_of_the_target_exactly(registered, below):
    assert target_rules.is_below(registered, 10, 80) is below


def test_a_target_warns_on_its_day_once_however_often_it_is_checked(app, ctx, clock):
    fees(app, ctx)
    targets(app, ctx, ("2027-03-02", 10), ("2027-04-01", 50))
    paid = app.place_order(order_cmd("a@example.cn"), ctx)
    app.record_payment(paid.id, payment(280_000), ctx)
    counted = []

    def count(conference_id, categories):
        counted.append((conference_id, tuple(categories)))
        return 3

    assert app.check_target(CONFERENCE, count, ctx) is None  # its day has not come
    clock.now += dt.timedelta(days=1)  # 2027-03-02 in Shanghai
    warning = app.check_target(CONFERENCE, count, ctx)
    assert warning == {
        "target_by": "2027-03-02",
        "target": 10,
        "registered": 3,
        "warn_below_percent": 80,
    }
    assert app.check_target(CONFERENCE, count, ctx) is None  # warned before
    assert payloads(app, "RegistrationBelowTarget") == [warning]
    assert counted[0] == (CONFERENCE, ())
    # the set-up replayed from its events (as after a restart) knows it warned
    setup = app.repository.get(setup_id(CONFERENCE))
    assert isinstance(setup, RegistrationSetup) and setup.warned_targets == ["2027-03-02:10"]

    clock.now += dt.timedelta(days=31)  # the next stage: its own warning
    assert app.check_target(CONFERENCE, count, ctx)["target_by"] == "2027-04-01"
    assert len(payloads(app, "RegistrationBelowTarget")) == 2


def test_a_met_target_does_not_warn_and_a_changed_one_is_new(app, ctx, clock):
    targets(app, ctx, ("2027-03-01", 10), categories=("delegate",))
    assert app.check_target(CONFERENCE, lambda cid, cats: 8, ctx) is None
    targets(app, ctx, ("2027-03-01", 20), categories=("delegate",))
    warning = app.check_target(CONFERENCE, lambda cid, cats: 8, ctx)
    assert warning["target"] == 20
    targets(app, ctx, ("2027-03-01", 20), categories=("delegate",))  # set again, unchanged
    assert app.check_target(CONFERENCE, lambda cid, cats: 8, ctx) is None


def test_a_conference_without_targets_is_not_checked(app, ctx):
    fees(app, ctx)
    assert app.check_target(CONFERENCE, lambda cid, cats: 0, ctx) is None
    assert payloads(app, "RegistrationBelowTarget") == []


def test_the_warning_is_the_contracts(app, ctx):
    targets(app, ctx, ("2027-03-01", 10))
    app.check_target(CONFERENCE, lambda cid, cats: 0, ctx)
    (envelope,) = [e for e in published(app) if e.event_type == "RegistrationBelowTarget"]
    assert envelope.aggregate_id == str(setup_id(CONFERENCE))
    assert uuid.UUID(envelope.aggregate_id)


def test_the_share_is_set_by_the_environment_within_1_to_99():
    from services.common.config import Settings

    assert Settings.from_env({"HUIWU_QUOTA_NEARLY_PERCENT": "75"}).quota_nearly_percent == 75
    assert Settings.from_env({}).quota_nearly_percent == 90
    with pytest.raises(ValueError, match="HUIWU_QUOTA_NEARLY_PERCENT"):
        Settings.from_env({"HUIWU_QUOTA_NEARLY_PERCENT": "100"})
