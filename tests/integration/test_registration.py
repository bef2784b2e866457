"""Registration against the real broker, on both stores: an order placed, paid in parts,
refunded and cancelled, with its events published and no personal data in them; one
registration per email (also for two orders at once); no overbooking under concurrent
orders; an unpaid order expiring frees its place, offered to the one waiting. One system
per store for all of it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.support import amqp
from tests.support.slice import entry, ok, open_conference
from tests.support.system import ROOT, wait_until

WORDING = "我同意主办方为办理注册处理我的个人信息。"
FEES = [
    {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 280_000},
    {
        "category": "delegate",
        "ticket_type": "workshop",
        "label": "工作坊",
        "price_minor": 50_000,
        "quota": 5,
    },
    {
        "category": "delegate",
        "ticket_type": "seminar",
        "label": "研讨会",
        "price_minor": 30_000,
        "quota": 1,
    },
]


def fee(line, **extra):
    return {"currency": "CNY", "tax_rate_bp": 600, **line, **extra}


def attendee(email, ticket_type="full", name="王磊"):
    return {
        "ticket_type": ticket_type,
        "person": {
            "name": name,
            "email": email,
            "consents": ["personal_information"],
            "consent": {"version": "2027-01", "wording": WORDING},
        },
    }


def order(conference_id, *attendees, **extra):
    return {
        "conference_id": conference_id,
        "buyer_kind": "individual",
        "buyer_name": "王磊",
        "channel": "back_office",
        "attendees": list(attendees),
        "actor": "li",
        **extra,
    }


def huiwu(system, *args: str) -> str:
    """The command line, as a person runs it; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": system.token("li")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done
    return done.stdout


