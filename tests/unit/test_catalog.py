"""Event catalogues: strict outgoing, lenient incoming, and complete for every aggregate."""

import datetime as dt
import uuid

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Tracking
from marshmallow import Schema, ValidationError, fields

from services.checklist import commands as checklist_commands
from services.checklist import domain as checklist_domain
from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.events import CATALOG as CHECKLIST
from services.common.catalog import Catalogs, EventCatalog, EventSchema, Part, UnknownEventType
from services.common.domain import CommandContext
from services.common.envelope import Envelope, build_envelope, event_id_for
from services.common.fields import money_minor
from services.common.sinks import UpstreamEvent
from services.vendors import commands as vendor_commands
from services.vendors import domain as vendors_domain
from services.vendors.application import VendorsApplication
from services.vendors.events import CATALOG as VENDORS

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


class EveryConference:
    """Vendors asks whether a command's conference exists: in these tests, always."""

    def exists(self, conference_id):
        return True


def signed_payload(**overrides):
    payload = {
        "vendor_id": str(uuid.uuid4()),
        "category": "venue",
        "scope": "themed_event",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "signed_on": "2026-03-01",
        "signed_by": "wang",
    }
    payload.update(overrides)
    return payload


def test_validate_outgoing_accepts_a_valid_payload():
    VENDORS.validate_outgoing("ContractSigned", signed_payload())


def test_validate_outgoing_rejects_an_unknown_field():
    with pytest.raises(ValidationError) as raised:
        VENDORS.validate_outgoing("ContractSigned", signed_payload(discount=5))

    assert "discount" in raised.value.messages


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_minor", "12"),
        ("amount_minor", 1.5),
        ("amount_minor", -1),
        ("currency", "cny"),
        ("category", "spa"),
        ("scope", "gala"),
        ("scope", None),
        ("signed_on", "soon"),
        ("signed_by", ""),
    ],
)
def test_validate_outgoing_rejects_a_wrong_type_naming_the_field(field, value):
    with pytest.raises(ValidationError) as raised:
        VENDORS.validate_outgoing("ContractSigned", signed_payload(**{field: value}))

    assert list(raised.value.messages) == [field]


def test_validate_outgoing_rejects_a_missing_field():
    payload = signed_payload()
    del payload["category"]

    with pytest.raises(ValidationError) as raised:
        VENDORS.validate_outgoing("ContractSigned", payload)

    assert "category" in raised.value.messages


def test_load_incoming_ignores_newer_optional_fields_and_types_the_known_ones():
    loaded = VENDORS.load_incoming("ContractSigned", signed_payload(added_in_v2="x"))

    assert "added_in_v2" not in loaded
    assert loaded["signed_on"] == dt.date(2026, 3, 1)
    assert loaded["category"] == "venue"


@pytest.mark.parametrize("event_type", ["ContractDrafted", "ContractSigned", "ContractCancelled"])
def test_a_contract_event_stored_before_scope_is_published_as_stored_and_read_as_conference(
    event_type,
):
    before_scope = {
        "ContractDrafted": {
            "contract_id": str(uuid.uuid4()),
            "conference_id": str(uuid.uuid4()),
            "vendor_id": "v",
            "category": "venue",
            "title": "Main hall",
            "amount_minor": 1,
            "currency": "CNY",
        },
        "ContractSigned": {k: v for k, v in signed_payload().items() if k != "scope"},
        "ContractCancelled": {
            "vendor_id": "v",
            "category": "venue",
            "was_signed": True,
            "reason": "closed",
        },
    }[event_type]

    VENDORS.validate_outgoing(event_type, before_scope)  # its relay and its log serve it

    assert VENDORS.load_incoming(event_type, before_scope)["scope"] == "conference"
    scoped = VENDORS.load_incoming(event_type, {**before_scope, "scope": "tour"})
    assert scoped["scope"] == "tour"


def test_load_incoming_is_strict_on_the_fields_it_knows():
    with pytest.raises(ValidationError) as raised:
        VENDORS.load_incoming("ContractSigned", signed_payload(amount_minor="12"))

    assert "amount_minor" in raised.value.messages


def test_an_unknown_event_type_is_an_unknown_event_type():
    with pytest.raises(UnknownEventType, match="ContractVoided"):
        VENDORS.schema("ContractVoided")
    with pytest.raises(UnknownEventType):
        VENDORS.validate_outgoing("ContractVoided", {})
    assert "ContractSigned" in VENDORS
    assert "ContractVoided" not in VENDORS


def test_describe_lists_event_types_and_their_fields():
    described = VENDORS.describe()

    assert described["service"] == "vendors"
    assert described["exchange"] == "vendors.events"
    emitted = ["VendorAdded", "ContractDrafted", "ContractSigned", "ContractCancelled"]
    assert list(described["events"]) == sorted(described["events"])
    assert {n for n, e in described["events"].items() if not e["planned"]} == set(emitted)
    assert described["events"]["DeliveryAccepted"]["planned"] is True
    signed = described["events"]["ContractSigned"]
    assert signed["schema_version"] == 1
    assert "1.3.5" in signed["doc"]
    assert set(signed["fields"]) == set(signed_payload())
    assert signed["fields"]["amount_minor"] == {"type": "Integer", "required": True}
    assert described["events"]["VendorAdded"]["fields"]["contact_email"] == {
        "type": "String",
        "required": True,
        "nullable": True,
    }
    assert CHECKLIST.describe()["events"]["EntryVerified"]["fields"]["proof"]["type"] == "Dict"


class Line(Schema):
    price_minor = money_minor(required=True)


class Priced(EventSchema):
    lines = fields.List(Part(Line), required=True)


