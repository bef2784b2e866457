"""Getting a speaker ready for the stage (aggregate: the speaker): briefings, slides
received and checked, AV needs."""

from marshmallow import fields, validate

from services.common.planned import PlannedEvent, flag, many_of

from .vocabulary import AV_NEEDS, BRIEFING_TOPICS, SLIDE_CHECKS


class SpeakerBriefed(PlannedEvent):
    """The speaker was told what they need to know: the slide deadline (9.1.6) and
    template (9.1.7), dress code and travel safety (9.1.9), dress and language standards
    (21.3.3), the presenter remote (9.3.3)."""

    topics = many_of(BRIEFING_TOPICS, required=True)


class SlidesReceived(PlannedEvent):
    """The speaker's slides were received (9.3.2 asks each speaker's final version).
    `sha256` names the file received, so that a check can say which one it passed."""

    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=1000))
    final = flag()
    sha256 = fields.String(
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error="must be a sha256: 64 hex digits")
    )


class SlidesApproved(PlannedEvent):
    """A version of the slides passed its checks: it plays (9.3.2) and was screened for
    political content, maps and advertising (21.3.4)."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    checks = many_of(SLIDE_CHECKS, required=True)


class AvNeedsRecorded(PlannedEvent):
    """The speaker's AV needs were recorded (9.1.8)."""

    needs = many_of(AV_NEEDS)


TYPES = {
    "SpeakerBriefed": SpeakerBriefed,
    "SlidesReceived": SlidesReceived,
    "SlidesApproved": SlidesApproved,
    "AvNeedsRecorded": AvNeedsRecorded,
}
