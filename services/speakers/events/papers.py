"""The call for papers (aggregate: the call) and its submissions (aggregate: the
submission), as pretalx and Indico run them: submitted, reviewed, decided (accepted or
rejected), then confirmed by the speaker or withdrawn. Acceptance is the organiser's,
confirmation the speaker's: a talk counts once both happened (pretalx: confirmed)."""

from marshmallow import fields, validate

from services.common.fields import day, text
from services.common.planned import PlannedEvent, count, many_of, one_of

from .vocabulary import DECISIONS, FORMATS, RECOMMENDATIONS, WITHDRAWN_BY

track = text(100)


class CallForPapersOpened(PlannedEvent):
    """The call for papers opened, with its tracks, formats and deadline (1.6.4; 5.2.4:
    the submission system is live)."""

    tracks = fields.List(text(100), required=True, validate=validate.Length(min=1, max=50))
    formats = many_of(FORMATS, required=True)
    deadline = day(required=True)


class CallForPapersClosed(PlannedEvent):
    """The call for papers closed, with how many submissions it received."""

    submissions = count()


class SubmissionReceived(PlannedEvent):
    """A paper or talk was submitted to a track (pretalx: submitted); its speakers are
    Speaker aggregates named by `speaker_ids`."""

    track = track
    format = one_of(*FORMATS)
    speaker_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=20))


class ReviewSubmitted(PlannedEvent):
    """A reviewer reviewed a submission: a score from 0 to 10 and what they propose
    (Indico's proposed actions)."""

    score = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=10))
    recommendation = one_of(*RECOMMENDATIONS)


class SubmissionDecided(PlannedEvent):
    """The programme committee judged a submission (Indico's judge): accepted into a track
    and format, rejected, or folded into another (duplicate, merged)."""

    decision = one_of(*DECISIONS)
    track = track
    format = one_of(*FORMATS, required=False)
    session_id = fields.UUID()


class SubmissionConfirmed(PlannedEvent):
    """The speakers of an accepted submission confirmed they will give it (pretalx:
    confirmed)."""


class SubmissionWithdrawn(PlannedEvent):
    """A submission was withdrawn by its speaker (pretalx: withdrawn) or, once accepted,
    cancelled by the organiser (pretalx: canceled)."""

    withdrawn_by = one_of(*WITHDRAWN_BY)
    reason = text(1000)


TYPES = {
    "CallForPapersOpened": CallForPapersOpened,
    "CallForPapersClosed": CallForPapersClosed,
    "SubmissionReceived": SubmissionReceived,
    "ReviewSubmitted": ReviewSubmitted,
    "SubmissionDecided": SubmissionDecided,
    "SubmissionConfirmed": SubmissionConfirmed,
    "SubmissionWithdrawn": SubmissionWithdrawn,
}
