"""A conference's currency, from its opening in checklist to registration and budget:
opened in one, every amount in another is refused naming its field and stores nothing;
budget books its ledger in it; a ConferenceOpened from before the field loads as CNY."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.budget.views import BudgetViews
from services.checklist.events import CATALOG as CHECKLIST
from services.common.domain import CommandContext
from services.common.errors import InvalidCommand
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from services.registration.conferences import Conference
from tests.unit.budget_support import Upstream, budget_app, deliver
from tests.unit.checklist_plans import checklist, opening
from tests.unit.test_registration_application import (
    POPO,
    Clock,
    line,
    order_cmd,
    published,
)

CONFERENCE = str(uuid.uuid4())
REFUSED = "the conference is in USD, not CNY"


class DollarConferences:
    def get(self, conference_id):
        return Conference(CONFERENCE, "Forum", "2027-05-12", "2027-05-14", "Asia/Shanghai", "USD")


@pytest.fixture
def ctx():
    return CommandContext.new("li", "corr-1")


@pytest.fixture
def app():
    app = RegistrationApplication(env=POPO, conferences=DollarConferences(), clock=Clock())
    yield app
    app.close()


def test_checklist_opens_a_conference_in_its_currency_and_an_old_event_loads_as_cny(ctx):
    app = checklist()
    conference = app.open_conference(opening(currency="USD"), ctx)
    assert conference.currency == "USD"
    assert app.open_conference(opening(name="Other"), ctx).currency == "CNY"
    old = {
        "conference_id": str(uuid.uuid4()),
        "name": "Forum",
        "starts_on": "2027-05-12",
        "ends_on": "2027-05-14",
        "city": "Hangzhou",
        "expected_attendance": 500,
        "profile": "academic",
        "timezone": "Asia/Shanghai",
        "template": "conference",
        "entry_codes": [],
    }
    assert CHECKLIST.load_incoming("ConferenceOpened", old)["currency"] == "CNY"


def test_fees_vouchers_and_payments_in_another_currency_are_refused_naming_the_field(app, ctx):
    with pytest.raises(InvalidCommand) as fee:
        app.set_fee_schedule(CONFERENCE, c.SetFeeSchedule((line(),)), ctx)
    assert (fee.value.field, fee.value.message) == ("categories[0].currency", REFUSED)
    assert published(app) == []

    app.set_fee_schedule(CONFERENCE, c.SetFeeSchedule((line(currency="USD"),)), ctx)
    stored = len(published(app))
    voucher = c.IssueVoucher("promotion", "subtract", 1_000, currency="CNY")
    with pytest.raises(InvalidCommand) as refused:
        app.issue_voucher(CONFERENCE, voucher, ctx)
    assert (refused.value.field, refused.value.message) == ("currency", REFUSED)
    assert len(published(app)) == stored

    order = app.place_order(order_cmd("wang@example.cn"), ctx)
    assert order.currency == "USD"
    stored = len(published(app))
    cny = c.RecordPayment("bank_transfer", 280_000, "CNY", dt.date(2027, 3, 2))
    with pytest.raises(InvalidCommand) as payment:
        app.record_payment(order.id, cny, ctx)
    assert (payment.value.field, payment.value.message) == ("currency", REFUSED)
    assert len(published(app)) == stored


def test_budget_books_the_ledger_in_the_conference_currency():
    app = budget_app()
    upstream = Upstream(str(uuid.uuid4()))
    deliver(app, upstream.conference_opened(currency="USD"))
    assert BudgetViews(app).ledger(upstream.conference_id)["currency"] == "USD"
