"""The envelope: meta moves out of the payload, ids are stable, parsing names the field."""

import datetime as dt
import json
import uuid

import pytest
from marshmallow import ValidationError

from services.common import envelope as envelopes
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for, from_domain_event, parse
from services.vendors.domain import Contract

CONFERENCE = "7a7a7a7a-4444-4b4b-8c8c-000000000004"


def contract_events(ctx=None):
    ctx = ctx or CommandContext(actor="li", correlation_id="corr-1", causation_id="cause-1")
    contract = Contract.draft(
        contract_id=uuid.uuid4(),
        conference_id=CONFERENCE,
        vendor_id="vendor-1",
        category="venue",
        scope="conference",
        title="Main hall",
        amount_minor=12_000_000,
        currency="CNY",
        meta=ctx.meta(CONFERENCE),
    )
    contract.sign(signed_on="2026-03-01", signed_by="wang", meta=ctx.meta(CONFERENCE))
    return contract, contract.collect_events()


def envelope_of(event, notification_id=1) -> Envelope:
    return from_domain_event(
        event, service="vendors", notification_id=notification_id, schema_version=1
    )


def valid() -> dict:
    _, (drafted, _) = contract_events()
    return envelope_of(drafted).to_dict()


def test_meta_goes_into_the_envelope_fields_not_the_payload():
    contract, (drafted, signed) = contract_events()

    env = envelope_of(signed, notification_id=9)

    assert env.actor == "li"
    assert env.correlation_id == "corr-1"
    assert env.causation_id == "cause-1"
    assert env.conference_id == CONFERENCE
    assert env.service == "vendors"
    assert env.notification_id == 9
    assert env.event_type == "ContractSigned"
    assert env.aggregate_type == "Contract"
    assert env.aggregate_id == str(contract.id)
    assert env.aggregate_version == 2
    assert env.schema_version == 1
    assert env.payload == {
        "vendor_id": "vendor-1",
        "category": "venue",
        "scope": "conference",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "signed_on": "2026-03-01",
        "signed_by": "wang",
    }
    for key in ("meta", "originator_id", "originator_version", "timestamp", "originator_topic"):
        assert key not in env.payload
        assert key not in envelope_of(drafted).payload


def test_payload_values_are_json_values():
    contract, (drafted, _) = contract_events()

    env = envelope_of(drafted)

    assert env.payload["contract_id"] == str(contract.id)
    assert env.payload["amount_minor"] == 12_000_000
    json.dumps(env.payload)  # raises if anything is not JSON


def test_the_event_id_is_deterministic_for_aggregate_and_version():
    contract, (drafted, signed) = contract_events()

    assert envelope_of(drafted).event_id == event_id_for(contract.id, 1)
    assert envelope_of(signed).event_id == event_id_for(contract.id, 2)
    assert envelope_of(drafted, 1).event_id == envelope_of(drafted, 5).event_id
    assert event_id_for(contract.id, 1) == event_id_for(str(contract.id), 1)
    assert event_id_for(contract.id, 1) != event_id_for(contract.id, 2)
    assert event_id_for(contract.id, 1) != event_id_for(uuid.uuid4(), 1)
    assert uuid.UUID(envelope_of(drafted).event_id).version == 5


def test_occurred_at_is_utc_iso_8601_with_an_offset():
    _, (drafted, _) = contract_events()

    occurred = envelope_of(drafted).occurred_at

    parsed = dt.datetime.fromisoformat(occurred)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert occurred.endswith("+00:00")
    assert parsed == drafted.timestamp


def test_times_in_other_zones_and_naive_times_become_utc():
    shanghai = dt.timezone(dt.timedelta(hours=8))

    assert envelopes.to_json_value(dt.datetime(2026, 3, 1, 10, 0, tzinfo=shanghai)) == (
        "2026-03-01T02:00:00+00:00"
    )
    assert envelopes.to_json_value(dt.datetime(2026, 3, 1, 10, 0)) == "2026-03-01T10:00:00+00:00"
    assert envelopes.to_json_value(dt.date(2026, 3, 1)) == "2026-03-01"
    assert envelopes.to_json_value({"at": [dt.date(2026, 3, 1)]}) == {"at": ["2026-03-01"]}


def test_an_event_without_meta_is_attributed_to_the_system():
    class Bare:
        pass

    event = Bare()
    event.originator_id = uuid.uuid4()
    event.originator_version = 1
    event.timestamp = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    event.amount_minor = 5

    env = from_domain_event(event, service="budget", notification_id=1, schema_version=1)

    assert env.actor == "system"
    assert env.correlation_id == event_id_for(event.originator_id, 0)
    assert env.causation_id is None
    assert env.conference_id is None
    assert env.payload == {"amount_minor": 5}


def test_to_json_round_trips_through_parse():
    _, (drafted, signed) = contract_events()
    for env in (envelope_of(drafted, 3), envelope_of(signed, 4)):
        raw = env.to_json()

        assert isinstance(raw, bytes)
        assert parse(raw) == env
        assert parse(raw.decode("utf-8")) == env
        assert parse(env.to_dict()) == env


