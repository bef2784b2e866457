"""Continuous work: an entry whose work goes on over a window records progress while the
window is open, and is verified only at its end (window.py)."""

import datetime as dt
import uuid

import pytest

from services.checklist import commands as c
from services.checklist import exchange
from services.checklist.domain import Entry
from services.checklist.rules import ADD, REMOVE
from services.common.domain import CommandContext
from services.common.envelope import Envelope, event_id_for
from services.common.errors import Conflict, InvalidCommand
from services.common.sinks import UpstreamEvent
from tests.unit.checklist_plans import checklist, entry, entry_of, opening

CONFERENCE = "5c0d8f7e-2222-4d4d-8e8e-000000000003"
META = {"actor": "li", "correlation_id": "c", "causation_id": None, "conference_id": CONFERENCE}
OPENS, DUE = dt.date(2026, 5, 23), dt.date(2026, 11, 11)
INCOME = {"event": "budget.IncomeRecorded", "compensated_by": ["budget.IncomeReversed"]}
PAID = {"count": "registration.RegistrationPaid", "at_least": 2}  # resolved as the target
EVIDENCE = [{"kind": "document", "reference": {"note": "ledger closed"}}]


def ledger(rule=INCOME, evidence=(), target=None) -> Entry:
    """Continuous work from OPENS to DUE, as 2.4.2 (income recorded item by item)."""
    entry = Entry(
        conference_id=CONFERENCE,
        code="2.4.2",
        title_zh="收入逐笔登记",
        title_en="Income recorded item by item",
        owner_role="finance",
        due_on=DUE.isoformat(),
        verification={"rule": rule, "evidence": list(evidence)},
        opens_on=OPENS.isoformat(),
        target=target,
        meta=META,
    )
    entry.collect_events()
    return entry


def proof(event_id: str, aggregate_id: str) -> dict:
    return {"event_id": event_id, "aggregate_id": aggregate_id, "service": "budget"}


def names(entry: Entry) -> list[str]:
    return [type(e).__name__ for e in entry.collect_events()]


# -- the entry ------------------------------------------------------------------------------
def test_events_in_the_window_are_progress_not_proof():
    entry = ledger()

    entry.observe(ADD, proof("e1", "line-1"), "recorded", META, on=OPENS)
    entry.observe(ADD, proof("e2", "line-2"), "recorded", META, on=DUE - dt.timedelta(days=1))

    assert names(entry) == ["RuleProgressed", "RuleProgressed"]
    assert entry.status == "in_progress"
    assert entry.proofs == []
    assert sorted(entry.members) == ["line-1", "line-2"]


def test_an_event_on_the_last_day_of_the_window_verifies_it_when_the_rule_holds():
    entry = ledger()
    entry.observe(ADD, proof("e1", "line-1"), "recorded", META, on=OPENS)
    entry.collect_events()

    entry.observe(ADD, proof("e2", "line-2"), "recorded", META, on=DUE)

    assert names(entry) == ["RuleProgressed", "EntryVerified"]
    (summary,) = entry.proofs
    assert (summary["kind"], summary["closed_on"], summary["members"]) == ("rule", "2026-11-11", 2)


def test_an_event_without_a_day_is_progress_only():
    entry = ledger()

    entry.observe(ADD, proof("e1", "line-1"), "recorded", META)

    assert entry.status == "in_progress"


def test_the_check_after_the_window_closes_it_when_the_rule_holds():
    entry = ledger()
    entry.observe(ADD, proof("e1", "line-1"), "recorded", META, on=OPENS)
    entry.collect_events()

    assert entry.close_window(DUE - dt.timedelta(days=1), META) is False  # still open
    assert entry.close_window(DUE + dt.timedelta(days=1), META) is True
    assert entry.close_window(DUE + dt.timedelta(days=2), META) is False  # closed already

    assert names(entry) == ["EntryVerified"]
    (summary,) = entry.proofs
    assert summary["event_id"] == "window:2026-11-11"
    assert summary["closed_on"] == "2026-11-12"
    assert entry.is_overdue(DUE + dt.timedelta(days=2)) is False


