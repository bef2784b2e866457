"""A cancelled sponsor's cash paid back against real processes, on both stores: the
sponsorship income reversed (IncomeReversed, source sponsorship) so that the ledger and the
settlement statement balance; a second refund and bad input refused with nothing stored."""

from __future__ import annotations

from tests.integration.test_sponsorship import FAPIAO, GOLD, income
from tests.support.rpc import read_log
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until

SECTIONS = {"exclude": [str(n) for n in range(2, 25) if n != 7]}
REFUND = {
    "amount_minor": 12_000_000,
    "currency": "CNY",
    "refunded_on": "2027-04-02",
    "method": "bank_transfer",
    "actor": "qian.li",
}


def test_a_cancelled_sponsors_cash_paid_back_reverses_its_income(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)
    ok(budget.post(f"{at}/sponsorship/packages", GOLD), 201)
    sid = ok(budget.post(f"{at}/sponsors", {"sponsor": "Acme 医药", "actor": "li"}), 201)[
        "sponsorship_id"
    ]
    step = f"/sponsorships/{sid}"
    ok(budget.post(f"{step}/advance", {"to": "contacted", "channel": "email", "actor": "li"}))
    ok(budget.post(f"{step}/advance", {"to": "negotiating", "actor": "li"}))
    ok(budget.post(f"{step}/sign", {"package": "Gold", "signed_on": "2027-02-01", "actor": "li"}))
    ok(budget.post(f"{step}/invoices", FAPIAO))
    paid = {"amount_minor": 12_000_000, "currency": "CNY", "received_on": "2027-03-01"}
    ok(budget.post(f"{step}/payments", {**paid, "actor": "qian.li"}))
    cancelled = ok(budget.post(f"{step}/cancel", {"reason": "budget cut", "actor": "li"}))
    assert cancelled["refund_due_minor"] == 12_000_000

    before = budget.metric("huiwu_events_stored", service="budget")
    for body, field in (
        ({**REFUND, "amount_minor": 11_000_000}, "amount_minor"),
        ({**REFUND, "currency": "USD"}, "currency"),
        ({**REFUND, "refunded_on": "someday"}, "refunded_on"),
    ):
        answer = budget.post(f"{step}/refund", body)
        assert answer.status == 400 and field in answer.json["errors"], answer
    assert budget.metric("huiwu_events_stored", service="budget") == before

    assert ok(budget.post(f"{step}/refund", REFUND))["refunded_minor"] == 12_000_000
    again = budget.post(f"{step}/refund", REFUND)
    assert again.status == 409 and "refunded already" in again.json["message"], again
    assert income(ok(budget.get(f"{at}/ledger")), "sponsorship") == 0
    statement = ok(budget.get(f"{at}/settlement"))
    assert (statement["income_minor"], statement["result"]) == (0, "balanced")
    wait_until(
        lambda: "IncomeReversed" in [e["event_type"] for e in read_log(system.amqp_uri, "budget")]
    )
