"""Registration and budget end to end over RabbitMQ, on both stores, with the real
services: 500 registrations (a sheet, group orders, single orders) with payments in full,
in parts and over, refunds in full and in part, expiries, cancellations, a substitution and
a waiting list of three offered the places freed one by one, in the order they joined, an
offer lapsing to the next; budget's ledger holds exactly the money that moved, to the fen,
and checklist follows the orders as they are paid and cancelled. After the event every
order is reconciled (23.1.3 verified), a refund on a reconciled order re-opens it until it
is reconciled again, and the payment channel's test verifies 10.1.6."""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse

from tests.integration.test_registration import WORDING, attendee, fee, order
from tests.support.slice import ok, open_conference
from tests.support.system import wait_settled, wait_until
from tests.support.upstream import wait_entry

FEES = [
    {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 280_000},
    {"category": "student", "ticket_type": "student", "label": "学生", "price_minor": 99_999},
    {
        "category": "delegate",
        "ticket_type": "workshop",
        "label": "工作坊",
        "price_minor": 50_000,
        "quota": 2,
    },
]
PRICE = {line["ticket_type"]: line["price_minor"] for line in FEES}
IMPORTED = 443
GROUPS = 18  # of three attendees each
HEADER = "name,email,ticket_type,paid_minor,payment_method,received_on"


class Money:
    """What the test moved: every payment and every completed refund, in fen."""

    def __init__(self) -> None:
        self.received = 0
        self.refunded = 0

    @property
    def net(self) -> int:
        return self.received - self.refunded


