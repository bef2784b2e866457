"""Talking with attendees (each its own aggregate: the survey, the response, the mailing,
the inquiry, the complaint): surveys, mailings, inquiries and complaints."""

from marshmallow import fields, validate

from services.common.catalog import EventSchema
from services.common.planned import count, one_of

from .vocabulary import (
    AUDIENCES,
    CONTACT_CHANNELS,
    MAILING_KINDS,
    MAILING_MEDIA,
    RESOLUTIONS,
    SURVEY_STAGES,
    TOPICS,
)


class SurveyPublished(EventSchema):
    """A satisfaction survey was published: on site (22.2.1) or after the event (23.1.4),
    with its number of questions (their wording stays in registration's store)."""

    stage = one_of(*SURVEY_STAGES, required=False)
    questions = count(required=False, minimum=1, maximum=200)


class SurveyResponseReceived(EventSchema):
    """An attendee answered the satisfaction survey (22.2.2 and 24.4.1 count responses):
    once per attendee and survey (the response's id is derived from both). Who answered and
    the answers stay in registration's store; `survey_id` (added) is the survey answered."""

    stage = one_of(*SURVEY_STAGES, required=False)
    # overall satisfaction, 1 (poor) to 5 (excellent)
    overall_score = fields.Integer(strict=True, validate=validate.Range(min=1, max=5))
    survey_id = fields.UUID()


class MailingSent(EventSchema):
    """A mailing went out: promotion leaflets (10.3.1, 10.3.2), the e-newsletter (10.3.3),
    thanks (23.1.1) or the photo and slide links (23.1.2) after the event."""

    kind = one_of(*MAILING_KINDS)
    medium = one_of(*MAILING_MEDIA)
    audience = one_of(*AUDIENCES)
    recipients = count()


class InquiryReceived(EventSchema):
    """Someone asked a question about registration (10.1.2); what they asked stays in
    registration's store. The inquiry is open until InquiryAnswered."""

    channel = one_of(*CONTACT_CHANNELS)
    topic = one_of(*TOPICS)


class InquiryAnswered(EventSchema):
    """A question was answered, `hours_to_answer` after it came (10.1.2: promptly)."""

    channel = one_of(*CONTACT_CHANNELS)
    hours_to_answer = count(maximum=24 * 366)


class ComplaintReceived(EventSchema):
    """A complaint or suggestion came in (24.5.1); what it says stays in registration's
    store. It is open until ComplaintResolved."""

    channel = one_of(*CONTACT_CHANNELS)
    topic = one_of(*TOPICS)


class ComplaintResolved(EventSchema):
    """A complaint was dealt with (24.5.1: each one handled)."""

    topic = one_of(*TOPICS, required=False)
    resolution = one_of(*RESOLUTIONS, required=False)


TYPES = {
    "SurveyPublished": SurveyPublished,
    "SurveyResponseReceived": SurveyResponseReceived,
    "MailingSent": MailingSent,
    "InquiryReceived": InquiryReceived,
    "InquiryAnswered": InquiryAnswered,
    "ComplaintReceived": ComplaintReceived,
    "ComplaintResolved": ComplaintResolved,
}
