"""The sponsorship pipeline on the in-memory store: packages and their slots, a sponsor's
way from prospect to paid (in cash instalments or in kind), refusals that name the state
or the field and store nothing, benefits delivered once, and cash booked as ledger income
that the settlement statement includes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import sponsorship_commands as c
from services.budget import sponsorship_schemas as s
from services.budget.sponsorship import WrongState
from services.budget.vat import split_gross
from services.common.errors import Conflict, InvalidCommand, NotFound
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver, event_types

DAY = dt.date(2027, 3, 1)
GOLD = c.AddPackage("Gold", "gold", 20_000_000, 2, ("logo", "booth", "passes"))
FAPIAO = "25332000000012345678"


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


def negotiating(app, conference_id, sponsor="Acme 医药"):
    sid = app.add_prospect(conference_id, c.AddProspect(sponsor), ORGANIZER)["sponsorship_id"]
    app.advance_sponsorship(sid, c.AdvanceSponsorship("contacted", "email"), ORGANIZER)
    app.advance_sponsorship(sid, c.AdvanceSponsorship("contacted", "visit"), ORGANIZER)
    app.advance_sponsorship(sid, c.AdvanceSponsorship("negotiating", level="gold"), ORGANIZER)
    return sid


def invoice(app, sid, gross, number=FAPIAO):
    cmd = c.IssueSponsorInvoice(number, "vat_ordinary", "digital", DAY, gross)
    return app.invoice_sponsor(sid, cmd, ORGANIZER)


def cash(amount, instalment=None):
    return c.RecordSponsorPayment(DAY, amount, "CNY", "bank_transfer", instalment)


def test_a_sponsor_goes_from_prospect_to_paid_in_instalments_booked_as_income(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    halves = ({"due_on": DAY, "amount_minor": 12_000_000},
              {"due_on": DAY + dt.timedelta(days=30), "amount_minor": 8_000_000})  # fmt: skip
    signed = app.sign_sponsor(sid, c.SignSponsor("Gold", DAY, instalments=halves), ORGANIZER)
    assert (signed["state"], signed["cash_minor"]) == ("signed", 20_000_000)
    assert invoice(app, sid, 20_000_000)["state"] == "invoiced"

    assert app.pay_sponsor(sid, cash(12_000_000, 1), ORGANIZER)["state"] == "invoiced"
    paid = app.pay_sponsor(sid, cash(8_000_000, 2), ORGANIZER)

    assert (paid["state"], paid["paid_minor"]) == ("paid", 20_000_000)
    types = event_types(app)
    assert types.count("SponsorshipPaid") == 2 and types.count("SponsorshipSettled") == 1
    assert types.index("SponsorshipSettled") > types.index("SponsorshipPaid")
    assert app.figures(conference_id).lines()["sponsorship"]["income_minor"] == 20_000_000
    entries = [e for e in app.entries(conference_id) if e["category"] == "sponsorship"]
    assert [(e["kind"], e["source"], e["fapiao_number"]) for e in entries] == [
        ("income", "sponsorship", FAPIAO)
    ] * 2
    assert app.statement(conference_id)["income_minor"] == 20_000_000


def test_an_illegal_step_is_refused_naming_the_state_and_stores_nothing(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = app.add_prospect(conference_id, c.AddProspect("Acme"), ORGANIZER)["sponsorship_id"]
    before = app.max_notification_id()
    with pytest.raises(WrongState, match="is prospect: to sign it must be negotiating"):
        app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)
    with pytest.raises(WrongState, match="is prospect: to negotiate it must be contacted"):
        app.advance_sponsorship(sid, c.AdvanceSponsorship("negotiating"), ORGANIZER)
    with pytest.raises(WrongState, match="is prospect"):
        app.pay_sponsor(sid, cash(100), ORGANIZER)
    assert app.max_notification_id() == before


def test_cash_is_received_only_once_invoiced_and_never_past_what_is_owed(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)
    with pytest.raises(WrongState, match="is signed: to receive cash for it must be invoiced"):
        app.pay_sponsor(sid, cash(100), ORGANIZER)
    with pytest.raises(InvalidCommand) as refused:
        invoice(app, sid, 20_000_001)
    assert refused.value.field == "gross_minor"
    invoice(app, sid, 20_000_000)
    with pytest.raises(InvalidCommand) as refused:
        app.pay_sponsor(sid, cash(20_000_001), ORGANIZER)
    assert refused.value.field == "amount_minor"
    assert app.figures(conference_id).lines() == {}


def test_a_fapiao_is_reversed_by_a_red_letter_one_and_what_it_took_back_invoiced_again(
    app, conference_id
):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)
    invoice(app, sid, 20_000_000)
    red = "25332000000087654321"
    partly = c.ReverseSponsorInvoice(red, "discount", DAY, gross_minor=1_060_000)
    after = app.reverse_sponsor_invoice(sid, FAPIAO, partly, ORGANIZER)
    assert after["invoiced_minor"] == 18_940_000
    assert after["fapiaos"][FAPIAO]["reversed_minor"] == 1_060_000
    reversed_ = [  # the red fapiao's amounts: 1 060.00 at 6% is 1 000.00 and 60.00
        app.to_domain_event(n)
        for n in app.select_notifications(1, 1000)
        if n.topic.endswith("SponsorInvoiceReversed")
    ]
    [red_letter] = reversed_
    assert (red_letter.net_minor, red_letter.tax_minor, red_letter.partial) == (
        1_000_000,
        60_000,
        True,
    )
    with pytest.raises(Conflict, match="recorded already"):
        app.reverse_sponsor_invoice(sid, FAPIAO, partly, ORGANIZER)
    too_much = c.ReverseSponsorInvoice("25332000000011111111", "error", DAY, 18_940_001)
    with pytest.raises(InvalidCommand, match="at most what fapiao"):
        app.reverse_sponsor_invoice(sid, FAPIAO, too_much, ORGANIZER)
    with pytest.raises(InvalidCommand) as unknown:
        app.reverse_sponsor_invoice(sid, "99999999", partly, ORGANIZER)
    assert unknown.value.field == "fapiao_number"
    invoice(app, sid, 1_060_000, number="25332000000022222222")  # the discount put right
    assert app.sponsorship(sid).invoiced_minor == 20_000_000
    rest = c.ReverseSponsorInvoice("25332000000033333333", "error", DAY)  # all it still holds
    after = app.reverse_sponsor_invoice(sid, FAPIAO, rest, ORGANIZER)
    assert after["fapiaos"][FAPIAO]["reversed_minor"] == 20_000_000
    again = c.ReverseSponsorInvoice("25332000000044444444", "error", DAY)
    with pytest.raises(Conflict, match="reversed in full already"):
        app.reverse_sponsor_invoice(sid, FAPIAO, again, ORGANIZER)


def test_an_in_kind_sponsor_is_paid_by_valued_receipts_with_no_fapiao_and_no_cash_income(
    app, conference_id
):
    bag_package = c.AddPackage("Bags", "in_kind", 3_000_000, 1, ("bag_insert",))
    app.add_package(conference_id, bag_package, ORGANIZER)
    sid = negotiating(app, conference_id)
    bags = {"kind": "goods", "description": "500 tote bags", "value_minor": 3_000_000}
    app.sign_sponsor(sid, c.SignSponsor("Bags", DAY, form="in_kind", in_kind=(bags,)), ORGANIZER)
    with pytest.raises(WrongState, match="in kind only"):
        invoice(app, sid, 100)
    received = app.pay_sponsor(sid, c.RecordSponsorPayment(DAY, in_kind=bags), ORGANIZER)
    assert (received["state"], received["in_kind_received_minor"]) == ("paid", 3_000_000)
    assert "InKindReceived" in event_types(app) and "IncomeRecorded" not in event_types(app)


def test_a_mixed_sponsorship_settles_when_its_cash_and_its_goods_are_in(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    venue = {"kind": "venue", "description": "hall B for a day", "value_minor": 5_000_000}
    signed = app.sign_sponsor(
        sid, c.SignSponsor("Gold", DAY, form="mixed", in_kind=(venue,)), ORGANIZER
    )
    assert (signed["cash_minor"], signed["in_kind_minor"]) == (15_000_000, 5_000_000)
    invoice(app, sid, 15_000_000)
    assert app.pay_sponsor(sid, cash(15_000_000), ORGANIZER)["state"] == "invoiced"
    assert (
        app.pay_sponsor(sid, c.RecordSponsorPayment(DAY, in_kind=venue), ORGANIZER)["state"]
        == "paid"
    )


def test_a_package_sells_no_more_than_its_slots_and_a_cancellation_frees_one(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)  # 2 slots
    first, second, third = (negotiating(app, conference_id, f"S{i}") for i in range(3))
    app.sign_sponsor(first, c.SignSponsor("Gold", DAY), ORGANIZER)
    app.sign_sponsor(second, c.SignSponsor("Gold", DAY), ORGANIZER)
    with pytest.raises(Conflict, match="sold out: 2 of 2 signed"):
        app.sign_sponsor(third, c.SignSponsor("Gold", DAY), ORGANIZER)
    app.cancel_sponsorship(first, c.CancelSponsorship("went with a rival"), ORGANIZER)
    assert app.sign_sponsor(third, c.SignSponsor("Gold", DAY), ORGANIZER)["state"] == "signed"
    [gold] = app.packages(conference_id)["packages"]
    assert (gold["signed"], gold["left"]) == (2, 0)
    with pytest.raises(WrongState, match="is cancelled"):
        app.advance_sponsorship(first, c.AdvanceSponsorship("contacted", "call"), ORGANIZER)


def test_a_plan_names_each_package_once_and_a_sponsor_signs_only_a_package_of_it(
    app, conference_id
):
    sid = negotiating(app, conference_id)
    with pytest.raises(InvalidCommand, match="no sponsorship plan"):
        app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)
    app.add_package(conference_id, GOLD, ORGANIZER)
    with pytest.raises(Conflict, match="package 'Gold' already"):
        app.add_package(conference_id, GOLD, ORGANIZER)
    with pytest.raises(InvalidCommand, match="no package 'Silver'"):
        app.sign_sponsor(sid, c.SignSponsor("Silver", DAY), ORGANIZER)
    silver = c.AddPackage("Silver", "silver", 8_000_000, 5, ("logo",))
    names = [p["name"] for p in app.add_package(conference_id, silver, ORGANIZER)["packages"]]
    assert names == ["Gold", "Silver"]
    assert event_types(app).count("SponsorshipPlanApproved") == 2


def test_a_prospectus_presents_the_plan_in_force_in_its_languages(app, conference_id):
    languages = c.PublishProspectus(("zh", "en"))
    with pytest.raises(InvalidCommand, match="no sponsorship plan to present"):
        app.publish_prospectus(conference_id, languages, ORGANIZER)
    app.add_package(conference_id, GOLD, ORGANIZER)
    published = app.publish_prospectus(conference_id, languages, ORGANIZER)
    assert published["languages"] == ["zh", "en"]
    assert [p["name"] for p in published["packages"]] == ["Gold"]
    assert event_types(app)[-1] == "ProspectusPublished"


def test_each_benefit_of_the_package_is_delivered_once_with_its_proof(app, conference_id):
    app.add_package(conference_id, GOLD, ORGANIZER)
    sid = negotiating(app, conference_id)
    with pytest.raises(WrongState, match="is negotiating"):
        app.deliver_benefit(sid, c.DeliverBenefit("logo", "web-1.png"), ORGANIZER)
    app.sign_sponsor(sid, c.SignSponsor("Gold", DAY), ORGANIZER)
    done = app.deliver_benefit(sid, c.DeliverBenefit("logo", "web-1.png"), ORGANIZER)
    assert done["delivered"] == {"logo": "web-1.png"}
    with pytest.raises(Conflict, match="delivered already"):
        app.deliver_benefit(sid, c.DeliverBenefit("logo", "web-2.png"), ORGANIZER)
    with pytest.raises(InvalidCommand) as refused:
        app.deliver_benefit(sid, c.DeliverBenefit("naming", "x"), ORGANIZER)
    assert refused.value.field == "benefit"
    assert app.thank_sponsor(sid, c.ThankSponsor("letter"), ORGANIZER)["thanked"] is True


def test_an_unknown_sponsorship_is_not_found(app, conference_id):
    for missing in (str(uuid.uuid4()), "not-a-uuid"):
        with pytest.raises(NotFound):
            app.sponsorship(missing)


@pytest.mark.parametrize(
    ("gross", "rate", "net", "tax"),
    [(106_000, 600, 100_000, 6_000), (100, 600, 94, 6), (1, 600, 1, 0), (113, 1300, 100, 13),
     (20_000_000, 600, 18_867_925, 1_132_075), (5_000, 0, 5_000, 0)],
)  # fmt: skip
def test_a_fapiaos_gross_splits_into_net_and_tax_to_the_fen(gross, rate, net, tax):
    assert split_gross(gross, rate) == (net, tax)


@pytest.mark.parametrize(
    ("schema", "body", "field"),
    [
        (s.AdvanceSponsorshipSchema, {"to": "contacted"}, "channel"),
        (s.PublishProspectusSchema, {"languages": []}, "languages"),
        (s.ReverseSponsorInvoiceSchema, {"red_fapiao_number": "12345678", "reason": "whim",
                                         "reversed_on": "2027-03-01"}, "reason"),
        (s.PublishProspectusSchema, {"languages": ["zh", "zh"]}, "languages"),
        (s.PublishProspectusSchema, {"languages": ["klingon"]}, "languages"),
        (s.AdvanceSponsorshipSchema, {"to": "signed"}, "to"),
        (s.AddPackageSchema, {"name": "G", "level": "gold", "price_minor": 0, "slots": 1,
                              "benefits": ["logo"]}, "price_minor"),
        (s.AddPackageSchema, {"name": "G", "level": "gold", "price_minor": 1, "slots": 1,
                              "benefits": []}, "benefits"),
        (s.SignSponsorSchema, {"package": "G", "signed_on": "2027-03-01", "form": "in_kind"},
         "in_kind"),
        (s.RecordSponsorPaymentSchema, {"received_on": "2027-03-01"}, "amount_minor"),
        (s.RecordSponsorPaymentSchema, {"received_on": "2027-03-01", "amount_minor": 1.5,
                                        "currency": "CNY"}, "amount_minor"),
        (s.IssueSponsorInvoiceSchema, {"fapiao_number": "1", "fapiao_type": "vat_ordinary",
                                       "medium": "digital", "issued_on": "2027-03-01",
                                       "gross_minor": 1}, "fapiao_number"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(schema, body, field):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert field in refused.value.messages
