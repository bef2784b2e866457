"""Partners on the in-memory store: a co-organiser joins and agrees its cash share, its
cash and a government grant it secured are ledger income on line `contributions` with
their source, never past what it agreed; what a partner gives in kind is received at its
value with its proof, shown beside its cash and in the settlement statement as revenue
in kind, never as income; a partner who withdrew pays nothing more; bad input is refused
naming the field and stores nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import partners_commands as c
from services.budget import partners_schemas as s
from services.budget import sponsorship_commands as sc
from services.common.errors import Conflict, InvalidCommand, NotFound
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver, event_types
from tests.unit.test_budget_sponsorship import negotiating

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


def hall(value_minor=8_000_000, currency="CNY"):
    return c.ReceiveContributionInKind(
        "venue", "报告厅两天", value_minor, currency, DAY, "venue-handover-0301"
    )


def mixed_partner(app, conference_id, form="mixed"):
    joined = app.join_partner(conference_id, c.JoinPartner("某大学", "supporter"), ORGANIZER)
    amount = None if form == "in_kind" else 2_000_000
    agreed = c.AgreeContribution(form, amount, "CNY" if amount else None)
    app.agree_contribution(joined["partner_id"], agreed, ORGANIZER)
    return joined["partner_id"]


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


def test_what_a_partner_gives_in_kind_is_received_with_its_proof_not_as_income(app, conference_id):
    partner_id = mixed_partner(app, conference_id)
    app.receive_contribution(partner_id, cash(2_000_000), ORGANIZER)
    shown = app.receive_contribution_in_kind(partner_id, hall(), ORGANIZER)

    assert shown["received_minor"] == 2_000_000  # its cash, beside what came in kind
    assert shown["in_kind_received_minor"] == 8_000_000
    assert shown["in_kind_received"] == [
        {
            "kind": "venue",
            "description": "报告厅两天",
            "value_minor": 8_000_000,
            "received_on": "2027-03-01",
            "proof_ref": "venue-handover-0301",
        }
    ]
    assert event_types(app)[-1] == "PartnerContributionInKindReceived"
    incomes = [e for e in app.entries(conference_id) if e["kind"] == "income"]
    assert [e["amount_minor"] for e in incomes] == [2_000_000]  # the cash alone
    statement = app.statement(conference_id)
    [line] = [x for x in statement["lines"] if x["line"] == "contributions"]
    assert (line["income_minor"], line["in_kind_minor"]) == (2_000_000, 8_000_000)
    assert statement["income_minor"] == 2_000_000 and statement["in_kind_minor"] == 8_000_000
    assert statement["balance_minor"] == 2_000_000  # no cash came in for the hall


def test_the_statement_shows_a_sponsors_goods_and_a_partners_hall_in_kind_apart(app, conference_id):
    app.add_package(conference_id, sc.AddPackage("Bags", "in_kind", 3_000_000, 1, ()), ORGANIZER)
    sid = negotiating(app, conference_id)
    bags = {"kind": "goods", "description": "500 tote bags", "value_minor": 3_000_000}
    signing = sc.SignSponsor("Bags", DAY, form="in_kind", in_kind=(bags,))
    app.sign_sponsor(sid, signing, ORGANIZER)
    app.pay_sponsor(sid, sc.RecordSponsorPayment(DAY, in_kind=bags), ORGANIZER)
    partner_id = mixed_partner(app, conference_id, form="in_kind")
    app.receive_contribution_in_kind(partner_id, hall(), ORGANIZER)

    statement = app.statement(conference_id)

    by_line = {x["line"]: x["in_kind_minor"] for x in statement["lines"]}
    assert (by_line["sponsorship"], by_line["contributions"]) == (3_000_000, 8_000_000)
    assert statement["in_kind_minor"] == 11_000_000
    assert (statement["income_minor"], statement["result"]) == (0, "balanced")


def test_in_kind_is_refused_for_a_cash_contribution_a_withdrawn_partner_and_bad_input(
    app, conference_id, partner_id
):
    other = mixed_partner(app, conference_id)
    app.withdraw_partner(other, c.WithdrawPartner("merged"), ORGANIZER)
    in_kind_only = mixed_partner(app, conference_id, form="in_kind")
    before = app.max_notification_id()
    with pytest.raises(Conflict, match="agreed no contribution in kind \\(agreed: cash\\)") as no:
        app.receive_contribution_in_kind(partner_id, hall(), ORGANIZER)
    assert no.value.field == "partner_id"
    with pytest.raises(Conflict, match="has withdrawn"):
        app.receive_contribution_in_kind(other, hall(), ORGANIZER)
    for bad, field in ((hall(currency="USD"), "currency"), (hall(value_minor=0), "value_minor")):
        with pytest.raises(InvalidCommand) as refused:
            app.receive_contribution_in_kind(in_kind_only, bad, ORGANIZER)
        assert refused.value.field == field
    assert app.max_notification_id() == before


def test_a_cash_contribution_agreed_needs_its_amount(app, conference_id):
    joined = app.join_partner(conference_id, c.JoinPartner("X", "supporter"), ORGANIZER)
    with pytest.raises(InvalidCommand) as refused:
        app.agree_contribution(joined["partner_id"], c.AgreeContribution("mixed"), ORGANIZER)
    assert refused.value.field == "amount_minor"


IN_KIND = {
    "kind": "venue",
    "description": "报告厅两天",
    "value_minor": 8_000_000,
    "currency": "CNY",
    "received_on": "2027-03-01",
    "proof_ref": "venue-handover-0301",
}


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
        (s.ReceiveContributionInKindSchema, {**IN_KIND, "value_minor": 0}, "value_minor"),
        (s.ReceiveContributionInKindSchema, {**IN_KIND, "kind": "cash"}, "kind"),
        (s.ReceiveContributionInKindSchema, {**IN_KIND, "description": ""}, "description"),
        (s.ReceiveContributionInKindSchema, {**IN_KIND, "received_on": None}, "received_on"),
        (s.ReceiveContributionInKindSchema,
         {k: v for k, v in IN_KIND.items() if k != "proof_ref"}, "proof_ref"),
        (s.ReceiveContributionInKindSchema, {**IN_KIND, "proof_ref": "a b"}, "proof_ref"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(schema, body, field):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert field in refused.value.messages