def test_parts_are_strict_outgoing_lenient_incoming_and_described():
    catalog = EventCatalog("shop", {"Priced": Priced})
    newer = {"lines": [{"price_minor": 5, "discount": 1}]}

    with pytest.raises(ValidationError) as raised:
        catalog.validate_outgoing("Priced", newer)
    assert raised.value.messages == {"lines": {0: {"discount": ["Unknown field."]}}}
    assert catalog.load_incoming("Priced", newer) == {"lines": [{"price_minor": 5}]}
    with pytest.raises(ValidationError):  # lenient to new fields, strict on known ones
        catalog.load_incoming("Priced", {"lines": [{"price_minor": "5"}]})
    lines = catalog.describe()["events"]["Priced"]["fields"]["lines"]
    assert lines["items"]["fields"]["price_minor"] == {"type": "Integer", "required": True}


def test_catalogs_find_each_service_and_refuse_an_unknown_one():
    catalogs = Catalogs(VENDORS, CHECKLIST)

    assert catalogs["vendors"] is VENDORS
    assert {c.service for c in catalogs} == {"vendors", "checklist"}
    with pytest.raises(UnknownEventType):
        catalogs["budget"]


def emitted_event_types(*aggregates) -> set[str]:
    """The event types an aggregate records: the nested classes `@event` creates on it."""
    names = set()
    for aggregate in aggregates:
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and issubclass(value, DomainEvent):
                names.add(name)
    return names - {"Event", "Created"}  # the bases every aggregate has


def test_every_vendors_event_type_has_a_schema():
    emitted = emitted_event_types(vendors_domain.Vendor, vendors_domain.Contract)

    assert emitted == {"VendorAdded", "ContractDrafted", "ContractSigned", "ContractCancelled"}
    assert emitted <= set(VENDORS.event_types)


def test_every_checklist_event_type_has_a_schema():
    emitted = emitted_event_types(checklist_domain.Conference, checklist_domain.Entry)

    assert "EntryVerified" in emitted
    assert "EntryReopened" in emitted
    assert emitted <= set(CHECKLIST.event_types)


def test_every_event_vendors_stores_validates_against_its_schema():
    app = VendorsApplication(env=POPO, conferences=EveryConference())
    ctx = CommandContext.new("li")
    conference_id = uuid.uuid4()
    vendor = app.add_vendor(
        vendor_commands.AddVendor(
            conference_id=conference_id,
            name="Expo Hall",
            categories=("venue",),
            contact_email="chen@example.com",
        ),
        ctx,
    )
    cmd = vendor_commands.DraftContract(
        conference_id=conference_id,
        vendor_id=vendor.id,
        category="venue",
        title="Main hall",
        amount_minor=0,
        currency="CNY",
    )
    signed = str(app.draft_contract(cmd, ctx).id)
    app.sign_contract(signed, vendor_commands.SignContract(signed_on=dt.date(2026, 3, 1)), ctx)
    app.cancel_contract(signed, vendor_commands.CancelContract(reason="closed"), ctx)
    unused = str(app.draft_contract(cmd, ctx).id)
    app.cancel_contract(unused, vendor_commands.CancelContract(reason="unused"), ctx)

    envelopes = [
        build_envelope(app.mapper, "vendors", VENDORS, n) for n in app.select_notifications(1, 100)
    ]

    assert [e.event_type for e in envelopes] == [
        "VendorAdded",
        "ContractDrafted",
        "ContractSigned",
        "ContractCancelled",
        "ContractDrafted",
        "ContractCancelled",
    ]
    assert [e.notification_id for e in envelopes] == [1, 2, 3, 4, 5, 6]


def test_every_event_checklist_stores_validates_against_its_schema():
    # The small starter template keeps this test about one rule.
    app = ChecklistApplication(env=POPO, template=templates.load("starter"))
    conference = app.open_conference(
        checklist_commands.OpenConference(
            name="Annual Meeting",
            starts_on=dt.date(2026, 10, 10),
            ends_on=dt.date(2026, 10, 12),
            city="Hangzhou",
            expected_attendance=800,
            profile="business",
            timezone="Asia/Shanghai",
        ),
        CommandContext.new("li"),
    )
    conference_id = str(conference.id)
    contracts = [str(uuid.uuid4()), str(uuid.uuid4())]
    steps = [
        ("ContractSigned", contracts[0], signed_payload()),
        ("ContractSigned", contracts[1], signed_payload()),
        ("ContractCancelled", contracts[0], cancelled_payload()),
        ("ContractCancelled", contracts[1], cancelled_payload()),
    ]
    for nid, (event_type, contract, payload) in enumerate(steps, start=1):
        env = Envelope(
            event_id=event_id_for(contract, nid),
            event_type=event_type,
            service="vendors",
            notification_id=nid,
            aggregate_type="Contract",
            aggregate_id=contract,
            aggregate_version=nid,
            conference_id=conference_id,
            occurred_at="2026-03-01T02:00:00+00:00",
            actor="wang",
            correlation_id="c",
            causation_id=None,
            schema_version=1,
            payload=payload,
        )
        loaded = VENDORS.load_incoming(event_type, payload)
        app.process_event(UpstreamEvent(env, loaded), Tracking("vendors", nid))

    types = [
        build_envelope(app.mapper, "checklist", CHECKLIST, n).event_type
        for n in app.select_notifications(1, 1000)
    ]

    assert types[0] == "ConferenceOpened"
    assert types[-4:] == ["EntryVerified", "EntryVerified", "EntryProofWithdrawn", "EntryReopened"]
    assert set(types) <= set(CHECKLIST.event_types)
    assert app.process_recorder.max_tracking_id("vendors") == len(steps)


def cancelled_payload():
    return {
        "vendor_id": str(uuid.uuid4()),
        "category": "venue",
        "was_signed": True,
        "reason": "closed",
    }
