"""A long history, written through the services' own write path: checklist's plans and
vendors' contracts, as their application code records them (the domain aggregates, the
event mapper, the chained recorder), straight into fresh stores and without the broker.

    generate(settings, events) -> {service: events stored}

About four events in five are checklist's (a plan opened: a conference and an event per
entry of the template), one in five vendors' (a vendor added, a contract drafted and
signed, for the conferences opened). Each write is one transaction of the store, as a
command's is, only larger: a plan, or a batch of contracts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from services.checklist import schemas
from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.common.config import Settings
from services.common.domain import CommandContext
from services.common.http import load_command
from services.common.store import ServiceApplication
from services.common.tokens import Principal
from services.vendors.domain import Contract, Vendor

VENDORS_SHARE = 0.2
CONTRACTS_PER_WRITE = 100  # three events each
PLAN = {
    "name": "Asia Pharma Forum",
    "starts_on": "2027-05-12",
    "ends_on": "2027-05-14",
    "city": "Hangzhou",
    "expected_attendance": 500,
    "profile": "academic",
}
Progress = Callable[[int], None]


class _VendorsStore(ServiceApplication):
    name = "vendors"


def generate(settings: Settings, events: int, progress: Progress | None = None) -> dict[str, int]:
    """Write about `events` events (whole plans and contracts: a few hundred more at most)."""
    checklist = ChecklistApplication.open(settings, template=templates.load("conference"))
    vendors = _VendorsStore.open(settings)
    try:
        want_vendors = int(events * VENDORS_SHARE)
        conferences: list[str] = []
        written = {"checklist": 0, "vendors": 0}
        while sum(written.values()) < events:
            if written["checklist"] < events - want_vendors or not conferences:
                conferences.append(_open_plan(checklist, len(conferences)))
                written["checklist"] = checklist.max_notification_id()
            else:
                _contracts(vendors, conferences, len(conferences) + written["vendors"])
                written["vendors"] = vendors.max_notification_id()
            if progress is not None:
                progress(sum(written.values()))
        return written
    finally:
        checklist.close()
        vendors.close()


def _open_plan(app: ChecklistApplication, n: int) -> str:
    body = {**PLAN, "name": f"{PLAN['name']} {n + 1}"}
    holder = Principal("0123456789ab", "wang.lei", "organizer", None)
    command, ctx = load_command(schemas.OpenConferenceSchema(), body, holder)
    return str(app.open_conference(command, ctx).id)


def _contracts(app: ServiceApplication, conferences: list[str], seed: int) -> None:
    """A batch of vendors, each with a venue contract drafted and signed: one write."""
    aggregates: list[Any] = []
    signed_on = dt.date(2027, 1, 15).isoformat()
    for i in range(CONTRACTS_PER_WRITE):
        conference_id = conferences[(seed + i) % len(conferences)]
        ctx = CommandContext.new("zhou.min")
        meta = ctx.meta(conference_id)
        vendor = Vendor(
            vendor_id=uuid.uuid4(),
            conference_id=conference_id,
            name=f"Qiantang Events Group {seed}-{i}",
            categories=["venue"],
            contact_name="Chen Jing",
            contact_email="chen.jing@example.com",
            contact_phone=None,
            meta=meta,
        )
        contract = Contract.draft(
            contract_id=uuid.uuid4(),
            conference_id=conference_id,
            vendor_id=str(vendor.id),
            category="venue",
            scope="conference",
            title="Main hall, three days",
            amount_minor=3_000_000 + i,
            currency="CNY",
            meta=meta,
        )
        contract.sign(signed_on=signed_on, signed_by="zhou.min", meta=meta)
        aggregates += [vendor, contract]
    app.save(*aggregates)
