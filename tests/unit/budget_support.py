"""Budget on the in-memory store, and upstream messages built from the contracts: each
payload is checked as its publisher would (`validate_outgoing`) and loaded as budget's
consumer does (`load_incoming`), so that a test cannot feed the policy what no upstream
could publish."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from eventsourcing.persistence import Tracking

from services.budget import commands as c
from services.budget.application import BudgetApplication
from services.budget.views import BudgetViews
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.registry import load
from services.common.sinks import UpstreamEvent

CATALOGS = load().catalogs()
ORGANIZER = CommandContext.new("wang.lei")
VENUE_BUDGET = 30_000_000  # 300 000.00 CNY


def budget_app() -> BudgetApplication:
    return BudgetApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})


def views(app: BudgetApplication) -> BudgetViews:
    return BudgetViews(app)


class Upstream:
    """Messages of the upstream services, numbered in order per service."""

    def __init__(self, conference_id: str) -> None:
        self.conference_id = conference_id
        self.numbers = {
            name: itertools.count(1) for name in ("checklist", "registration", "vendors")
        }
        self.versions: dict[str, itertools.count] = {}

    def envelope(
        self, service: str, event_type: str, aggregate_type: str, aggregate_id: str, payload: dict
    ) -> Envelope:
        CATALOGS[service].validate_outgoing(event_type, payload)
        version = next(self.versions.setdefault(aggregate_id, itertools.count(1)))
        return Envelope(
            event_id=event_id_for(aggregate_id, version),
            event_type=event_type,
            service=service,
            notification_id=next(self.numbers[service]),
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            conference_id=self.conference_id,
            occurred_at="2027-03-01T08:00:00+00:00",
            actor="li.na",
            correlation_id="corr-1",
            causation_id=None,
            schema_version=1,
            payload=payload,
        )

    def conference_opened(self, **extra: Any) -> Envelope:
        payload = {
            "conference_id": self.conference_id,
            "name": "Asia Pharma Forum 2027",
            "starts_on": "2027-05-12",
            "ends_on": "2027-05-14",
            "city": "Hangzhou",
            "expected_attendance": 500,
            "profile": "academic",
            "timezone": "Asia/Shanghai",
            "template": "conference",
            "entry_codes": ["2.4.1"],
            **extra,
        }
        return self.envelope(
            "checklist", "ConferenceOpened", "Conference", self.conference_id, payload
        )

    def contract_signed(self, contract_id: str, amount_minor: int, category: str = "venue"):
        payload = {
            "vendor_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "vendor")),
            "category": category,
            "scope": "conference",
            "amount_minor": amount_minor,
            "currency": "CNY",
            "signed_on": "2027-02-01",
            "signed_by": "wang",
        }
        self.versions.setdefault(contract_id, itertools.count(2))  # drafted first
        return self.envelope("vendors", "ContractSigned", "Contract", contract_id, payload)

    def contract_cancelled(self, contract_id: str, category: str = "venue") -> Envelope:
        payload = {
            "vendor_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "vendor")),
            "category": category,
            "scope": "conference",
            "was_signed": True,
            "reason": "venue closed for works",
        }
        return self.envelope("vendors", "ContractCancelled", "Contract", contract_id, payload)

    def delivery_accepted(self, contract_id: str, category: str = "venue") -> Envelope:
        payload = {
            "contract_id": contract_id,
            "vendor_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "vendor")),
            "category": category,
            "scope": "conference",
        }
        return self.envelope("vendors", "DeliveryAccepted", "Contract", contract_id, payload)

    def payment_received(self, order_id: str, amount_minor: int, fee_minor: int = 0, **extra):
        payload = {
            "payment_id": str(uuid.uuid4()),
            "method": "wechat_pay",
            "amount_minor": amount_minor,
            "currency": "CNY",
            "fee_minor": fee_minor,
            "received_on": "2027-03-03",
            **extra,
        }
        return self.envelope("registration", "PaymentReceived", "Order", order_id, payload)

    def refund_completed(self, order_id: str, amount_minor: int) -> Envelope:
        payload = {
            "refund_id": str(uuid.uuid4()),
            "amount_minor": amount_minor,
            "currency": "CNY",
            "method": "wechat_pay",
            "completed_on": "2027-04-01",
        }
        return self.envelope("registration", "RefundCompleted", "Order", order_id, payload)


def deliver(app: BudgetApplication, env: Envelope) -> None:
    """What the ProcessSink does with a message: the policy's events and the tracking
    record, in one transaction."""
    payload = CATALOGS[env.service].load_incoming(env.event_type, env.payload)
    app.process_event(UpstreamEvent(env, payload), Tracking(env.service, env.notification_id))


def line(name: str, planned_minor: int, income: bool = False, **extra: Any) -> dict[str, Any]:
    behaviour = extra.pop("behaviour", "fixed")
    return {
        "line": name,
        "behaviour": behaviour,
        "planned_minor": planned_minor,
        "income": income,
        **extra,
    }


def approved_budget(app: BudgetApplication, conference_id: str, margin_bp: int = 0, **lines):
    """The conference's budget drafted and approved (version 1): venue and catering."""
    planned = lines or {"venue": VENUE_BUDGET, "catering": 20_000_000}
    app.set_budget(
        conference_id,
        c.SetBudget(lines=tuple(line(k, v) for k, v in planned.items()), currency="CNY"),
        ORGANIZER,
    )
    return app.approve_budget(
        conference_id,
        c.ApproveBudget(approvers=("Chen Jing",), overrun_margin_bp=margin_bp),
        ORGANIZER,
    )


def event_types(app: BudgetApplication, start: int = 1) -> list[str]:
    return [type(app.to_domain_event(n)).__name__ for n in app.select_notifications(start, 100_000)]
