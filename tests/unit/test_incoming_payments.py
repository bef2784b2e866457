"""Money from outside recorded by registration's use cases on the in-memory store: a
statement's matched lines saved together with the orders they complete, a notification's
day taken in the conference's time zone, the same transaction never twice, and every
event within the published contract."""

from __future__ import annotations

import datetime as dt

import pytest
from marshmallow import ValidationError

from services.common.errors import Conflict, InvalidCommand, NotFound
from services.registration import commands as c
from services.registration.domain.payment_reference import payment_reference
from services.registration.incoming_payments import IncomingPayments
from services.registration.schemas import PaymentNotificationSchema
from tests.unit.test_registration_application import (  # noqa: F401 - fixtures
    CONFERENCE,
    app,
    clock,
    ctx,
    fees,
    order_cmd,
    published,
    types,
)


class References:
    """The read model, as a dict: every order placed so far, by its reference."""

    def __init__(self, app):  # noqa: F811
        self.app = app
        self.placed: list[str] = []

    def orders(self, references, conference_id=None):
        known = {}
        for order_id in self.placed:
            known.setdefault(payment_reference(order_id), []).append(order_id)
        return {reference: known.get(reference, []) for reference in set(references)}


@pytest.fixture
def incoming(app):  # noqa: F811
    return IncomingPayments(app, References(app))


def place(app, incoming, ctx, *emails):  # noqa: F811
    order = app.place_order(order_cmd(*emails), ctx)
    incoming.references.placed.append(str(order.id))
    return order


def statement(*lines: str) -> bytes:
    return ("date,amount,reference,transaction_id\n" + "\n".join(lines) + "\n").encode()


def test_a_statement_pays_orders_in_one_save_and_again_changes_nothing(app, incoming, ctx):  # noqa: F811
    fees(app, ctx)
    group = place(app, incoming, ctx, "wang@example.cn", "li@example.cn")  # 5,600.00
    ref = payment_reference(group.id)
    data = statement(
        f"2027-03-02,2800.00,{ref},B1", f"2027-03-03,2800.00,{ref},B2", "2027-03-03,1,none,B3"
    )
    answer = incoming.import_statement(CONFERENCE, data, ctx)
    assert (answer["recorded"], answer["unmatched"], answer["lines"]) == (2, 1, 3)
    order = app.order(group.id)
    assert (order.status, order.paid_minor) == ("paid", 560_000)
    assert [p["provider_reference"] for p in order.payments] == ["B1", "B2"]
    assert all(app.attendee(a).paid for a in order.attendee_ids)
    stored = types(app)
    assert stored.count("PaymentReceived") == 2 and stored.count("RegistrationPaid") == 2
    again = incoming.import_statement(CONFERENCE, data, ctx)
    assert (again["recorded"], again["duplicate"]) == (0, 2)
    assert types(app) == stored
    assert all(e.actor == "li" for e in published(app) if e.event_type == "PaymentReceived")


def notification(reference: str, paid_at: str, **extra) -> c.PaymentNotification:
    return c.PaymentNotification(
        reference=reference,
        amount_minor=extra.pop("amount_minor", 280_000),
        currency="CNY",
        transaction_id=extra.pop("transaction_id", "W1"),
        paid_at=dt.datetime.fromisoformat(paid_at),
        **extra,
    )


def test_a_notification_is_recorded_once_on_its_day_in_the_conferences_time_zone(
    app,  # noqa: F811
    incoming,
    ctx,  # noqa: F811
):
    fees(app, ctx)
    order = place(app, incoming, ctx, "wang@example.cn")
    ref = payment_reference(order.id)
    late = notification(ref, "2027-03-02T17:30:00+00:00")  # 01:30 on the 3rd in Shanghai
    answer = incoming.notify("wechat_pay", late, ctx)
    assert (answer["outcome"], answer["order_id"]) == ("recorded", str(order.id))
    (payment,) = app.order(order.id).payments
    assert (payment["received_on"], payment["method"]) == ("2027-03-03", "wechat_pay")
    assert incoming.notify("wechat_pay", late, ctx)["outcome"] == "already_recorded"
    with pytest.raises(Conflict, match="not 1"):
        incoming.notify(
            "wechat_pay", notification(ref, late.paid_at.isoformat(), amount_minor=1), ctx
        )
    with pytest.raises(NotFound, match="no order has"):
        incoming.notify("wechat_pay", notification("HW00000000", "2027-03-02T10:00:00+08:00"), ctx)
    with pytest.raises(InvalidCommand, match="generic is not itself a payment method"):
        incoming.notify("generic", notification(ref, "2027-03-02T10:00:00+08:00"), ctx)
    assert len(app.order(order.id).payments) == 1


def test_a_notification_is_loaded_by_the_edge_with_each_field_bounded():
    schema = PaymentNotificationSchema()
    good = {
        "reference": "HWFACVV1MD",
        "amount_minor": 280_000,
        "currency": "CNY",
        "transaction_id": "4200001234",
        "paid_at": "2027-03-02T10:15:00+08:00",
    }
    loaded = schema.load(good)
    assert (loaded.method, loaded.fee_minor, loaded.paid_at.utcoffset()) == (
        None,
        0,
        dt.timedelta(hours=8),
    )
    for field, value in [
        ("paid_at", "1999-12-31T23:00:00+00:00"),
        ("paid_at", "2027-03-02T10:15:00"),  # no offset: whose ten o'clock?
        ("amount_minor", 0),
        ("amount_minor", 2800.5),
        ("transaction_id", "有 空格"),
        ("method", "paypal"),
        ("currency", "RMB"),
    ]:
        with pytest.raises(ValidationError) as refused:
            schema.load({**good, field: value})
        assert field in refused.value.messages, (field, value)
