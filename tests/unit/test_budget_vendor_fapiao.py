"""Vendors' fapiao on the in-memory store: a fapiao received against a contract numbers
the payments it covers (a payment made before it is recorded again with its number, so
that rule 2.4.3 pairs the two), a later payment takes it at once, the contract is settled
once all of it is paid and invoiced, and what is refused stores nothing: paying past the
contract, a fapiao of another vendor, the same fapiao twice, amounts that do not add up."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import commands
from services.budget import vendor_fapiao_commands as c
from services.budget import vendor_fapiao_schemas as s
from services.budget.vendor_fapiao import covering, to_number
from services.common.envelope import split_qualname
from services.common.errors import Conflict, InvalidCommand
from tests.unit.budget_support import ORGANIZER, Upstream, budget_app, deliver, event_types, views

VENDOR = str(uuid.uuid5(uuid.NAMESPACE_URL, "vendor"))  # Upstream's contracts' vendor
FIRST, SECOND = "25332000000012345678", "25332000000087654321"


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def upstream():
    return Upstream(str(uuid.uuid4()))


@pytest.fixture
def conference_id(app, upstream):
    deliver(app, upstream.conference_opened())
    return upstream.conference_id


@pytest.fixture
def contract(app, upstream, conference_id):
    contract = str(uuid.uuid4())
    deliver(app, upstream.contract_signed(contract, 12_000_000))
    return contract


def fapiao(number=FIRST, gross=12_000_000, vendor=VENDOR, **extra):
    return c.ReceiveVendorFapiao(
        vendor_id=vendor,
        fapiao_number=number,
        amount_minor=gross,
        tax_rate_bp=600,
        **{"fapiao_type": "vat_special", **extra},
    )


def pay(app, contract, amount_minor, kind="progress", fapiao_number=None):
    paid = commands.PayVendor(
        amount_minor=amount_minor,
        currency="CNY",
        kind=kind,
        paid_on=dt.date(2027, 3, 1),
        fapiao_number=fapiao_number,
    )
    return app.pay_vendor(contract, paid, ORGANIZER)


def expenses(app, conference_id):
    rows = views(app).entries(conference_id)
    return [(e["amount_minor"], e["fapiao_number"]) for e in rows if e["kind"] == "expense"]


def stored(app):
    return len(event_types(app))


def test_a_payment_takes_the_number_of_the_fapiao_that_covers_its_first_fen():
    fapiaos = [("A", 100), ("B", 50)]
    assert [covering(fapiaos, paid) for paid in (0, 99, 100, 149, 150)] == [
        "A",
        "A",
        "B",
        "B",
        None,
    ]
    payments = [("p1", 60, None), ("p2", 60, "X"), ("p3", 60, None), ("p4", 10, None)]
    assert to_number(payments, fapiaos) == [("p1", "A"), ("p3", "B")]  # p4 begins at 180


def test_a_fapiao_after_the_deposit_numbers_it_and_the_final_payment_settles(
    app, conference_id, contract
):
    pay(app, contract, 3_600_000, kind="deposit")
    assert expenses(app, conference_id) == [(3_600_000, None)]

    account = app.receive_vendor_fapiao(contract, fapiao(), ORGANIZER)
    assert (account["invoiced_minor"], account["input_vat_minor"]) == (12_000_000, 679_245)
    assert expenses(app, conference_id) == [(3_600_000, FIRST)]  # the same entry, numbered
    assert views(app).ledger(conference_id)["actual_minor"] == 3_600_000  # not twice

    account = pay(app, contract, 8_400_000, kind="final")
    assert expenses(app, conference_id) == [(3_600_000, FIRST), (8_400_000, FIRST)]
    assert account["settled"] is True
    assert event_types(app)[-3:] == ["VendorPaid", "VendorSettled", "ExpenseRecorded"]
    recorded = [
        app.to_domain_event(n)
        for n in app.select_notifications(1, 1000)
        if n.topic.endswith("ExpenseRecorded")
    ]
    deposit = recorded[0].originator_id
    assert [(e.originator_id, e.originator_version) for e in recorded[:2]] == [
        (deposit, 1),
        (deposit, 2),
    ]
    assert {split_qualname(e) for e in recorded} == {("Expense", "ExpenseRecorded")}


def test_settled_only_when_paid_in_full_and_invoiced_in_full(app, conference_id, contract):
    pay(app, contract, 12_000_000, kind="full")
    account = app.receive_vendor_fapiao(contract, fapiao(gross=10_000_000), ORGANIZER)
    assert account["settled"] is False and "VendorSettled" not in event_types(app)
    account = app.receive_vendor_fapiao(
        contract, fapiao(SECOND, gross=2_000_000, fapiao_type="vat_ordinary"), ORGANIZER
    )
    assert account["settled"] is True
    assert account["fapiao_numbers"] == [FIRST, SECOND]
    assert account["input_vat_minor"] == 566_038  # the 专票's only: 10 000 000 x 6 / 106
    assert expenses(app, conference_id) == [(12_000_000, FIRST)]
    assert event_types(app).count("VendorSettled") == 1


def test_paying_past_the_contract_is_refused_naming_the_amount(app, contract):
    pay(app, contract, 10_000_000)
    before = stored(app)
    with pytest.raises(InvalidCommand) as refused:
        pay(app, contract, 2_000_001)
    assert refused.value.field == "amount_minor" and "at most 2000000" in str(refused.value)
    assert stored(app) == before


@pytest.mark.parametrize(
    ("given", "exc", "field"),
    [
        ({"vendor": str(uuid.uuid4())}, InvalidCommand, "vendor_id"),
        ({"gross": 12_000_001}, InvalidCommand, "amount_minor"),
    ],
)
def test_a_fapiao_not_for_this_contract_is_refused(app, contract, given, exc, field):
    before = stored(app)
    with pytest.raises(exc) as refused:
        app.receive_vendor_fapiao(contract, fapiao(**given), ORGANIZER)
    assert refused.value.field == field
    assert stored(app) == before


def test_the_same_fapiao_twice_is_refused_on_any_contract_of_the_conference(
    app, upstream, contract
):
    other = str(uuid.uuid4())
    deliver(app, upstream.contract_signed(other, 5_000_000))
    app.receive_vendor_fapiao(contract, fapiao(gross=1_000_000), ORGANIZER)
    before = stored(app)
    for target in (contract, other):
        with pytest.raises(Conflict) as refused:
            app.receive_vendor_fapiao(target, fapiao(gross=1_000_000), ORGANIZER)
        assert refused.value.field == "fapiao_number"
    assert stored(app) == before


def test_net_and_tax_are_split_from_the_gross_exactly_when_not_given(app, contract):
    app.receive_vendor_fapiao(contract, fapiao(gross=10_001), ORGANIZER)
    (received,) = [
        app.to_domain_event(n)
        for n in app.select_notifications(1, 1000)
        if n.topic.endswith("VendorInvoiceReceived")
    ]
    assert (received.net_minor, received.tax_minor) == (9_435, 566)  # 566.09 half up
    assert received.net_minor + received.tax_minor == received.amount_minor


def body(**extra):
    return {
        "vendor_id": VENDOR,
        "fapiao_number": FIRST,
        "amount_minor": 10_600,
        "tax_rate_bp": 600,
        "fapiao_type": "vat_special",
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"net_minor": 10_000, "tax_minor": 601}, "amount_minor"),  # 10 601, not the gross
        ({"net_minor": 10_000}, "net_minor"),
        ({"tax_rate_bp": 700}, "tax_rate_bp"),
        ({"fapiao_number": "123"}, "fapiao_number"),
        ({"vendor_id": "acme"}, "vendor_id"),
        ({"amount_minor": 0}, "amount_minor"),
        ({"verified": 1}, "verified"),
    ],
)
def test_bad_fapiao_input_is_refused_naming_the_field(extra, field):
    with pytest.raises(ValidationError) as refused:
        s.ReceiveVendorFapiaoSchema().load(body(**extra))
    assert field in refused.value.messages


def test_a_rebuild_reaches_the_same_numbered_entries_and_settlement(conference_id):
    def history(app):
        upstream = Upstream(conference_id)
        deliver(app, upstream.conference_opened())
        contract = str(uuid.UUID(int=7))
        deliver(app, upstream.contract_signed(contract, 12_000_000))
        pay(app, contract, 3_600_000, kind="deposit")
        app.receive_vendor_fapiao(contract, fapiao(), ORGANIZER)
        pay(app, contract, 8_400_000, kind="final")
        return app, contract

    (live, contract), (rebuilt, _) = history(budget_app()), history(budget_app())
    assert event_types(rebuilt) == event_types(live)
    assert expenses(rebuilt, conference_id) == expenses(live, conference_id)
    assert rebuilt.account_state(contract) == live.account_state(contract)


def test_a_cancelled_contract_is_invoiced_for_what_was_paid_and_never_settles(
    app, upstream, conference_id, contract
):
    pay(app, contract, 3_600_000, kind="deposit")
    deliver(app, upstream.contract_cancelled(contract))
    with pytest.raises(InvalidCommand) as refused:
        app.receive_vendor_fapiao(contract, fapiao(gross=3_600_001), ORGANIZER)
    assert refused.value.field == "amount_minor" and "3600000 paid" in str(refused.value)
    account = app.receive_vendor_fapiao(contract, fapiao(gross=3_600_000), ORGANIZER)
    assert expenses(app, conference_id) == [(3_600_000, FIRST)]  # 2.4.3 holds for it too
    assert account["settled"] is False and "VendorSettled" not in event_types(app)
