"""Partners against real processes, on both stores: a co-organiser joined over HTTP, its
cash share agreed, its cash and a government grant booked as income on line
`contributions` with their source (in the ledger and the settlement statement), cash past
what was agreed and bad input refused by field with nothing stored, and checklist's 2.1.5
(every partner's share agreed) verified by the events."""

from __future__ import annotations

from tests.integration.test_budget import huiwu
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until
from tests.support.upstream import wait_entry

SECTIONS = {"exclude": [str(n) for n in range(1, 25) if n != 2]}


def receipt(amount_minor: int, source: str) -> dict:
    return {
        "amount_minor": amount_minor,
        "currency": "CNY",
        "received_on": "2027-03-01",
        "source": source,
        "actor": "qian.li",
    }


def test_a_partners_cash_and_grant_are_income_and_its_share_verifies_2_1_5(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    before = budget.metric("huiwu_events_stored", service="budget")
    bad = budget.post(f"{at}/partners", {"partner": "X", "role": "sponsor", "actor": "li"})
    assert bad.status == 400 and "role" in bad.json["errors"], bad
    assert budget.metric("huiwu_events_stored", service="budget") == before

    body = {"partner": "浙江省医学会", "role": "co_organiser", "actor": "li"}
    partner_id = ok(budget.post(f"{at}/partners", body), 201)["partner_id"]
    step = f"/partners/{partner_id}"
    share = {"form": "cash", "amount_minor": 10_000_000, "currency": "CNY", "share_bp": 2500}
    ok(budget.post(f"{step}/contribution", {**share, "actor": "qian.li"}))
    ok(budget.post(f"{step}/receipts", receipt(6_000_000, "contribution")))
    shown = ok(budget.post(f"{step}/receipts", receipt(4_000_000, "grant")))
    assert shown["received_minor"] == 10_000_000

    before = budget.metric("huiwu_events_stored", service="budget")
    past = budget.post(f"{step}/receipts", receipt(1, "grant"))
    assert past.status == 400 and "amount_minor" in past.json["errors"], past
    assert budget.metric("huiwu_events_stored", service="budget") == before

    entries = ok(budget.get(f"{at}/ledger/entries"))["entries"]
    assert sorted((e["source"], e["amount_minor"]) for e in entries) == [
        ("contribution", 6_000_000),
        ("grant", 4_000_000),
    ]
    assert ok(budget.get(f"{at}/settlement"))["income_minor"] == 10_000_000
    wait_entry(system, conference_id, "2.1.5", timeout=60.0, status="verified", members=1)

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        shown_text = huiwu(system, "partner", "show", partner_id)
        assert "浙江省医学会" in shown_text and "100,000.00 CNY" in shown_text
