"""API schemas: a bad command is refused at the edge, naming the field.

A request body is loaded by `load_command`: the caller's fields (on_behalf_of, correlation
id) by `Caller`, the rest by the command's schema into a frozen dataclass; every field at fault,
of either, is named in one ValidationError.
"""

import dataclasses
import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.checklist import commands as checklist_commands
from services.checklist import schemas as checklist
from services.common.commands import Caller
from services.common.domain import CommandContext
from services.common.http import load_command as load_as
from services.common.tokens import Principal
from services.vendors import commands as vendor_commands
from services.vendors import schemas as vendors

LI = Principal("0123456789ab", "li", "admin")


def load_command(schema, data, principal=LI):
    """The edge's loading of a body sent with li's token."""
    return load_as(schema, data, principal)


def draft(**overrides):
    data = {
        "conference_id": str(uuid.uuid4()),
        "vendor_id": str(uuid.uuid4()),
        "category": "venue",
        "title": "Main hall",
        "amount_minor": 12_000_000,
        "currency": "CNY",
    }
    data.update(overrides)
    return data


def opening(**overrides):
    data = {
        "name": "Annual Meeting 2026",
        "starts_on": "2026-10-10",
        "ends_on": "2026-10-12",
        "city": "Hangzhou",
        "expected_attendance": 800,
        "profile": "academic",
    }
    data.update(overrides)
    return data


def load(schema, data):
    """The command a body loads into (the caller's fields are not part of it)."""
    command, _ = load_command(schema, data)
    return command


def errors_of(schema, data) -> dict:
    with pytest.raises(ValidationError) as raised:
        load_command(schema, data)
    return raised.value.messages


def errors_of_schema(schema, data) -> dict:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    return raised.value.messages


def test_a_valid_draft_loads_with_typed_values():
    data = draft()
    command, ctx = load_command(vendors.DraftContractSchema(), data)

    assert isinstance(command, vendor_commands.DraftContract)
    assert command.conference_id == uuid.UUID(data["conference_id"])
    assert command.vendor_id == uuid.UUID(data["vendor_id"])
    assert command.amount_minor == 12_000_000
    assert isinstance(ctx, CommandContext)
    assert ctx.actor == "li"
    assert ctx.causation_id is None
    # No correlation id given: the caller's is None, and the edge makes a fresh one.
    assert Caller().load({}) == {"on_behalf_of": None, "correlation_id": None}
    assert str(uuid.UUID(ctx.correlation_id)) == ctx.correlation_id


def test_a_draft_is_the_conference_s_unless_it_names_another_scope():
    assert load(vendors.DraftContractSchema(), draft()).scope == "conference"
    for scope in ("conference", "themed_event", "tour", "staff"):
        assert load(vendors.DraftContractSchema(), draft(scope=scope)).scope == scope


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        ("gala", "conference, themed_event, tour, staff"),
        ("Tour", "conference, themed_event, tour, staff"),
        ("", "conference, themed_event, tour, staff"),
        (None, "null"),
        (3, "string"),
    ],
)
def test_an_unknown_scope_is_refused_naming_scope(scope, words):
    messages = errors_of(vendors.DraftContractSchema(), draft(scope=scope))

    assert list(messages) == ["scope"]
    assert words in " ".join(messages["scope"])


def test_a_given_correlation_id_is_kept_in_the_context():
    _, ctx = load_command(vendors.DraftContractSchema(), draft(correlation_id="req-7"))

    assert ctx == CommandContext(actor="li", correlation_id="req-7")


