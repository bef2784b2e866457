"""API schemas: a bad command is refused at the edge, naming the field."""

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.checklist import schemas as checklist
from services.vendors import schemas as vendors


def draft(**overrides):
    data = {
        "actor": "li",
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
        "actor": "li",
        "name": "Annual Meeting 2026",
        "starts_on": "2026-10-10",
        "ends_on": "2026-10-12",
        "city": "Hangzhou",
        "expected_attendance": 800,
        "profile": "academic",
    }
    data.update(overrides)
    return data


def errors_of(schema, data) -> dict:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    return raised.value.messages


def test_a_valid_draft_loads_with_typed_values():
    data = draft()
    loaded = vendors.DraftContract().load(data)

    assert loaded["conference_id"] == uuid.UUID(data["conference_id"])
    assert loaded["amount_minor"] == 12_000_000
    assert loaded["correlation_id"] is None


def test_currency_defaults_to_cny():
    data = draft()
    del data["currency"]

    assert vendors.DraftContract().load(data)["currency"] == "CNY"


@pytest.mark.parametrize(
    "missing", ["actor", "conference_id", "vendor_id", "category", "title", "amount_minor"]
)
def test_a_missing_field_is_named(missing):
    data = draft()
    del data[missing]

    assert missing in errors_of(vendors.DraftContract(), data)


@pytest.mark.parametrize("amount", ["12", 1.5, 12.0, None, True, -1, -12_000])
def test_an_amount_must_be_a_non_negative_integer(amount):
    messages = errors_of(vendors.DraftContract(), draft(amount_minor=amount))

    assert list(messages) == ["amount_minor"]


def test_zero_is_an_amount():
    assert vendors.DraftContract().load(draft(amount_minor=0))["amount_minor"] == 0


@pytest.mark.parametrize("currency", ["cny", "CN", "CNYX", "¥", "", 156])
def test_a_currency_must_be_an_iso_code(currency):
    assert list(errors_of(vendors.DraftContract(), draft(currency=currency))) == ["currency"]


@pytest.mark.parametrize("category", ["spa", "Venue", "", None])
def test_an_unknown_category_is_named(category):
    assert list(errors_of(vendors.DraftContract(), draft(category=category))) == ["category"]


def test_an_unknown_field_is_named():
    assert list(errors_of(vendors.DraftContract(), draft(discount=5))) == ["discount"]


@pytest.mark.parametrize("field", ["conference_id", "vendor_id"])
def test_ids_must_be_uuids(field):
    assert list(errors_of(vendors.DraftContract(), draft(**{field: "hall-7"}))) == [field]


def test_add_vendor_checks_categories_and_email():
    schema = vendors.AddVendor()
    base = {"actor": "li", "conference_id": str(uuid.uuid4()), "name": "Expo Hall"}

    assert schema.load(base)["categories"] == []
    assert "categories" in errors_of(schema, {**base, "categories": ["venue", "spa"]})
    assert "contact_email" in errors_of(schema, {**base, "contact_email": "not-an-email"})
    assert "name" in errors_of(schema, {**base, "name": ""})


def test_sign_contract_needs_a_date_and_an_actor():
    schema = vendors.SignContract()

    assert schema.load({"actor": "li", "signed_on": "2026-03-01"})["signed_on"] == dt.date(
        2026, 3, 1
    )
    assert list(errors_of(schema, {"actor": "li"})) == ["signed_on"]
    assert list(errors_of(schema, {"actor": "li", "signed_on": "01/03/2026"})) == ["signed_on"]
    assert list(errors_of(schema, {"signed_on": "2026-03-01"})) == ["actor"]
    assert list(errors_of(schema, {"actor": "", "signed_on": "2026-03-01"})) == ["actor"]


def test_cancel_contract_needs_a_reason():
    assert list(errors_of(vendors.CancelContract(), {"actor": "li"})) == ["reason"]
    assert list(errors_of(vendors.CancelContract(), {"actor": "li", "reason": ""})) == ["reason"]


def test_a_valid_opening_loads_with_the_default_timezone():
    loaded = checklist.OpenConference().load(opening())

    assert loaded["starts_on"] == dt.date(2026, 10, 10)
    assert loaded["timezone"] == "Asia/Shanghai"


@pytest.mark.parametrize(
    "missing", ["actor", "name", "starts_on", "ends_on", "city", "expected_attendance", "profile"]
)
def test_opening_a_conference_names_a_missing_field(missing):
    data = opening()
    del data[missing]

    assert missing in errors_of(checklist.OpenConference(), data)


def test_ends_on_before_starts_on_is_named_on_ends_on():
    messages = errors_of(
        checklist.OpenConference(), opening(starts_on="2026-10-10", ends_on="2026-10-09")
    )

    assert list(messages) == ["ends_on"]
    assert "starts_on" in messages["ends_on"][0]


def test_a_one_day_conference_is_fine():
    loaded = checklist.OpenConference().load(opening(ends_on="2026-10-10"))

    assert loaded["ends_on"] == loaded["starts_on"]


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "Shanghai", "UTC+8", ""])
def test_a_bad_timezone_is_named(timezone):
    messages = errors_of(checklist.OpenConference(), opening(timezone=timezone))

    assert list(messages) == ["timezone"]


def test_a_known_timezone_is_kept():
    assert checklist.OpenConference().load(opening(timezone="Europe/Paris"))["timezone"] == (
        "Europe/Paris"
    )


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
    assert list(errors_of(checklist.OpenConference(), opening(**{field: value}))) == [field]


def test_a_reason_of_only_spaces_is_refused_naming_the_field():
    from services.checklist.schemas import Reason

    with pytest.raises(ValidationError) as refused:
        Reason().load({"reason": "   ", "actor": "wang"})
    assert refused.value.messages == {"reason": ["must not be blank"]}


def test_an_upper_case_sha256_is_accepted_and_kept_in_lower_case():
    from services.checklist.schemas import VerifyByHand

    digest = "AB" * 32
    loaded = VerifyByHand().load(
        {
            "actor": "wang",
            "evidence": [
                {"kind": "document", "reference": {"sha256": digest, "filename": "minutes.pdf"}}
            ],
        }
    )
    assert loaded["evidence"][0]["reference"] == {"sha256": "ab" * 32, "filename": "minutes.pdf"}
