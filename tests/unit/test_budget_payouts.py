"""Paying people on the in-memory store: the income tax withheld on an honorarium by the
劳务报酬 rule, to the fen, on known examples; the honorarium's gross booked as an expense;
a cash advance reconciled only when its receipts and returned cash make it up, its
receipts booked on their lines."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from marshmallow import ValidationError

from services.budget import payouts_commands as c
from services.budget import payouts_schemas as s
from services.budget.iit import withholding
from services.common.errors import Conflict, InvalidCommand, NotFound
from tests.unit.budget_support import (
    ORGANIZER,
    Upstream,
    approved_budget,
    budget_app,
    deliver,
    event_types,
)

DAY = dt.date(2027, 5, 13)


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


@pytest.mark.parametrize(
    ("gross_yuan", "taxable", "rate", "quick", "withheld"),
    [
        ("500.00", 0, 2000, 0, 0),  # under 800: nothing taxable
        ("800.00", 0, 2000, 0, 0),
        ("800.01", 1, 2000, 0, 0),  # 0.01 taxable: 0.002 fen of tax rounds to 0
        ("3000.00", 220_000, 2000, 0, 44_000),  # (3000 - 800) x 20% = 440
        ("4000.00", 320_000, 2000, 0, 64_000),  # the last gross less 800
        ("4000.01", 320_001, 2000, 0, 64_000),  # 80%: 3200.008 taxable, 640.0016 tax
        ("5000.00", 400_000, 2000, 0, 80_000),  # 4000 x 20%
        ("25000.00", 2_000_000, 2000, 0, 400_000),  # 20 000 taxable: still 20%
        ("25000.05", 2_000_004, 3000, 200_000, 400_001),  # 20 000.04 x 30% - 2 000
        ("30000.00", 2_400_000, 3000, 200_000, 520_000),  # 24 000 x 30% - 2 000 = 5 200
        ("62500.00", 5_000_000, 3000, 200_000, 1_300_000),  # 50 000 taxable: still 30%
        ("100000.00", 8_000_000, 4000, 700_000, 2_500_000),  # 80 000 x 40% - 7 000
        ("1234.56", 43_456, 2000, 0, 8_691),  # 434.56 x 20% = 86.912: 86.91
        ("12345.67", 987_654, 2000, 0, 197_531),  # 9876.536 x 20% = 1975.3072
    ],
)
def test_the_tax_withheld_on_labour_remuneration_is_exact_to_the_fen(
    gross_yuan, taxable, rate, quick, withheld
):
    gross = int(gross_yuan.replace(".", ""))
    tax = withholding(gross)
    assert (tax.taxable_minor, tax.tax_rate_bp, tax.quick_deduction_minor) == (
        taxable,
        rate,
        quick,
    )
    assert tax.withheld_minor == withheld
    assert tax.net_minor == gross - withheld


def test_the_tax_is_continuous_where_the_brackets_meet():
    # 40% - 7 000 and 30% - 2 000 give the same tax at 50 000 taxable, as the table means
    at_edge = withholding(6_250_000).withheld_minor
    assert withholding(6_250_001).withheld_minor - at_edge in (0, 1)


def test_an_honorarium_is_booked_as_its_gross_on_the_line_and_warns_over_budget(app, conference_id):
    approved_budget(app, conference_id, speakers=400_000)
    paid = app.pay_honorarium(
        conference_id, c.PayHonorarium("Prof. Li Ming", 500_000, DAY), ORGANIZER
    )
    assert (paid["gross_minor"], paid["iit_withheld_minor"], paid["net_minor"]) == (
        500_000,
        80_000,
        420_000,
    )
    [entry] = app.entries(conference_id)
    assert (entry["kind"], entry["category"], entry["amount_minor"]) == (
        "expense",
        "speakers",
        500_000,
    )
    assert entry["source_ref"] == paid["honorarium_id"]
    assert "HonorariumBooked" in event_types(app)
    assert "BudgetOverrunWarning" in event_types(app)  # 5 000 spent of 4 000 planned


def test_an_honorarium_is_in_yuan_and_for_a_known_conference(app, conference_id):
    with pytest.raises(InvalidCommand) as refused:
        app.pay_honorarium(str(uuid.uuid4()), c.PayHonorarium("Li", 500_000, DAY), ORGANIZER)
    assert refused.value.field == "conference_id"
    with pytest.raises(ValidationError) as invalid:
        s.PayHonorariumSchema().load(
            {"speaker": "Li", "gross_minor": 100, "paid_on": "2027-05-13", "currency": "USD"}
        )
    assert "currency" in invalid.value.messages


def test_a_cash_advance_is_reconciled_when_receipts_and_cash_returned_make_it_up(
    app, conference_id
):
    advance = app.issue_advance(
        conference_id, c.IssueCashAdvance("petty_cash", 200_000, "CNY", "Zhao Min"), ORGANIZER
    )
    assert app.entries(conference_id) == []  # drawn, not spent
    receipts = (
        {"category": "printing", "amount_minor": 120_000, "fapiao_number": "12345678"},
        {"category": "transport", "amount_minor": 30_050},
    )
    before = app.max_notification_id()
    with pytest.raises(InvalidCommand, match="49950 less than the advance 200000") as short:
        app.reconcile_advance(advance["advance_id"], c.ReconcileCashAdvance(receipts, 0), ORGANIZER)
    assert short.value.field == "returned_minor"
    with pytest.raises(InvalidCommand, match="50 more than the advance"):
        app.reconcile_advance(
            advance["advance_id"], c.ReconcileCashAdvance(receipts, 50_000), ORGANIZER
        )
    assert app.max_notification_id() == before

    done = app.reconcile_advance(
        advance["advance_id"], c.ReconcileCashAdvance(receipts, 49_950), ORGANIZER
    )
    assert (done["reconciled"], done["spent_minor"], done["returned_minor"]) == (
        True,
        150_050,
        49_950,
    )
    lines = app.figures(conference_id).lines()
    assert (lines["printing"]["actual_minor"], lines["transport"]["actual_minor"]) == (
        120_000,
        30_050,
    )
    with pytest.raises(Conflict, match="reconciled already"):
        app.reconcile_advance(advance["advance_id"], c.ReconcileCashAdvance((), 200_000), ORGANIZER)
    with pytest.raises(NotFound):
        app.advance(str(uuid.uuid4()))


@pytest.mark.parametrize(
    ("schema", "body", "field"),
    [
        (s.IssueCashAdvanceSchema, {"purpose": "fun", "amount_minor": 1, "currency": "CNY",
                                    "holder": "Z"}, "purpose"),
        (s.IssueCashAdvanceSchema, {"purpose": "petty_cash", "amount_minor": 0,
                                    "currency": "CNY", "holder": "Z"}, "amount_minor"),
        (s.ReconcileCashAdvanceSchema, {"receipts": [], "returned_minor": 0}, "receipts"),
        (s.ReconcileCashAdvanceSchema, {"receipts": [{"category": "x", "amount_minor": 1}],
                                        "returned_minor": 0}, "receipts"),
        (s.PayHonorariumSchema, {"speaker": "Li", "gross_minor": -1,
                                 "paid_on": "2027-05-13"}, "gross_minor"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(schema, body, field):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert field in refused.value.messages
