"""Partners on the in-memory store: a co-organiser joins and agrees its cash share, its
cash and a government grant it secured are ledger income on line `contributions` with
their source, never past what it agreed; a partner who withdrew pays nothing more; bad
input is refused naming the field and stores nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import partners_commands as c
from services.budget import partners_schemas as s
from services.common.errors import Conflict, InvalidCommand, NotFound
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver, event_types

DAY = dt.date(2027, 3, 1)


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    conference_id = str(uuid.uuid4())
    deliver(app, Upstream(conference_id).conference_opened())
    return conference_id


@pytest.fixture
def partner_id(app, conference_id):
    joined = app.join_partner(
        conference_id, c.JoinPartner("浙江省医学会", "co_organiser"), ORGANIZER
    )
    agreed = c.AgreeContribution("cash", 10_000_000, "CNY", share_bp=2500)
    app.agree_contribution(joined["partner_id"], agreed, ORGANIZER)
    return joined["partner_id"]


def cash(amount, source="contribution"):
    return c.ReceiveContribution(amount, "CNY", DAY, source)


def test_a_partners_cash_and_grant_are_income_with_their_source(app, conference_id, partner_id):
    app.receive_contribution(partner_id, cash(6_000_000), ORGANIZER)
    shown = app.receive_contribution(partner_id, cash(4_000_000, "grant"), ORGANIZER)
    assert shown["received_minor"] == 10_000_000
    assert shown["agreed"] == {"form": "cash", "share_bp": 2500, "amount_minor": 10_000_000}
    rows = [e for e in app.entries(conference_id) if e["kind"] == "income"]
    assert [(e["category"], e["source"], e["source_ref"], e["amount_minor"]) for e in rows] == [
        ("contributions", "contribution", partner_id, 6_000_000),
        ("contributions", "grant", partner_id, 4_000_000),
    ]
    assert app.figures(conference_id).lines()["contributions"]["income_minor"] == 10_000_000
    assert app.statement(conference_id)["income_minor"] == 10_000_000
    types = event_types(app)
    assert types.index("PartnerJoined") < types.index("ContributionAgreed")


def test_cash_past_what_was_agreed_is_refused_and_stores_nothing(app, partner_id):
    app.receive_contribution(partner_id, cash(9_000_000), ORGANIZER)
    before = app.max_notification_id()
    with pytest.raises(InvalidCommand) as refused:
        app.receive_contribution(partner_id, cash(1_000_001), ORGANIZER)
    assert refused.value.field == "amount_minor" and "at most 1000000" in str(refused.value)
    with pytest.raises(InvalidCommand) as refused:
        app.receive_contribution(partner_id, c.ReceiveContribution(1, "USD", DAY), ORGANIZER)
    assert refused.value.field == "currency"
    assert app.max_notification_id() == before


def test_a_partner_in_kind_or_withdrawn_receives_no_cash(app, conference_id, partner_id):
    supporter = app.join_partner(conference_id, c.JoinPartner("某大学", "supporter"), ORGANIZER)
    app.agree_contribution(supporter["partner_id"], c.AgreeContribution("in_kind"), ORGANIZER)
    with pytest.raises(Conflict, match="agreed no cash"):
        app.receive_contribution(supporter["partner_id"], cash(1), ORGANIZER)
    withdrawn = app.withdraw_partner(partner_id, c.WithdrawPartner("merged"), ORGANIZER)
    assert withdrawn["withdrawn"] is True
    with pytest.raises(Conflict, match="has withdrawn"):
        app.receive_contribution(partner_id, cash(1), ORGANIZER)
    with pytest.raises(NotFound):
        app.partner_view(str(uuid.uuid4()))


def test_a_cash_contribution_agreed_needs_its_amount(app, conference_id):
    joined = app.join_partner(conference_id, c.JoinPartner("X", "supporter"), ORGANIZER)
    with pytest.raises(InvalidCommand) as refused:
        app.agree_contribution(joined["partner_id"], c.AgreeContribution("mixed"), ORGANIZER)
    assert refused.value.field == "amount_minor"


@pytest.mark.parametrize(
    ("schema", "body", "field"),
    [
        (s.JoinPartnerSchema, {"partner": "", "role": "supporter"}, "partner"),
        (s.JoinPartnerSchema, {"partner": "X", "role": "sponsor"}, "role"),
        (s.AgreeContributionSchema, {"form": "cash", "amount_minor": 1}, "currency"),
        (s.AgreeContributionSchema, {"form": "cash", "share_bp": 10_001}, "share_bp"),
        (s.ReceiveContributionSchema,
         {"amount_minor": 1, "currency": "CNY", "received_on": "2027-03-01", "source": "gift"},
         "source"),
        (s.ReceiveContributionSchema,
         {"amount_minor": 1.5, "currency": "CNY", "received_on": "2027-03-01"}, "amount_minor"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(schema, body, field):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert field in refused.value.messages
