"""Revenue behind target on the in-memory store: a line's income (less refunds) checked
against the share of its plan due by a day, from that day on; a warning once per
crossing and a clearing when it is back, whether the income comes from registration's
events, a command or a sponsor, or the day simply passes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import commands as bc
from services.budget import revenue_commands as c
from services.budget import revenue_schemas as s
from services.budget.revenue import is_behind
from tests.unit.budget_support import (
    ORGANIZER,
    Upstream,
    budget_app,
    deliver,
    event_types,
    line,
)

DUE = dt.date(2027, 4, 1)
PLANNED = 1_000_000  # 10 000.00 of registration income planned
AFTER_DUE = "2027-04-02T02:00:00+00:00"


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def upstream(app):
    return opened_with_budget(app, str(uuid.uuid4()))


def opened_with_budget(app, conference_id: str) -> Upstream:
    """The conference opened, its budget approved: venue, registration and sponsorship."""
    upstream = Upstream(conference_id)
    deliver(app, upstream.conference_opened())
    lines = (
        line("venue", 500_000),
        line("registration", PLANNED, income=True),
        line("sponsorship", 2_000_000, income=True),
    )
    conference_id = upstream.conference_id
    app.set_budget(conference_id, bc.SetBudget(lines=lines, currency="CNY"), ORGANIZER)
    app.approve_budget(conference_id, bc.ApproveBudget(approvers=("Chen",)), ORGANIZER)
    return upstream


def warnings(app):
    """(line, behind or back) of each revenue event stored, in order."""
    found = []
    for n in app.select_notifications(1, 100_000):
        event = app.to_domain_event(n)
        name = type(event).__name__
        if name in ("RevenueBehindTarget", "RevenueBackOnTarget"):
            found.append((event.line, "behind" if name == "RevenueBehindTarget" else "back"))
    return found


def paid(upstream, amount, occurred_at=AFTER_DUE):
    env = upstream.payment_received(str(uuid.uuid4()), amount)
    return dataclasses.replace(env, occurred_at=occurred_at)


def check(app, conference_id, day):
    return app.check_revenue(conference_id, c.CheckRevenue(day), ORGANIZER)


@pytest.mark.parametrize(
    ("income", "planned", "percent", "margin", "behind"),
    [(599_999, PLANNED, 60, 0, True), (600_000, PLANNED, 60, 0, False),
     (570_000, PLANNED, 60, 500, False), (569_999, PLANNED, 60, 500, True),
     (0, 0, 100, 0, False), (-1, 0, 100, 0, True), (1, 3, 33, 0, False)],
)  # fmt: skip
def test_behind_is_decided_in_integers_exactly_at_the_edge(
    income, planned, percent, margin, behind
):
    assert is_behind(income, planned, percent, margin) is behind


def test_a_line_behind_on_its_day_warns_once_and_clears_when_income_catches_up(app, upstream):
    conference_id = upstream.conference_id
    target = c.SetRevenueTarget("registration", DUE, percent=60, margin_bp=500)
    app.set_revenue_target(conference_id, target, ORGANIZER)
    deliver(app, paid(upstream, 300_000, occurred_at="2027-03-20T02:00:00+00:00"))
    assert warnings(app) == []  # behind, but its day has not come

    assert check(app, conference_id, DUE)["targets"][0]["behind"] is True
    check(app, conference_id, DUE + dt.timedelta(days=1))
    assert warnings(app) == [("registration", "behind")]  # once per crossing

    deliver(app, paid(upstream, 270_000))  # 570 000: 60% of the plan less 5%
    assert warnings(app) == [("registration", "behind"), ("registration", "back")]
    refund = upstream.refund_completed(str(uuid.uuid4()), 1)  # 569 999: behind again
    deliver(app, dataclasses.replace(refund, occurred_at=AFTER_DUE))
    assert warnings(app)[-1] == ("registration", "behind")
    shown = app.revenue(conference_id, DUE)["targets"][0]
    assert (shown["income_minor"], shown["expected_minor"], shown["planned_minor"]) == (
        569_999,
        600_000,
        PLANNED,
    )


def test_income_recorded_by_a_command_or_a_sponsor_counts_and_total_adds_every_line(app, upstream):
    conference_id = upstream.conference_id
    total = c.SetRevenueTarget("total", dt.date(2000, 1, 1), percent=10)  # due long ago
    app.set_revenue_target(conference_id, total, ORGANIZER)
    assert warnings(app) == [("total", "behind")]  # checked at once: nothing came in
    income = bc.RecordIncome("sponsorship", 300_000, "CNY", source="sponsorship")
    app.record_income(conference_id, income, ORGANIZER)  # 3 000.00 of 30 000.00: 10%
    assert warnings(app) == [("total", "behind"), ("total", "back")]


def test_a_target_set_again_replaces_the_old_one_and_warns_anew(app, upstream):
    conference_id = upstream.conference_id
    for percent in (50, 40):
        target = c.SetRevenueTarget("registration", dt.date(2000, 1, 1), percent=percent)
        app.set_revenue_target(conference_id, target, ORGANIZER)
    assert warnings(app) == [("registration", "behind")] * 2
    [shown] = app.revenue(conference_id, DUE)["targets"]
    assert (shown["percent"], shown["behind"]) == (40, True)


def test_a_fresh_store_fed_the_same_logs_and_commands_warns_the_same(app, upstream):
    """Invariant 6: the day of each check is the upstream event's or the command's, so a
    rebuild decides as the live store did, whatever the day it runs."""

    def live(app, upstream):
        conference_id = upstream.conference_id
        target = c.SetRevenueTarget("registration", DUE, percent=60)
        app.set_revenue_target(conference_id, target, ORGANIZER)
        deliver(app, paid(upstream, 100_000, occurred_at="2027-03-20T02:00:00+00:00"))
        deliver(app, paid(upstream, 100_000))  # after the day: behind
        deliver(app, paid(upstream, 500_000))  # back
        return event_types(app), app.figures(conference_id).lines(), warnings(app)

    first = live(app, upstream)
    again = budget_app()
    try:
        assert live(again, opened_with_budget(again, upstream.conference_id)) == first
    finally:
        again.close()
    assert first[2] == [("registration", "behind"), ("registration", "back")]


def test_the_timer_round_checks_every_conference_with_a_target_as_of_its_day(app, upstream):
    conference_id = upstream.conference_id
    app.set_revenue_target(conference_id, c.SetRevenueTarget("registration", DUE), ORGANIZER)
    assert warnings(app) == []  # set before its day
    assert app.check_all_revenue(ORGANIZER, DUE - dt.timedelta(days=1)) == []
    assert app.check_all_revenue(ORGANIZER, DUE) == [conference_id]
    assert app.check_all_revenue(ORGANIZER, DUE) == []  # once per crossing
    assert app.check_all_revenue(ORGANIZER, DUE - dt.timedelta(days=1)) == []  # stays past
    assert warnings(app) == [("registration", "behind")]


def test_a_revision_of_the_plan_puts_revenue_behind_or_back_at_once(app, upstream):
    conference_id = upstream.conference_id
    income = bc.RecordIncome("registration", 600_000, "CNY", source="registration")
    app.record_income(conference_id, income, ORGANIZER)
    target = c.SetRevenueTarget("registration", dt.date(2000, 1, 1), percent=60)
    app.set_revenue_target(conference_id, target, ORGANIZER)  # 6 000.00 of 10 000.00: 60%

    def revise(planned):
        lines = (line("venue", 500_000), line("registration", planned, income=True))
        app.set_budget(conference_id, bc.SetBudget(lines=lines, currency="CNY"), ORGANIZER)
        revision = bc.ApproveBudget(approvers=("Chen",), reason="income")
        app.approve_budget(conference_id, revision, ORGANIZER)

    revise(1_000_001)  # 60% of it is 600 000.60: behind by less than a fen
    assert warnings(app) == [("registration", "behind")]
    revise(900_000)
    assert warnings(app) == [("registration", "behind"), ("registration", "back")]


def test_no_budget_approved_no_warning(app):
    upstream = Upstream(str(uuid.uuid4()))
    deliver(app, upstream.conference_opened())
    target = c.SetRevenueTarget("registration", dt.date(2000, 1, 1))
    app.set_revenue_target(upstream.conference_id, target, ORGANIZER)
    assert warnings(app) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"line": "fireworks", "due_on": "2027-04-01"}, "line"),
     ({"line": "registration", "due_on": "2027-04-01", "percent": 0}, "percent"),
     ({"line": "registration", "due_on": "2027-04-01", "margin_bp": -1}, "margin_bp"),
     ({"line": "registration"}, "due_on")],
)  # fmt: skip
def test_bad_targets_are_refused_naming_the_field(body, field):
    with pytest.raises(ValidationError) as refused:
        s.SetRevenueTargetSchema().load(body)
    assert field in refused.value.messages
