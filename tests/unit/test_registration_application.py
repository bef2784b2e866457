"""Registration's use cases on the in-memory store: fees, orders, the one-registration-
per-email rule, quotas, payments, refunds, cancellation, expiry and substitution; every
event stored validates against the published contract and carries no personal data."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand
from services.common.http import error_response
from services.common.log import NotificationLog
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.conferences import Conference
from services.registration.events import CATALOG
from services.registration.schemas import (
    OrderAnswer,
    PlaceOrderSchema,
    SetFeeScheduleSchema,
    SetRegistrationTargetsSchema,
)

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CONFERENCE = str(uuid.uuid4())
WORDING = "我同意主办方为办理注册处理我的个人信息。"


class Conferences:
    def get(self, conference_id):
        if conference_id != CONFERENCE:
            raise InvalidCommand(f"unknown conference {conference_id}", field="conference_id")
        return Conference(CONFERENCE, "Forum", "2027-05-12", "2027-05-14", "Asia/Shanghai", "CNY")


class Clock:
    def __init__(self):
        self.now = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai

    def __call__(self):
        return self.now


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
    return CommandContext.new("li", "corr-1")


def line(ticket_type="full", **extra):
    return {
        "category": "delegate",
        "ticket_type": ticket_type,
        "label": "全程",
        "price_minor": 280_000,
        "currency": "CNY",
        "tax_rate_bp": 600,
        **extra,
    }


def fees(app, ctx, *lines):
    return app.set_fee_schedule(CONFERENCE, c.SetFeeSchedule(tuple(lines or [line()])), ctx)


def person(email, name="王磊", consents=("personal_information",)):
    return c.Person(
        name=name, email=email, consents=consents, consent=c.Consent("2027-01", WORDING)
    )


def order_cmd(*emails, ticket_type="full", channel="back_office", **extra):
    return c.PlaceOrder(
        conference_id=uuid.UUID(CONFERENCE),
        buyer_kind="individual",
        buyer_name="王磊",
        attendees=tuple(c.AttendeeLine(ticket_type, person(e)) for e in emails),
        channel=channel,
        **extra,
    )


def payment(amount, on="2027-03-02"):
    return c.RecordPayment("bank_transfer", amount, "CNY", dt.date.fromisoformat(on))


def published(app):
    """Every stored event as published: checked against the contract."""
    log = NotificationLog(app, CATALOG)
    return log.envelopes(1, 10_000)


def types(app):
    return [e.event_type for e in published(app)]


def test_fee_schedule_in_another_currency_is_refused_naming_the_line(app, ctx):
    with pytest.raises(InvalidCommand) as refused:
        fees(app, ctx, line(), line("vip", currency="USD"))
    assert refused.value.field == "categories[1].currency"
    assert "CNY" in refused.value.message
    assert types(app) == []


def test_an_order_is_placed_for_a_group_and_paid_in_parts(app, ctx):
    fees(app, ctx, line(), line("student", category="student", price_minor=60_000))
    cmd = c.PlaceOrder(
        conference_id=uuid.UUID(CONFERENCE),
        buyer_kind="organisation",
        buyer_name="张伟",
        buyer_organisation="杭州某某科技有限公司",
        attendees=(
            c.AttendeeLine("full", person("Wang@Example.cn")),
            c.AttendeeLine("student", person("li@example.cn", "李娜")),
        ),
        channel="back_office",
    )
    order = app.place_order(cmd, ctx)
    assert order.total_minor == 340_000 and order.status == "awaiting_payment"

    order = app.record_payment(order.id, payment(200_000), ctx)
    assert (order.status, order.paid_minor, order.balance_minor) == (
        "awaiting_payment",
        200_000,
        140_000,
    )
    order = app.record_payment(order.id, payment(150_000), ctx)
    answer = OrderAnswer().dump(order)
    assert (answer["status"], answer["balance_minor"], answer["overpaid_minor"]) == (
        "paid",
        0,
        10_000,
    )

    assert types(app)[-5:] == [
        "PaymentReceived",
        "PaymentReceived",
        "OrderPaid",
        "RegistrationPaid",
        "RegistrationPaid",
    ]


def test_no_personal_data_is_published_but_the_attendee_keeps_it(app, ctx):
    fees(app, ctx)
    order = app.place_order(order_cmd("wang@example.cn", buyer_phone="+86 138 0000 0000"), ctx)
    everything = json.dumps([e.to_dict() for e in published(app)], ensure_ascii=False)
    for secret in ("wang@example.cn", "王磊", "138 0000"):
        assert secret not in everything
    attendee = app.attendee(order.positions[0]["attendee_id"])
    assert (attendee.name, attendee.email) == ("王磊", "wang@example.cn")
    assert attendee.consent_version == "2027-01" and len(attendee.consent_sha256) == 64


def test_an_email_registers_once_per_conference_whatever_its_case(app, ctx):
    fees(app, ctx)
    app.place_order(order_cmd("wang@example.cn"), ctx)
    before = len(types(app))

    with pytest.raises(Conflict) as again:
        app.place_order(order_cmd("li@example.cn", "  WANG@Example.CN "), ctx)
    assert again.value.field == "attendees[1].person.email"
    assert "already registered" in again.value.message
    with pytest.raises(InvalidCommand) as twice:
        app.place_order(order_cmd("zhao@example.cn", "Zhao@example.cn"), ctx)
    assert twice.value.field == "attendees[1].person.email"
    assert "attendees[0]" in twice.value.message
    assert len(types(app)) == before  # nothing of the refused orders was stored


def test_a_cancelled_registration_frees_the_email(app, ctx):
    fees(app, ctx)
    order = app.place_order(order_cmd("wang@example.cn"), ctx)
    app.cancel_order(order.id, c.CancelOrder("cannot travel"), ctx)
    again = app.place_order(order_cmd("WANG@example.cn"), ctx)
    assert again.status == "awaiting_payment"
    assert "AttendeeEmailReclaimed" in types(app)


def test_overbooking_is_refused_and_places_come_back_on_expiry(app, ctx, clock):
    fees(app, ctx, line(quota=2))
    first = app.place_order(
        order_cmd("a@example.cn", "b@example.cn", expires_at=clock.now + dt.timedelta(hours=1)),
        ctx,
    )
    with pytest.raises(Conflict) as sold_out:
        app.place_order(order_cmd("c@example.cn"), ctx)
    assert sold_out.value.field == "attendees[0].ticket_type"
    assert "0 of 2 places left" in sold_out.value.message
    assert "QuotaReached" in types(app)

    clock.now += dt.timedelta(hours=2)
    assert app.expire_due([str(first.id)], ctx) == [str(first.id)]
    assert app.order(first.id).status == "expired"
    assert app.place_order(order_cmd("c@example.cn"), ctx).status == "awaiting_payment"
    cancelled = [e.payload for e in published(app) if e.event_type == "RegistrationCancelled"]
    assert len(cancelled) == 2 and "cancelled_by" not in cancelled[0]  # nobody: not paid


def test_a_ticket_out_of_its_window_or_unknown_is_refused_naming_the_position(app, ctx):
    fees(app, ctx, line(), line("late", on_sale_from="2027-04-01"))
    for ticket_type, words in (("late", "not on sale on 2027-03-01"), ("gala", "unknown")):
        with pytest.raises(InvalidCommand) as refused:
            app.place_order(order_cmd("a@example.cn", "b@example.cn", ticket_type=ticket_type), ctx)
        assert refused.value.field == "attendees[0].ticket_type"
        assert words in refused.value.message


def test_early_bird_prices_give_way_to_the_next_line(app, ctx, clock):
    fees(app, ctx, line(early_until="2027-03-31", price_minor=180_000), line())
    assert app.place_order(order_cmd("a@example.cn"), ctx).total_minor == 180_000
    clock.now = dt.datetime(2027, 4, 2, tzinfo=dt.UTC)
    assert app.place_order(order_cmd("b@example.cn"), ctx).total_minor == 280_000


def test_consent_to_personal_information_is_required(app, ctx):
    fees(app, ctx)
    cmd = c.PlaceOrder(
        conference_id=uuid.UUID(CONFERENCE),
        buyer_kind="individual",
        buyer_name="王磊",
        attendees=(c.AttendeeLine("full", person("a@example.cn", consents=("marketing",))),),
        channel="back_office",
    )
    with pytest.raises(InvalidCommand) as refused:
        app.place_order(cmd, ctx)
    assert refused.value.field == "attendees[0].person.consents"


def test_online_orders_need_the_channel_open(app, ctx):
    fees(app, ctx)
    with pytest.raises(Conflict) as closed:
        app.place_order(order_cmd("a@example.cn", channel="online"), ctx)
    assert closed.value.field == "channel"
    app.open_registration(CONFERENCE, c.OpenRegistration("online", ("wechat_pay",)), ctx)
    assert app.place_order(order_cmd("a@example.cn", channel="online"), ctx).channel == "online"
    opened = [e for e in published(app) if e.event_type == "RegistrationOpened"][0]
    assert opened.payload == {"channel": "online", "payment_methods": ["wechat_pay"]}


def test_a_free_order_is_paid_at_once_and_one_needing_approval_waits(app, ctx):
    fees(
        app,
        ctx,
        line("press", category="press", price_minor=0),
        line("student", category="student", price_minor=60_000, requires_approval=True),
    )
    assert app.place_order(order_cmd("a@example.cn", ticket_type="press"), ctx).status == "paid"
    waiting = app.place_order(order_cmd("b@example.cn", ticket_type="student"), ctx)
    assert waiting.status == "pending_approval"
    with pytest.raises(Conflict):
        app.record_payment(waiting.id, payment(60_000), ctx)
    assert app.approve_order(waiting.id, c.ApproveOrder(), ctx).status == "awaiting_payment"
    denied = app.place_order(order_cmd("c@example.cn", ticket_type="student"), ctx)
    app.deny_order(denied.id, c.DenyOrder("not a student"), ctx)
    assert app.order(denied.id).status == "denied"


def test_a_full_refund_issues_each_attendees_refund_a_partial_one_does_not(app, ctx):
    fees(app, ctx)
    order = app.place_order(order_cmd("a@example.cn", "b@example.cn"), ctx)
    app.record_payment(order.id, payment(560_000), ctx)
    order = app.request_refund(order.id, c.RequestRefund(100_000, "other"), ctx)
    first = next(iter(order.refunds))
    app.complete_refund(
        order.id, first, c.CompleteRefund("bank_transfer", dt.date(2027, 3, 3)), ctx
    )
    assert "RefundIssued" not in types(app)
    with pytest.raises(InvalidCommand) as too_much:
        app.request_refund(order.id, c.RequestRefund(460_001, "other"), ctx)
    assert too_much.value.field == "amount_minor"
    order = app.request_refund(order.id, c.RequestRefund(460_000, "other"), ctx)
    second = [r for r in order.refunds if r != first][0]
    order = app.complete_refund(
        order.id, second, c.CompleteRefund("bank_transfer", dt.date(2027, 3, 3)), ctx
    )
    assert order.refunded_minor == 560_000
    assert types(app).count("RefundIssued") == 2
    requested = [e.payload for e in published(app) if e.event_type == "RefundRequested"]
    assert [r["partial"] for r in requested] == [True, False]


def test_cancelling_follows_the_refund_policy(app, ctx, clock):
    fees(app, ctx)
    app.set_refund_policy(
        CONFERENCE,
        c.SetRefundPolicy(dt.date(2027, 2, 1), dt.date(2027, 4, 1), 50),
        ctx,
    )
    order = app.place_order(order_cmd("a@example.cn"), ctx)
    app.record_payment(order.id, payment(280_000), ctx)
    order = app.cancel_order(order.id, c.CancelOrder("cannot travel"), ctx)
    refund = next(iter(order.refunds.values()))
    assert (order.status, refund["amount_minor"], refund["partial"]) == ("cancelled", 140_000, True)
    cancelled = [e.payload for e in published(app) if e.event_type == "OrderCancelled"]
    assert cancelled == [{"cancelled_by": "attendee", "reason": "cannot travel", "was_paid": True}]
    with pytest.raises(Conflict):
        app.cancel_order(order.id, c.CancelOrder("again"), ctx)


def test_an_attendee_is_substituted_and_the_emails_follow(app, ctx):
    fees(app, ctx)
    order = app.place_order(order_cmd("a@example.cn"), ctx)
    attendee_id = order.positions[0]["attendee_id"]
    app.substitute_attendee(
        attendee_id, c.SubstituteAttendee(person("b@example.cn", "李娜"), "colleague"), ctx
    )
    assert app.attendee(attendee_id).name == "李娜"
    app.place_order(order_cmd("a@example.cn"), ctx)  # the first person may register again
    with pytest.raises(Conflict) as taken:
        app.place_order(order_cmd("B@example.cn"), ctx)
    assert taken.value.field == "attendees[0].person.email"


def test_the_edge_names_a_negative_price_and_a_refusal_maps_to_its_status(app, ctx):
    errors = PlaceOrderSchema().validate({"conference_id": CONFERENCE})
    assert {"buyer_kind", "buyer_name", "attendees"} <= set(errors)
    fees(app, ctx)
    app.place_order(order_cmd("a@example.cn"), ctx)
    with pytest.raises(Conflict) as again:
        app.place_order(order_cmd("A@example.cn"), ctx)
    assert error_response(again.value).status_code == 409


def test_a_command_whose_event_would_break_the_contract_is_refused_and_stores_nothing(app, ctx):
    with pytest.raises(InvalidCommand) as refused:
        app.set_fee_schedule(CONFERENCE, c.SetFeeSchedule(()), ctx)
    assert refused.value.field == "categories"
    assert types(app) == []  # not even the set-up the schedule would have started


def test_the_edge_refuses_what_the_contract_would(app):
    empty = SetFeeScheduleSchema().validate({"categories": []})
    targets = [{"by": "2027-04-01", "registered": 200}, {"by": "2027-03-01", "registered": 90}]
    backwards = SetRegistrationTargetsSchema().validate(
        {"targets": targets, "warn_below_percent": 80}
    )
    assert "categories" in empty and "targets" in backwards


def test_vouchers_price_positions_and_their_uses_are_counted(app, ctx):
    fees(app, ctx)
    half = app.issue_voucher(CONFERENCE, c.IssueVoucher("promotion", "percent", 50, 2), ctx)
    comp = app.issue_voucher(CONFERENCE, c.IssueVoucher("speaker", "free", 0, 1, "full"), ctx)
    assert len(half.code) == 16

    def line_with(email, code):
        return c.AttendeeLine("full", person(email), voucher_code=code)

    cmd = order_cmd()
    group = c.PlaceOrder(
        conference_id=cmd.conference_id,
        buyer_kind="individual",
        buyer_name="王磊",
        attendees=(
            line_with("a@example.cn", half.code.lower()),  # codes compare case-insensitively
            line_with("b@example.cn", half.code),
            line_with("c@example.cn", comp.code),
        ),
        channel="back_office",
    )
    order = app.place_order(group, ctx)
    assert [p["price_minor"] for p in order.positions] == [140_000, 140_000, 0]
    assert order.positions[2]["voucher_id"] == str(comp.id)

    with pytest.raises(Conflict) as used_up:
        app.place_order(
            c.PlaceOrder(
                conference_id=cmd.conference_id,
                buyer_kind="individual",
                buyer_name="赵六",
                attendees=(line_with("d@example.cn", comp.code),),
                channel="back_office",
            ),
            ctx,
        )
    assert used_up.value.field == "attendees[0].voucher_code"
    app.cancel_order(order.id, c.CancelOrder("plans changed"), ctx)  # the uses come back
    assert "VoucherReturned" in types(app)
    assert comp.code not in json.dumps([e.to_dict() for e in published(app)])


def test_a_freed_place_is_offered_to_the_first_one_waiting_and_lapses_untaken(app, ctx, clock):
    fees(app, ctx, line("workshop", quota=1))
    order = app.place_order(
        order_cmd(
            "a@example.cn", ticket_type="workshop", expires_at=clock.now + dt.timedelta(hours=1)
        ),
        ctx,
    )
    join = [
        app.join_waitlist(
            c.JoinWaitlist(uuid.UUID(CONFERENCE), "workshop", person(f"{n}@example.cn")), ctx
        )
        for n in ("first", "second")
    ]
    clock.now += dt.timedelta(hours=2)
    app.expire_due([str(order.id)], ctx)
    first, second = (str(e.id) for e in join)
    assert app.offer_places(CONFERENCE, "workshop", [first, second], ctx) == [first]
    offer = app.waitlist_entry(first)
    assert offer["entry"].status == "offered" and len(offer["voucher_code"]) == 16
    with pytest.raises(Conflict):  # the voucher holds the only place
        app.place_order(order_cmd("x@example.cn", ticket_type="workshop"), ctx)

    clock.now += dt.timedelta(hours=49)
    assert app.lapse_offers([first], ctx) == [first]
    assert app.offer_places(CONFERENCE, "workshop", [second], ctx) == [second]
    taken = c.PlaceOrder(
        conference_id=uuid.UUID(CONFERENCE),
        buyer_kind="individual",
        buyer_name="李娜",
        attendees=(
            c.AttendeeLine(
                "workshop",
                person("second@example.cn"),
                voucher_code=app.waitlist_entry(second)["voucher_code"],
            ),
        ),
        channel="back_office",
    )
    assert app.place_order(taken, ctx).status == "awaiting_payment"
    offered = [e.payload for e in published(app) if e.event_type == "WaitlistOffered"]
    assert len(offered) == 2 and "first@example.cn" not in json.dumps(offered)


def test_joining_the_waiting_list_needs_a_sold_out_quota(app, ctx):
    fees(app, ctx, line("workshop", quota=1))
    with pytest.raises(Conflict) as left:
        app.join_waitlist(c.JoinWaitlist(uuid.UUID(CONFERENCE), "workshop", person("a@x.cn")), ctx)
    assert left.value.field == "ticket_type" and "1 places" in left.value.message


def test_the_application_is_registrations_whatever_parts_it_is_made_of():
    assert RegistrationApplication.name == "registration"


def test_an_offer_holds_its_place_as_long_as_the_deployment_says(ctx, clock):
    app = RegistrationApplication(env=POPO, conferences=Conferences(), clock=clock, offer_hours=0.5)
    fees(app, ctx, line("workshop", quota=1))
    soon = clock.now + dt.timedelta(minutes=1)
    order = app.place_order(order_cmd("a@example.cn", ticket_type="workshop", expires_at=soon), ctx)
    joined = app.join_waitlist(
        c.JoinWaitlist(uuid.UUID(CONFERENCE), "workshop", person("w@example.cn")), ctx
    )
    clock.now += dt.timedelta(minutes=2)
    app.expire_due([str(order.id)], ctx)
    assert app.offer_places(CONFERENCE, "workshop", [str(joined.id)], ctx) == [str(joined.id)]
    until = app.waitlist_entry(joined.id)["entry"].offer_expires_at
    assert dt.datetime.fromisoformat(until) == clock.now + dt.timedelta(minutes=30)
    clock.now += dt.timedelta(minutes=31)
    assert app.lapse_offers([str(joined.id)], ctx) == [str(joined.id)]
    app.close()
