"""Vendors' aggregates: which events each command records, and what they carry."""

import uuid

import pytest
from eventsourcing.domain import Aggregate

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand
from services.common.http import error_response
from services.vendors.application import VendorsApplication
from services.vendors.domain import (
    Contract,
    ContractAlreadyCancelled,
    ContractNotDraft,
    Vendor,
)
from services.vendors.schemas import ContractAnswer, VendorAnswer

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CONFERENCE = "3f1d2c4b-1111-4c3a-9d2e-000000000001"


def meta(actor="li", causation_id=None):
    ctx = CommandContext(actor=actor, correlation_id="corr-1", causation_id=causation_id)
    return ctx.meta(CONFERENCE)


def draft(**overrides) -> Contract:
    fields = {
        "contract_id": uuid.uuid4(),
        "conference_id": CONFERENCE,
        "vendor_id": "vendor-1",
        "category": "venue",
        "scope": "conference",
        "title": "Main hall, three days",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "meta": meta(),
    }
    fields.update(overrides)
    return Contract.draft(**fields)


class NoConferences:
    """No command of these tests asks whether a conference exists."""

    def exists(self, conference_id):
        raise AssertionError("not asked here")


def names(events) -> list[str]:
    return [type(e).__name__ for e in events]


def test_drafting_records_contract_drafted_with_the_payload_fields():
    contract_id = uuid.uuid4()
    contract = draft(contract_id=contract_id)

    (drafted,) = contract.collect_events()

    assert type(drafted).__name__ == "ContractDrafted"
    assert drafted.originator_id == contract_id == contract.id
    assert drafted.originator_version == 1
    assert drafted.conference_id == CONFERENCE
    assert drafted.vendor_id == "vendor-1"
    assert drafted.category == "venue"
    assert drafted.title == "Main hall, three days"
    assert drafted.amount_minor == 12_000_000
    assert drafted.currency == "CNY"
    assert contract.status == "draft"
    assert contract.signed_on is None


def test_signing_records_contract_signed_with_category_amount_currency_and_date():
    contract = draft(category="av", amount_minor=450_00, currency="USD")
    contract.collect_events()

    contract.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())

    (signed,) = contract.collect_events()
    assert type(signed).__name__ == "ContractSigned"
    assert signed.originator_version == 2
    assert signed.category == "av"
    assert signed.amount_minor == 450_00
    assert signed.currency == "USD"
    assert signed.signed_on == "2026-03-01"
    assert signed.signed_by == "wang"
    assert signed.vendor_id == "vendor-1"
    assert contract.status == "signed"
    assert contract.signed_on == "2026-03-01"
    assert contract.signed_by == "wang"


def test_signing_a_cancelled_contract_is_a_conflict_and_records_nothing():
    contract = draft()
    contract.cancel(reason="venue closed", meta=meta())
    assert names(contract.collect_events()) == ["ContractDrafted", "ContractCancelled"]
    version = contract.version

    with pytest.raises(ContractAlreadyCancelled) as raised:
        contract.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())

    assert isinstance(raised.value, Conflict)
    response = error_response(raised.value)
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "ContractAlreadyCancelled",
        "message": f"contract {contract.id} is cancelled and cannot be signed",
    }
    assert contract.collect_events() == []
    assert contract.version == version
    assert contract.status == "cancelled"


def test_signing_twice_raises_contract_not_draft():
    contract = draft()
    contract.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())
    contract.collect_events()

    with pytest.raises(ContractNotDraft) as raised:
        contract.sign(signed_on="2026-03-02", signed_by="zhao", meta=meta())

    assert isinstance(raised.value, Conflict)
    assert contract.collect_events() == []
    assert contract.signed_on == "2026-03-01"


def test_cancelling_twice_raises_and_records_one_cancellation():
    contract = draft()
    contract.cancel(reason="budget cut", meta=meta())

    with pytest.raises(ContractAlreadyCancelled):
        contract.cancel(reason="again", meta=meta())

    assert names(contract.collect_events()) == ["ContractDrafted", "ContractCancelled"]
    assert contract.cancel_reason == "budget cut"


def test_cancelling_records_whether_the_contract_was_signed():
    unsigned = draft()
    unsigned.cancel(reason="not needed", meta=meta())
    signed = draft()
    signed.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())
    signed.cancel(reason="venue closed", meta=meta())

    assert unsigned.collect_events()[-1].was_signed is False
    cancelled = signed.collect_events()[-1]
    assert type(cancelled).__name__ == "ContractCancelled"
    assert cancelled.was_signed is True
    assert cancelled.category == "venue"
    assert cancelled.reason == "venue closed"


def test_every_event_carries_meta_with_actor_correlation_causation_and_conference():
    contract = draft(meta=meta(actor="li"))
    contract.sign(signed_on="2026-03-01", signed_by="li", meta=meta(actor="wang"))
    contract.cancel(reason="r", meta=meta(actor="zhao", causation_id="cause-9"))

    drafted, signed, cancelled = contract.collect_events()

    assert drafted.meta == {
        "actor": "li",
        "correlation_id": "corr-1",
        "causation_id": None,
        "conference_id": CONFERENCE,
    }
    assert signed.meta["actor"] == "wang"
    assert cancelled.meta == {
        "actor": "zhao",
        "correlation_id": "corr-1",
        "causation_id": "cause-9",
        "conference_id": CONFERENCE,
    }


