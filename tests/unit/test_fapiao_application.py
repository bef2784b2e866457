"""Fapiao of registration fees on the in-memory store: requested only for money paid and
not yet invoiced, issued with exact amounts, handed over, reversed; a refund waits for the
red-letter fapiao; every event stored validates against the published contract."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.domain.fapiao import FapiaoStateError, invoiceable_minor, open_count
from services.registration.domain.fapiao_tax import split_gross
from services.registration.events import TYPES
from services.registration.fapiao_schemas import FapiaoAnswer

from .test_registration_application import (
    CONFERENCE,
    POPO,
    Clock,
    Conferences,
    fees,
    line,
    order_cmd,
    payment,
    published,
    types,
)

TAX_ID = "91350100M000100Y43"  # a published example; its check character holds
DIGITAL = "25312000000012345678"
RED = "25312000000012345679"
RED2 = "25312000000012345680"
RED3 = "25312000000012345681"


@pytest.fixture
def app():
    app = RegistrationApplication(env=POPO, conferences=Conferences(), clock=Clock())
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("finance-li", "corr-1")


def ordinary(**extra):
    return c.RequestFapiao(fapiao_type="vat_ordinary", buyer_name="王磊", **extra)


def special(**extra):
    return c.RequestFapiao(
        fapiao_type="vat_special",
        buyer_name="福州某某科技有限公司",
        buyer_kind="organisation",
        buyer_tax_id=TAX_ID,
        buyer_address="福州市鼓楼区五四路1号",
        buyer_phone="0591-12345678",
        buyer_bank="招商银行福州分行",
        buyer_account="591900000000001",
        **extra,
    )


def issue(number=DIGITAL, medium="digital", code=None):
    return c.IssueFapiao(number, medium, dt.date(2027, 3, 5), code)


def reverse(reason="refund", amount=None, red=RED):
    return c.ReverseFapiao(red, reason, dt.date(2027, 3, 6), amount_minor=amount)


def paid_order(app, ctx, amount=280_000):
    fees(app, ctx)
    order = app.place_order(order_cmd("wang@example.cn"), ctx)
    return app.record_payment(order.id, payment(amount), ctx) if amount else order


def test_a_fapiao_goes_from_request_to_issue_to_hand_over_with_exact_amounts(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, special(), ctx)
    assert (fapiao.state, fapiao.gross_minor, fapiao.tax_rate_bp) == ("requested", 280_000, 600)
    assert fapiao.buyer_address_phone == "福州市鼓楼区五四路1号 0591-12345678"

    fapiao = app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    issued = fapiao.issue
    assert (issued["net_minor"], issued["tax_minor"], issued["gross_minor"]) == (
        264_151,
        15_849,
        280_000,
    )
    assert issued["attendee_ids"] == order.attendee_ids

    cmd = c.HandOverFapiao("onsite", dt.date(2027, 5, 12), True, "王磊")
    fapiao = app.hand_over_fapiao(CONFERENCE, fapiao.id, cmd, ctx)
    assert FapiaoAnswer().dump(fapiao)["state"] == "handed_over"

    envelopes = published(app)  # each validated against the contract as it is read
    kinds = [e.event_type for e in envelopes]
    assert kinds[-3:] == ["FapiaoRequested", "FapiaoIssued", "FapiaoHandedOver"]
    assert {e.aggregate_id for e in envelopes[-3:]} == {str(fapiao.id)}
    assert "handed_to" not in envelopes[-1].payload  # a person's name stays in the store
    assert not any(TYPES[kind].planned for kind in kinds[-3:])


def test_only_paid_money_not_yet_invoiced_can_be_invoiced(app, ctx):
    order = paid_order(app, ctx, amount=100_000)  # 1000.00 of 2800.00 paid
    with pytest.raises(InvalidCommand) as over:
        app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=100_001), ctx)
    assert over.value.field == "amount_minor" and "100000" in over.value.message

    first = app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=60_000), ctx)
    second = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)  # the rest
    assert (first.gross_minor, second.gross_minor) == (60_000, 40_000)
    assert first.id != second.id
    before = len(types(app))
    with pytest.raises(Conflict) as none_left:
        app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=1), ctx)
    assert none_left.value.field == "order_id"
    assert len(types(app)) == before  # nothing stored


def test_an_unpaid_order_has_nothing_to_invoice(app, ctx):
    order = paid_order(app, ctx, amount=0)
    with pytest.raises(Conflict) as refused:
        app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    assert refused.value.field == "order_id"


def test_an_organisation_names_its_tax_id_even_on_an_ordinary_fapiao(app, ctx):
    order = paid_order(app, ctx)
    with pytest.raises(InvalidCommand) as refused:
        app.request_fapiao(CONFERENCE, order.id, ordinary(buyer_kind="organisation"), ctx)
    assert refused.value.field == "buyer_tax_id"
    individual = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    assert individual.buyer_tax_id is None and individual.buyer_kind == "individual"


def test_another_conference_does_not_see_the_order(app, ctx):
    order = paid_order(app, ctx)
    with pytest.raises(NotFound) as refused:
        app.request_fapiao("00000000-0000-0000-0000-000000000000", order.id, ordinary(), ctx)
    assert refused.value.field == "order_id"


def test_issuing_twice_and_reversing_an_unissued_fapiao_are_refused(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    with pytest.raises(FapiaoStateError) as unissued:
        app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)
    assert unissued.value.field == "fapiao_id"
    cmd = c.HandOverFapiao("email", dt.date(2027, 3, 5))
    with pytest.raises(FapiaoStateError):
        app.hand_over_fapiao(CONFERENCE, fapiao.id, cmd, ctx)

    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    with pytest.raises(FapiaoStateError) as twice:
        app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    assert "issued" in twice.value.message

    fapiao = app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)
    assert fapiao.state == "reversed" and fapiao.reversal["gross_minor"] == 280_000
    with pytest.raises(FapiaoStateError):
        app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)


def withdraw(reason="买方改开专票"):
    return c.WithdrawFapiao(reason)


def test_a_request_withdrawn_before_issue_frees_its_money(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=200_000), ctx)
    view = app.order_fapiao_view(CONFERENCE, order.id)
    assert (view["invoiceable_minor"], view["open"]) == (80_000, 1)
    assert open_count(app.order_fapiao(order.id), 280_000) == 1

    fapiao = app.withdraw_fapiao(CONFERENCE, fapiao.id, withdraw(), ctx)
    assert (fapiao.state, fapiao.held_minor) == ("withdrawn", 0)
    assert fapiao.withdrawal["reason"] == "买方改开专票"
    view = app.order_fapiao_view(CONFERENCE, order.id)
    assert (view["invoiceable_minor"], view["open"]) == (280_000, 0)
    assert open_count(app.order_fapiao(order.id), 280_000) == 0  # nothing left to issue
    assert FapiaoAnswer().dump(fapiao)["withdrawal"]["gross_minor"] == 200_000

    again = app.request_fapiao(CONFERENCE, order.id, special(), ctx)  # the next place
    assert (again.gross_minor, again.id != fapiao.id) == (280_000, True)
    envelope = published(app)[-2]
    assert envelope.event_type == "FapiaoRequestWithdrawn"
    assert envelope.payload["gross_minor"] == 200_000 and not TYPES[envelope.event_type].planned


def test_only_a_fapiao_not_yet_issued_is_withdrawn(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    before = len(types(app))
    with pytest.raises(InvalidCommand) as no_reason:
        app.withdraw_fapiao(CONFERENCE, fapiao.id, withdraw("  "), ctx)
    assert no_reason.value.field == "reason"
    assert len(types(app)) == before

    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    with pytest.raises(FapiaoStateError) as issued:
        app.withdraw_fapiao(CONFERENCE, fapiao.id, withdraw(), ctx)
    assert issued.value.field == "fapiao_id" and "red-letter" in issued.value.message

    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)
    with pytest.raises(FapiaoStateError) as reversed_:
        app.withdraw_fapiao(CONFERENCE, fapiao.id, withdraw(), ctx)
    assert "reversed" in reversed_.value.message

    second = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.withdraw_fapiao(CONFERENCE, second.id, withdraw(), ctx)
    before = len(types(app))
    with pytest.raises(FapiaoStateError) as twice:
        app.withdraw_fapiao(CONFERENCE, second.id, withdraw(), ctx)
    assert "withdrawn" in twice.value.message and len(types(app)) == before
    with pytest.raises(FapiaoStateError):
        app.issue_fapiao(CONFERENCE, second.id, issue(), ctx)  # never issued now
    assert invoiceable_minor(280_000, app.order_fapiao(order.id)) == 280_000


def test_a_withdrawn_request_leaves_the_order_reconciled_without_it(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    assert app.reconcile_order(CONFERENCE, order.id, c.ReconcileOrder(), ctx)["fapiao_open"] == 1
    app.withdraw_fapiao(CONFERENCE, fapiao.id, withdraw(), ctx)
    assert app.reconcile_order(CONFERENCE, order.id, c.ReconcileOrder(), ctx)["fapiao_open"] == 0


def test_the_medium_decides_the_code(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    with pytest.raises(InvalidCommand) as no_code:
        app.issue_fapiao(CONFERENCE, fapiao.id, issue("12345678", "paper"), ctx)
    assert no_code.value.field == "fapiao_code"
    with pytest.raises(InvalidCommand) as digital_code:
        app.issue_fapiao(CONFERENCE, fapiao.id, issue(code="1234567890"), ctx)
    assert digital_code.value.field == "fapiao_code"
    paper = app.issue_fapiao(CONFERENCE, fapiao.id, issue("12345678", "paper", "1234567890"), ctx)
    assert paper.number == "12345678"


def test_a_reversed_fapiao_frees_its_money_for_a_new_one(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse("error"), ctx)
    again = app.request_fapiao(CONFERENCE, order.id, special(), ctx)
    assert again.gross_minor == 280_000
    assert app.order_fapiao_view(CONFERENCE, order.id)["invoiceable_minor"] == 0


def test_a_refund_completes_only_after_the_red_letter_fapiao(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    order = app.request_refund(order.id, c.RequestRefund(280_000, "attendee_cancelled"), ctx)
    (refund_id,) = order.refunds
    done = c.CompleteRefund("bank_transfer", dt.date(2027, 3, 6))
    fapiao_list = app.order_fapiao(order.id)
    assert open_count(fapiao_list, 0) == 1  # issued for money the order will not keep

    with pytest.raises(Conflict) as refused:
        app.complete_refund(order.id, refund_id, done, ctx)
    assert refused.value.field == "refund_id" and "red-letter" in refused.value.message

    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)
    order = app.complete_refund(order.id, refund_id, done, ctx)
    assert order.refunded_minor == 280_000
    assert open_count(app.order_fapiao(order.id), 0) == 0


def test_a_partial_refund_may_complete_while_the_fapiao_covers_what_is_kept(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=200_000), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    order = app.request_refund(order.id, c.RequestRefund(80_000, "other"), ctx)
    (refund_id,) = order.refunds
    done = c.CompleteRefund("bank_transfer", dt.date(2027, 3, 6))
    assert app.complete_refund(order.id, refund_id, done, ctx).refunded_minor == 80_000


def test_a_requested_fapiao_is_open_and_a_refund_meanwhile_stops_its_issue(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    assert open_count(app.order_fapiao(order.id), 280_000) == 1
    order = app.request_refund(order.id, c.RequestRefund(100_000, "other"), ctx)
    with pytest.raises(Conflict) as refused:
        app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    assert refused.value.field == "fapiao_id"


def test_the_tax_rate_comes_from_the_fee_schedule_unless_one_is_asked(app, ctx):
    fees(app, ctx, line(tax_rate_bp=300))
    order = app.place_order(order_cmd("wang@example.cn"), ctx)
    app.record_payment(order.id, payment(280_000), ctx)
    scheduled = app.request_fapiao(CONFERENCE, order.id, ordinary(amount_minor=1_000), ctx)
    asked = app.request_fapiao(
        CONFERENCE, order.id, ordinary(amount_minor=1_000, tax_rate_bp=600), ctx
    )
    assert (scheduled.tax_rate_bp, asked.tax_rate_bp) == (300, 600)


def test_a_fapiao_is_reversed_in_parts_its_tax_split_exactly_never_beyond_its_gross(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)

    fapiao = app.reverse_fapiao(CONFERENCE, fapiao.id, reverse("discount", 100_001), ctx)
    red = fapiao.reversal
    assert (red["partial"], red["gross_minor"], red["remaining_minor"]) == (True, 100_001, 179_999)
    assert (red["net_minor"], red["tax_minor"]) == split_gross(100_001, 600)[:2] == (94_341, 5_660)
    assert (fapiao.state, fapiao.held_minor, fapiao.reversed_minor) == ("issued", 179_999, 100_001)
    view = app.order_fapiao_view(CONFERENCE, order.id)
    assert view["invoiceable_minor"] == 100_001  # what it took back may be invoiced again

    before = len(types(app))
    for amount in (0, 180_000):  # nothing, or more than it still holds
        with pytest.raises(InvalidCommand) as refused:
            app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(amount=amount, red=RED2), ctx)
        assert refused.value.field == "amount_minor"
    assert "179999" in refused.value.message
    with pytest.raises(Conflict) as same_red:
        app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(amount=1), ctx)
    assert same_red.value.field == "red_fapiao_number"
    assert len(types(app)) == before

    fapiao = app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(amount=179_999, red=RED2), ctx)
    assert fapiao.reversal["partial"] is True and fapiao.reversal["remaining_minor"] == 0
    assert (fapiao.state, fapiao.held_minor) == ("reversed", 0)
    assert sum(r["gross_minor"] for r in fapiao.reversals) == 280_000
    with pytest.raises(FapiaoStateError):
        app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(amount=1, red=RED3), ctx)
    kinds = [e.payload for e in published(app) if e.event_type == "FapiaoReversed"]
    assert [k["remaining_minor"] for k in kinds] == [179_999, 0]


def test_the_whole_gross_given_is_a_full_reversal(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    fapiao = app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(amount=280_000), ctx)
    assert (fapiao.state, fapiao.reversal["partial"]) == ("reversed", False)
    assert (fapiao.reversal["net_minor"], fapiao.reversal["tax_minor"]) == (264_151, 15_849)


def test_a_refund_completes_once_a_partial_red_letter_fapiao_leaves_what_the_order_keeps(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    order = app.request_refund(order.id, c.RequestRefund(80_000, "other"), ctx)
    (refund_id,) = order.refunds
    done = c.CompleteRefund("bank_transfer", dt.date(2027, 3, 6))
    assert open_count(app.order_fapiao(order.id), 200_000) == 1
    assert app.reconcile_order(CONFERENCE, order.id, c.ReconcileOrder(), ctx)["fapiao_open"] == 1
    with pytest.raises(Conflict):
        app.complete_refund(order.id, refund_id, done, ctx)

    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse("refund", 50_000), ctx)  # not enough
    with pytest.raises(Conflict) as still:
        app.complete_refund(order.id, refund_id, done, ctx)
    assert "230000" in still.value.message
    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse("refund", 30_000, RED2), ctx)
    assert open_count(app.order_fapiao(order.id), 200_000) == 0
    order = app.complete_refund(order.id, refund_id, done, ctx)
    assert order.refunded_minor == 80_000
    figures = app.reconcile_order(CONFERENCE, order.id, c.ReconcileOrder(), ctx)
    assert (figures["fapiao_open"], figures["outstanding_minor"]) == (0, 0)
    assert app.order_fapiao_view(CONFERENCE, order.id)["invoiceable_minor"] == 0


def test_a_reversal_stored_before_parts_existed_reads_as_a_whole_one(app, ctx):
    order = paid_order(app, ctx)
    fapiao = app.request_fapiao(CONFERENCE, order.id, ordinary(), ctx)
    app.issue_fapiao(CONFERENCE, fapiao.id, issue(), ctx)
    app.reverse_fapiao(CONFERENCE, fapiao.id, reverse(), ctx)
    stored = dict(published(app)[-1].payload)
    del stored["remaining_minor"]  # as a reversal was stored before this field
    assert TYPES["FapiaoReversed"]().load(stored)["remaining_minor"] == 0
