"""One registration per person and conference (aggregate: the claim of an email address):
an attendee's email, normalised, claims an aggregate whose id is derived from the
conference and the address, saved with the order. Two orders naming the same person
collide in the store however close together they come. The address itself is never
published; the claim's id stands for it."""

from marshmallow import fields

from services.common.catalog import EventSchema


class AttendeeEmailClaimed(EventSchema):
    """An attendee's email was claimed for a conference, by this attendee."""

    attendee_id = fields.UUID(required=True)


class AttendeeEmailReleased(EventSchema):
    """The attendee holding the email no longer does (cancelled, expired, denied or
    substituted): the address may register again."""

    attendee_id = fields.UUID(required=True)


class AttendeeEmailReclaimed(EventSchema):
    """A released email was claimed again, by another registration of the same person."""

    attendee_id = fields.UUID(required=True)


TYPES = {
    "AttendeeEmailClaimed": AttendeeEmailClaimed,
    "AttendeeEmailReleased": AttendeeEmailReleased,
    "AttendeeEmailReclaimed": AttendeeEmailReclaimed,
}