def test_vendor_added_carries_its_fields_and_meta():
    vendor_id = uuid.uuid4()
    vendor = Vendor(
        vendor_id=vendor_id,
        conference_id=CONFERENCE,
        name="Expo Hall Ltd",
        categories=["venue", "catering"],
        contact_name="Ms Chen",
        contact_email="chen@example.com",
        contact_phone=None,
        meta=meta(),
    )

    (added,) = vendor.collect_events()

    assert type(added).__name__ == "VendorAdded"
    assert added.originator_id == vendor_id
    assert added.categories == ["venue", "catering"]
    assert added.meta["actor"] == "li"
    assert VendorAnswer().dump(vendor) == {
        "vendor_id": str(vendor_id),
        "conference_id": CONFERENCE,
        "name": "Expo Hall Ltd",
        "categories": ["venue", "catering"],
        "contact_name": "Ms Chen",
        "contact_email": "chen@example.com",
        "contact_phone": None,
        "version": 1,
    }


def test_replaying_the_stored_events_rebuilds_the_same_state():
    app = VendorsApplication(env=POPO, conferences=NoConferences())
    vendor = Vendor(
        vendor_id=uuid.uuid4(),
        conference_id=CONFERENCE,
        name="Expo Hall Ltd",
        categories=["venue"],
        contact_name=None,
        contact_email=None,
        contact_phone="+86 10 1234",
        meta=meta(),
    )
    signed = draft(vendor_id=str(vendor.id))
    signed.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())
    cancelled = draft(vendor_id=str(vendor.id), category="catering")
    cancelled.sign(signed_on="2026-03-02", signed_by="wang", meta=meta())
    cancelled.cancel(reason="menu", meta=meta())
    app.save(vendor, signed, cancelled)

    rebuilt_signed = app.repository.get(signed.id)
    rebuilt_cancelled = app.repository.get(cancelled.id)
    rebuilt_vendor = app.repository.get(vendor.id)

    answer = ContractAnswer()
    assert isinstance(rebuilt_signed, Contract)
    assert answer.dump(rebuilt_signed) == answer.dump(signed)
    assert answer.dump(rebuilt_signed)["status"] == "signed"
    assert answer.dump(rebuilt_cancelled) == answer.dump(cancelled)
    assert answer.dump(rebuilt_cancelled)["version"] == 3
    assert answer.dump(rebuilt_cancelled)["cancel_reason"] == "menu"
    assert VendorAnswer().dump(rebuilt_vendor) == VendorAnswer().dump(vendor)
    # a rebuilt aggregate still enforces its rules
    with pytest.raises(ContractAlreadyCancelled):
        rebuilt_cancelled.sign(signed_on="2026-03-03", signed_by="li", meta=meta())


def test_aggregates_are_eventsourcing_aggregates_with_ids_passed_in():
    contract_id = uuid.uuid4()
    assert Contract.create_id(contract_id) == contract_id
    assert issubclass(Contract, Aggregate)
    assert issubclass(Vendor, Aggregate)


@pytest.mark.parametrize("scope", ["conference", "themed_event", "tour", "staff"])
def test_a_contract_s_scope_is_recorded_when_drafted_and_carried_by_each_later_event(scope):
    contract = draft(scope=scope)
    contract.sign(signed_on="2026-03-01", signed_by="wang", meta=meta())
    contract.cancel(reason="venue closed", meta=meta())

    drafted, signed, cancelled = contract.collect_events()

    assert contract.scope == scope
    assert [e.scope for e in (drafted, signed, cancelled)] == [scope] * 3
    assert ContractAnswer().dump(contract)["scope"] == scope


@pytest.mark.parametrize("scope", ["gala", "", "Conference", None])
def test_an_unknown_scope_is_an_invalid_command_naming_scope_and_records_nothing(scope):
    with pytest.raises(InvalidCommand) as raised:
        draft(scope=scope)

    assert raised.value.field == "scope"
    assert "conference, themed_event, tour, staff" in raised.value.message
    assert error_response(raised.value).status_code == 400


EVENTS = (Contract.ContractDrafted, Contract.ContractSigned, Contract.ContractCancelled)


@pytest.mark.parametrize("event_class", EVENTS, ids=lambda c: c.__name__)
def test_contract_events_are_of_class_version_2_and_upcast_version_1_to_the_conference(
    event_class,
):
    stored_by_version_1 = {"vendor_id": "v", "category": "venue", "meta": {}}

    event_class.upcast_v1_v2(stored_by_version_1)

    assert event_class.class_version == 2
    assert stored_by_version_1 == {
        "vendor_id": "v",
        "category": "venue",
        "meta": {},
        "scope": "conference",
    }


@pytest.mark.parametrize("event_class", EVENTS, ids=lambda c: c.__name__)
def test_the_upcast_leaves_a_scope_that_is_there(event_class):
    """A version-2 state that lost its stored class version (not in the chain's digest)
    still loads as it was stored: the upcast does not overwrite its scope."""
    state = {"vendor_id": "v", "scope": "tour"}

    event_class.upcast_v1_v2(state)

    assert state == {"vendor_id": "v", "scope": "tour"}


def test_contract_events_keep_the_topics_they_were_stored_under():
    assert [f"{c.__module__}:{c.__qualname__}" for c in EVENTS] == [
        "services.vendors.domain:Contract.ContractDrafted",
        "services.vendors.domain:Contract.ContractSigned",
        "services.vendors.domain:Contract.ContractCancelled",
    ]
