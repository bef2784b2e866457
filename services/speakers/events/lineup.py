"""The line-up (aggregate: the speaker or VIP): proposed, shortlisted or set aside,
contacted, invited, declined or confirmed, withdrawn; availability, agreements, a back-up,
a visa letter.
Names and contact details stay in the service; events say what rules and subscribers
need: role, session, and the flags the for-all rules filter on."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.catalog import Part
from services.common.fields import day, text
from services.common.planned import PlannedEvent, flag, one_of

from .vocabulary import AGREEMENTS, CONTACT_CHANNELS, FORMATS, ROLES, ROUTES, WITHDRAWN_BY


class SpeakerProposed(PlannedEvent):
    """A candidate speaker was proposed, by a route (1.7.1); those from partners are
    contacted in turn (1.7.4)."""

    route = one_of(*ROUTES)
    proposed_by = text(200)
    international = flag()


class SpeakerShortlisted(PlannedEvent):
    """A candidate was assessed and put on the provisional list (1.7.5)."""

    role = one_of(*ROLES)


class CandidateSetAside(PlannedEvent):
    """A candidate was assessed and left off the provisional list (1.7.5), or kept in
    `reserve` for a later place or as a back-up; proposed candidates are each either
    shortlisted or set aside."""

    role = one_of(*ROLES, required=False)
    reserve = flag()
    reason = text(1000)


class SpeakerContacted(PlannedEvent):
    """A candidate was briefed by call, visit or letter before the invitation (1.7.6)."""

    channel = one_of(*CONTACT_CHANNELS)


class SpeakerInvited(PlannedEvent):
    """A speaker or VIP was invited, for a role and a session (1.7.3)."""

    role = one_of(*ROLES)
    session_id = fields.UUID()
    format = one_of(*FORMATS, required=False)
    route = one_of(*ROUTES, required=False)
    international = flag()


class InvitationDeclined(PlannedEvent):
    """The invited speaker declined: they leave the line-up of 1.7.7 without blocking it."""

    role = one_of(*ROLES)
    reason = text(1000)


class SpeakerConfirmed(PlannedEvent):
    """The speaker confirmed, for a role and session. The flags say what they need, so
    that for-all rules ask only of those concerned: slides of those who `speaks` (9.3.2),
    flights and hotel of those who `needs_travel` and `needs_hotel` (9.1.2 to 9.1.5), an
    honorarium of those with `honorarium_due` (9.3.4); 1.7.8 and 18.2.1 filter on `role`."""

    role = one_of(*ROLES)
    session_id = fields.UUID()
    submission_id = fields.UUID()
    speaks = flag()
    needs_travel = flag()
    needs_hotel = flag()
    international = flag()
    honorarium_due = flag()


class SpeakerWithdrawn(PlannedEvent):
    """The speaker withdrew, or was withdrawn by the organiser; undoes SpeakerConfirmed.
    A back-up (BackupAssigned) may take the session (21.3.1)."""

    role = one_of(*ROLES)
    reason = text(1000, required=True)
    withdrawn_by = one_of(*WITHDRAWN_BY, required=False)


class Slot(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)

    @validates_schema
    def _ends_after_start(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class AvailabilityRecorded(PlannedEvent):
    """When the speaker can speak (pretalx's availabilities): the schedule places their
    session within one of these slots."""

    slots = fields.List(Part(Slot), required=True, validate=validate.Length(min=1, max=50))


class AgreementSigned(PlannedEvent):
    """The speaker signed an agreement: the letter of intent or confirmation (1.7.8), the
    release to record and publish their talk, their portrait's use, the fee terms."""

    kind = one_of(*AGREEMENTS)
    signed_on = day(required=True)


class BackupAssigned(PlannedEvent):
    """A back-up speaker is on file for this speaker's session (21.3.1)."""

    session_id = fields.UUID(required=True)
    backup_speaker_id = fields.UUID(required=True)


class VisaLetterIssued(PlannedEvent):
    """An invitation letter for the speaker's visa application was issued."""

    issued_on = day(required=True)


TYPES = {
    "SpeakerProposed": SpeakerProposed,
    "SpeakerShortlisted": SpeakerShortlisted,
    "CandidateSetAside": CandidateSetAside,
    "SpeakerContacted": SpeakerContacted,
    "SpeakerInvited": SpeakerInvited,
    "InvitationDeclined": InvitationDeclined,
    "SpeakerConfirmed": SpeakerConfirmed,
    "SpeakerWithdrawn": SpeakerWithdrawn,
    "AvailabilityRecorded": AvailabilityRecorded,
    "AgreementSigned": AgreementSigned,
    "BackupAssigned": BackupAssigned,
    "VisaLetterIssued": VisaLetterIssued,
}
