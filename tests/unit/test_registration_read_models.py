"""Registration's read models of its own events, on a SQLite file, fed what the
application stored: the registrations paid for by category (the target check counts
them) and the follow-up summary per conference."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.common.config import Settings
from services.common.database import Database
from services.registration import commands as c
from services.registration.follow_up_view import FollowUpView
from services.registration.registered_counts import RegisteredCounts
from tests.unit.test_registration_application import (
    CONFERENCE,
    app,  # noqa: F401 - fixture
    clock,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
    fees,
    line,
    order_cmd,
    payment,
    published,
)


@pytest.fixture
def db(tmp_path):
    db = Database(Settings(data_dir=tmp_path), "registration")
    yield db
    db.close()


def fed(db, app, *models):  # noqa: F811
    """The models, created and fed every event the application stored, twice over: a
    second delivery changes nothing."""
    with db.transaction() as cur:
        for model in models:
            model.create(cur)
        for envelope in [*published(app), *published(app)]:
            for model in models:
                model.apply(cur, envelope, envelope.payload)
    return models


def test_paid_registrations_are_counted_by_category_until_cancelled(db, app, ctx):  # noqa: F811
    fees(app, ctx, line(), line("student", category="student", price_minor=60_000))
    paid = app.place_order(order_cmd("a@example.cn", "b@example.cn"), ctx)
    app.record_payment(paid.id, payment(560_000), ctx)
    student = app.place_order(order_cmd("s@example.cn", ticket_type="student"), ctx)
    app.record_payment(student.id, payment(60_000), ctx)
    app.place_order(order_cmd("unpaid@example.cn"), ctx)
    cancelled = app.place_order(order_cmd("c@example.cn"), ctx)
    app.record_payment(cancelled.id, payment(280_000), ctx)
    app.cancel_order(cancelled.id, c.CancelOrder("cannot travel"), ctx)
    app.set_targets(
        CONFERENCE,
        c.SetRegistrationTargets(({"by": dt.date(2027, 3, 1), "registered": 5},), 80),
        ctx,
    )

    (counts,) = fed(db, app, RegisteredCounts(db))
    assert counts.paid(CONFERENCE) == 3
    assert counts.paid(CONFERENCE, ["delegate"]) == 2
    assert counts.paid(CONFERENCE, ["student", "press"]) == 1
    assert counts.paid(str(uuid.uuid4())) == 0
    assert counts.targeted() == [CONFERENCE]


def test_the_follow_up_summary_counts_each_part(db, app, ctx, clock):  # noqa: F811
    fees(app, ctx)
    order = app.place_order(order_cmd("a@example.cn", "b@example.cn"), ctx)
    questions = (c.Question("整体", "rating"),)
    survey = app.publish_survey(CONFERENCE, c.PublishSurvey("post_event", "调查", questions), ctx)
    for attendee, score in zip(order.attendee_ids, (5, 2), strict=True):
        response = c.RecordSurveyResponse(uuid.UUID(attendee), score)
        app.record_response(survey.id, response, ctx)
    for recipients in (100, 20):
        mailing = c.RecordMailing("thank_you", "email", "attendees", recipients)
        app.record_mailing(CONFERENCE, mailing, ctx)
    asked = clock.now - dt.timedelta(hours=5)
    answered = app.record_inquiry(CONFERENCE, c.RecordContact("email", "fapiao", asked), ctx)
    app.answer_inquiry(answered.id, c.AnswerInquiry(), ctx)
    waiting = app.record_inquiry(CONFERENCE, c.RecordContact("phone", "payment"), ctx)
    app.record_complaint(CONFERENCE, c.RecordContact("onsite", "catering"), ctx)

    (view,) = fed(db, app, FollowUpView(db))
    summary = view.summary(CONFERENCE)
    assert summary["surveys"] == [
        {
            "survey_id": str(survey.id),
            "stage": "post_event",
            "questions": 1,
            "responses": 2,
            "average_score": 3.5,
        }
    ]
    assert summary["mailings"] == [
        {
            "kind": "thank_you",
            "audience": "attendees",
            "medium": "email",
            "mailings": 2,
            "recipients": 120,
        }
    ]
    assert summary["inquiries"] == {
        "received": 2,
        "handled": 1,
        "open": 1,
        "by_channel": {"email": 1, "phone": 1},
        "by_topic": {"fapiao": 1, "payment": 1},
        "average_hours_to_answer": 5.0,
        "open_ids": [str(waiting.id)],
    }
    assert (summary["complaints"]["received"], summary["complaints"]["open"]) == (1, 1)
    assert view.summary(str(uuid.uuid4()))["surveys"] == []
