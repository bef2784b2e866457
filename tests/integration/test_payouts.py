"""Paying people against real processes, on both stores: an honorarium's tax withheld and
its gross in the ledger, a cash advance whose difference is refused and stores nothing,
then reconciled with its receipts booked, and checklist's cash-advance entries verified."""

from __future__ import annotations

from tests.integration.test_budget import huiwu
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until
from tests.support.upstream import wait_entry

# Sections 9 (speakers' fees drawn ahead, 9.2.1) and 14 (on-site cash, 14.2.3) only.
SECTIONS = {"exclude": [str(n) for n in range(1, 25) if n not in (9, 14)]}
HONORARIUM = {
    "speaker": "Prof. Li Ming",
    "gross_minor": 3_000_000,  # 30 000.00 yuan: (24 000 x 30% - 2 000) = 5 200.00 withheld
    "paid_on": "2027-05-13",
    "method": "bank_transfer",
    "actor": "qian.li",
}
ADVANCE = {"amount_minor": 200_000, "currency": "CNY", "holder": "Zhao Min", "actor": "qian.li"}
RECEIPTS = [
    {"category": "printing", "amount_minor": 120_000, "fapiao_number": "12345678"},
    {"category": "transport", "amount_minor": 30_050},
]


def test_honoraria_and_cash_advances_are_booked_in_the_ledger(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    paid = ok(budget.post(f"{at}/honoraria", HONORARIUM), 201)
    assert (paid["iit_withheld_minor"], paid["net_minor"]) == (520_000, 2_480_000)

    for purpose in ("honoraria", "petty_cash"):
        issued = ok(budget.post(f"{at}/advances", {**ADVANCE, "purpose": purpose}), 201)
    advance = f"/advances/{issued['advance_id']}"
    before = budget.metric("huiwu_events_stored", service="budget")
    short = budget.post(
        f"{advance}/reconcile", {"receipts": RECEIPTS, "returned_minor": 0, "actor": "qian.li"}
    )
    assert short.status == 400 and "returned_minor" in short.json["errors"], short
    assert "49950 less than the advance" in short.json["message"]
    assert budget.metric("huiwu_events_stored", service="budget") == before
    body = {"receipts": RECEIPTS, "returned_minor": 49_950, "actor": "qian.li"}
    assert ok(budget.post(f"{advance}/reconcile", body))["reconciled"] is True
    assert budget.post(f"{advance}/reconcile", body).status == 409

    spent = {x["line"]: x["actual_minor"] for x in ok(budget.get(f"{at}/ledger"))["lines"]}
    assert spent == {"speakers": 3_000_000, "printing": 120_000, "transport": 30_050}
    assert ok(budget.get(f"{at}/settlement"))["expense_minor"] == 3_150_050
    for code in ("9.2.1", "14.2.3"):
        wait_entry(system, conference_id, code, timeout=60.0, status="verified")

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        shown = huiwu(system, "honorarium", "pay", conference_id, "--speaker", "Li", "--gross",
                      "5000", "--on", "2027-05-14")  # fmt: skip
        assert "800.00 CNY" in shown and "4,200.00 CNY" in shown
