"""The `huiwu` command line against real services: the slice, the audit trail, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

from tests.support.slice import signed_venue_contract
from tests.support.system import ROOT, System, free_port, wait_until


def huiwu(
    system: System, *args: str, as_: str = "li", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a person would, with the system's addresses and the token
    of `as_` (an admin) in HUIWU_TOKEN."""
    return subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": system.token(as_), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result
    return result.stdout


def test_the_slice_through_the_command_line(sqlite_system):
    system = sqlite_system.start("checklist", "vendors", "reporting")
    conference_id = ok(
        huiwu(
            system,
            *("conference", "open", "--name", "Asia Pharma Forum 2027", "--city", "Hangzhou"),
            *("--start", "2027-05-12", "--end", "2027-05-14", "--attendance", "500"),
            *("--profile", "academic"),
            as_="wang.lei",
        )
    ).strip()
    assert uuid.UUID(conference_id)
    vendor_id = ok(
        huiwu(
            system,
            *("vendor", "add", "--conference", conference_id, "--name", "West Lake Expo"),
            *("--category", "venue", "--contact-email", "sales@example.com"),
        )
    ).strip()
    contract_id = ok(
        huiwu(
            system,
            *("contract", "draft", "--conference", conference_id, "--vendor", vendor_id),
            *("--category", "venue", "--title", "Main hall", "--amount", "120000.10"),
        )
    ).strip()

    signed = ok(huiwu(system, "contract", "sign", contract_id, "--on", "2026-12-01"))
    assert "signed on 2026-12-01 by li" in signed
    assert "120,000.10 CNY" in signed
    contract = json.loads(ok(huiwu(system, "contract", "show", contract_id, "--json")))
    assert contract["amount_minor"] == 12_000_010
    assert contract["status"] == "signed"

    def verified() -> str | None:
        out = ok(huiwu(system, "checklist", "show", conference_id, "--status", "verified"))
        rows = [line for line in out.splitlines() if line.startswith("1.3.5 ")]
        return out if rows and "verified" in rows[0] else None

    table = wait_until(verified, timeout=30)
    assert "vendors.ContractSigned by li" in table

    def trail() -> list[dict] | None:
        out = ok(huiwu(system, "audit", "show", "--conference", conference_id, "--json"))
        events = json.loads(out)["events"]
        return events if any(e["event_type"] == "ContractSigned" for e in events) else None

    events = wait_until(trail, timeout=30)
    signed_event = next(e for e in events if e["event_type"] == "ContractSigned")
    assert signed_event["actor"] == "li"
    assert signed_event["aggregate_id"] == contract_id
    opened = next(e for e in events if e["event_type"] == "ConferenceOpened")
    assert opened["actor"] == "wang.lei"
    assert "ContractSigned" in ok(huiwu(system, "audit", "show", "--service", "vendors"))

    cancelled = ok(huiwu(system, "contract", "cancel", contract_id, "--reason", "venue closed"))
    assert "cancelled: venue closed" in cancelled
    wait_until(
        lambda: (
            "1.3.5 " in ok(huiwu(system, "checklist", "show", conference_id, "--status", "open"))
        )
    )

    again = huiwu(system, "contract", "sign", contract_id)
    assert again.returncode == 1
    assert "refused" in again.stderr and "cancelled" in again.stderr


def test_audit_rebuild_with_every_service_up(sqlite_system):
    system = sqlite_system.start(
        "registration", "budget", "vendors", "speakers", "checklist", "reporting"
    )
    assert "up" in ok(huiwu(system, "status"))
    conference_id, _ = signed_venue_contract(system)

    def trail_types() -> set[str] | None:
        out = ok(huiwu(system, "audit", "show", "--conference", conference_id, "--json"))
        types = {e["event_type"] for e in json.loads(out)["events"]}
        return types if {"ContractSigned", "EntryVerified"} <= types else None

    before = wait_until(trail_types, timeout=30)
    rebuilt = huiwu(system, "audit", "rebuild")
    assert rebuilt.returncode == 0, rebuilt
    assert "audit trail rebuilt" in rebuilt.stdout
    assert trail_types() == before


def test_a_400_names_the_field_and_exits_2(sqlite_system):
    system = sqlite_system.start("checklist", "vendors")
    unknown = str(uuid.uuid4())
    result = huiwu(system, "vendor", "add", "--conference", unknown, "--name", "Expo Hall")
    assert result.returncode == 2, result
    assert "conference_id" in result.stderr
    assert f"unknown conference {unknown}" in result.stderr


def test_status_exits_1_and_names_what_is_down(sqlite_system):
    system = sqlite_system.start("checklist")
    result = huiwu(system, "status")
    assert result.returncode == 1
    assert "not up: registration, budget, vendors, speakers, reporting" in result.stderr
    checklist_row = next(
        line for line in result.stdout.splitlines() if line.startswith("checklist")
    )
    assert " up " in checklist_row


def test_an_unreachable_service_exits_1_saying_where(sqlite_system):
    port = free_port()
    result = huiwu(
        sqlite_system, "contract", "show", str(uuid.uuid4()), HUIWU_PORT_VENDORS=str(port)
    )
    assert result.returncode == 1
    assert f"cannot reach vendors at http://127.0.0.1:{port}" in result.stderr
    assert "huiwu up" in result.stderr
