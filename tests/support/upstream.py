"""Upstream events for checklist tests: forged ones for the services that do not emit yet,
and helpers to read the plan, its template and the consumer's progress.

Registration, budget and speakers do not publish their events yet, and their services
are not started in these tests. A `ForgedUpstream` stands in for one of them: it builds
envelopes that pass the envelope schema and the planned payload schema, numbers them 1,
2, 3... as the service's notification log would, serves them as its log (a consumer
applies only what the log holds), and publishes them in that order to `<service>.events`
with the event type as routing key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psycopg

from services.checklist import schemas
from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.common import envelope as envelopes
from services.common import registry
from services.common.config import Settings
from services.common.http import load_command
from services.common.tokens import Principal

from . import amqp
from .database import DATABASE_URL
from .slice import CONFERENCE, ok
from .stores import provision_postgres
from .system import ServiceProcess, System, wait_until
from .upstream_log import ServedLog

AGGREGATE_TYPES = {
    "registration": {
        "RegistrationOpened": "RegistrationSetup",
        "FeeScheduleSet": "RegistrationSetup",
        "OrderPlaced": "Order",
        "OrderPaid": "Order",
        "OrderCancelled": "Order",
        "FapiaoIssued": "Fapiao",
        "FapiaoHandedOver": "Fapiao",
        "FapiaoReversed": "Fapiao",
        "SurveyResponseReceived": "SurveyResponse",
    },
    "budget": {
        "BudgetApproved": "Budget",
        "SponsorshipPlanApproved": "SponsorshipPlan",
        "SponsorSigned": "Sponsorship",
        "SponsorshipPaid": "Sponsorship",
        "SponsorshipSettled": "Sponsorship",
        "SponsorThanked": "Sponsorship",
        "SponsorInvoiceIssued": "Sponsorship",
        "SponsorshipCancelled": "Sponsorship",
        "SettlementCompleted": "Settlement",
    },
    "speakers": {},
}
DEFAULT_AGGREGATE = {"registration": "Attendee", "budget": "LedgerEntry", "speakers": "Speaker"}
EPOCH = dt.datetime(2027, 1, 4, 1, 0, tzinfo=dt.UTC)


class ForgedUpstream:
    """Stands in for `service`: valid envelopes numbered 1, 2, 3..., published in order."""

    def __init__(
        self, uri: str, service: str, conference_id: str | None = None, actor: str = "zhao"
    ) -> None:
        self.uri = uri
        self.service = service
        self.conference_id = conference_id
        self.actor = actor
        self.catalog = registry.load().catalog(service)
        self.log: list[dict[str, Any]] = []  # what was sent, by notification id - 1
        self._versions: dict[str, int] = {}
        self.served = ServedLog(uri, service, self.log)  # until the virtual host goes

    def envelope(
        self,
        event_type: str,
        aggregate_id: str | None = None,
        *,
        conference_id: str | None = None,
        **payload: Any,
    ) -> dict[str, Any]:
        """The next envelope of the log (not published): all 14 fields, a valid payload."""
        self.catalog.validate_outgoing(event_type, payload)  # strict, as the relay would
        aggregate_id = aggregate_id or str(uuid.uuid4())
        version = self._versions.get(aggregate_id, 0) + 1
        self._versions[aggregate_id] = version
        notification_id = len(self.log) + 1
        forged = {
            "event_id": envelopes.event_id_for(aggregate_id, version),
            "event_type": event_type,
            "service": self.service,
            "notification_id": notification_id,
            "aggregate_type": AGGREGATE_TYPES[self.service].get(
                event_type, DEFAULT_AGGREGATE[self.service]
            ),
            "aggregate_id": aggregate_id,
            "aggregate_version": version,
            "conference_id": conference_id or self.conference_id,
            # deterministic, so a replay of the same log gives the same proofs
            "occurred_at": (EPOCH + dt.timedelta(minutes=notification_id)).isoformat(),
            "actor": self.actor,
            "correlation_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{aggregate_id}/{version}")),
            "causation_id": None,
            "schema_version": self.catalog.schema_version(event_type),
            "payload": payload,
        }
        envelopes.parse(forged)  # the envelope schema a consumer applies
        self.log.append(forged)
        return forged

    def emit(self, event_type: str, aggregate_id: str | None = None, **payload: Any) -> dict:
        """Build the next envelope and publish it; returns it."""
        forged = self.envelope(event_type, aggregate_id, **payload)
        amqp.publish(self.uri, self.service, forged)
        return forged

    def republish(self, notification_id: int) -> dict[str, Any]:
        """Publish again a message already sent (a duplicate delivery)."""
        forged = self.log[notification_id - 1]
        amqp.publish(self.uri, self.service, forged)
        return forged

    def republish_all(self) -> None:
        """Publish the whole log again, in order (a fresh consumer reads it from 1)."""
        for forged in self.log:
            amqp.publish(self.uri, self.service, forged)


# -- the template ----------------------------------------------------------------------
def template() -> templates.Template:
    return templates.load("conference")


def named_proof(code: str) -> str:
    """The key of the first proof an entry of the template names."""
    return template().entry(code).evidence[0]["proof"]


def by_hand(code: str, reference: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Evidence for verifying an entry by hand: its first named proof, and where it is."""
    return [{"proof": named_proof(code), "reference": reference or {"note": "in the archive"}}]


