"""The registered count a budget's per-attendee lines are forecast with: a read model of
registration's attendees, fed by the same consumer as budget's policy, each sink with its
own position."""

from __future__ import annotations

import uuid

import pytest

from services.budget import commands as c
from services.budget.application import BudgetApplication
from services.budget.headcount import Registered
from services.budget.sinks import BothSinks
from services.budget.views import BudgetViews
from services.common.config import Settings
from services.common.consumer import AlreadyTracked
from services.common.database import Database
from services.common.sinks import ProcessSink, ProjectionSink
from tests.unit.budget_support import CATALOGS, ORGANIZER, Upstream, deliver, line


@pytest.fixture
def db(tmp_path):
    db = Database(Settings(data_dir=tmp_path), "budget")
    yield db
    db.close()


def registered(upstream: Upstream, category: str = "delegate") -> tuple:
    attendee = str(uuid.uuid4())
    payload = {"category": category, "ticket_type": "standard"}
    return attendee, upstream.envelope(
        "registration", "AttendeeRegistered", "Attendee", attendee, payload
    )


def cancelled(upstream: Upstream, attendee: str):
    payload = {"reason": "visa refused"}
    return upstream.envelope("registration", "RegistrationCancelled", "Attendee", attendee, payload)


def feed(sink, envelope) -> None:
    sink.apply(
        envelope, CATALOGS[envelope.service].load_incoming(envelope.event_type, envelope.payload)
    )


def test_both_sinks_count_the_registered_and_each_applies_a_message_once(db):
    conference_id = str(uuid.uuid4())
    upstream = Upstream(conference_id)
    app = BudgetApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    headcount = Registered(db)
    model = ProjectionSink(db, "registered", headcount)
    sink = BothSinks(ProcessSink(app), model)

    feed(sink, upstream.conference_opened())
    attendees = []
    for category in ("delegate", "delegate", "student", "speaker"):
        attendee, message = registered(upstream, category)
        feed(sink, message)
        attendees.append(attendee)
    feed(sink, cancelled(upstream, attendees[0]))

    assert headcount.count(conference_id) == {"delegate": 1, "speaker": 1, "student": 1}
    assert sink.position("registration") == 5
    with pytest.raises(AlreadyTracked):
        feed(
            sink,
            cancelled(upstream, attendees[1]).__class__(
                **{**cancelled(upstream, attendees[1]).__dict__, "notification_id": 5}
            ),
        )
    model.reset()  # emptied to rebuild: only the read model is behind
    assert sink.position("registration") == 0 and app.max_notification_id() == 1


def test_a_per_attendee_line_is_forecast_for_the_registered_count():
    conference_id = str(uuid.uuid4())
    app = BudgetApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    shown = BudgetViews(app, registered=lambda _: {"delegate": 380, "student": 40})
    deliver(app, Upstream(conference_id).conference_opened())
    catering = line("catering", 25_000_000, behaviour="variable", unit_minor=50_000,
                    quantity=500, per="attendee")  # fmt: skip
    app.set_budget(conference_id, c.SetBudget(lines=(catering,), currency="CNY"), ORGANIZER)
    app.approve_budget(conference_id, c.ApproveBudget(approvers=("Chen Jing",)), ORGANIZER)

    forecast = shown.budget(conference_id)["forecast"]
    assert forecast["registered"] == 420
    (only,) = forecast["lines"]
    assert (only["planned_minor"], only["forecast_minor"]) == (25_000_000, 21_000_000)
