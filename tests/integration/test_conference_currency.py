"""A conference opened in USD, against the real broker and services on both stores:
registration refuses a fee schedule and a payment in CNY naming the field and stores
nothing; budget books the conference's ledger in USD."""

from __future__ import annotations

from tests.integration.test_registration import attendee, fee, huiwu, order
from tests.support.slice import ok
from tests.support.system import wait_until

FULL = {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 40_000}
REFUSED = "the conference is in USD, not CNY"


def test_a_conference_in_usd_refuses_cny_and_books_its_ledger_in_usd(system):
    system.start("checklist", "registration", "budget")
    registration, budget = system["registration"], system["budget"]
    # opened from the command line, as an organiser does: section 1 alone
    conference_id = huiwu(
        system,
        *("conference", "open", "--name", "Pacific Forum", "--start", "2027-05-12"),
        *("--end", "2027-05-14", "--city", "Hangzhou", "--attendance", "300"),
        *("--profile", "academic", "--currency", "usd"),
        *(arg for n in range(2, 25) for arg in ("--exclude", str(n))),
    ).strip()
    shown = ok(system["checklist"].get(f"/conferences/{conference_id}"))
    assert shown["currency"] == "USD"
    fees = f"/conferences/{conference_id}/fees"

    refused = registration.post(fees, {"categories": [fee(FULL)], "actor": "li"})
    assert refused.status == 400
    assert refused.json["errors"] == {"categories[0].currency": [REFUSED]}
    assert registration.get(f"/conferences/{conference_id}/registration").status == 409

    ok(registration.post(fees, {"categories": [fee(FULL, currency="USD")], "actor": "li"}))
    placed = ok(registration.post("/orders", order(conference_id, attendee("a@example.cn"))), 201)
    assert placed["currency"] == "USD"
    pay = {"method": "card", "amount_minor": 40_000, "received_on": "2027-03-02", "actor": "li"}
    cny = registration.post(f"/orders/{placed['order_id']}/payments", {**pay, "currency": "CNY"})
    assert cny.status == 400 and cny.json["errors"] == {"currency": [REFUSED]}
    after = ok(registration.get(f"/orders/{placed['order_id']}"))["order"]
    assert (after["status"], after["paid_minor"]) == ("awaiting_payment", 0)

    ledger = wait_until(
        lambda: (r := budget.get(f"/conferences/{conference_id}/ledger")).status == 200 and r.json
    )
    assert ledger["currency"] == "USD"
