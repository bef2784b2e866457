"""Budget against real processes, on both stores: the budget approved over HTTP, vendors'
signed contracts as commitments in the ledger, an overrun warned once per crossing, bad
input refused by field with nothing stored, and the budget and ledger rebuilt from zero
(a fresh store fed the same upstream logs and commands) equal to the live ones.

Registration does not emit yet: its payments and refunds are covered by the unit tests of
the policy (tests/unit/test_budget_application.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from services.budget import schemas
from services.budget.application import BudgetApplication
from services.common import envelope as envelopes
from services.common.config import Settings
from services.common.http import load_command
from services.common.registry import load
from services.common.sinks import ProcessSink
from services.common.tokens import Principal
from tests.support.database import DATABASE_URL
from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, add_vendor, cancel, draft_contract, ok, sign
from tests.support.slice import open_conference as open_conference_
from tests.support.stores import provision_postgres
from tests.support.system import ROOT, System, wait_until

CATALOGS = load().catalogs()
BUDGET = {
    "currency": "CNY",
    "ceiling_minor": 60_000_000,
    "lines": [
        {"line": "venue", "behaviour": "fixed", "planned_minor": 30_000_000, "income": False},
        {"line": "catering", "behaviour": "variable", "planned_minor": 20_000_000,
         "income": False, "unit_minor": 40_000, "quantity": 500, "per": "attendee"},
        {"line": "registration", "behaviour": "variable", "planned_minor": 90_000_000,
         "income": True, "item": "standard", "unit_minor": 180_000, "quantity": 500,
         "per": "ticket"},
    ],
    "actor": "zhao.min",
}  # fmt: skip
APPROVAL = {"approvers": ["Chen Jing", "Wang Lei"], "actor": "chen.jing"}
DEPOSIT = {
    "amount_minor": 5_000_000,
    "currency": "CNY",
    "kind": "deposit",
    "paid_on": "2027-03-01",
    "method": "bank_transfer",
    "actor": "qian.li",
}


def test_contracts_become_commitments_an_overrun_warns_once_per_crossing_and_a_rebuild_equals(
    system, tmp_path
):
    system.start("checklist", "vendors", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTION_ONE)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    refused_and_nothing_stored(system, at)
    ok(budget.post(f"{at}/budget", BUDGET))
    approved = ok(budget.post(f"{at}/budget/approve", APPROVAL))
    assert approved["version"] == 1 and approved["approved"]["approved_by"] == "Chen Jing, Wang Lei"

    vendor_id = add_vendor(system, conference_id)
    first = signed(system, conference_id, vendor_id, 25_000_000)
    assert over(budget, at) == []
    account = ok(budget.get(f"/contracts/{first}/account"))
    assert (account["line"], account["open_minor"]) == ("venue", 25_000_000)
    second = signed(system, conference_id, vendor_id, 6_000_000)  # 310 000.00 of 300 000.00
    wait_until(lambda: over(budget, at) == ["venue"])
    ok(cancel(system, second))
    wait_until(lambda: over(budget, at) == [])
    signed(system, conference_id, vendor_id, 6_000_000)  # over again
    wait_until(lambda: over(budget, at) == ["venue"])
    ok(budget.post(f"/contracts/{first}/payments", DEPOSIT))

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        through_the_command_line(system, conference_id, tmp_path)

    warnings = [e["event_type"] for e in read_log(system.amqp_uri, "budget")]
    assert warnings.count("BudgetOverrunWarning") == 2
    assert warnings.count("BudgetOverrunCleared") == 1
    live = figures(system, at)
    assert live["ledger"]["committed_minor"] == 26_000_000  # 250 000 - 50 000 + 60 000
    assert live["ledger"]["actual_minor"] == 5_000_000

    budget.stop()
    wipe_budget_store(system)
    rebuild(system, conference_id, first)
    budget.start()
    assert figures(system, at) == live


def through_the_command_line(system: System, conference_id: str, tmp_path: Path) -> None:
    shown = huiwu(system, "budget", "show", conference_id)
    assert "Chen Jing, Wang Lei" in shown and "OVER" in shown
    ledger = huiwu(system, "ledger", "show", conference_id)
    assert "venue" in ledger and "over budget: venue" in ledger
    exported = tmp_path / "ledger.csv"
    huiwu(system, "ledger", "export", conference_id, "-o", str(exported))
    rows = exported.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("entry_id,recorded_at,kind,category,amount_minor")
    assert len(rows) == 2 and ",expense,venue,5000000,CNY," in rows[1]  # the deposit


def huiwu(system: System, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": system.token("qian.li")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result
    return result.stdout


def refused_and_nothing_stored(system: System, at: str) -> None:
    budget = system["budget"]
    before = budget.metric("huiwu_events_stored", service="budget")
    negative = {"category": "printing", "amount_minor": -1, "currency": "CNY", "actor": "li"}
    dollars = {**BUDGET, "currency": "USD"}
    unknown_line = {**BUDGET, "lines": [{**BUDGET["lines"][0], "line": "fireworks"}]}
    for path, body, field in (
        (f"{at}/ledger/expenses", negative, "amount_minor"),
        (f"{at}/budget", dollars, "currency"),
        (f"{at}/budget", unknown_line, "lines"),
    ):
        answer = budget.post(path, body)
        assert answer.status == 400, answer
        assert field in answer.json["errors"], answer.json
    assert "line" in budget.post(f"{at}/budget", unknown_line).json["errors"]["lines"]["0"]
    assert budget.metric("huiwu_events_stored", service="budget") == before


def signed(system: System, conference_id: str, vendor_id: str, amount_minor: int) -> str:
    contract_id = draft_contract(system, conference_id, vendor_id, amount_minor=amount_minor)
    ok(sign(system, contract_id))
    wait_until(lambda: system["budget"].get(f"/contracts/{contract_id}/account").status == 200)
    return contract_id


def over(budget, at: str) -> list[str]:
    return [x["line"] for x in ok(budget.get(f"{at}/ledger"))["over"]]


def figures(system: System, at: str) -> dict[str, Any]:
    budget = system["budget"]
    entries = ok(budget.get(f"{at}/ledger/entries"))["entries"]
    unstable = ("entry_id", "recorded_at", "event_id")  # a command's entry gets a new id
    return {
        "ledger": ok(budget.get(f"{at}/ledger")),
        "budget": ok(budget.get(f"{at}/budget")),
        "entries": [{k: v for k, v in e.items() if k not in unstable} for e in entries],
    }


def wipe_budget_store(system: System) -> None:
    env = system.store_env
    if "HUIWU_DATABASE_URL" in env:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{env["HUIWU_SCHEMA_PREFIX"]}budget" CASCADE')
        provision_postgres(DATABASE_URL, env["HUIWU_SCHEMA_PREFIX"])  # empty, as set up
    else:
        for path in Path(env["HUIWU_DATA_DIR"]).glob("budget.sqlite*"):
            path.unlink()


def rebuild(system: System, conference_id: str, paid_contract: str) -> None:
    """A fresh budget store fed what the live one was, in the order it came: checklist's
    log, the budget's commands, vendors' log, then the payment."""
    app = BudgetApplication.open(Settings.from_env(system.env()))
    sink = ProcessSink(app)
    at = {"conference_id": conference_id}
    try:
        feed(sink, read_log(system.amqp_uri, "checklist"))
        app.set_budget(conference_id, *command(schemas.SetBudgetSchema(), BUDGET, at))
        app.approve_budget(conference_id, *command(schemas.ApproveBudgetSchema(), APPROVAL, at))
        feed(sink, read_log(system.amqp_uri, "vendors"))
        app.pay_vendor(paid_contract, *command(schemas.PayVendorSchema(), DEPOSIT, at))
    finally:
        app.close()


def feed(sink: ProcessSink, log: list[dict[str, Any]]) -> None:
    for raw in log:
        envelope = envelopes.parse(raw)
        payload = CATALOGS[envelope.service].load_incoming(envelope.event_type, envelope.payload)
        sink.apply(envelope, payload)


def command(schema, body: dict[str, Any], at: dict[str, Any]):
    body = dict(body)
    holder = Principal("0123456789ab", body.pop("actor"), "organizer", at["conference_id"])
    return load_command(schema, body, holder)
