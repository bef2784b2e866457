"""Budget's use cases and policy on the in-memory store: the budget's versions and who
made them, the ledger kept from registration's and vendors' events (built with their
contracts), overrun warnings once per crossing, refusals that store nothing, and the same
figures from a fresh store fed the same logs and commands."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from eventsourcing.persistence import IntegrityError

from services.budget import commands as c
from services.budget.domain import BudgetNotDrafted, ContractCancelledAlready
from services.common.domain import CommandContext
from services.common.errors import InvalidCommand, NotFound
from tests.unit.budget_support import (
    ORGANIZER,
    VENUE_BUDGET,
    Upstream,
    approved_budget,
    budget_app,
    deliver,
    event_types,
    line,
    views,
)


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id():
    return str(uuid.uuid4())


@pytest.fixture
def upstream(app, conference_id):
    upstream = Upstream(conference_id)
    deliver(app, upstream.conference_opened())
    return upstream


def stored(app) -> int:
    return app.max_notification_id()


def overruns(app, start=1):
    """(line, warned or cleared) of each overrun event stored since `start`."""
    found = []
    for n in app.select_notifications(start, 100_000):
        event = app.to_domain_event(n)
        name = type(event).__name__
        if name.startswith("BudgetOverrun"):
            found.append((event.line, "warned" if name.endswith("Warning") else "cleared"))
    return found


# -- the budget -------------------------------------------------------------------------


def test_a_conference_opened_opens_its_ledger_in_its_book_currency(app, upstream):
    assert event_types(app) == ["LedgerOpened"]
    assert views(app).ledger(upstream.conference_id)["currency"] == "CNY"


def test_a_budget_is_drafted_approved_as_version_1_and_revised_with_a_reason(
    app, upstream, conference_id
):
    lines = (
        line("registration", 90_000_000, income=True, item="standard", unit_minor=180_000,
             quantity=500, per="ticket", behaviour="variable"),
        line("sponsorship", 20_000_000, income=True, item="gold", form="cash"),
        line("sponsorship", 5_000_000, income=True, item="media partner", form="in_kind"),
        line("contributions", 10_000_000, income=True, item="society"),
        line("venue", VENUE_BUDGET),
        line("catering", 25_000_000, behaviour="variable", unit_minor=50_000, quantity=500,
             per="attendee"),
        line("speakers", 6_000_000, unit_minor=300_000, quantity=20, per="speaker"),
    )  # fmt: skip
    app.set_budget(
        conference_id,
        c.SetBudget(lines=lines, currency="CNY", ceiling_minor=70_000_000),
        CommandContext.new("zhao.min"),
    )
    first = app.approve_budget(
        conference_id, c.ApproveBudget(approvers=("Chen Jing", "Wang Lei")), ORGANIZER
    )
    assert first.approved_version == 1
    assert first.approved["approved_by"] == "Chen Jing, Wang Lei"

    with pytest.raises(BudgetNotDrafted):  # nothing new to approve
        app.approve_budget(conference_id, c.ApproveBudget(approvers=("Chen Jing",)), ORGANIZER)
    fewer = (*lines[:5], line("catering", 20_000_000, behaviour="variable", unit_minor=50_000,
                              quantity=400, per="attendee"))  # fmt: skip
    app.set_budget(
        conference_id,
        c.SetBudget(lines=fewer, currency="CNY", ceiling_minor=70_000_000, note="400 registered"),
        CommandContext.new("zhao.min"),
    )
    with pytest.raises(InvalidCommand) as refused:
        app.approve_budget(conference_id, c.ApproveBudget(approvers=("Chen Jing",)), ORGANIZER)
    assert refused.value.field == "reason"
    second = app.approve_budget(
        conference_id, c.ApproveBudget(approvers=("Chen Jing",), reason="headcount"), ORGANIZER
    )

    assert second.approved_version == 2
    assert second.planned_expense() == {"venue": VENUE_BUDGET, "catering": 20_000_000}
    history = views(app).history(conference_id)["changes"]
    assert [(h["event_type"], h["actor"]) for h in history] == [
        ("BudgetDrafted", "zhao.min"),
        ("BudgetApproved", "wang.lei"),
        ("BudgetDraftChanged", "zhao.min"),
        ("BudgetRevised", "wang.lei"),
    ]
    assert history[3]["what"]["reason"] == "headcount"
    assert history[3]["what"]["version"] == 2
    assert history[2]["what"]["note"] == "400 registered"


def test_costs_estimated_and_an_alert_set_are_recorded_with_the_fields_rules_read(
    app, upstream, conference_id
):
    sheet = app.estimate_costs(
        conference_id,
        c.EstimateCosts(
            behaviour="variable",
            headcount=500,
            currency="CNY",
            lines=({"line": "catering", "amount_minor": 25_000_000, "per_head_minor": 50_000},),
        ),
        ORGANIZER,
    )
    approved_budget(app, conference_id)
    app.set_alert(conference_id, c.SetAlert(line="venue", warn_percent=90), ORGANIZER)

    assert sheet.total_minor == 25_000_000 and sheet.scope == "conference"
    assert app.budget(conference_id).alerts == {"venue": 90}
    assert "CostsEstimated" in event_types(app) and "BudgetAlertSet" in event_types(app)


# -- bad input: refused naming the field, nothing stored ----------------------------------


def test_a_currency_other_than_the_conferences_is_refused_and_nothing_is_stored(
    app, upstream, conference_id
):
    before = stored(app)
    for command, call in (
        (c.SetBudget(lines=(line("venue", 1),), currency="USD"), app.set_budget),
        (c.RecordExpense(category="printing", amount_minor=5, currency="EUR"), app.record_expense),
    ):
        with pytest.raises(InvalidCommand) as refused:
            call(conference_id, command, ORGANIZER)
        assert refused.value.field == "currency"
        assert "CNY" in refused.value.message
    assert stored(app) == before


def test_a_conference_budget_never_heard_of_is_refused(app):
    with pytest.raises(InvalidCommand) as refused:
        app.set_budget(
            str(uuid.uuid4()), c.SetBudget(lines=(line("venue", 1),), currency="CNY"), ORGANIZER
        )
    assert refused.value.field == "conference_id"
    assert stored(app) == 0


def test_paying_under_a_contract_budget_does_not_know_is_refused(app, upstream):
    with pytest.raises(NotFound) as refused:
        app.pay_vendor(str(uuid.uuid4()), payment(100), ORGANIZER)
    assert refused.value.field == "contract_id"


def test_an_expense_whose_sums_a_payload_could_not_carry_is_refused_and_nothing_stored(
    app, upstream, conference_id
):
    approved_budget(app, conference_id, venue=10**15, catering=10**15)
    for name in ("venue", "catering"):
        spent = c.RecordExpense(category=name, amount_minor=10**15, currency="CNY")
        app.record_expense(conference_id, spent, ORGANIZER)  # each line at its amount
    before = stored(app)

    with pytest.raises(InvalidCommand) as refused:  # the total's warning: 2 * 10**15 + 1
        one_more = c.RecordExpense(category="printing", amount_minor=1, currency="CNY")
        app.record_expense(conference_id, one_more, ORGANIZER)
    assert refused.value.field == "amount_minor"
    assert stored(app) == before


# -- the ledger follows registration ------------------------------------------------------


def test_a_payment_is_income_from_registration_with_its_channel_fee_as_an_expense(
    app, upstream, conference_id
):
    order = str(uuid.uuid4())
    message = upstream.payment_received(order, 360_000, fee_minor=2_160)
    deliver(app, message)

    income, fee = views(app).entries(conference_id)
    assert (income["kind"], income["category"], income["source"]) == (
        "income", "registration", "registration"
    )  # fmt: skip
    assert income["amount_minor"] == 360_000 and income["source_ref"] == order
    assert income["caused_by"] == message.event_id and income["actor"] == "li.na"
    assert income["fapiao"] == "missing"
    assert (fee["kind"], fee["category"], fee["amount_minor"]) == ("expense", "payment_fees", 2_160)
    assert fee["caused_by"] == message.event_id


def test_a_refund_reverses_the_income_of_its_order(app, upstream, conference_id):
    order = str(uuid.uuid4())
    deliver(app, upstream.payment_received(order, 360_000))
    deliver(app, upstream.refund_completed(order, 180_000))

    reversal = views(app).entries(conference_id)[-1]
    assert (reversal["kind"], reversal["source_ref"], reversal["amount_minor"]) == (
        "reversal", order, 180_000
    )  # fmt: skip
    assert views(app).ledger(conference_id)["income_minor"] == 180_000


def test_ten_thousand_registrations_add_up_to_the_fen(app, upstream, conference_id):
    rng = random.Random(7)
    paid = fees = refunded = 0
    for _ in range(10_000):
        order = str(uuid.uuid4())
        amount, fee = rng.randint(1, 500_000), rng.randint(0, 3_000)
        deliver(app, upstream.payment_received(order, amount, fee_minor=fee))
        paid, fees = paid + amount, fees + fee
        if rng.random() < 0.05:
            back = rng.randint(1, amount)
            deliver(app, upstream.refund_completed(order, back))
            refunded += back

    ledger = views(app).ledger(conference_id)
    by_line = {x["line"]: x for x in ledger["lines"]}
    assert by_line["registration"]["income_minor"] == paid - refunded
    assert by_line["payment_fees"]["actual_minor"] == fees
    assert ledger["income_minor"] == paid - refunded
    entries = views(app).entries(conference_id)
    assert sum(e["amount_minor"] for e in entries if e["kind"] == "income") == paid


def test_a_message_delivered_twice_is_recorded_once(app, upstream, conference_id):
    message = upstream.payment_received(str(uuid.uuid4()), 180_000, fee_minor=1_080)
    deliver(app, message)
    before = stored(app)

    with pytest.raises(IntegrityError):  # the tracking record: the sink acks and skips it
        deliver(app, message)
    assert stored(app) == before
    assert len(views(app).entries(conference_id)) == 2


# -- the ledger follows vendors -------------------------------------------------------------


def test_a_signed_contract_is_a_commitment_within_budget_or_not(app, upstream, conference_id):
    approved_budget(app, conference_id)
    within, beyond = str(uuid.uuid4()), str(uuid.uuid4())
    deliver(app, upstream.contract_signed(within, 25_000_000))
    deliver(app, upstream.contract_signed(beyond, 6_000_000))

    assert app.account(within).amount_minor == 25_000_000
    events = [app.to_domain_event(n) for n in app.select_notifications(1, 100)]
    approvals = [e for e in events if type(e).__name__ == "CommitmentApproved"]
    assert [(e.contract_id, e.within_budget, e.approved_by) for e in approvals] == [
        (within, True, "li.na"),
        (beyond, False, "li.na"),
    ]
    view = views(app).ledger(conference_id)
    assert view["committed_minor"] == 31_000_000 and view["actual_minor"] == 0


def test_delivery_makes_the_contract_payable_and_a_payment_is_an_expense_of_its_line(
    app, upstream, conference_id
):
    contract = str(uuid.uuid4())
    deliver(app, upstream.contract_signed(contract, 12_000_000))
    app.pay_vendor(contract, payment(3_600_000, kind="deposit"), ORGANIZER)
    deliver(app, upstream.delivery_accepted(contract))
    app.pay_vendor(contract, payment(8_400_000, kind="final", fapiao="25332000000012345678"),
                   ORGANIZER)  # fmt: skip

    account = app.account_state(contract)
    assert (account["paid_minor"], account["open_minor"], account["due"]) == (12_000_000, 0, True)
    expenses = [e for e in views(app).entries(conference_id) if e["kind"] == "expense"]
    assert [
        (e["category"], e["amount_minor"], e["contract_id"], e["fapiao"]) for e in expenses
    ] == [
        ("venue", 3_600_000, contract, "missing"),
        ("venue", 8_400_000, contract, "received"),
    ]
    view = views(app).ledger(conference_id)
    assert (view["committed_minor"], view["actual_minor"]) == (0, 12_000_000)
    due = [app.to_domain_event(n) for n in app.select_notifications(1, 100)]
    (payable,) = [e for e in due if type(e).__name__ == "PayableDue"]
    assert payable.due_minor == 8_400_000


def test_a_cancelled_contract_releases_its_commitment_and_takes_no_payment(
    app, upstream, conference_id
):
    contract = str(uuid.uuid4())
    deliver(app, upstream.contract_signed(contract, 12_000_000))
    app.pay_vendor(contract, payment(2_000_000, kind="deposit"), ORGANIZER)
    deliver(app, upstream.contract_cancelled(contract))

    view = views(app).ledger(conference_id)
    assert (view["committed_minor"], view["actual_minor"]) == (0, 2_000_000)
    with pytest.raises(ContractCancelledAlready):
        app.pay_vendor(contract, payment(1_000, kind="final"), ORGANIZER)


# -- overrun warnings -------------------------------------------------------------------------


def test_an_overrun_warns_once_per_crossing(app, upstream, conference_id):
    approved_budget(app, conference_id)  # venue 300 000.00
    start = stored(app) + 1
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    deliver(app, upstream.contract_signed(first, 25_000_000))
    assert overruns(app, start) == []
    deliver(app, upstream.contract_signed(second, 6_000_000))  # 310 000.00: over
    deliver(app, upstream.contract_signed(third, 1_000_000))  # still over: no new warning
    assert overruns(app, start) == [("venue", "warned")]

    deliver(app, upstream.contract_cancelled(second))  # 260 000.00: back under
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 5_000_000))  # 310 000.00 again

    assert overruns(app, start) == [("venue", "warned"), ("venue", "cleared"), ("venue", "warned")]
    (over,) = views(app).ledger(conference_id)["over"]
    assert over == {
        "line": "venue",
        "approved_minor": VENUE_BUDGET,
        "committed_minor": 31_000_000,
        "actual_minor": 0,
        "budget_version": 1,
    }


def test_the_margin_lets_a_line_go_that_far_over_before_it_warns(app, upstream, conference_id):
    approved_budget(app, conference_id, margin_bp=500)  # 5%: up to 315 000.00
    start = stored(app) + 1
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 31_500_000))
    assert overruns(app, start) == []
    app.record_expense(
        conference_id, c.RecordExpense(category="venue", amount_minor=1, currency="CNY"), ORGANIZER
    )
    assert overruns(app, start) == [("venue", "warned")]


def test_the_total_warns_when_all_lines_together_go_over(app, upstream, conference_id):
    approved_budget(app, conference_id, venue=10_000_000, catering=10_000_000)
    start = stored(app) + 1
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 9_000_000, category="venue"))
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 9_000_000, category="catering"))
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 3_000_000, category="printing"))

    assert overruns(app, start) == [("printing", "warned"), ("total", "warned")]


def test_a_revision_that_covers_the_overrun_clears_it(app, upstream, conference_id):
    approved_budget(app, conference_id)
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 31_000_000))
    start = stored(app) + 1
    app.set_budget(
        conference_id,
        c.SetBudget(
            lines=(line("venue", 32_000_000), line("catering", 20_000_000)), currency="CNY"
        ),
        ORGANIZER,
    )
    app.approve_budget(
        conference_id, c.ApproveBudget(approvers=("Chen Jing",), reason="overrun"), ORGANIZER
    )

    assert overruns(app, start) == [("venue", "cleared")]
    assert views(app).ledger(conference_id)["over"] == []


def test_an_alert_warns_once_when_a_line_reaches_its_share_of_plan(app, upstream, conference_id):
    approved_budget(app, conference_id)  # venue 300 000.00
    app.set_alert(conference_id, c.SetAlert(line="venue", warn_percent=80), ORGANIZER)
    start = stored(app) + 1
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 23_000_000))  # 76%
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 1_000_000))  # 80%: warns
    deliver(app, upstream.contract_signed(str(uuid.uuid4()), 1_000_000))  # 83%: said already
    app.set_budget(
        conference_id,
        c.SetBudget(
            lines=(line("venue", 31_000_000), line("catering", 20_000_000)), currency="CNY"
        ),
        ORGANIZER,
    )
    app.approve_budget(  # version 2: still past 80%, said again for it
        conference_id, c.ApproveBudget(approvers=("Chen Jing",), reason="overrun"), ORGANIZER
    )

    raised = [
        app.to_domain_event(n)
        for n in app.select_notifications(start, 100)
        if type(app.to_domain_event(n)).__name__ == "BudgetWarningRaised"
    ]
    assert [(e.line, e.committed_minor, e.warn_percent, e.budget_version) for e in raised] == [
        ("venue", 24_000_000, 80, 1),
        ("venue", 25_000_000, 80, 2),
    ]


# -- rebuilt from zero ---------------------------------------------------------------------------


def test_a_fresh_store_fed_the_same_logs_and_commands_reaches_the_same_figures(conference_id):
    def history(app):
        upstream = Upstream(conference_id)
        rng = random.Random(11)  # the same messages, ids included, for both stores
        uuid4 = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))  # noqa: E731
        deliver(app, upstream.conference_opened())
        approved_budget(app, conference_id)
        contracts = [uuid4() for _ in range(3)]
        for contract, amount in zip(contracts, (25_000_000, 6_000_000, 4_000_000), strict=True):
            deliver(app, upstream.contract_signed(contract, amount))
        deliver(app, upstream.contract_cancelled(contracts[1]))
        app.pay_vendor(contracts[0], payment(5_000_000, kind="deposit"), ORGANIZER)
        for _ in range(50):
            order = uuid4()
            deliver(app, upstream.payment_received(order, rng.randint(1, 400_000), fee_minor=600))
        deliver(app, upstream.refund_completed(order, 100))
        return app

    live, rebuilt = history(budget_app()), history(budget_app())

    assert views(rebuilt).ledger(conference_id) == views(live).ledger(conference_id)
    assert views(rebuilt).budget(conference_id) == views(live).budget(conference_id)
    assert event_types(rebuilt) == event_types(live)

    def without_ids(rows):
        return [{k: v for k, v in r.items() if k not in ("entry_id", "recorded_at", "event_id")}
                for r in rows]  # fmt: skip

    assert without_ids(views(rebuilt).entries(conference_id)) == without_ids(
        views(live).entries(conference_id)
    )


def payment(amount_minor, kind="progress", fapiao=None):
    return c.PayVendor(
        amount_minor=amount_minor,
        currency="CNY",
        kind=kind,
        paid_on=dt.date(2027, 3, 1),
        method="bank_transfer",
        fapiao_number=fapiao,
    )
