"""Money from outside against the real broker, on both stores: a bank statement's lines
recorded on the orders their remarks name, every other line reported with why and
nothing recorded for it; the same statement again changes nothing; the command line."""

from __future__ import annotations

from collections import Counter

from tests.integration.test_attendee_import import cli
from tests.integration.test_registration import FEES, attendee, fee, order
from tests.support import amqp
from tests.support.slice import ok, open_conference
from tests.support.system import wait_until

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
    assert "the order is cancelled" in why[8] and "paid in USD" in why[9]
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
