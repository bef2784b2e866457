"""The settlement statement: each line's plan against the ledger, payables settled, the
balance; completed once, when no payable is open; exported as a workbook."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.budget import commands as c
from services.budget.exports import build_settlement_xlsx
from services.common.errors import Conflict
from tests.unit.budget_support import (
    ORGANIZER,
    Upstream,
    approved_budget,
    budget_app,
    deliver,
    views,
)


@pytest.fixture
def settled_books():
    app = budget_app()
    conference_id = str(uuid.uuid4())
    upstream = Upstream(conference_id)
    deliver(app, upstream.conference_opened())
    approved_budget(app, conference_id)  # venue 300 000.00, catering 200 000.00
    contract = str(uuid.uuid4())
    deliver(app, upstream.contract_signed(contract, 28_000_000))
    deliver(app, upstream.payment_received(str(uuid.uuid4()), 50_000_050, fee_minor=300_000))
    yield app, conference_id, contract
    app.close()


def pay(app, contract, amount_minor):
    paid = c.PayVendor(
        amount_minor=amount_minor, currency="CNY", kind="full", paid_on=dt.date(2027, 6, 1)
    )
    app.pay_vendor(contract, paid, ORGANIZER)


def test_the_statement_sets_each_line_against_the_ledger(settled_books):
    app, conference_id, contract = settled_books
    pay(app, contract, 28_000_000)

    statement = views(app).settlement(conference_id)

    by_line = {x["line"]: x for x in statement["lines"]}
    assert by_line["venue"]["actual_minor"] == 28_000_000
    assert by_line["venue"]["remaining_minor"] == 2_000_000
    assert by_line["catering"]["remaining_minor"] == 20_000_000
    assert by_line["registration"]["income_minor"] == 50_000_050
    assert by_line["payment_fees"]["actual_minor"] == 300_000
    assert statement["balance_minor"] == 50_000_050 - 28_300_000
    assert statement["result"] == "surplus" and statement["payables_open"] == 0


def test_settlement_waits_for_open_payables_and_is_completed_once(settled_books):
    app, conference_id, contract = settled_books
    with pytest.raises(Conflict):
        app.complete_settlement(conference_id, ORGANIZER)
    pay(app, contract, 28_000_000)

    done = app.complete_settlement(conference_id, ORGANIZER)

    assert done["settled"] is True
    with pytest.raises(Conflict):
        app.complete_settlement(conference_id, ORGANIZER)


def test_the_workbook_holds_exact_amounts_in_major_units(settled_books):
    app, conference_id, contract = settled_books
    pay(app, contract, 28_000_000)

    book = load_workbook(io.BytesIO(build_settlement_xlsx(views(app).settlement(conference_id))))

    rows = {r[0]: r for r in book["settlement"].iter_rows(values_only=True) if r and r[0]}
    assert Decimal(str(rows["registration"][2])) == Decimal("500000.50")
    assert Decimal(str(rows["balance"][1])) == Decimal("217000.50")
    assert rows["line"][3] == "in kind" and Decimal(str(rows["received in kind"][1])) == 0
    assert rows["result"][1] == "surplus"
    (payable,) = list(book["payables"].iter_rows(min_row=2, values_only=True))
    assert payable[0] == contract and payable[5] is True
