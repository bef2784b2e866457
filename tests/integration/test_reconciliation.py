"""Reconciliation (23.1.3) and the payment channel's test (10.1.6) against the real
broker and services, on both stores: checklist verifies both from registration's own
events; a refund asked on a reconciled order re-opens 23.1.3 until it is reconciled
anew; a test in another currency is refused and stores nothing."""

from __future__ import annotations

from tests.integration.test_registration import attendee, fee, huiwu, order
from tests.support.slice import ok, open_conference
from tests.support.upstream import wait_entry

FULL = {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 280_000}
PAY = {"method": "bank_transfer", "currency": "CNY", "received_on": "2027-03-02", "actor": "li"}
DONE = {"method": "bank_transfer", "completed_on": "2027-05-20", "actor": "li"}
CHANNEL_TEST = {
    "amount_minor": 1,
    "currency": "CNY",
    "payment_reference": "4200000000202703011234",
    "refund_reference": "5030000000202703011234",
    "actor": "li",
}


def test_orders_reconciled_verify_23_1_3_and_a_channel_test_verifies_10_1_6(system):
    system.start("checklist", "registration")
    registration = system["registration"]
    # sections 1, 10 and 23: 10.1.6 and 23.1.3 among them
    keep = ("1", "10", "23")
    conference_id = open_conference(
        system, exclude=[str(n) for n in range(2, 25) if str(n) not in keep]
    )
    base = f"/conferences/{conference_id}"
    ok(registration.post(f"{base}/fees", {"categories": [fee(FULL)], "actor": "li"}))

    # 10.1.6: a test in another currency is refused and stores nothing; then one refunded
    channel = f"{base}/payment-channels/wechat_pay/test"
    refused = registration.post(channel, {**CHANNEL_TEST, "currency": "USD"})
    assert refused.status == 400
    assert refused.json["errors"] == {"currency": ["the conference is in CNY, not USD"]}
    assert ok(registration.get(f"{base}/registration"))["version"] == 2  # set up, fees
    unknown = registration.post(f"{base}/payment-channels/pigeon/test", CHANNEL_TEST)
    assert unknown.status == 400 and "channel" in unknown.json["errors"]
    tested = ok(registration.post(channel, CHANNEL_TEST))
    assert tested["channel_tests"]["wechat_pay"] == {"amount_minor": 1, "refunded": True}
    wait_entry(system, conference_id, "10.1.6", status="verified")

    # two orders paid, one overpaid; reconciled they leave 7 fen to refund
    placed = [
        ok(registration.post("/orders", order(conference_id, attendee(f"{n}@example.cn"))), 201)
        for n in ("a", "b")
    ]
    a, b = (p["order_id"] for p in placed)
    ok(registration.post(f"/orders/{a}/payments", {**PAY, "amount_minor": 280_000}))
    ok(registration.post(f"/orders/{b}/payments", {**PAY, "amount_minor": 280_007}))
    first = ok(registration.post(f"{base}/reconcile", {"actor": "li"}))
    assert (first["orders"], first["settled"], first["unsettled"]) == (2, 1, 1)
    (owed,) = first["unsettled_orders"]
    assert (owed["order_id"], owed["to_refund_minor"], owed["outstanding_minor"]) == (b, 7, 7)
    wait_entry(system, conference_id, "23.1.3", status="in_progress", percent=50)

    asked = ok(
        registration.post(
            f"/orders/{b}/refunds", {"amount_minor": 7, "reason": "overpayment", "actor": "li"}
        )
    )
    refund_id = asked["refunds"][-1]["refund_id"]
    ok(registration.post(f"/orders/{b}/refunds/{refund_id}/complete", DONE))
    settled = ok(registration.post(f"{base}/reconcile", {"actor": "li"}))
    assert (settled["settled"], settled["recorded"]) == (2, 1)  # a's figures did not change
    wait_entry(system, conference_id, "23.1.3", status="verified", percent=100)

    # a refund asked on a reconciled order re-opens it until it is reconciled anew
    asked = ok(
        registration.post(
            f"/orders/{a}/refunds", {"amount_minor": 30_000, "reason": "other", "actor": "li"}
        )
    )
    wait_entry(system, conference_id, "23.1.3", status="in_progress", percent=50)
    refund_id = asked["refunds"][-1]["refund_id"]
    ok(registration.post(f"/orders/{a}/refunds/{refund_id}/complete", DONE))
    again = ok(registration.post(f"{base}/orders/{a}/reconcile", {"actor": "li"}))
    assert (again["due_minor"], again["settled"], again["recorded"]) == (250_000, True, True)
    wait_entry(system, conference_id, "23.1.3", status="verified", percent=100)

    # a body with a stray field is refused by name
    stray = registration.post(f"{base}/reconcile", {"actor": "li", "all": True})
    assert stray.status == 400 and "all" in stray.json["errors"]

    # the command line, as finance runs it: nothing changed since, nothing recorded
    out = huiwu(system, "order", "reconcile", "--conference", conference_id)
    assert out.strip() == "2 orders reconciled (0 recorded): 2 settled, 0 not settled"
    out = huiwu(
        system,
        *("payment", "test-channel", "alipay", "--conference", conference_id),
        *("--amount", "0.01", "--payment-ref", "2027030122001", "--refund-ref", "2027030122002"),
    )
    assert out.strip() == "alipay tested: 0.01 CNY paid and refunded"