def rule_codes(
    predicate: Callable[[templates.TemplateEntry], bool], profile: str = "academic"
) -> list[str]:
    """Codes of the profile's entries that have a rule and satisfy `predicate`."""
    return [e.code for e in template().select(profile) if e.rule and predicate(e)]


def single_rule(event: str, **where: Any) -> list[str]:
    """Entries verified by one `event` whose `where` is exactly `where`, as the YAML writes
    it: `single_rule("budget.BudgetApproved", scope="conference", ceiling_minor={">=": 1})`."""
    return rule_codes(
        lambda e: (
            e.rule.kind == "event" and e.rule.event == event and e.rule.to_dict()["where"] == where
        )
    )


def concerned(event: str, payload: dict[str, Any]) -> dict[str, str]:
    """{code: role} of the academic plan's entries that an event changes."""
    plan = {e.code for e in template().select("academic")}
    return {c: r for c, r in template().rules.concerned(event, payload) if c in plan}


def listening_to(service: str, profile: str = "academic") -> list[str]:
    """Codes whose rule listens to at least one event of `service`."""
    return rule_codes(
        lambda e: any(k.startswith(f"{service}.") for k in e.rule.event_keys()), profile
    )


# -- the plan, through checklist's API -------------------------------------------------
def open_plan(system: System, **overrides: Any) -> str:
    body = {**CONFERENCE, **overrides}
    return ok(system["checklist"].post("/conferences", body), 201)["conference_id"]


def entry(system: System, conference_id: str, code: str) -> dict[str, Any]:
    return ok(system["checklist"].get(f"/conferences/{conference_id}/entries/{code}"))


def wait_entry(
    system: System,
    conference_id: str,
    code: str,
    timeout: float = 20.0,
    **expected: Any,
) -> dict[str, Any]:
    """Poll one entry until each named field has the value given (`percent` for progress)."""

    def matches() -> dict[str, Any] | None:
        found = entry(system, conference_id, code)
        view = {**found, "percent": found["progress"]["percent"]}
        return found if all(view[k] == v for k, v in expected.items()) else None

    return wait_until(matches, timeout=timeout)


def consumed(service: ServiceProcess, upstream: str, outcome: str) -> float:
    return service.metric("huiwu_consumer_messages_total", upstream=upstream, outcome=outcome)


def wait_consumed(service: ServiceProcess, upstream: str, outcome: str, count: int) -> None:
    wait_until(lambda: consumed(service, upstream, outcome) == count)


def stored(service: ServiceProcess) -> float:
    return service.metric("huiwu_events_stored", service=service.name)


def summary(found: dict[str, Any]) -> tuple:
    """What a rule made of an entry, without the ids of the events that did it."""
    return (
        found["code"],
        found["status"],
        found["progress"],
        found["members"],
        found["target"],
        [p.get("event_type") or p.get("kind") for p in found["proofs"]],
    )


# -- checklist's own events, captured from its exchange ---------------------------------
class Captured:
    """A queue bound to `checklist.events`: every event checklist publishes from now on."""

    def __init__(self, uri: str, service: str = "checklist") -> None:
        self.uri = uri
        self.queue = amqp.capture(uri, service, f"test.{service}.{uuid.uuid4().hex[:8]}")
        self.seen: list[dict[str, Any]] = []

    def events(self) -> list[dict[str, Any]]:
        self.seen += [body for body, _ in amqp.drain(self.uri, self.queue.name)]
        return self.seen

    def of(self, event_type: str, aggregate_id: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events()
            if e["event_type"] == event_type
            and (aggregate_id is None or e["aggregate_id"] == aggregate_id)
        ]

    def wait_for(
        self, event_type: str, aggregate_id: str | None = None, count: int = 1
    ) -> list[dict[str, Any]]:
        return wait_until(
            lambda: len(found := self.of(event_type, aggregate_id)) >= count and found
        )


# -- rebuilding checklist from zero ----------------------------------------------------
def wipe_checklist_store(system: System) -> None:
    env = system.store_env
    if "HUIWU_DATABASE_URL" in env:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{env["HUIWU_SCHEMA_PREFIX"]}checklist" CASCADE')
        provision_postgres(DATABASE_URL, env["HUIWU_SCHEMA_PREFIX"])  # empty, as set up
    else:
        for path in Path(env["HUIWU_DATA_DIR"]).glob("checklist.sqlite*"):
            path.unlink()


def replay_open_conference(system: System, conference_id: str, **overrides: Any) -> None:
    """Give a fresh checklist store the command that opened the conference, as it came."""
    settings = Settings.from_env(system.env())
    app = ChecklistApplication.open(settings, template=templates.load("conference"))
    try:
        body = {**CONFERENCE, **overrides, "conference_id": conference_id}
        holder = Principal("0123456789ab", body.pop("actor"), "organizer", conference_id)
        command, ctx = load_command(schemas.OpenConferenceSchema(), body, holder)
        app.open_conference(command, ctx)
    finally:
        app.close()


def codes_of(entries: Iterable[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in entries]
