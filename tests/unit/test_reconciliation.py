"""Reconciliation of orders (23.1.3) and the test of a payment channel (10.1.6) on the
in-memory store: the figures of paid, overpaid, unpaid, refunded and cancelled orders, a
reconciliation recorded only when they changed, fapiao still open, and refusals that
store nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.domain import reconciliation as r
from tests.unit.test_registration_application import (
    CONFERENCE,
    POPO,
    Clock,
    Conferences,
    fees,
    order_cmd,
    payment,
    published,
    types,
)

PRICE = 280_000
RECONCILE = c.ReconcileOrder()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(clock):
    app = RegistrationApplication(env=POPO, conferences=Conferences(), clock=clock)
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("finance-li", "corr-1")


def paid_order(app, ctx, email="wang@example.cn", amount=PRICE):
    fees(app, ctx)
    order = app.place_order(order_cmd(email), ctx)
    app.record_payment(order.id, payment(amount), ctx)
    return order


def reconciled(app):
    return [e.payload for e in published(app) if e.event_type == "OrderReconciled"]


def refund(app, ctx, order_id, amount, complete=True):
    asked = app.request_refund(order_id, c.RequestRefund(amount, "other"), ctx)
    refund_id = list(asked.refunds)[-1]
    if complete:
        app.complete_refund(
            order_id, refund_id, c.CompleteRefund("bank_transfer", dt.date(2027, 6, 1)), ctx
        )
    return refund_id


def test_a_paid_order_is_settled_and_reconciled_once_while_nothing_changes(app, ctx):
    order = paid_order(app, ctx)
    first = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert (first["settled"], first["recorded"]) == (True, True)
    again = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert (again["settled"], again["recorded"]) == (True, False)
    assert reconciled(app) == [
        {
            "due_minor": PRICE,
            "paid_minor": PRICE,
            "refunded_minor": 0,
            "outstanding_minor": 0,
            "currency": "CNY",
            "fapiao_open": 0,
        }
    ]


def test_a_refund_asked_after_reconciling_is_outstanding_until_it_is_completed(app, ctx):
    order = paid_order(app, ctx)
    app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    refund_id = refund(app, ctx, order.id, 80_000, complete=False)
    owed = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert (owed["to_refund_minor"], owed["outstanding_minor"], owed["settled"]) == (
        80_000,
        80_000,
        False,
    )
    app.complete_refund(
        order.id, refund_id, c.CompleteRefund("bank_transfer", dt.date(2027, 6, 1)), ctx
    )
    settled = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert settled["settled"] and settled["due_minor"] == PRICE - 80_000
    assert [p["outstanding_minor"] for p in reconciled(app)] == [0, 80_000, 0]


def test_an_overpayment_is_to_refund_and_a_part_payment_to_collect(app, ctx):
    over = paid_order(app, ctx, "over@example.cn", PRICE + 7)
    short = app.place_order(order_cmd("short@example.cn"), ctx)
    app.record_payment(short.id, payment(100_000), ctx)
    overpaid = app.reconcile_order(CONFERENCE, over.id, RECONCILE, ctx)
    assert (overpaid["to_refund_minor"], overpaid["to_collect_minor"]) == (7, 0)
    unpaid = app.reconcile_order(CONFERENCE, short.id, RECONCILE, ctx)
    assert (unpaid["to_collect_minor"], unpaid["outstanding_minor"]) == (PRICE - 100_000,) * 2
    refund(app, ctx, over.id, 7)
    assert app.reconcile_order(CONFERENCE, over.id, RECONCILE, ctx)["settled"]


def test_a_cancelled_order_settles_once_its_refund_is_completed(app, ctx):
    order = paid_order(app, ctx)
    cancelled = app.cancel_order(order.id, c.CancelOrder("cannot travel", "organiser"), ctx)
    refund_id = list(cancelled.refunds)[-1]
    waiting = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert (waiting["due_minor"], waiting["to_refund_minor"]) == (0, PRICE)
    app.complete_refund(
        order.id, refund_id, c.CompleteRefund("bank_transfer", dt.date(2027, 6, 1)), ctx
    )
    assert app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)["settled"]
    unpaid = app.place_order(order_cmd("unpaid@example.cn"), ctx)
    app.cancel_order(unpaid.id, c.CancelOrder("duplicate"), ctx)
    assert app.reconcile_order(CONFERENCE, unpaid.id, RECONCILE, ctx)["settled"]


def test_a_fapiao_requested_and_not_issued_is_open(app, ctx):
    order = paid_order(app, ctx)
    app.request_fapiao(
        CONFERENCE, order.id, c.RequestFapiao(fapiao_type="vat_ordinary", buyer_name="王磊"), ctx
    )
    found = app.reconcile_order(CONFERENCE, order.id, RECONCILE, ctx)
    assert (found["outstanding_minor"], found["fapiao_open"], found["settled"]) == (0, 1, False)


def test_an_expired_order_is_not_reconciled_and_the_bulk_one_skips_it(app, ctx, clock):
    fees(app, ctx)
    soon = clock.now + dt.timedelta(hours=1)
    lapsed = app.place_order(order_cmd("late@example.cn", expires_at=soon), ctx)
    kept = app.place_order(order_cmd("kept@example.cn"), ctx)
    app.record_payment(kept.id, payment(PRICE), ctx)
    clock.now += dt.timedelta(hours=2)
    app.expire_due([str(lapsed.id)], ctx)
    with pytest.raises(Conflict) as refused:
        app.reconcile_order(CONFERENCE, lapsed.id, RECONCILE, ctx)
    assert refused.value.field == "order_id" and "expired" in refused.value.message
    answer = app.reconcile_orders(CONFERENCE, [str(lapsed.id), str(kept.id)], ctx)
    assert (answer["orders"], answer["recorded"], answer["settled"]) == (1, 1, 1)
    assert app.reconcile_orders(CONFERENCE, [str(kept.id)], ctx)["recorded"] == 0


def test_an_order_of_another_conference_is_not_found(app, ctx):
    order = paid_order(app, ctx)
    with pytest.raises(NotFound):
        app.reconcile_order("0" * 8 + CONFERENCE[8:], order.id, RECONCILE, ctx)
    assert reconciled(app) == []


def test_figures_add_up_as_the_contract_checks():
    class Order:
        status, paid_minor, total_minor, currency = "paid", 300_000, PRICE, "CNY"
        refunded_minor, refunding_minor = 10_000, 5_000

    found = r.figures(Order(), [])
    # 20 000 over; 15 000 of it asked back, 10 000 of it done: 10 000 still to refund
    assert found["due_minor"] == PRICE and found["outstanding_minor"] == 10_000
    assert r.to_refund(found) == 10_000 and r.to_collect(found) == 0


# -- the test of a live payment channel (10.1.6) ---------------------------------------
def channel_test(refund_reference="5030000000001", currency="CNY"):
    return c.TestPaymentChannel(1, currency, "4200000000001", refund_reference)


def test_a_channel_test_with_its_refund_is_recorded_refunded(app, ctx):
    fees(app, ctx)
    setup = app.test_payment_channel(CONFERENCE, "wechat_pay", channel_test(), ctx)
    assert setup.channel_tests["wechat_pay"] == {"amount_minor": 1, "refunded": True}
    app.test_payment_channel(CONFERENCE, "alipay", channel_test(None), ctx)
    tested = [e.payload for e in published(app) if e.event_type == "PaymentChannelTested"]
    assert [(t["method"], t["refunded"]) for t in tested] == [
        ("wechat_pay", True),
        ("alipay", False),
    ]
    assert "refund_reference" not in tested[1]


def test_a_channel_test_is_refused_before_fees_in_another_currency_or_channel(app, ctx):
    with pytest.raises(Conflict):
        app.test_payment_channel(CONFERENCE, "wechat_pay", channel_test(), ctx)
    fees(app, ctx)
    with pytest.raises(InvalidCommand) as currency:
        app.test_payment_channel(CONFERENCE, "wechat_pay", channel_test(currency="USD"), ctx)
    assert currency.value.field == "currency"
    assert currency.value.message == "the conference is in CNY, not USD"
    with pytest.raises(InvalidCommand) as channel:
        app.test_payment_channel(CONFERENCE, "carrier_pigeon", channel_test(), ctx)
    assert channel.value.field == "channel"
    assert "PaymentChannelTested" not in types(app)
