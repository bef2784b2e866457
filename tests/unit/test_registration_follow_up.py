"""Registration's follow-up on the in-memory store: a survey published and answered once
per registered attendee, with answers that fit its questions; mailings recorded;
inquiries answered and complaints resolved once, with the hours an answer took. The
events fit the published contract and carry neither wording nor answers."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from marshmallow import ValidationError

from services.common.errors import Conflict, InvalidCommand, NotFound
from services.registration import commands as c
from services.registration.follow_up_schemas import (
    PublishSurveySchema,
    RecordContactSchema,
    RecordSurveyResponseSchema,
)
from tests.unit.test_registration_application import (
    CONFERENCE,
    app,  # noqa: F401 - fixture
    clock,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
    fees,
    order_cmd,
    published,
)

QUESTIONS = (c.Question("会议整体安排", "rating"), c.Question("改进建议", "text"))


def survey(app, ctx, stage="post_event"):  # noqa: F811
    return app.publish_survey(CONFERENCE, c.PublishSurvey(stage, "满意度调查", QUESTIONS), ctx)


def attendee_of(app, ctx, email="wang@example.cn"):  # noqa: F811
    fees(app, ctx)
    order = app.place_order(order_cmd(email), ctx)
    return uuid.UUID(order.attendee_ids[0])


def response(attendee_id, score=4, *answers):
    return c.RecordSurveyResponse(attendee_id, score, tuple(answers))


def payloads(app, event_type):  # noqa: F811
    return [e.payload for e in published(app) if e.event_type == event_type]


def test_an_attendee_answers_a_survey_once(app, ctx):  # noqa: F811
    published_survey = survey(app, ctx)
    attendee = attendee_of(app, ctx)
    answers = (c.Answer(1, rating=5), c.Answer(2, text="茶歇时间再长一些"))
    answered = app.record_response(published_survey.id, response(attendee, 4, *answers), ctx)
    assert (answered.overall_score, answered.stage) == (4, "post_event")
    with pytest.raises(Conflict) as twice:
        app.record_response(published_survey.id, response(attendee, 2), ctx)
    assert twice.value.field == "attendee_id" and "already answered" in twice.value.message

    assert payloads(app, "SurveyPublished") == [{"stage": "post_event", "questions": 2}]
    assert payloads(app, "SurveyResponseReceived") == [
        {"stage": "post_event", "overall_score": 4, "survey_id": str(published_survey.id)}
    ]
    follow_up = ("SurveyPublished", "SurveyResponseReceived")
    text = json.dumps(
        [e.payload for e in published(app) if e.event_type in follow_up], ensure_ascii=False
    )
    assert "茶歇" not in text and "满意度调查" not in text and str(attendee) not in text


def test_answers_must_fit_the_questions_naming_the_answer(app, ctx):  # noqa: F811
    published_survey = survey(app, ctx)
    attendee = attendee_of(app, ctx)
    cases = [
        ((c.Answer(3, rating=5),), "answers[0].question"),
        ((c.Answer(1, rating=5), c.Answer(1, rating=4)), "answers[1].question"),
        ((c.Answer(1, text="很好"),), "answers[0].rating"),
        ((c.Answer(2, rating=3),), "answers[0].text"),
    ]
    for answers, field in cases:
        with pytest.raises(InvalidCommand) as refused:
            app.record_response(published_survey.id, response(attendee, 4, *answers), ctx)
        assert refused.value.field == field
    assert payloads(app, "SurveyResponseReceived") == []  # nothing stored


def test_only_a_registered_attendee_of_the_conference_answers(app, ctx):  # noqa: F811
    published_survey = survey(app, ctx)
    with pytest.raises(NotFound) as unknown:
        app.record_response(published_survey.id, response(uuid.uuid4()), ctx)
    assert unknown.value.field == "attendee_id"
    attendee = attendee_of(app, ctx)
    order = app.attendee(attendee).order_id
    app.cancel_order(order, c.CancelOrder("cannot travel"), ctx)
    with pytest.raises(Conflict) as cancelled:
        app.record_response(published_survey.id, response(attendee), ctx)
    assert cancelled.value.field == "attendee_id"


def test_the_edge_bounds_a_survey_and_a_response():
    questions = [{"text": f"Q{n}", "kind": "rating"} for n in range(51)]
    with pytest.raises(ValidationError) as too_many:
        PublishSurveySchema().load({"stage": "onsite", "title": "T", "questions": questions})
    assert "questions" in too_many.value.messages
    with pytest.raises(ValidationError) as bad:
        RecordSurveyResponseSchema().load(
            {
                "attendee_id": str(uuid.uuid4()),
                "overall_score": 6,
                "answers": [{"question": 1, "text": "x" * 2001}],
            }
        )
    assert set(bad.value.messages) == {"overall_score", "answers"}
    assert "text" in bad.value.messages["answers"][0]


def test_a_mailing_is_recorded_with_its_kind_medium_audience_and_recipients(app, ctx):  # noqa: F811
    cmd = c.RecordMailing("thank_you", "email", "attendees", 480, subject="感谢参会")
    app.record_mailing(CONFERENCE, cmd, ctx)
    assert payloads(app, "MailingSent") == [
        {"kind": "thank_you", "medium": "email", "audience": "attendees", "recipients": 480}
    ]


def test_an_inquiry_is_answered_once_with_the_hours_it_took(app, ctx, clock):  # noqa: F811
    asked = dt.datetime(2027, 2, 28, 10, 0, tzinfo=dt.UTC)
    inquiry = app.record_inquiry(
        CONFERENCE, c.RecordContact("wechat", "fapiao", asked, "能否开专票?"), ctx
    )
    assert inquiry.status == "open"
    late = c.AnswerInquiry(asked - dt.timedelta(hours=1))
    with pytest.raises(InvalidCommand) as before:
        app.answer_inquiry(inquiry.id, late, ctx)
    assert before.value.field == "answered_at"
    answered = app.answer_inquiry(inquiry.id, c.AnswerInquiry(answer="可以"), ctx)  # now
    assert (answered.status, answered.hours_to_answer) == ("answered", 16)
    with pytest.raises(Conflict):
        app.answer_inquiry(inquiry.id, c.AnswerInquiry(), ctx)
    assert payloads(app, "InquiryReceived") == [{"channel": "wechat", "topic": "fapiao"}]
    assert payloads(app, "InquiryAnswered") == [{"channel": "wechat", "hours_to_answer": 16}]


def test_a_time_in_the_future_is_refused_naming_it(app, ctx, clock):  # noqa: F811
    tomorrow = clock.now + dt.timedelta(days=1)
    with pytest.raises(InvalidCommand) as future:
        app.record_complaint(CONFERENCE, c.RecordContact("phone", "venue", tomorrow), ctx)
    assert future.value.field == "received_at"
    with pytest.raises(ValidationError) as naive:
        RecordContactSchema().load(
            {"channel": "phone", "topic": "venue", "received_at": "2027-03-01T10:00:00"}
        )
    assert "received_at" in naive.value.messages
    with pytest.raises(ValidationError) as ancient:
        RecordContactSchema().load(
            {"channel": "phone", "topic": "venue", "received_at": "0001-01-01T00:00:00+05:00"}
        )
    assert "received_at" in ancient.value.messages


def test_a_complaint_is_resolved_once(app, ctx):  # noqa: F811
    complaint = app.record_complaint(
        CONFERENCE, c.RecordContact("onsite", "catering", summary="午餐排队太久"), ctx
    )
    resolved = app.resolve_complaint(complaint.id, c.ResolveComplaint("fixed", "增开取餐点"), ctx)
    assert (resolved.status, resolved.resolution) == ("resolved", "fixed")
    with pytest.raises(Conflict) as again:
        app.resolve_complaint(complaint.id, c.ResolveComplaint("declined"), ctx)
    assert again.value.field == "complaint_id"
    assert payloads(app, "ComplaintResolved") == [{"topic": "catering", "resolution": "fixed"}]
    assert "午餐" not in json.dumps([e.payload for e in published(app)], ensure_ascii=False)


def test_an_unknown_conference_is_refused_naming_it(app, ctx):  # noqa: F811
    with pytest.raises(InvalidCommand) as unknown:
        app.record_mailing(
            str(uuid.uuid4()), c.RecordMailing("survey", "email", "attendees", 1), ctx
        )
    assert unknown.value.field == "conference_id"


def test_an_answer_more_than_a_year_late_is_refused_naming_it(app, ctx):  # noqa: F811
    long_ago = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    inquiry = app.record_inquiry(CONFERENCE, c.RecordContact("email", "other", long_ago), ctx)
    with pytest.raises(InvalidCommand) as late:
        app.answer_inquiry(inquiry.id, c.AnswerInquiry(), ctx)
    assert late.value.field == "answered_at" and "within a year" in late.value.message
    assert payloads(app, "InquiryAnswered") == []