def imported_sheet() -> bytes:
    """Every third row paid in full at import; students and delegates mixed."""
    rows = [HEADER]
    for n in range(IMPORTED):
        ticket = "student" if n % 5 == 0 else "full"
        paid = f"{PRICE[ticket]},bank_transfer,2027-03-02" if n % 3 == 0 else ",,"
        rows.append(f"参会者{n},i{n}@example.cn,{ticket},{paid}")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def test_500_registrations_reach_the_ledger_to_the_fen_and_the_plan(system):
    system.start(
        "checklist",
        "registration",
        "budget",
        "reporting",
        # an offer of the waiting list holds its place for 18 seconds, so one can lapse
        extra_env={"HUIWU_ORDER_EXPIRY_INTERVAL": "0.5", "HUIWU_WAITLIST_OFFER_HOURS": "0.005"},
    )
    registration, budget, checklist = system["registration"], system["budget"], system["checklist"]
    conference_id = open_conference(
        system, exclude=[str(n) for n in range(3, 25) if n not in (5, 10, 23)]
    )
    ok(
        registration.post(
            f"/conferences/{conference_id}/fees",
            {"categories": [fee(line) for line in FEES], "actor": "li"},
        )
    )
    money = Money()
    pay = {"method": "bank_transfer", "currency": "CNY", "received_on": "2027-03-02", "actor": "li"}

    def paid(order_id: str, amount: int) -> dict:
        money.received += amount
        return ok(
            registration.post(f"/orders/{order_id}/payments", {**pay, "amount_minor": amount})
        )

    def refunded(order_id: str, amount: int, reason: str) -> dict:
        asked = ok(
            registration.post(
                f"/orders/{order_id}/refunds",
                {"amount_minor": amount, "reason": reason, "actor": "li"},
            )
        )
        refund_id = asked["refunds"][-1]["refund_id"]
        done = {"method": "bank_transfer", "completed_on": "2027-03-05", "actor": "li"}
        money.refunded += amount
        return ok(registration.post(f"/orders/{order_id}/refunds/{refund_id}/complete", done))

    # 443 from a sheet, every third paid at import
    query = urllib.parse.urlencode(
        {
            "consent_version": "2027-01",
            "consent_sha256": hashlib.sha256(WORDING.encode()).hexdigest(),
        }
    )
    imported = ok(
        registration.post(
            f"/conferences/{conference_id}/attendees/import?{query}",
            imported_sheet(),
            as_="li",
            timeout=300,
        ),
        201,
    )
    assert (imported["attendees"], imported["paid"]) == (IMPORTED, len(range(0, IMPORTED, 3)))
    money.received += sum(
        PRICE["student" if n % 5 == 0 else "full"] for n in range(IMPORTED) if n % 3 == 0
    )
    sheet_orders = imported["order_ids"]

    # 18 group orders of three: paid in two parts, overpaid, or left to expire
    groups = []
    for g in range(GROUPS):
        people = [attendee(f"g{g}.{k}@example.cn") for k in range(3)]
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).isoformat()
        extra = {"expires_at": soon} if g % 6 == 5 else {}
        body = order(conference_id, *people, buyer_kind="organisation", **extra)
        body["buyer_organisation"] = f"单位{g}"
        groups.append(ok(registration.post("/orders", body), 201))
    total = 3 * PRICE["full"]
    for g, placed in enumerate(groups):
        if g % 6 == 5:
            continue  # left unpaid: expires
        first = paid(placed["order_id"], 500_000)
        assert first["status"] == "awaiting_payment" and first["balance_minor"] == total - 500_000
        rest = total - 500_000 + (7 if g % 6 == 4 else 0)  # 7 fen over, once in six
        answer = paid(placed["order_id"], rest)
        assert answer["status"] == "paid"
        assert answer["overpaid_minor"] == (7 if g % 6 == 4 else 0)

    # the workshop's two places: one paid, one held by an order left unpaid. Three wait for
    # it and are offered the places freed one by one, in the order they joined: the unpaid
    # order's expiring (to the first, who lets the offer lapse: it passes to the second)
    # and a cancellation (to the third)
    def workshop_order(email: str, **extra) -> dict:
        body = order(conference_id, attendee(email, "workshop"), **extra)
        return ok(registration.post("/orders", body), 201)

    kept = workshop_order("w0@example.cn")
    paid(kept["order_id"], PRICE["workshop"])
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6)).isoformat()
    unpaid = workshop_order("w1@example.cn", expires_at=soon)
    full = registration.post("/orders", order(conference_id, attendee("w2@example.cn", "workshop")))
    assert full.status == 409 and "attendees[0].ticket_type" in full.json["errors"]
    waiting = [
        ok(
            registration.post(
                "/waitlist",
                {"conference_id": conference_id, "actor": "li", **attendee(email, "workshop")},
            ),
            201,
        )["entry_id"]
        for email in ("w2@example.cn", "w3@example.cn", "w4@example.cn")
    ]

    def entry_of(entry_id: str) -> dict:
        return ok(registration.get(f"/waitlist/{entry_id}"))

    def status(entry_id: str) -> str:
        return entry_of(entry_id)["entry"]["status"]

    def offered(entry_id: str) -> str:
        return wait_until(lambda: entry_of(entry_id)["voucher_code"], timeout=60)

    offered(waiting[0])  # the unpaid order expired: its place goes to the first
    assert [status(e) for e in waiting[1:]] == ["waiting", "waiting"]
    code = offered(waiting[1])  # the first let the offer lapse: it passes to the second
    assert (status(waiting[0]), status(waiting[2])) == ("lapsed", "waiting")
    promoted = order(conference_id, attendee("w3@example.cn", "workshop") | {"voucher_code": code})
    taken = ok(registration.post("/orders", promoted), 201)
    paid(taken["order_id"], PRICE["workshop"])
    cancelled = ok(
        registration.post(
            f"/orders/{kept['order_id']}/cancel",
            {"reason": "cannot travel", "cancelled_by": "organiser", "actor": "li"},
        )
    )
    refund_id = cancelled["refunds"][-1]["refund_id"]
    done = {"method": "bank_transfer", "completed_on": "2027-03-05", "actor": "li"}
    ok(registration.post(f"/orders/{kept['order_id']}/refunds/{refund_id}/complete", done))
    money.refunded += cancelled["refunds"][-1]["amount_minor"]
    code = offered(waiting[2])  # the cancelled order's place goes to the third
    promoted = order(conference_id, attendee("w4@example.cn", "workshop") | {"voucher_code": code})
    last = ok(registration.post("/orders", promoted), 201)
    paid(last["order_id"], PRICE["workshop"])
    workshop = [kept, unpaid, taken, last]
    assert ok(registration.get(f"/orders/{unpaid['order_id']}"))["order"]["status"] == "expired"

    # refunds: two paid sheet orders in full, one in part; an overpayment given back
    paid_sheet = [sheet_orders[n] for n in range(0, IMPORTED, 3)]
    refunded(paid_sheet[1], PRICE["full"], "attendee_cancelled")
    refunded(paid_sheet[2], PRICE["full"], "event_changed")
    refunded(paid_sheet[3], 30_000, "other")
    refunded(groups[4]["order_id"], 7, "overpayment")
    # two unpaid sheet orders cancelled; one paid later, after a substitution
    for n in (1, 2):
        ok(
            registration.post(
                f"/orders/{sheet_orders[n]}/cancel", {"reason": "duplicate", "actor": "li"}
            )
        )
    late = ok(registration.get(f"/orders/{sheet_orders[4]}"))
    substitute = {
        "person": attendee("sub@example.cn")["person"] | {"name": "替换者"},
        "reason": "colleague attends",
        "actor": "li",
    }
    ok(
        registration.post(
            f"/attendees/{late['attendees'][0]['attendee_id']}/substitute", substitute
        )
    )
    paid(sheet_orders[4], PRICE["full"])

    # the unpaid group orders expire and free their places
    for g in range(5, GROUPS, 6):
        wait_until(
            lambda g=g: (
                ok(registration.get(f"/orders/{groups[g]['order_id']}"))["order"]["status"]
                == "expired"
            )
        )

    registrations = IMPORTED + 3 * GROUPS + len(workshop)
    assert registrations >= 500

    # budget's ledger holds exactly what moved, once every event is applied
    wait_settled(system, timeout=180)  # thousands of events through four services
    ledger = wait_until(
        lambda: (
            (x := ok(budget.get(f"/conferences/{conference_id}/ledger")))["income_minor"]
            == money.net
            and x
        )
    )
    assert ledger["income_minor"] == money.net
    assert ledger["currency"] == "CNY"

    # checklist: the fee schedule proves 5.2.3, the ledger 2.4.1; 10.1.4 counts the orders
    # placed and not ended, and those of them paid
    plan = ok(checklist.get(f"/conferences/{conference_id}/plan"))
    entries = {e["code"]: e for e in plan["entries"]}
    assert entries["5.2.3"]["status"] == "verified"
    assert entries["2.4.1"]["status"] == "verified"
    expired = GROUPS // 6 + 1  # the unpaid group orders and the workshop's unpaid one
    ended = 2 + expired + 1  # cancelled sheet orders, expired ones, the cancelled workshop
    placed_orders = IMPORTED + GROUPS + len(workshop)
    assert entries["10.1.4"]["members"] == placed_orders - ended

    # 10.1.6: a real payment through the live channel, refunded
    channel_test = {
        "amount_minor": 1,
        "currency": "CNY",
        "payment_reference": "4200000000202703010001",
        "refund_reference": "5030000000202703010001",
        "actor": "li",
    }
    conference = f"/conferences/{conference_id}"
    ok(registration.post(f"{conference}/payment-channels/wechat_pay/test", channel_test))
    wait_entry(system, conference_id, "10.1.6", status="verified", timeout=60)

    # after the event: the orders never paid are cancelled, every order is reconciled
    never_paid = [sheet_orders[n] for n in range(IMPORTED) if n % 3 and n not in (1, 2, 4)]
    for order_id in never_paid:
        ok(
            registration.post(
                f"/orders/{order_id}/cancel",
                {"reason": "not paid by the event", "cancelled_by": "organiser", "actor": "li"},
            )
        )
    reconcile = {"actor": "li"}
    found = ok(registration.post(f"{conference}/reconcile", reconcile, timeout=300))
    assert (found["orders"], found["settled"]) == (placed_orders - expired, found["orders"] - 2)
    # two groups' 7 fen overpaid are still to give back: refunded, they settle
    owed = {o["order_id"]: o["to_refund_minor"] for o in found["unsettled_orders"]}
    assert owed == {groups[g]["order_id"]: 7 for g in range(4, GROUPS, 6) if g != 4}
    for order_id, amount in owed.items():
        refunded(order_id, amount, "overpayment")
    found = ok(registration.post(f"{conference}/reconcile", reconcile, timeout=300))
    assert (found["recorded"], found["unsettled"]) == (2, 0)
    wait_entry(system, conference_id, "23.1.3", status="verified", percent=100, timeout=180)

    # a refund asked on a reconciled order re-opens 23.1.3; completed, it reverses its
    # income in the ledger; reconciled again, the order is settled and 23.1.3 verified
    again = paid_sheet[5]
    asked = ok(
        registration.post(
            f"/orders/{again}/refunds", {"amount_minor": 50_000, "reason": "other", "actor": "li"}
        )
    )
    wait_entry(system, conference_id, "23.1.3", status="in_progress", timeout=60)
    refund_id = asked["refunds"][-1]["refund_id"]
    ok(registration.post(f"/orders/{again}/refunds/{refund_id}/complete", done))
    money.refunded += 50_000
    found = ok(registration.post(f"{conference}/reconcile", reconcile, timeout=300))
    assert (found["recorded"], found["unsettled"]) == (1, 0)
    wait_entry(system, conference_id, "23.1.3", status="verified", percent=100, timeout=60)
    wait_settled(system, timeout=180)
    ledger = ok(budget.get(f"/conferences/{conference_id}/ledger"))
    assert ledger["income_minor"] == money.net
