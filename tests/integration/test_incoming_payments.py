"""Money from outside against the real broker, on both stores: a bank statement's lines
recorded on the orders their remarks name, every other line reported with why and
nothing recorded for it; the same statement again changes nothing; the command line."""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from services.common.webhooks import sign
from tests.integration.test_attendee_import import cli
from tests.integration.test_registration import FEES, attendee, fee, order
from tests.support import amqp
from tests.support.slice import ok, open_conference
from tests.support.system import http, wait_until

HEADER = "交易日期,交易流水号,贷方金额,币种,对方户名,摘要,附言,余额"


def statement(*lines: str) -> bytes:
    return ("\r\n".join(["账号,6222000011112222", HEADER, *lines]) + "\r\n").encode("gb18030")


def place(registration, conference_id: str, email: str) -> dict:
    return ok(registration.post("/orders", order(conference_id, attendee(email))), 201)


def upload(registration, conference_id: str, data: bytes, **kwargs):
    path = f"/conferences/{conference_id}/payments/bank-statement"
    return registration.post(path, data, as_=kwargs.pop("as_", "li"), timeout=120, **kwargs)


def stored(registration) -> float:
    return registration.metric("huiwu_events_stored", service="registration")


def test_a_statement_records_exact_matches_and_reports_the_rest(system, tmp_path):
    system.start("checklist", "registration")
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "registration-bank-events")
    conference_id = open_conference(system, exclude=[str(n) for n in range(2, 25) if n != 5])
    fees = {"categories": [fee(f) for f in FEES], "actor": "li"}
    ok(registration.post(f"/conferences/{conference_id}/fees", fees))
    paid, parts, cancelled = (
        place(registration, conference_id, f"{who}@example.cn") for who in ("wang", "li", "zhao")
    )
    ok(
        registration.post(
            f"/orders/{cancelled['order_id']}/cancel", {"reason": "ill", "actor": "li"}
        )
    )
    ref = {name: o["payment_reference"] for name, o in (("paid", paid), ("parts", parts),
                                                       ("cancelled", cancelled))}  # fmt: skip
    assert ref["paid"].startswith("HW") and len(set(ref.values())) == 3

    lines = statement(
        f'2027-03-02,B001,"2,800.00",人民币,王磊,汇入汇款,会议费 {ref["paid"]},1',
        f"2027-03-02,B002,1000.00,人民币,李娜,汇入汇款,{ref['parts'].lower()} 李娜,1",
        f"2027-03-03,B003,1800.01,人民币,李娜,汇入汇款,{ref['parts']},1",
        "2027-03-03,B004,500.00,人民币,张三,汇入汇款,会议费,1",
        "2027-03-03,B005,500.00,人民币,张三,汇入汇款,HW00000000,1",
        f"2027-03-03,B006,2800.00,人民币,赵六,汇入汇款,{ref['cancelled']},1",
        f"2027-03-03,B007,2800.00,USD,王磊,汇入汇款,{ref['paid']},1",
        f'2027-03-02,B001,"2,800.00",人民币,王磊,汇入汇款,会议费 {ref["paid"]},1',
        f"2027-03-03,B009,28OO.00,人民币,王磊,汇入汇款,{ref['paid']},1",
    )
    before = stored(registration)
    answer = ok(upload(registration, conference_id, lines))
    outcomes = {line["line"]: (line["outcome"], line["order_id"]) for line in answer["outcomes"]}
    assert outcomes == {
        3: ("recorded", paid["order_id"]),
        4: ("recorded", parts["order_id"]),
        5: ("recorded", parts["order_id"]),
        6: ("unmatched", None),
        7: ("unmatched", None),
        8: ("ambiguous", cancelled["order_id"]),
        9: ("ambiguous", paid["order_id"]),
        10: ("duplicate", None),
        11: ("invalid", None),
    }
    counts = {k: answer[k] for k in ("recorded", "duplicate", "unmatched", "ambiguous", "invalid")}
    assert counts == {"recorded": 3, "duplicate": 1, "unmatched": 2, "ambiguous": 2, "invalid": 1}
    why = {line["line"]: line.get("reason") for line in answer["outcomes"]}
    assert "the order is cancelled" in why[8] and "the conference is in CNY, not USD" in why[9]
    assert "line 3" in why[10] and why[11].startswith("28OO.00 is not an amount")
    assert answer["outcomes"][0]["payer"] == "王磊"

    shown = ok(registration.get(f"/orders/{paid['order_id']}"))["order"]
    assert (shown["status"], shown["paid_minor"]) == ("paid", 280_000)
    assert [
        (p["method"], p["provider_reference"], p["received_on"]) for p in shown["payments"]
    ] == [("bank_transfer", "B001", "2027-03-02")]
    shown = ok(registration.get(f"/orders/{parts['order_id']}"))["order"]
    assert (shown["status"], shown["paid_minor"], shown["overpaid_minor"]) == ("paid", 280_001, 1)
    shown = ok(registration.get(f"/orders/{cancelled['order_id']}"))["order"]
    assert shown["payments"] == []

    # the same statement again: every recorded line a duplicate, nothing stored
    after = stored(registration)
    assert after > before
    again = ok(upload(registration, conference_id, lines))
    assert (again["recorded"], again["duplicate"], again["unmatched"]) == (0, 4, 2)
    assert stored(registration) == after

    # a file that is no statement: refused as a whole, by row; a role without money: 403
    refused = upload(registration, conference_id, "name,email\r\n王磊,w@x.cn\r\n".encode())
    assert refused.status == 400 and refused.json["error"] == "ImportRejected"
    assert "no header row" in refused.json["errors"][0]["reason"]
    venue = system.token("li.venue", "venue", conference_id)
    forbidden = upload(registration, conference_id, lines, as_=None, token=venue)
    assert forbidden.status == 403 and forbidden.json["command"] == "ImportBankStatement"

    # the command line: one more transfer recorded, the rest printed
    late = place(registration, conference_id, "sun@example.cn")
    placed = stored(registration)
    bank = tmp_path / "bank.csv"
    bank.write_bytes(
        statement(f"2027-03-04,B010,2800.00,人民币,孙丽,汇入汇款,{late['payment_reference']},1")
    )
    done = cli(system, "payment", "import", str(bank), "--conference", conference_id)
    assert done.returncode == 0, done
    assert "1 lines of bank.csv: 1 recorded, 0 duplicate" in done.stdout
    assert ok(registration.get(f"/orders/{late['order_id']}"))["order"]["status"] == "paid"
    assert stored(registration) == placed + 3  # PaymentReceived, OrderPaid, RegistrationPaid

    # published: each recorded transfer once, with the bank's transaction id
    seen: list = []

    def published() -> bool:
        seen.extend(b for b, _ in amqp.drain(system.amqp_uri, events.name))
        return sum(b["event_type"] == "PaymentReceived" for b in seen) >= 4

    wait_until(published, timeout=30)
    received = [b["payload"] for b in seen if b["event_type"] == "PaymentReceived"]
    assert Counter(p["provider_reference"] for p in received) == Counter(
        {"B001": 1, "B002": 1, "B003": 1, "B010": 1}
    )
    assert {p["method"] for p in received} == {"bank_transfer"}


