"""The sponsorship pipeline against real processes, on both stores: a package sold over
HTTP, a sponsor taken from prospect to paid in two instalments, its cash in the ledger and
the settlement statement, a sponsor paid in kind, a prospect dropped, a step out of turn
refused by its state, bad input refused by field with nothing stored, and checklist's
sponsorship entries verified by the events (an in-kind sponsor owes no cash and no fapiao;
a cancelled prospect is no longer waited for)."""

from __future__ import annotations

from typing import Any

from tests.integration.test_budget import huiwu
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import System, wait_until
from tests.support.upstream import wait_entry

# Sections 1 (the plan approved, 1.4.4), 7 (sponsorship) and 23 (thanks, fapiao) only.
SECTIONS = {"exclude": [str(n) for n in range(2, 25) if n not in (7, 23)]}
GOLD = {
    "name": "Gold",
    "level": "gold",
    "price_minor": 20_000_000,
    "slots": 2,
    "benefits": ["logo", "booth"],
    "actor": "zhao.min",
}
SIGNING = {
    "package": "Gold",
    "signed_on": "2027-02-01",
    "instalments": [
        {"due_on": "2027-03-01", "amount_minor": 12_000_000},
        {"due_on": "2027-04-01", "amount_minor": 8_000_000},
    ],
    "actor": "zhao.min",
}
FAPIAO = {
    "fapiao_number": "25332000000012345678",
    "fapiao_type": "vat_ordinary",
    "medium": "digital",
    "issued_on": "2027-02-10",
    "gross_minor": 20_000_000,
    "actor": "qian.li",
}
VERIFIED_BY_SPONSORSHIP = ("1.4.4", "7.1.2", "7.1.3", "7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.2.5",
                           "23.3.1", "23.3.2")  # fmt: skip


def test_a_sponsor_is_sold_a_package_pays_in_instalments_into_the_ledger_and_checklist_verifies(
    system,
):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    refused_and_nothing_stored(system, at)
    ok(budget.post(f"{at}/sponsorship/packages", GOLD), 201)
    languages = {"languages": ["zh", "en"], "actor": "zhao.min"}
    ok(budget.post(f"{at}/sponsorship/prospectus", languages), 201)
    sid = ok(budget.post(f"{at}/sponsors", {"sponsor": "Acme 医药", "actor": "zhao.min"}), 201)[
        "sponsorship_id"
    ]
    step = f"/sponsorships/{sid}"
    out_of_turn = budget.post(f"{step}/sign", SIGNING)
    assert out_of_turn.status == 409 and "is prospect" in out_of_turn.json["message"]
    for channel in ("email", "visit"):
        ok(budget.post(f"{step}/advance", {"to": "contacted", "channel": channel, "actor": "li"}))
    ok(budget.post(f"{step}/advance", {"to": "negotiating", "actor": "li"}))
    assert ok(budget.post(f"{step}/sign", SIGNING))["state"] == "signed"
    ok(budget.post(f"{step}/invoices", FAPIAO))
    for n, amount in ((1, 12_000_000), (2, 8_000_000)):
        body = {"amount_minor": amount, "currency": "CNY", "instalment": n, "actor": "qian.li"}
        ok(budget.post(f"{step}/payments", {**body, "received_on": "2027-03-01"}))
    ok(budget.post(f"{step}/benefits", {"benefit": "logo", "proof_ref": "web.png", "actor": "li"}))
    thanked = ok(budget.post(f"{step}/thanks", {"channel": "letter", "actor": "li"}))
    assert (thanked["state"], thanked["paid_minor"], thanked["delivered"]) == (
        "paid",
        20_000_000,
        {"logo": "web.png"},
    )

    in_kind_sponsor_thanked(system, at)
    dropped = ok(budget.post(f"{at}/sponsors", {"sponsor": "Dropped Co", "actor": "li"}), 201)
    cancelled = f"/sponsorships/{dropped['sponsorship_id']}"
    ok(budget.post(f"{cancelled}/advance", {"to": "contacted", "channel": "email", "actor": "li"}))
    ok(budget.post(f"{cancelled}/cancel", {"reason": "no budget this year", "actor": "li"}))

    ledger = ok(budget.get(f"{at}/ledger"))
    assert income(ledger, "sponsorship") == 20_000_000
    assert ok(budget.get(f"{at}/settlement"))["income_minor"] == 20_000_000
    gold, bags = ok(budget.get(f"{at}/sponsorship/packages"))["packages"]
    assert (bags["name"], bags["signed"], bags["left"]) == ("Bags", 1, 0)
    assert (gold["signed"], gold["left"]) == (1, 1)
    for code in VERIFIED_BY_SPONSORSHIP:
        wait_entry(system, conference_id, code, timeout=60.0, status="verified")

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        listed = huiwu(system, "sponsor", "list", conference_id)
        assert "Acme 医药" in listed and "paid" in listed and "200,000.00 CNY" in listed


def in_kind_sponsor_thanked(system: System, at: str) -> None:
    """A sponsor giving goods only: paid by its valued receipt, no fapiao, no ledger income;
    the rules on cash (7.2.5, 23.3.2) do not wait for it, the thanks (23.3.1) do."""
    budget = system["budget"]
    bags = {"name": "Bags", "level": "in_kind", "price_minor": 3_000_000, "slots": 1,
            "benefits": ["bag_insert"], "actor": "zhao.min"}  # fmt: skip
    ok(budget.post(f"{at}/sponsorship/packages", bags), 201)
    sid = ok(budget.post(f"{at}/sponsors", {"sponsor": "Bags Ltd", "actor": "li"}), 201)[
        "sponsorship_id"
    ]
    step = f"/sponsorships/{sid}"
    for channel in ("letter", "call"):
        ok(budget.post(f"{step}/advance", {"to": "contacted", "channel": channel, "actor": "li"}))
    ok(budget.post(f"{step}/advance", {"to": "negotiating", "actor": "li"}))
    item = {"kind": "goods", "description": "500 tote bags", "value_minor": 3_000_000}
    signing = {"package": "Bags", "signed_on": "2027-02-01", "form": "in_kind",
               "in_kind": [item], "actor": "li"}  # fmt: skip
    ok(budget.post(f"{step}/sign", signing))
    paid = ok(budget.post(f"{step}/payments", {"received_on": "2027-05-01", "in_kind": item,
                                               "actor": "li"}))  # fmt: skip
    assert (paid["state"], paid["paid_minor"]) == ("paid", 0)
    ok(budget.post(f"{step}/thanks", {"channel": "wechat", "actor": "li"}))


def income(ledger: dict[str, Any], line: str) -> int:
    return next(x["income_minor"] for x in ledger["lines"] if x["line"] == line)


def refused_and_nothing_stored(system: System, at: str) -> None:
    budget = system["budget"]
    before = budget.metric("huiwu_events_stored", service="budget")
    for path, body, field in (
        (f"{at}/sponsorship/packages", {**GOLD, "price_minor": -5}, "price_minor"),
        (f"{at}/sponsorship/packages", {**GOLD, "benefits": ["fireworks"]}, "benefits"),
        (f"{at}/sponsors", {"sponsor": "", "actor": "li"}, "sponsor"),
        (f"{at}/sponsors", {"sponsor": "X", "level": "diamond", "actor": "li"}, "level"),
    ):
        answer = budget.post(path, body)
        assert answer.status == 400, answer
        assert field in answer.json["errors"], answer.json
    missing = budget.post("/sponsorships/not-a-sponsorship/advance", {"to": "negotiating"})
    assert missing.status == 404, missing
    assert budget.metric("huiwu_events_stored", service="budget") == before
