"""Checklist's policy: upstream events verify and re-open entries, with tracking."""

import dataclasses
import uuid

import pytest
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import IntegrityError, Tracking

from services.checklist.domain import Conference, entry_id
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.sinks import UpstreamEvent
from services.vendors.events import CATALOG as VENDORS
from tests.unit.checklist_plans import checklist, entry, opening, plan

CONTRACT = str(uuid.uuid4())
VENDOR = str(uuid.uuid4())


@pytest.fixture
def app():
    app = checklist("starter")
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    conference = app.open_conference(opening(), CommandContext.new("li"))
    assert isinstance(conference, Conference)
    return str(conference.id)


def signed(conference_id, notification_id=1, category="venue", contract=CONTRACT, version=2):
    payload = {
        "vendor_id": VENDOR,
        "category": category,
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "signed_on": "2026-03-01",
        "signed_by": "wang",
    }
    return envelope("ContractSigned", conference_id, notification_id, payload, contract, version)


def cancelled(conference_id, notification_id=2, contract=CONTRACT, version=3):
    payload = {"vendor_id": VENDOR, "category": "venue", "was_signed": True, "reason": "closed"}
    return envelope("ContractCancelled", conference_id, notification_id, payload, contract, version)


def envelope(event_type, conference_id, notification_id, payload, contract, version) -> Envelope:
    return Envelope(
        event_id=event_id_for(contract, version),
        event_type=event_type,
        service="vendors",
        notification_id=notification_id,
        aggregate_type="Contract",
        aggregate_id=contract,
        aggregate_version=version,
        conference_id=conference_id,
        occurred_at=f"2026-03-01T0{version}:00:00+00:00",
        actor="wang",
        correlation_id="corr-7",
        causation_id=None,
        schema_version=1,
        payload=payload,
    )


def run_policy(app, env: Envelope) -> None:
    """What the ProcessSink does with a delivered message: the policy's events and the
    tracking record, in one transaction."""
    payload = VENDORS.load_incoming(env.event_type, env.payload)
    app.process_event(UpstreamEvent(env, payload), Tracking(env.service, env.notification_id))


def last_event_name(app) -> str:
    (notification,) = app.select_notifications(app.max_notification_id(), 1)
    return type(app.mapper.to_domain_event(notification)).__name__


def tracked(app) -> int:
    return app.process_recorder.max_tracking_id("vendors") or 0


def test_opening_a_conference_plans_every_template_entry_with_due_dates(app, conference_id):
    planned = plan(app, conference_id)
    codes = [e.code for e in app.template.entries]

    assert [e["code"] for e in planned["entries"]] == codes
    assert planned["conference"]["entries"] == len(codes)
    assert all(e["status"] == "open" for e in planned["entries"])
    assert entry(app, conference_id, "1.3.5")["due_on"] == "2026-06-12"  # 120 days before
    assert app.max_notification_id() == 1 + len(codes)


def test_a_signed_venue_contract_verifies_1_3_5_with_its_proof(app, conference_id):
    stored = app.max_notification_id()
    env = signed(conference_id)

    run_policy(app, env)

    verified = entry(app, conference_id, "1.3.5")
    assert verified["status"] == "verified"
    (proof,) = verified["proofs"]
    assert proof == {
        "service": "vendors",
        "event_type": "ContractSigned",
        "event_id": env.event_id,
        "notification_id": 1,
        "aggregate_id": CONTRACT,
        "occurred_at": env.occurred_at,
        "actor": "wang",
    }
    assert app.max_notification_id() == stored + 1
    assert last_event_name(app) == "EntryVerified"
    assert tracked(app) == 1
    assert entry(app, conference_id, "1.3.1")["status"] == "open"


def test_the_recorded_event_names_its_cause(app, conference_id):
    env = signed(conference_id)
    run_policy(app, env)

    (notification,) = app.select_notifications(app.max_notification_id(), 1)
    event = app.mapper.to_domain_event(notification)

    assert event.meta == {
        "actor": "wang",
        "correlation_id": "corr-7",
        "causation_id": env.event_id,
        "conference_id": conference_id,
    }


def test_a_cancelled_contract_reopens_the_entry_it_verified(app, conference_id):
    run_policy(app, signed(conference_id, notification_id=1))

    run_policy(app, cancelled(conference_id, notification_id=2))

    reopened = entry(app, conference_id, "1.3.5")
    assert reopened["status"] == "open"
    assert reopened["proofs"] == []
    assert last_event_name(app) == "EntryReopened"
    assert tracked(app) == 2


def test_cancelling_one_of_two_venue_contracts_keeps_the_entry_verified(app, conference_id):
    other = str(uuid.uuid4())
    run_policy(app, signed(conference_id, notification_id=1))
    run_policy(app, signed(conference_id, notification_id=2, contract=other))

    run_policy(app, cancelled(conference_id, notification_id=3))

    still = entry(app, conference_id, "1.3.5")
    assert still["status"] == "verified"
    assert [p["aggregate_id"] for p in still["proofs"]] == [other]
    assert last_event_name(app) == "EntryProofWithdrawn"


def test_a_signed_catering_contract_does_nothing_but_is_tracked(app, conference_id):
    stored = app.max_notification_id()

    run_policy(app, signed(conference_id, notification_id=1, category="catering"))

    assert app.max_notification_id() == stored
    assert entry(app, conference_id, "1.3.5")["status"] == "open"
    assert tracked(app) == 1