def test_orders_payments_refunds_uniqueness_quotas_and_expiry(system):
    system.start("checklist", "registration", extra_env={"HUIWU_ORDER_EXPIRY_INTERVAL": "0.5"})
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "registration-test-events")
    # sections 1 and 5: 5.2.3 is proven by the fee schedule
    conference_id = open_conference(system, exclude=[str(n) for n in range(2, 25) if n != 5])
    fees_path = f"/conferences/{conference_id}/fees"

    # the fee schedule: another currency than the conference's is refused, naming the line
    refused = registration.post(
        fees_path, {"categories": [fee(FEES[0], currency="USD")], "actor": "li"}
    )
    assert refused.status == 400 and "categories[0].currency" in refused.json["errors"]
    ok(registration.post(fees_path, {"categories": [fee(f) for f in FEES], "actor": "li"}))

    # an order of two, paid in two parts, partly refunded, then cancelled
    placed = ok(
        registration.post(
            "/orders", order(conference_id, attendee("Wang@Example.cn"), attendee("li@example.cn"))
        ),
        201,
    )
    order_path = f"/orders/{placed['order_id']}"
    assert (placed["total_minor"], placed["status"]) == (560_000, "awaiting_payment")
    pay = {"method": "bank_transfer", "currency": "CNY", "received_on": "2027-03-02", "actor": "li"}
    part = ok(registration.post(f"{order_path}/payments", {**pay, "amount_minor": 500_000}))
    assert (part["status"], part["balance_minor"]) == ("awaiting_payment", 60_000)
    paid = ok(registration.post(f"{order_path}/payments", {**pay, "amount_minor": 70_000}))
    assert (paid["status"], paid["overpaid_minor"]) == ("paid", 10_000)
    asked = ok(
        registration.post(
            f"{order_path}/refunds",
            {"amount_minor": 10_000, "reason": "overpayment", "actor": "li"},
        )
    )
    refund_id = asked["refunds"][0]["refund_id"]
    done = {"method": "bank_transfer", "completed_on": "2027-03-03", "actor": "li"}
    ok(registration.post(f"{order_path}/refunds/{refund_id}/complete", done))
    cancelled = ok(
        registration.post(f"{order_path}/cancel", {"reason": "cannot travel", "actor": "li"})
    )
    assert cancelled["status"] == "cancelled"
    assert [r["amount_minor"] for r in cancelled["refunds"]] == [10_000, 560_000]  # in full, before

    # the same person once per conference: a live registration holds the email
    live = ok(registration.post("/orders", order(conference_id, attendee("zhao@example.cn"))), 201)
    again = registration.post(
        "/orders", order(conference_id, attendee("qian@example.cn"), attendee("ZHAO@Example.cn"))
    )
    assert again.status == 409 and "attendees[1].person.email" in again.json["errors"]
    shown = ok(registration.get(f"/orders/{live['order_id']}"))
    assert shown["attendees"][0]["email"] == "zhao@example.cn"

    with ThreadPoolExecutor(10) as pool:
        # two orders for one new person at the same moment: one of them is taken
        same = list(
            pool.map(
                lambda n: (
                    registration.post(
                        "/orders",
                        order(conference_id, attendee("SUN@example.cn" if n else "sun@Example.CN")),
                    ).status
                ),
                range(2),
            )
        )
        # ten orders for the workshop's five places at once: five are sold
        rush = list(
            pool.map(
                lambda n: (
                    registration.post(
                        "/orders", order(conference_id, attendee(f"w{n}@example.cn", "workshop"))
                    ).status
                ),
                range(10),
            )
        )
    assert sorted(same) == [201, 409]
    assert Counter(rush) == {201: 5, 409: 5}

    # an unpaid order past its expires_at expires, and its place is offered to the first
    # one waiting, who orders it with the offer's voucher
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    held = ok(
        registration.post(
            "/orders", order(conference_id, attendee("a@example.cn", "seminar"), expires_at=soon)
        ),
        201,
    )
    sold_out = registration.post(
        "/orders", order(conference_id, attendee("b@example.cn", "seminar"))
    )
    assert sold_out.status == 409 and "attendees[0].ticket_type" in sold_out.json["errors"]
    waiting = {"conference_id": conference_id, "actor": "li", **attendee("b@example.cn", "seminar")}
    entry_id = ok(registration.post("/waitlist", waiting), 201)["entry_id"]
    wait_until(
        lambda: ok(registration.get(f"/orders/{held['order_id']}"))["order"]["status"] == "expired"
    )
    offer = wait_until(
        lambda: (e := ok(registration.get(f"/waitlist/{entry_id}")))["voucher_code"] and e
    )
    assert offer["entry"]["status"] == "offered"
    late = registration.post("/orders", order(conference_id, attendee("c@example.cn", "seminar")))
    assert late.status == 409  # the offer holds the place
    offered = attendee("b@example.cn", "seminar") | {"voucher_code": offer["voucher_code"]}
    ok(registration.post("/orders", order(conference_id, offered)), 201)

    # published: the events of all that, none with a name or an email in it
    wanted = {
        "FeeScheduleSet",
        "OrderPlaced",
        "AttendeeRegistered",
        "PaymentReceived",
        "OrderPaid",
        "RegistrationPaid",
        "RefundRequested",
        "RefundCompleted",
        "OrderCancelled",
        "RegistrationCancelled",
        "QuotaReached",
        "OrderExpired",
        "PlacesReleased",
        "WaitlistJoined",
        "VoucherIssued",
        "WaitlistOffered",
        "VoucherRedeemed",
    }
    seen: list[dict] = []
    wait_until(
        lambda: (
            seen.extend(body for body, _ in amqp.drain(system.amqp_uri, events.name))
            or wanted <= {e["event_type"] for e in seen}
        )
    )
    text = json.dumps(seen, ensure_ascii=False).casefold()
    assert "example.cn" not in text and "王磊" not in text
    assert offer["voucher_code"].casefold() not in text
    assert Counter(e["event_type"] for e in seen)["OrderPaid"] == 1
    assert {e["conference_id"] for e in seen} == {conference_id}

    # the same through the command line: a ticket type added to the schedule, an order
    # placed and paid in full
    huiwu(
        system,
        "ticket",
        "add",
        conference_id,
        "--type",
        "gala",
        "--category",
        "delegate",
        "--label",
        "晚宴",
        "--price",
        "880.00",
    )
    assert "gala" in huiwu(system, "ticket", "list", conference_id)
    placed = huiwu(
        system,
        "order",
        "place",
        "--conference",
        conference_id,
        "--buyer",
        "周敏",
        "--attendee",
        "周敏,zhou@example.cn,gala",
        "--consent-version",
        "2027-01",
        "--consent-text",
        WORDING,
    )
    order_id = placed.splitlines()[0]
    assert "880.00 CNY to pay" in placed
    huiwu(system, "order", "pay", order_id, "--amount", "880", "--method", "wechat_pay")
    shown = huiwu(system, "order", "show", order_id)
    assert "paid" in shown and "zhou@example.cn" in shown

    # checklist took every one of them: the fee schedule proves 5.2.3, nothing dead-lettered
    wait_until(lambda: entry(system, conference_id, "5.2.3")["status"] == "verified")
    assert ok(system["checklist"].get("/dead-letters"))["messages"] == 0
