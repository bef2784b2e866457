"""Commands of the first slice, as a person would send them."""

from __future__ import annotations

from typing import Any

from .system import System, wait_until

CONFERENCE = {
    "name": "Asia Pharma Forum 2027",
    "starts_on": "2027-05-12",
    "ends_on": "2027-05-14",
    "city": "Hangzhou",
    "expected_attendance": 500,
    "profile": "academic",
    "actor": "wang.lei",
}


# Section 1 only (concept, dates, venue: about 30 entries, 1.3.5 among them): the backbone
# tests need one rule, not the 389-entry plan and its events.
SECTION_ONE = {"exclude": [str(section) for section in range(2, 25)]}


def ok(response, status: int = 200) -> Any:
    assert response.status == status, response
    return response.json


def open_conference(system: System, **overrides: Any) -> str:
    body = {**CONFERENCE, **overrides}
    return ok(system["checklist"].post("/conferences", body), 201)["conference_id"]


def add_vendor(
    system: System,
    conference_id: str,
    name: str = "West Lake Expo Centre",
    categories: tuple[str, ...] = ("venue",),
) -> str:
    body = {
        "conference_id": conference_id,
        "name": name,
        "categories": list(categories),
        "actor": "li",
    }
    return ok(system["vendors"].post("/vendors", body), 201)["vendor_id"]


def draft_contract(
    system: System, conference_id: str, vendor_id: str, category: str = "venue", **extra: Any
) -> str:
    body = {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "category": category,
        "title": f"{category} contract",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "actor": "li",
        **extra,
    }
    return ok(system["vendors"].post("/contracts", body), 201)["contract_id"]


def sign(system: System, contract_id: str, **kwargs: Any):
    return system["vendors"].post(
        f"/contracts/{contract_id}/sign", {"signed_on": "2026-12-01", "actor": "li"}, **kwargs
    )


def cancel(system: System, contract_id: str, reason: str = "venue closed for works"):
    return system["vendors"].post(
        f"/contracts/{contract_id}/cancel", {"reason": reason, "actor": "li"}
    )


def entry(system: System, conference_id: str, code: str) -> dict[str, Any]:
    return ok(system["checklist"].get(f"/conferences/{conference_id}/entries/{code}"))


def wait_for_status(system: System, conference_id: str, code: str, status: str, timeout=20.0):
    return wait_until(
        lambda: (e := entry(system, conference_id, code))["status"] == status and e,
        timeout=timeout,
    )


def signed_venue_contract(system: System) -> tuple[str, str]:
    """Open a conference, add a venue, draft and sign its contract: (conference, contract)."""
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    ok(sign(system, contract_id))
    return conference_id, contract_id


def rebuild_audit(system: System) -> dict[str, Any]:
    """Reporting drops its audit trail and replays every upstream log from the start."""
    return ok(system["reporting"].post("/audit/rebuild", {"actor": "auditor"}))


def audit_trail(system: System) -> list[dict[str, Any]]:
    return ok(system["reporting"].get("/audit?limit=10000"))["events"]