def test_the_check_leaves_open_work_whose_rule_does_not_hold_and_it_is_overdue():
    entry = ledger(PAID, target=2)
    entry.observe(ADD, proof("p1", "order-1"), "paid", META, on=OPENS)  # one of two
    entry.collect_events()
    after = DUE + dt.timedelta(days=1)

    assert entry.close_window(after, META) is False
    assert entry.flag_overdue(after, META) is True
    assert entry.status == "in_progress"


def test_a_count_that_reaches_its_target_early_closes_only_at_the_end():
    entry = ledger(PAID, target=2)
    entry.observe(ADD, proof("p1", "order-1"), "paid", META, on=OPENS)
    entry.observe(ADD, proof("p2", "order-2"), "paid", META, on=OPENS)

    assert entry.status == "in_progress"
    assert entry.state.shown_progress["percent"] == 100  # the rule holds; the window is open

    assert entry.close_window(DUE, META) is True
    assert entry.status == "verified"


def test_a_compensation_after_the_end_reopens_it():
    entry = ledger()
    entry.observe(ADD, proof("e1", "line-1"), "recorded", META, on=DUE)
    entry.collect_events()

    entry.observe(REMOVE, proof("r1", "line-1"), "reversed", META, on=DUE)

    assert names(entry) == ["RuleProgressed", "EntryReopened"]
    assert entry.status == "open"


def test_evidence_is_refused_while_the_window_is_open_naming_it():
    entry = ledger(rule=None, evidence=["document"])

    with pytest.raises(Conflict) as refused:
        entry.verify_with_evidence(EVIDENCE, "li", "t", META, on=DUE - dt.timedelta(days=1))

    assert "2.4.2 is continuous work from 2026-05-23 to 2026-11-11" in str(refused.value)
    assert entry.collect_events() == []
    entry.record_progress("in_progress", 60, "May to August recorded", META)
    assert entry.status == "in_progress"


@pytest.mark.parametrize("on", [DUE, DUE + dt.timedelta(days=5)])
def test_evidence_from_the_end_of_the_window_on_verifies_it(on):
    entry = ledger(rule=None, evidence=["document"])

    entry.verify_with_evidence(EVIDENCE, "li", "t", META, on=on)

    assert entry.status == "verified"


def test_its_due_date_cannot_move_before_its_window_opens():
    entry = ledger()

    with pytest.raises(InvalidCommand, match="opens on 2026-05-23") as refused:
        entry.change_due_date("2026-05-22", "earlier", META)

    assert refused.value.field == "due_on"
    entry.change_due_date("2026-05-23", "a window of a day", META)
    assert entry.due_on == "2026-05-23"


def test_work_done_once_is_verified_by_its_first_event_as_before():
    entry = ledger()
    once = Entry(
        conference_id=CONFERENCE,
        code="2.4.1",
        title_zh="设定台账",
        title_en="Ledger set up",
        owner_role="finance",
        due_on=OPENS.isoformat(),
        verification={"rule": INCOME, "evidence": []},
        meta=META,
    )

    once.observe(ADD, proof("e1", "line-1"), "recorded", META)

    assert once.status == "verified"
    assert once.close_window(DUE, META) is False
    assert entry.opens_on == "2026-05-23" and once.opens_on is None


# -- in a plan ---------------------------------------------------------------------------
CTX = CommandContext.new("li")


def income(conference_id, n: int, occurred_at: str) -> Envelope:
    return Envelope(
        event_id=event_id_for(f"line-{n}", 1),
        event_type="IncomeRecorded",
        service="budget",
        notification_id=n,
        aggregate_type="LedgerLine",
        aggregate_id=str(uuid.UUID(int=n)),
        aggregate_version=1,
        conference_id=conference_id,
        occurred_at=occurred_at,
        actor="zhao",
        correlation_id=f"corr-{n}",
        causation_id=None,
        schema_version=1,
        payload={
            "category": "registration",
            "source": "registration",
            "fapiao_number": f"2544{n:016d}",
            "amount_minor": 80_000,
            "currency": "CNY",
        },
    )


@pytest.fixture
def now():
    return [dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)]


@pytest.fixture
def app(now):
    app = checklist("conference", clock=lambda: now[0])
    yield app
    app.close()


