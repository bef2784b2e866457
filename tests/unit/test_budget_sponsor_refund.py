"""A cancelled sponsor's cash paid back on the in-memory store: the sponsorship income
reversed by all that was due (so the settlement balances), once per sponsorship, and only
for a cancelled sponsorship that had cash; what is refused stores nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import sponsorship_commands as c
from services.budget import sponsorship_schemas as s
from services.budget.sponsorship import WrongState
from services.common.errors import Conflict, InvalidCommand
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver
from tests.unit.test_budget_sponsorship import GOLD, cash, invoice, negotiating

BACK_ON = dt.date(2027, 4, 2)


def refund(amount, currency="CNY"):
    return c.RefundSponsor(amount, currency, BACK_ON, "bank_transfer")


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    conference_id = str(uuid.uuid4())
    deliver(app, Upstream(conference_id).conference_opened())
    return conference_id


@pytest.fixture
def cancelled(app, conference_id):
    """Signed for Gold, 120 000.00 of 200 000.00 paid, then cancelled."""
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    app.sign_sponsor(sid, c.SignSponsor("Gold", BACK_ON), ORGANIZER)
    invoice(app, sid, 20_000_000)
    app.pay_sponsor(sid, cash(12_000_000), ORGANIZER)
    cancelled = app.cancel_sponsorship(sid, c.CancelSponsorship("budget cut"), ORGANIZER)
    assert cancelled["refund_due_minor"] == 12_000_000
    return sid


def test_the_cash_paid_back_reverses_the_sponsorship_income_and_the_settlement_balances(
    app, conference_id, cancelled
):
    refunded = app.refund_sponsor(cancelled, refund(12_000_000), ORGANIZER)
    assert refunded["refunded_minor"] == 12_000_000
    assert app.figures(conference_id).lines()["sponsorship"]["income_minor"] == 0
    reversals = [e for e in app.entries(conference_id) if e["kind"] == "reversal"]
    assert [(e["amount_minor"], e["source"], e["source_ref"]) for e in reversals] == [
        (12_000_000, "sponsorship", cancelled)
    ]
    statement = app.statement(conference_id)
    assert (statement["income_minor"], statement["result"]) == (0, "balanced")


def test_a_refund_is_paid_once_and_only_all_that_is_due(app, cancelled):
    before = app.max_notification_id()
    with pytest.raises(InvalidCommand) as refused:
        app.refund_sponsor(cancelled, refund(11_999_999), ORGANIZER)
    assert refused.value.field == "amount_minor" and "12000000" in str(refused.value)
    with pytest.raises(InvalidCommand) as refused:
        app.refund_sponsor(cancelled, refund(12_000_000, "USD"), ORGANIZER)
    assert refused.value.field == "currency"
    assert app.max_notification_id() == before

    app.refund_sponsor(cancelled, refund(12_000_000), ORGANIZER)
    with pytest.raises(Conflict, match="refunded already"):
        app.refund_sponsor(cancelled, refund(12_000_000), ORGANIZER)


def test_only_a_cancelled_sponsor_with_cash_is_refunded(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    with pytest.raises(WrongState, match="to refund it must be cancelled"):
        app.refund_sponsor(sid, refund(1), ORGANIZER)
    app.cancel_sponsorship(sid, c.CancelSponsorship("no budget"), ORGANIZER)
    with pytest.raises(Conflict, match="no cash to refund"):
        app.refund_sponsor(sid, refund(1), ORGANIZER)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_minor": 0, "currency": "CNY", "refunded_on": "2027-04-02"}, "amount_minor"),
        ({"amount_minor": 1, "currency": "RMB", "refunded_on": "2027-04-02"}, "currency"),
        ({"amount_minor": 1, "currency": "CNY"}, "refunded_on"),
        ({"amount_minor": 1, "currency": "CNY", "refunded_on": "2027-04-02", "method": "gold"},
         "method"),
    ],
)  # fmt: skip
def test_bad_refund_input_is_refused_naming_the_field(body, field):
    with pytest.raises(ValidationError) as refused:
        s.RefundSponsorSchema().load(body)
    assert field in refused.value.messages
