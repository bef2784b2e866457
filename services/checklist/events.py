"""Events that checklist publishes on `checklist.events` (routing key = event type)."""

from marshmallow import fields, validate

from services.common.catalog import EventCatalog, EventSchema

from .domain import PROFILES


class ConferenceOpened(EventSchema):
    """A conference was opened with its plan; other services accept it from now on."""

    conference_id = fields.UUID(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    city = fields.String(required=True)
    expected_attendance = fields.Integer(required=True, strict=True)
    profile = fields.String(required=True, validate=validate.OneOf(PROFILES))
    timezone = fields.String(required=True)
    template = fields.String(required=True)
    entry_codes = fields.List(fields.String(), required=True)


class EntryPlanned(EventSchema):
    """An entry of the plan, with its owner role, due date and how it is verified."""

    conference_id = fields.String(required=True)
    code = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    owner_role = fields.String(required=True)
    due_on = fields.Date(required=True)
    verification = fields.Dict(required=True)


class Proof(EventSchema):
    service = fields.String(required=True)
    event_type = fields.String(required=True)
    event_id = fields.String(required=True)
    notification_id = fields.Integer(required=True, strict=True)
    aggregate_id = fields.String(required=True)
    occurred_at = fields.String(required=True)
    actor = fields.String(required=True)


class EntryVerified(EventSchema):
    """An entry was verified; `proof` names the event (or evidence) that proves it."""

    proof = fields.Nested(Proof, required=True)


class EntryProofWithdrawn(EventSchema):
    """Some proofs were withdrawn by compensating events; others still verify the entry."""

    withdrawn = fields.List(fields.String(), required=True)
    reason = fields.String(required=True)


class EntryReopened(EventSchema):
    """Its last proof was withdrawn (a contract cancelled, say): the entry is open again."""

    withdrawn = fields.List(fields.String(), required=True)
    reason = fields.String(required=True)


CATALOG = EventCatalog(
    "checklist",
    {
        "ConferenceOpened": ConferenceOpened,
        "EntryPlanned": EntryPlanned,
        "EntryVerified": EntryVerified,
        "EntryProofWithdrawn": EntryProofWithdrawn,
        "EntryReopened": EntryReopened,
    },
)
