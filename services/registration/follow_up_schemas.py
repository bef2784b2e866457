"""API schemas of registration's follow-up: surveys and their responses, mailings,
inquiries and complaints, and the summary per conference. Vocabularies are the
contract's (events/vocabulary.py)."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, fields, validate

from services.common.commands import Loads
from services.common.fields import text
from services.common.planned import one_of

from . import commands
from .domain.surveys import QUESTION_KINDS, RATING
from .events import (
    AUDIENCES,
    CONTACT_CHANNELS,
    MAILING_KINDS,
    MAILING_MEDIA,
    RESOLUTIONS,
    SURVEY_STAGES,
    TOPICS,
)

MAX_QUESTIONS = 50


def moment() -> fields.AwareDateTime:
    """A time with its offset, in the years a conference can have: one far outside them
    would not even convert to UTC."""
    return fields.AwareDateTime(
        load_default=None,
        validate=validate.Range(
            min=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            max=dt.datetime(2100, 12, 31, tzinfo=dt.UTC),
            error="must be a time from {min} to {max}",
        ),
    )


class QuestionSchema(Loads):
    command = commands.Question

    text = text(500, required=True)
    kind = fields.String(load_default=RATING, validate=validate.OneOf(QUESTION_KINDS))


class PublishSurveySchema(Loads):
    command = commands.PublishSurvey

    stage = one_of(*SURVEY_STAGES)
    title = text(200, required=True)
    questions = fields.List(
        fields.Nested(QuestionSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_QUESTIONS),
    )


class AnswerSchema(Loads):
    command = commands.Answer

    question = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUESTIONS)
    )
    rating = fields.Integer(strict=True, load_default=None, validate=validate.Range(min=1, max=5))
    text = text(2000, load_default=None)


class RecordSurveyResponseSchema(Loads):
    command = commands.RecordSurveyResponse

    attendee_id = fields.UUID(required=True)
    overall_score = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    answers = fields.List(
        fields.Nested(AnswerSchema), load_default=[], validate=validate.Length(max=MAX_QUESTIONS)
    )


class RecordMailingSchema(Loads):
    command = commands.RecordMailing

    kind = one_of(*MAILING_KINDS)
    medium = one_of(*MAILING_MEDIA)
    audience = one_of(*AUDIENCES)
    recipients = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=10_000_000)
    )
    subject = text(200, load_default=None)


class RecordContactSchema(Loads):
    command = commands.RecordContact

    channel = one_of(*CONTACT_CHANNELS)
    topic = one_of(*TOPICS)
    received_at = moment()
    summary = text(2000, load_default=None)


class AnswerInquirySchema(Loads):
    command = commands.AnswerInquiry

    answered_at = moment()
    answer = text(2000, load_default=None)


class ResolveComplaintSchema(Loads):
    command = commands.ResolveComplaint

    resolution = one_of(*RESOLUTIONS)
    note = text(2000, load_default=None)


# -- answers ---------------------------------------------------------------------------


class QuestionAnswer(Schema):
    text = fields.String()
    kind = fields.String()


class SurveyAnswer(Schema):
    survey_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    stage = fields.String()
    title = fields.String()
    questions = fields.List(fields.Nested(QuestionAnswer), attribute="items")
    version = fields.Integer()


class ResponseAnswer(Schema):
    response_id = fields.UUID(attribute="id")
    survey_id = fields.String()
    attendee_id = fields.String()
    stage = fields.String()
    overall_score = fields.Integer()
    version = fields.Integer()


class MailingAnswer(Schema):
    mailing_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    kind = fields.String()
    medium = fields.String()
    audience = fields.String()
    recipients = fields.Integer()


class InquiryAnswer(Schema):
    inquiry_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    channel = fields.String()
    topic = fields.String()
    received_at = fields.String()
    status = fields.String()
    hours_to_answer = fields.Integer(allow_none=True)
    summary = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    version = fields.Integer()


class ComplaintAnswer(Schema):
    complaint_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    channel = fields.String()
    topic = fields.String()
    received_at = fields.String()
    status = fields.String()
    resolution = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    version = fields.Integer()


class SurveySummary(Schema):
    survey_id = fields.String()
    stage = fields.String()
    questions = fields.Integer()
    responses = fields.Integer()
    average_score = fields.Float(allow_none=True)


class MailingSummary(Schema):
    kind = fields.String()
    audience = fields.String()
    medium = fields.String()
    mailings = fields.Integer()
    recipients = fields.Integer()


class ContactSummary(Schema):
    received = fields.Integer()
    handled = fields.Integer()
    open = fields.Integer()
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_topic = fields.Dict(keys=fields.String(), values=fields.Integer())
    average_hours_to_answer = fields.Float(allow_none=True)
    open_ids = fields.List(fields.String())


class FollowUpAnswer(Schema):
    conference_id = fields.String()
    surveys = fields.List(fields.Nested(SurveySummary))
    mailings = fields.List(fields.Nested(MailingSummary))
    inquiries = fields.Nested(ContactSummary)
    complaints = fields.Nested(ContactSummary)
