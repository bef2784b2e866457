"""Money from outside matched to orders by payment reference: recorded only when one open
order has the one reference a line names; every other line reported with why."""

from __future__ import annotations

import uuid

import pytest

from services.registration.domain.payment_matching import (
    AMBIGUOUS,
    DUPLICATE,
    RECORDED,
    UNMATCHED,
    IncomingPayment,
    OrderState,
    match,
    payment_id_of,
)
from services.registration.domain.payment_reference import payment_reference, references_in

ORDER = str(uuid.UUID("7a99bd86-8d8f-49bb-8908-bdcbb5f0acc4"))
REF = payment_reference(ORDER)


def paid(line=2, txn="T1", amount=280_000, currency="CNY", refs=(REF,)) -> IncomingPayment:
    return IncomingPayment(
        line=line,
        source="bank",
        transaction_id=txn,
        method="bank_transfer",
        amount_minor=amount,
        currency=currency,
        references=frozenset(refs),
        received_on="2027-03-02",
    )


def order(status="awaiting_payment", currency="CNY", payments=None, order_id=ORDER):
    return OrderState(order_id, status, currency, payments or {})


def test_a_reference_is_derived_from_the_order_id_and_read_back_from_a_remark():
    assert REF == "HWFACVV1MD"
    assert payment_reference(uuid.UUID(ORDER)) == REF
    assert references_in(f"会议费{REF}王磊") == {REF}
    assert references_in("hw-facv vimd 会议费") == {REF}  # lower case, dash, space, I for 1
    assert references_in(f"X{REF}") == set()  # inside a longer word
    assert references_in(f"{REF}9") == set()
    assert references_in("HWFACVVUMD") == set()  # U is no symbol of the alphabet
    assert references_in(None) == set()


def test_a_line_naming_one_open_orders_reference_is_recorded_to_the_fen():
    (outcome,) = match([paid(amount=280_001)], {REF: [order()]})
    assert (outcome.outcome, outcome.order_id) == (RECORDED, ORDER)
    assert outcome.payment.amount_minor == 280_001
    assert outcome.matched


def test_a_paid_order_takes_more_money_as_an_overpayment():
    (outcome,) = match([paid()], {REF: [order(status="paid", payments={"x": 280_000})]})
    assert outcome.outcome == RECORDED


@pytest.mark.parametrize(
    "refs, orders, why",
    [
        ((), {}, "no payment reference"),
        ((REF,), {REF: []}, f"no order has the payment reference {REF}"),
        ((REF,), {}, f"no order has the payment reference {REF}"),
    ],
)
def test_a_line_without_a_reference_or_order_is_unmatched(refs, orders, why):
    (outcome,) = match([paid(refs=refs)], orders)
    assert outcome.outcome == UNMATCHED and why in outcome.reason
    assert outcome.order_id is None


def test_several_references_or_several_orders_are_ambiguous_never_guessed():
    other = payment_reference(uuid.uuid4())
    (two_refs,) = match([paid(refs=(REF, other))], {REF: [order()], other: [order()]})
    assert two_refs.outcome == AMBIGUOUS and "several payment references" in two_refs.reason
    twin = str(uuid.uuid4())
    (two_orders,) = match([paid()], {REF: [order(), order(order_id=twin)]})
    assert two_orders.outcome == AMBIGUOUS and "2 orders have" in two_orders.reason
    assert two_orders.order_id is None


@pytest.mark.parametrize(
    "state, why",
    [
        (order(status="cancelled"), "the order is cancelled"),
        (order(status="expired"), "the order is expired"),
        (order(status="denied"), "the order is denied"),
        (order(status="pending_approval"), "waits for approval"),
        (order(currency="USD"), "the conference is in USD, not CNY"),
    ],
)
def test_an_order_that_cannot_take_it_makes_the_line_ambiguous(state, why):
    (outcome,) = match([paid()], {REF: [state]})
    assert outcome.outcome == AMBIGUOUS and why in outcome.reason
    assert outcome.order_id == ORDER and not outcome.matched


def test_a_transaction_already_recorded_is_a_duplicate_even_on_an_ended_order():
    recorded = {payment_id_of("bank", "T1"): 280_000}
    (again,) = match([paid()], {REF: [order(status="cancelled", payments=recorded)]})
    assert again.outcome == DUPLICATE and "already recorded" in again.reason
    (changed,) = match([paid(amount=280_100)], {REF: [order(payments=recorded)]})
    assert changed.outcome == AMBIGUOUS and "not 280100" in changed.reason


def test_the_same_transaction_twice_in_one_statement_is_recorded_once():
    outcomes = match([paid(line=2), paid(line=5), paid(line=6, txn="T2")], {REF: [order()]})
    assert [o.outcome for o in outcomes] == [RECORDED, DUPLICATE, RECORDED]
    assert "line 2" in outcomes[1].reason


def test_a_transaction_is_one_payment_id_per_source():
    assert paid().payment_id == payment_id_of("bank", "T1") == paid(line=9).payment_id
    assert payment_id_of("wechat_pay", "T1") != payment_id_of("bank", "T1")


def test_a_payment_in_another_currency_is_refused_about_its_currency():
    (outcome,) = match([paid()], {REF: [order(currency="USD")]})
    assert (outcome.field, outcome.reason) == ("currency", "the conference is in USD, not CNY")
    (cancelled,) = match([paid()], {REF: [order(status="cancelled")]})
    assert cancelled.field == "reference"
