"""A refund re-opens what it un-settles, against real processes on both stores: 23.1.3
(refunds, arrears and invoices settled) is verified when every order is reconciled with
nothing outstanding, re-opened by a refund asked on a reconciled order (its `undone_by`),
and verified again when that order is reconciled anew. The rule alone, on forged events
(`ForgedUpstream`); test_reconciliation.py runs it on registration's own."""

import uuid

from services.checklist.domain import entry_id
from tests.support.upstream import Captured, ForgedUpstream, open_plan, wait_entry

CODE = "23.1.3"  # read by hand from conference.yaml: for all orders placed, reconciled
PLACED = {
    "channel": "online",
    "buyer_kind": "individual",
    "total_minor": 280_000,
    "currency": "CNY",
    "requires_approval": False,
    "expires_at": "2027-03-04T02:00:00+00:00",
}
SETTLED = {
    "due_minor": 280_000,
    "paid_minor": 280_000,
    "refunded_minor": 0,
    "outstanding_minor": 0,
    "currency": "CNY",
    "fapiao_open": 0,
}
REFUND = {"amount_minor": 20_000, "currency": "CNY", "partial": True, "reason": "event_changed"}


def test_a_refund_on_a_reconciled_order_reopens_23_1_3_until_it_is_reconciled_again(system):
    system.start("checklist")
    conference_id = open_plan(system)
    checklist_events = Captured(system.amqp_uri)
    registration = ForgedUpstream(system.amqp_uri, "registration", conference_id)
    order_a, order_b = str(uuid.uuid4()), str(uuid.uuid4())
    for order in (order_a, order_b):
        position = {"attendee_id": str(uuid.uuid4()), "category": "delegate"}
        position |= {"ticket_type": "full", "price_minor": 280_000}
        registration.emit("OrderPlaced", order, positions=[position], **PLACED)
    for order in (order_a, order_b):
        registration.emit("OrderReconciled", order, **SETTLED)
    wait_entry(system, conference_id, CODE, status="verified", members=2, percent=100)

    refund = registration.emit(
        "RefundRequested", order_a, refund_id=str(uuid.uuid4()), source="organiser", **REFUND
    )

    found = wait_entry(system, conference_id, CODE, status="in_progress", percent=50)
    assert found["proofs"] == []
    aggregate = str(entry_id(conference_id, CODE))
    (reopened,) = checklist_events.wait_for("EntryReopened", aggregate)
    assert reopened["causation_id"] == refund["event_id"]
    assert "RefundRequested" in reopened["payload"]["reason"]

    # reconciled again: paid, less the refund, is what it owes now
    again = {**SETTLED, "due_minor": 260_000, "refunded_minor": 20_000}
    registration.emit("OrderReconciled", order_a, **again)
    verified = wait_entry(system, conference_id, CODE, status="verified", percent=100)
    (proof,) = verified["proofs"]
    assert (proof["members"], proof["done"]) == (2, 2)
    assert len(checklist_events.of("EntryVerified", aggregate)) == 2
