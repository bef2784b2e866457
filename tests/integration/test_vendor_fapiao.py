"""Vendors' fapiao against real processes, on both stores: a contract signed in vendors,
a deposit paid before the fapiao, the fapiao received (the deposit's entry recorded
again with its number), the final payment booked with it and the contract settled; paying
past the contract, a fapiao of another vendor and the same fapiao twice refused by field
with nothing stored; checklist's vendor-payment entries verified by the events."""

from __future__ import annotations

from typing import Any

from tests.integration.test_budget import huiwu, signed
from tests.support.rpc import read_log
from tests.support.slice import add_vendor, ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import System, wait_until
from tests.support.upstream import wait_entry

# Sections 2 (the ledger and settlement), 8 (vendors) and 23 (closing with vendors) only.
SECTIONS = {"exclude": [str(n) for n in range(1, 25) if n not in (2, 8, 23)]}
FAPIAO_NO = "25332000000012345678"
VERIFIED_BY_FAPIAO = ("2.5.3", "8.4.4", "23.5.2")


def payment(amount_minor: int, kind: str) -> dict[str, Any]:
    return {
        "amount_minor": amount_minor,
        "currency": "CNY",
        "kind": kind,
        "paid_on": "2027-03-01",
        "method": "bank_transfer",
        "actor": "qian.li",
    }


def fapiao(vendor_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "vendor_id": vendor_id,
        "fapiao_number": FAPIAO_NO,
        "amount_minor": 12_000_000,
        "tax_rate_bp": 600,
        "fapiao_type": "vat_special",
        "actor": "qian.li",
        **extra,
    }


def test_a_vendor_fapiao_numbers_its_payments_settles_the_contract_and_checklist_verifies(
    system,
):
    system.start("checklist", "vendors", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)
    vendor_id = add_vendor(system, conference_id)
    other_vendor = add_vendor(system, conference_id, name="Hangzhou AV Co", categories=("av",))
    contract = signed(system, conference_id, vendor_id, 12_000_000)
    account_at = f"/contracts/{contract}"

    ok(budget.post(f"{account_at}/payments", payment(3_600_000, "deposit")))
    assert numbers(system, at) == [None]
    refused_and_nothing_stored(system, account_at, other_vendor)

    account = ok(budget.post(f"{account_at}/fapiao", fapiao(vendor_id)))
    assert (account["invoiced_minor"], account["input_vat_minor"]) == (12_000_000, 679_245)
    assert numbers(system, at) == [FAPIAO_NO]  # the deposit's entry, now with its number
    twice = budget.post(f"{account_at}/fapiao", fapiao(vendor_id, amount_minor=1))
    assert twice.status == 409 and "fapiao_number" in twice.json["errors"], twice

    settled = ok(budget.post(f"{account_at}/payments", payment(8_400_000, "final")))
    assert (settled["paid_minor"], settled["settled"]) == (12_000_000, True)
    assert numbers(system, at) == [FAPIAO_NO, FAPIAO_NO]
    assert ok(budget.get(f"{at}/ledger"))["actual_minor"] == 12_000_000  # each entry once

    wait_until(lambda: "VendorSettled" in published(system))
    log = published(system)
    assert log.count("VendorInvoiceReceived") == 1 and log.count("VendorSettled") == 1
    assert log.count("ExpenseRecorded") == 3  # the deposit twice, the final payment once
    for code in VERIFIED_BY_FAPIAO:
        wait_entry(system, conference_id, code, timeout=60.0, status="verified")
    # 2.4.3 opens weeks from now (after 2.4.1): its rule holds for both expense entries
    wait_entry(system, conference_id, "2.4.3", timeout=60.0, members=2, percent=100)

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        shown = huiwu(system, "vendor-invoice", "show", contract)
        assert FAPIAO_NO in shown and "settled    yes" in shown


def numbers(system: System, at: str) -> list[str | None]:
    entries = ok(system["budget"].get(f"{at}/ledger/entries"))["entries"]
    return [e["fapiao_number"] for e in entries if e["kind"] == "expense"]


def published(system: System) -> list[str]:
    return [e["event_type"] for e in read_log(system.amqp_uri, "budget")]


def refused_and_nothing_stored(system: System, account_at: str, other_vendor: str) -> None:
    budget = system["budget"]
    vendor_id = ok(budget.get(f"{account_at}/account"))["vendor_id"]
    before = budget.metric("huiwu_events_stored", service="budget")
    for path, body, field in (
        (f"{account_at}/payments", payment(8_400_001, "final"), "amount_minor"),
        (f"{account_at}/fapiao", fapiao(other_vendor), "vendor_id"),
        (f"{account_at}/fapiao", fapiao(vendor_id, net_minor=1, tax_minor=1), "amount_minor"),
        (f"{account_at}/fapiao", fapiao(vendor_id, tax_rate_bp=700), "tax_rate_bp"),
    ):
        answer = budget.post(path, body)
        assert answer.status == 400, answer  # never a 500
        assert field in answer.json["errors"], answer.json
    assert budget.metric("huiwu_events_stored", service="budget") == before