def test_cancelling_a_contract_that_verified_nothing_does_nothing(app, conference_id):
    stored = app.max_notification_id()

    run_policy(app, cancelled(conference_id, notification_id=5))

    assert app.max_notification_id() == stored
    assert tracked(app) == 5


def test_an_event_of_a_conference_without_a_plan_does_nothing_but_is_tracked(app, conference_id):
    stored = app.max_notification_id()

    run_policy(app, signed(str(uuid.uuid4()), notification_id=1))
    run_policy(app, signed(None, notification_id=2))

    assert app.max_notification_id() == stored
    assert entry(app, conference_id, "1.3.5")["status"] == "open"
    assert tracked(app) == 2


def test_a_venue_contract_of_one_conference_does_not_verify_another(app, conference_id):
    other = str(app.open_conference(opening(name="Other"), CommandContext.new("li")).id)

    run_policy(app, signed(conference_id))

    assert entry(app, conference_id, "1.3.5")["status"] == "verified"
    assert entry(app, other, "1.3.5")["status"] == "open"


def test_the_same_notification_twice_is_refused_by_tracking(app, conference_id):
    run_policy(app, signed(conference_id, notification_id=1))
    stored = app.max_notification_id()

    with pytest.raises(IntegrityError):
        run_policy(app, signed(conference_id, notification_id=1))

    assert app.max_notification_id() == stored
    assert len(entry(app, conference_id, "1.3.5")["proofs"]) == 1


def test_the_same_upstream_events_reach_the_same_state_in_a_fresh_store():
    conference_id = uuid.UUID("0d2a6a1e-3333-4f4f-9a9a-000000000003")
    ctx = CommandContext(actor="li", correlation_id="corr-1")
    envelopes = [
        signed(str(conference_id), notification_id=1),
        signed(str(conference_id), notification_id=2, contract=str(uuid.UUID(int=7))),
        cancelled(str(conference_id), notification_id=3),
        signed(str(conference_id), notification_id=4, category="av"),
    ]
    plans = []
    for _ in range(2):
        app = checklist("starter")
        app.open_conference(opening(conference_id=conference_id), ctx)
        for env in envelopes:
            run_policy(app, env)
        plans.append(plan(app, conference_id))
        app.close()

    assert plans[0] == plans[1]
    assert next(e for e in plans[0]["entries"] if e["code"] == "1.3.5")["status"] == "verified"


def test_entry_ids_of_the_plan_are_found_by_conference_and_code(app, conference_id):
    entry_of_plan = app.repository.get(entry_id(conference_id, "1.3.5"))

    assert entry_of_plan.code == "1.3.5"
    assert entry_of_plan.conference_id == conference_id
    assert entry_of_plan.id == entry_id(conference_id, "1.3.5")


def test_the_policy_collects_its_events_on_the_processing_event_and_saves_nothing(
    app, conference_id
):
    stored = app.max_notification_id()
    env = signed(conference_id)
    processing = ProcessingEvent(Tracking("vendors", 1))

    app.policy(UpstreamEvent(env, VENDORS.load_incoming(env.event_type, env.payload)), processing)

    (verified,) = processing.events
    assert type(verified).__name__ == "EntryVerified"
    assert verified.originator_id == entry_id(conference_id, "1.3.5")
    assert app.max_notification_id() == stored  # recorded only with its tracking record
    assert tracked(app) == 0


def test_a_for_all_rule_pairs_contracts_with_the_vendors_they_are_signed_with():
    """Every venue added has a contract of at least 10,000 CNY signed with it: the
    contract (another aggregate) completes the vendor its `vendor_id` names."""
    from services.checklist.application import ChecklistApplication
    from tests.unit.checklist_plans import POPO, one_rule_template

    rule = {
        "for_all": "vendors.VendorAdded",
        "where": {"categories": "venue"},
        "require": "vendors.ContractSigned",
        "require_where": {"amount_minor": {">=": 1_000_000}},
        "pair_by": "vendor_id",
    }
    app = ChecklistApplication(env=POPO, template=one_rule_template(rule, code="1.3.5"))
    try:
        conference_id = str(app.open_conference(opening(), CommandContext.new("li")).id)
        venue = str(uuid.uuid4())
        added = {
            "vendor_id": venue,
            "conference_id": conference_id,
            "name": "West Lake Expo Centre",
            "categories": ["venue"],
            "contact_name": None,
            "contact_email": None,
            "contact_phone": None,
        }
        run_policy(app, envelope("VendorAdded", conference_id, 1, added, venue, 1))
        assert entry(app, conference_id, "1.3.5")["status"] != "verified"

        small = str(uuid.uuid4())  # a deposit-sized contract does not count: a near miss
        run_policy(app, signed_with(conference_id, 2, venue, 500, contract=small))
        assert entry(app, conference_id, "1.3.5")["status"] != "verified"

        run_policy(app, signed_with(conference_id, 3, venue, 12_000_000))

        verified = entry(app, conference_id, "1.3.5")
        assert verified["status"] == "verified"
        assert verified["proofs"][-1]["last"]["aggregate_id"] == CONTRACT
    finally:
        app.close()


def signed_with(conference_id, notification_id, vendor_id, amount, contract=CONTRACT):
    """A contract signed with that vendor, for that amount."""
    env = signed(conference_id, notification_id, contract=contract)
    payload = {**env.payload, "vendor_id": vendor_id, "amount_minor": amount}
    return dataclasses.replace(env, payload=payload)