def test_a_loaded_command_is_frozen_and_carries_no_caller_fields():
    command = load(vendors.DraftContractSchema(), draft())

    assert {f.name for f in dataclasses.fields(command)} == {
        "conference_id",
        "vendor_id",
        "category",
        "scope",
        "title",
        "amount_minor",
        "currency",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.title = "Other hall"


def test_the_schema_alone_refuses_the_caller_fields():
    # on_behalf_of and correlation_id belong to Caller: a command schema does not know them.
    messages = errors_of_schema(vendors.DraftContractSchema(), draft(on_behalf_of="zhang"))

    assert sorted(messages) == ["on_behalf_of"]


def test_errors_of_the_caller_and_the_command_are_reported_together():
    data = draft(on_behalf_of="")
    del data["title"]

    assert sorted(errors_of(vendors.DraftContractSchema(), data)) == ["on_behalf_of", "title"]


def test_the_actor_is_the_tokens_holder_never_a_field():
    messages = errors_of(vendors.DraftContractSchema(), draft(actor="李总 (CEO)"))

    assert messages == {
        "actor": [
            "the actor is the holder of the request's token; "
            "to act for someone else, give on_behalf_of"
        ]
    }


def test_acting_for_someone_else_records_both():
    _, ctx = load_command(vendors.DraftContractSchema(), draft(on_behalf_of="李总 (CEO)"))

    assert (ctx.actor, ctx.on_behalf_of) == ("li", "李总 (CEO)")
    assert ctx.meta("c1")["actor"] == "li"
    assert ctx.meta("c1")["on_behalf_of"] == "李总 (CEO)"
    # Acting for oneself is just acting.
    _, ctx = load_command(vendors.DraftContractSchema(), draft(on_behalf_of="li"))
    assert ctx.on_behalf_of is None


def test_currency_defaults_to_cny():
    data = draft()
    del data["currency"]

    assert load(vendors.DraftContractSchema(), data).currency == "CNY"


@pytest.mark.parametrize(
    "missing", ["conference_id", "vendor_id", "category", "title", "amount_minor"]
)
def test_a_missing_field_is_named(missing):
    data = draft()
    del data[missing]

    assert missing in errors_of(vendors.DraftContractSchema(), data)


@pytest.mark.parametrize("amount", ["12", 1.5, 12.0, None, True, -1, -12_000])
def test_an_amount_must_be_a_non_negative_integer(amount):
    messages = errors_of(vendors.DraftContractSchema(), draft(amount_minor=amount))

    assert list(messages) == ["amount_minor"]


def test_zero_is_an_amount():
    assert load(vendors.DraftContractSchema(), draft(amount_minor=0)).amount_minor == 0


@pytest.mark.parametrize("currency", ["cny", "CN", "CNYX", "¥", "", 156])
def test_a_currency_must_be_an_iso_code(currency):
    assert list(errors_of(vendors.DraftContractSchema(), draft(currency=currency))) == ["currency"]


@pytest.mark.parametrize("category", ["spa", "Venue", "", None])
def test_an_unknown_category_is_named(category):
    assert list(errors_of(vendors.DraftContractSchema(), draft(category=category))) == ["category"]


def test_an_unknown_field_is_named():
    assert list(errors_of(vendors.DraftContractSchema(), draft(discount=5))) == ["discount"]


@pytest.mark.parametrize("field", ["conference_id", "vendor_id"])
def test_ids_must_be_uuids(field):
    assert list(errors_of(vendors.DraftContractSchema(), draft(**{field: "hall-7"}))) == [field]


def test_add_vendor_checks_categories_and_email():
    schema = vendors.AddVendorSchema()
    base = {"conference_id": str(uuid.uuid4()), "name": "Expo Hall"}

    assert load(schema, base).categories == ()
    assert load(schema, {**base, "categories": ["venue", "av"]}).categories == ("venue", "av")
    assert "categories" in errors_of(schema, {**base, "categories": ["venue", "spa"]})
    assert "contact_email" in errors_of(schema, {**base, "contact_email": "not-an-email"})
    assert "name" in errors_of(schema, {**base, "name": ""})


def test_sign_contract_needs_a_date():
    schema = vendors.SignContractSchema()

    assert load(schema, {"signed_on": "2026-03-01"}) == (
        vendor_commands.SignContract(signed_on=dt.date(2026, 3, 1), signed_by=None)
    )
    assert list(errors_of(schema, {})) == ["signed_on"]
    assert list(errors_of(schema, {"signed_on": "01/03/2026"})) == ["signed_on"]


def test_cancel_contract_needs_a_reason():
    schema = vendors.CancelContractSchema()

    assert list(errors_of(schema, {})) == ["reason"]
    assert list(errors_of(schema, {"reason": ""})) == ["reason"]


def test_a_valid_opening_loads_with_the_default_timezone():
    loaded = load(checklist.OpenConferenceSchema(), opening())

    assert isinstance(loaded, checklist_commands.OpenConference)
    assert loaded.starts_on == dt.date(2026, 10, 10)
    assert loaded.timezone == "Asia/Shanghai"
    assert loaded.include == ()
    assert loaded.exclude == ()
    assert loaded.conference_id is None


@pytest.mark.parametrize(
    "missing", ["name", "starts_on", "ends_on", "city", "expected_attendance", "profile"]
)
def test_opening_a_conference_names_a_missing_field(missing):
    data = opening()
    del data[missing]

    assert missing in errors_of(checklist.OpenConferenceSchema(), data)


def test_ends_on_before_starts_on_is_named_on_ends_on():
    messages = errors_of(
        checklist.OpenConferenceSchema(), opening(starts_on="2026-10-10", ends_on="2026-10-09")
    )

    assert list(messages) == ["ends_on"]
    assert "starts_on" in messages["ends_on"][0]


def test_a_one_day_conference_is_fine():
    loaded = load(checklist.OpenConferenceSchema(), opening(ends_on="2026-10-10"))

    assert loaded.ends_on == loaded.starts_on


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "Shanghai", "UTC+8", ""])
def test_a_bad_timezone_is_named(timezone):
    messages = errors_of(checklist.OpenConferenceSchema(), opening(timezone=timezone))

    assert list(messages) == ["timezone"]


def test_a_known_timezone_is_kept():
    loaded = load(checklist.OpenConferenceSchema(), opening(timezone="Europe/Paris"))

    assert loaded.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expected_attendance", "800"),
        ("expected_attendance", 0),
        ("expected_attendance", 2.5),
        ("profile", "wedding"),
        ("starts_on", "tomorrow"),
        ("venue", "Hall 1"),
    ],
)
def test_opening_a_conference_names_a_bad_field(field, value):
    assert list(errors_of(checklist.OpenConferenceSchema(), opening(**{field: value}))) == [field]


def test_a_reason_of_only_spaces_is_refused_naming_the_field():
    messages = errors_of(checklist.ReasonSchema(), {"reason": "   "})

    assert messages == {"reason": ["must not be blank"]}
    assert load(checklist.ReasonSchema(), {"reason": "venue changed"}) == (
        checklist_commands.GiveReason(reason="venue changed")
    )


def test_an_upper_case_sha256_is_accepted_and_kept_in_lower_case():
    digest = "AB" * 32
    loaded = load(
        checklist.VerifyByHandSchema(),
        {
            "evidence": [
                {"kind": "document", "reference": {"sha256": digest, "filename": "minutes.pdf"}}
            ],
        },
    )
    assert loaded == checklist_commands.VerifyByHand(
        evidence=(
            checklist_commands.Evidence(
                kind="document", reference={"sha256": "ab" * 32, "filename": "minutes.pdf"}
            ),
        )
    )