def test_a_plan_shows_each_window_and_each_dependency_of_the_plan(app):
    """A conference from 2026-10-10 to 2026-10-12."""
    academic = str(app.open_conference(opening(), CTX).id)
    business = str(app.open_conference(opening(profile="business"), CTX).id)

    ledger_entry = entry(app, academic, "2.4.2")
    assert (ledger_entry["opens_on"], ledger_entry["due_on"]) == ("2026-05-23", "2026-11-11")
    assert ledger_entry["after"] == ["2.4.1"]  # its window opens when the ledger is set up
    daily = entry(app, academic, "3.2.4")
    assert (daily["opens_on"], daily["due_on"]) == ("2026-10-10", "2026-10-12")
    once = entry(app, academic, "1.3.5")
    assert once["opens_on"] is None
    assert once["after"] == ["1.3.4", "1.4.1", "21.1.1"]
    assert entry(app, academic, "8.4.3")["after"] == ["8.4.2", "8.4.4"]  # and its anchor
    # The call for papers is in the academic plan only: not a dependency elsewhere.
    assert {"1.6.4", "5.2.4"} <= set(entry(app, academic, "1.7.7")["after"])
    assert not {"1.6.4", "5.2.4"} & set(entry(app, business, "1.7.7")["after"])

    (row,) = exchange.rows([ledger_entry])
    cells = dict(zip(exchange.KEYS, row, strict=True))
    assert (cells["opens_on"], cells["due_on"]) == (dt.date(2026, 5, 23), dt.date(2026, 11, 11))
    assert cells["after"] == "2.4.1"


def test_income_recorded_in_the_window_is_progress_and_the_check_after_it_verifies(app):
    conference_id = str(app.open_conference(opening(), CTX).id)
    for n, at in ((1, "2026-06-01T02:00:00+00:00"), (2, "2026-11-10T15:59:00+00:00")):
        env = income(conference_id, n, at)  # the second: 23:59 in Shanghai, the day before
        app.process_event(UpstreamEvent(env, env.payload), None)

    assert entry(app, conference_id, "2.4.2")["status"] == "in_progress"
    assert entry(app, conference_id, "2.4.2")["members"] == 2

    flagged = app.flag_overdue(conference_id, ["2.4.2", "2.5.1"], DUE + dt.timedelta(1), CTX)

    assert flagged == ["2.5.1"]  # due the same day, and done once: overdue
    closed = entry(app, conference_id, "2.4.2")
    assert (closed["status"], closed["overdue"]) == ("verified", False)
    assert closed["proofs"][0]["closed_on"] == "2026-11-12"


def test_income_recorded_on_the_last_day_at_the_conference_verifies_it(app):
    conference_id = str(app.open_conference(opening(), CTX).id)
    env = income(conference_id, 1, "2026-11-10T16:00:00+00:00")  # 00:00 on the 11th there

    app.process_event(UpstreamEvent(env, env.payload), None)

    assert entry(app, conference_id, "2.4.2")["status"] == "verified"


def test_evidence_for_continuous_work_is_taken_from_the_last_day_at_the_conference(app, now):
    conference_id = str(app.open_conference(opening(), CTX).id)
    all_day = {"note": "all day"}
    verify = c.VerifyByHand(
        evidence=(c.Evidence(kind="form", reference=all_day),), reason="kept on the desk's form"
    )
    now[0] = dt.datetime(2026, 10, 11, 15, 59, tzinfo=dt.UTC)  # 23:59 on the 11th there

    with pytest.raises(Conflict, match="3.2.4 is continuous work from 2026-10-10 to 2026-10-12"):
        app.verify_by_hand(conference_id, "3.2.4", verify, CTX)
    assert entry_of(app, conference_id, "3.2.4").status == "open"

    now[0] = dt.datetime(2026, 10, 11, 16, 0, tzinfo=dt.UTC)  # the 12th, the last day
    verified = app.verify_by_hand(conference_id, "3.2.4", verify, CTX)

    assert verified.status == "verified"
    assert app.verify_by_hand(conference_id, "3.2.3", verify, CTX).status == "verified"  # once
