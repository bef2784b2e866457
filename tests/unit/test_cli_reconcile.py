"""`huiwu order reconcile` and `huiwu payment test-channel` against a fake registration
service: the request each sends, and what each prints."""

from __future__ import annotations

from tests.unit.test_cli_registration import (  # noqa: F401 - the fake service fixture
    CONFERENCE_ID,
    ORDER_ID,
    fake,
    run,
)

BASE = f"/conferences/{CONFERENCE_ID}"
OWED = {
    "order_id": ORDER_ID,
    "status": "paid",
    "due_minor": 280_000,
    "paid_minor": 280_007,
    "refunded_minor": 0,
    "outstanding_minor": 7,
    "to_collect_minor": 0,
    "to_refund_minor": 7,
    "currency": "CNY",
    "fapiao_open": 1,
    "settled": False,
    "recorded": True,
}


def test_order_reconcile_of_one_order_prints_what_is_left(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"{BASE}/orders/{ORDER_ID}/reconcile")] = (200, OWED)
    code, out, err = run(capsys, "order", "reconcile", ORDER_ID, "--conference", CONFERENCE_ID)
    assert code == 0 and err == ""
    assert out.strip() == (
        f"{ORDER_ID} not settled, due 2,800.00 CNY, paid 2,800.07 CNY, refunded 0.00 CNY, "
        "to refund 0.07 CNY, 1 fapiao open"
    )


def test_order_reconcile_of_a_conference_lists_the_orders_not_settled(fake, capsys):  # noqa: F811
    answer = {"conference_id": CONFERENCE_ID, "orders": 3, "recorded": 2, "settled": 2}
    answer |= {"unsettled": 1, "unsettled_orders": [OWED]}
    fake.routes[("POST", f"{BASE}/reconcile")] = (200, answer)
    code, out, _ = run(capsys, "order", "reconcile", "--conference", CONFERENCE_ID)
    assert code == 0
    head, _, _, _, row = out.splitlines()[:5]
    assert head == "3 orders reconciled (2 recorded): 2 settled, 1 not settled"
    assert row.split() == [ORDER_ID, "0.00", "CNY", "0.07", "CNY", "1"]


def test_payment_test_channel_sends_the_amount_and_both_references(fake, capsys):  # noqa: F811
    path = f"{BASE}/payment-channels/wechat_pay/test"
    fake.routes[("POST", path)] = (200, {"conference_id": CONFERENCE_ID, "version": 3})
    code, out, _ = run(
        capsys,
        "payment",
        "test-channel",
        "wechat_pay",
        "--conference",
        CONFERENCE_ID,
        "--amount",
        "0.01",
        "--payment-ref",
        "4200000001",
        "--refund-ref",
        "5030000001",
    )
    assert code == 0 and out.strip() == "wechat_pay tested: 0.01 CNY paid and refunded"
    sent = fake.requests[-1]["body"]
    assert (sent["amount_minor"], sent["currency"]) == (1, "CNY")
    assert (sent["payment_reference"], sent["refund_reference"]) == ("4200000001", "5030000001")


def test_payment_test_channel_of_an_unknown_channel_is_a_usage_error(fake, capsys):  # noqa: F811
    code, _, err = run(
        capsys, "payment", "test-channel", "pigeon", "--conference", CONFERENCE_ID,
        "--amount", "0.01", "--payment-ref", "x",
    )  # fmt: skip
    assert code == 2 and "pigeon" in err and fake.requests == []