WECHAT = "wechat-secret-" + "w" * 30
GENERIC = "generic-secret-" + "g" * 30


def notify(registration, provider: str, body: dict, secret: str | None, at: int | None = None):
    """POST a notification as the provider would: signed with `secret` (None: unsigned)."""
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return notify_raw(registration, provider, raw, signing(secret, raw, at))


def signing(secret: str | None, raw: bytes, at: int | None = None) -> dict[str, str]:
    if secret is None:
        return {}
    timestamp = str(int(time.time()) if at is None else at)
    return {"X-Huiwu-Timestamp": timestamp, "X-Huiwu-Signature": sign(secret, timestamp, raw)}


def notify_raw(registration, provider: str, raw: bytes, headers: dict[str, str]):
    return http("POST", f"{registration.url}/payments/webhook/{provider}", raw, headers=headers)


def test_the_webhook_refuses_bad_signatures_and_replays_and_records_a_good_one_once(system):
    secrets = {
        "HUIWU_PAYMENT_WEBHOOK_SECRET_WECHAT_PAY": WECHAT,
        "HUIWU_PAYMENT_WEBHOOK_SECRET_GENERIC": GENERIC,
    }
    system.start("checklist", "registration", extra_env=secrets)
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "registration-webhook-events")
    conference_id = open_conference(system, exclude=[str(n) for n in range(2, 25) if n != 5])
    fees = {"categories": [fee(f) for f in FEES], "actor": "li"}
    ok(registration.post(f"/conferences/{conference_id}/fees", fees))
    first = place(registration, conference_id, "wang@example.cn")
    second = place(registration, conference_id, "li@example.cn")
    body = {
        "reference": f"微信支付 {first['payment_reference']}",
        "amount_minor": 280_000,
        "currency": "CNY",
        "transaction_id": "4200001234202703021234567890",
        "paid_at": "2027-03-02T23:30:00+08:00",
    }
    before = stored(registration)

    # refused, nothing stored: no signature (a token opens nothing), a bad one, a stale one
    unsigned = notify(registration, "wechat_pay", body, None)
    assert unsigned.status == 401 and "X-Huiwu-Timestamp" in unsigned.json["message"]
    with_token = notify_raw(
        registration,
        "wechat_pay",
        json.dumps(body).encode(),
        registration.auth("li"),
    )
    assert with_token.status == 401, with_token
    forged = notify(registration, "wechat_pay", body, "x" * 40)
    assert forged.status == 401 and "does not match" in forged.json["message"]
    stale = notify(registration, "wechat_pay", body, WECHAT, at=int(time.time()) - 301)
    assert stale.status == 401 and "a signature holds for 300 s" in stale.json["message"]
    unknown = notify(registration, "paypal", body, WECHAT)
    assert unknown.status == 404 and "provider" in unknown.json["errors"]
    assert stored(registration) == before

    # a good one: recorded on the order of its reference, on its day in Shanghai
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = signing(WECHAT, raw)
    recorded = notify_raw(registration, "wechat_pay", raw, headers)
    assert recorded.status == 200, recorded
    assert (recorded.json["outcome"], recorded.json["order_id"]) == ("recorded", first["order_id"])
    shown = ok(registration.get(f"/orders/{first['order_id']}"))["order"]
    assert shown["status"] == "paid"
    (payment,) = shown["payments"]
    assert (payment["method"], payment["provider_reference"], payment["received_on"]) == (
        "wechat_pay",
        "4200001234202703021234567890",
        "2027-03-02",
    )
    after = stored(registration)

    # replays: the same request again is already recorded; its signature on another body
    # is refused; the same transaction with another amount is a conflict. Nothing stored.
    again = notify_raw(registration, "wechat_pay", raw, headers)
    assert (again.status, again.json["outcome"]) == (200, "already_recorded")
    assert again.json["payment_id"] == recorded.json["payment_id"]
    moved = raw.replace(first["payment_reference"].encode(), second["payment_reference"].encode())
    replayed = notify_raw(registration, "wechat_pay", moved, headers)
    assert replayed.status == 401 and "does not match" in replayed.json["message"]
    changed = notify(registration, "wechat_pay", {**body, "amount_minor": 1}, WECHAT)
    assert changed.status == 409 and "reference" in changed.json["errors"]
    nobody = notify(registration, "wechat_pay", {**body, "reference": "HW00000000"}, WECHAT)
    assert nobody.status == 404 and "no order has" in nobody.json["message"]
    bad = notify(registration, "wechat_pay", {**body, "amount_minor": 0.5}, WECHAT)
    assert bad.status == 400 and "amount_minor" in bad.json["errors"]
    assert stored(registration) == after

    # a generic provider names the method; without one it is refused by that field
    generic = {**body, "reference": second["payment_reference"], "transaction_id": "G-1"}
    refused = notify(registration, "generic", generic, GENERIC)
    assert refused.status == 400 and "method" in refused.json["errors"]
    done = notify(registration, "generic", {**generic, "method": "unionpay"}, GENERIC)
    assert (done.status, done.json["order_id"]) == (200, second["order_id"])
    assert (
        registration.metric(
            "huiwu_commands_total", command="ReceivePaymentNotification", outcome="unauthenticated"
        )
        == 5  # unsigned, a token, forged, stale, a replayed signature
    )

    # the same notification four times at once: recorded once
    third = place(registration, conference_id, "zhao@example.cn")
    raw = json.dumps(
        {**body, "reference": third["payment_reference"], "transaction_id": "W-3"}
    ).encode()
    headers = signing(WECHAT, raw)
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: notify_raw(registration, "wechat_pay", raw, headers), range(4))
        )
    assert Counter(a.json["outcome"] for a in answers) == {"recorded": 1, "already_recorded": 3}
    assert ok(registration.get(f"/orders/{third['order_id']}"))["order"]["paid_minor"] == 280_000

    seen: list = []

    def published() -> bool:
        seen.extend(b for b, _ in amqp.drain(system.amqp_uri, events.name))
        return sum(b["event_type"] == "PaymentReceived" for b in seen) >= 3

    wait_until(published, timeout=30)
    received = [b for b in seen if b["event_type"] == "PaymentReceived"]
    assert [(b["payload"]["method"], b["actor"]) for b in received] == [
        ("wechat_pay", "provider:wechat_pay"),
        ("unionpay", "provider:generic"),
        ("wechat_pay", "provider:wechat_pay"),
    ]