def test_the_envelope_has_exactly_the_fields_of_the_design():
    assert set(valid()) == {
        "event_id",
        "event_type",
        "service",
        "notification_id",
        "aggregate_type",
        "aggregate_id",
        "aggregate_version",
        "conference_id",
        "occurred_at",
        "actor",
        "correlation_id",
        "causation_id",
        "schema_version",
        "payload",
    }


@pytest.mark.parametrize(
    "missing",
    [
        "event_id",
        "event_type",
        "service",
        "notification_id",
        "aggregate_id",
        "conference_id",
        "occurred_at",
        "actor",
        "correlation_id",
        "causation_id",
        "payload",
    ],
)
def test_parse_rejects_a_missing_field_naming_it(missing):
    data = valid()
    del data[missing]

    with pytest.raises(ValidationError) as raised:
        parse(json.dumps(data))

    assert missing in raised.value.messages


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notification_id", 0),
        ("notification_id", -3),
        ("notification_id", "4"),
        ("aggregate_version", 0),
        ("event_id", "not-a-uuid"),
        ("occurred_at", "2026-03-01T10:00:00"),  # no offset
        ("occurred_at", "yesterday"),
        ("actor", ""),
        ("payload", [1, 2]),
        ("schema_version", 0),
    ],
)
def test_parse_rejects_a_bad_field_naming_it(field, value):
    data = valid()
    data[field] = value

    with pytest.raises(ValidationError) as raised:
        parse(json.dumps(data))

    assert field in raised.value.messages


def test_parse_rejects_an_unknown_field():
    data = {**valid(), "extra": 1}

    with pytest.raises(ValidationError) as raised:
        parse(json.dumps(data))

    assert "extra" in raised.value.messages


@pytest.mark.parametrize("raw", [b"not json", b"{", "", b"\xff\xfe"])
def test_parse_rejects_what_is_not_json(raw):
    with pytest.raises(ValidationError) as raised:
        parse(raw)

    assert "_schema" in raised.value.messages


@pytest.mark.parametrize("raw", [b"[1, 2]", b"42", b'"text"', b"null"])
def test_parse_rejects_json_that_is_not_an_object(raw):
    with pytest.raises(ValidationError) as raised:
        parse(raw)

    assert "_schema" in raised.value.messages


def test_the_conference_and_cause_may_be_null():
    data = {**valid(), "conference_id": None, "causation_id": None}

    env = parse(json.dumps(data))

    assert env.conference_id is None
    assert env.causation_id is None


def test_acting_for_someone_else_adds_one_optional_field():
    data = {**valid(), "on_behalf_of": "李总 (CEO)"}

    env = parse(data)

    assert env.on_behalf_of == "李总 (CEO)"
    assert env.to_dict() == data
    assert parse(env.to_json()) == env
    assert parse(valid()).on_behalf_of is None


def test_unpublished_fields_stay_in_the_store_and_unset_optional_ones_are_left_out():
    from typing import Any

    from eventsourcing.domain import Aggregate, event

    class Guest(Aggregate):
        class GuestAdded(Aggregate.Created):
            company: str | None
            email: str
            meta: dict[str, Any]
            unpublished = ("email",)
            published_when_set = ("company",)

        @event(GuestAdded)
        def __init__(self, company: str | None, email: str, meta: dict[str, Any]) -> None:
            self.email = email

    meta = CommandContext(actor="li", correlation_id="c").meta(CONFERENCE)
    alone, with_company = (
        Guest(company=company, email="li@example.cn", meta=meta).collect_events()[0]
        for company in (None, "ACME")
    )

    assert alone.email == "li@example.cn"  # the aggregate's event keeps it
    assert envelope_of(alone).payload == {}
    assert envelope_of(with_company).payload == {"company": "ACME"}


def _published_json():
    _, (drafted, _) = contract_events()
    return envelope_of(drafted, 3).to_json()


def test_an_envelope_in_the_form_services_publish_it_is_valid_without_the_schema():
    data = json.loads(_published_json())
    assert envelopes._plainly_valid(data)
    assert envelopes.parse(json.dumps(data)) == Envelope(**data)


@pytest.mark.parametrize(
    "change",
    [
        {"notification_id": 0},
        {"notification_id": True},
        {"notification_id": "5"},
        {"event_id": "not-a-uuid"},
        {"occurred_at": "2027-13-45T00:00:00+00:00"},
        {"occurred_at": "2027-01-01T00:00:00"},
        {"actor": ""},
        {"payload": []},
        {"chain_link": "ABC"},
        {"conference_id": 7},
        {"extra": 1},
    ],
)
def test_what_the_schema_refuses_is_never_plainly_valid(change):
    """The quick check only ever says yes to what the schema takes: anything else goes to
    the schema, which says why (or takes a rarer spelling)."""
    data = {**json.loads(_published_json()), **change}
    assert not envelopes._plainly_valid(data)
    schema_refuses = True
    try:
        envelopes.EnvelopeSchema().load(data)
        schema_refuses = False
    except ValidationError:
        pass
    if schema_refuses:
        with pytest.raises(ValidationError):
            envelopes.parse(json.dumps(data))
