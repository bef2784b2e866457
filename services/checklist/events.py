"""The contract of checklist: the events it publishes on `checklist.events` (routing key =
event type) and the vocabularies they and its API use. Imports no domain, template or
YAML: a subscriber may import it alone."""

from marshmallow import Schema, fields, validate

from services.common.catalog import EventCatalog, EventSchema
from services.common.fields import currency

PROFILES = ("academic", "business", "corporate_annual")
PHASES = ("before", "onsite", "after")
PROGRESS_STATES = ("not_started", "in_progress", "blocked", "done")
STATUSES = ("open", "in_progress", "verified", "waived")
EVIDENCE_KINDS = (
    "form",
    "email_confirmation",
    "phone_record",
    "meeting_minutes",
    "document",
    "photo",
)
OWNER_ROLES = (
    "project_lead",
    "finance",
    "venue",
    "speakers",
    "registration",
    "design",
    "media",
    "logistics",
    "sponsorship",
    "catering",
    "interpretation",
    "web",
    "onsite",
    "hr",
)


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
    selection = fields.Dict(load_default=None, allow_none=True)
    # added: the currency of the conference's money; an event from before it is in CNY
    currency = currency(load_default="CNY")


class ConferenceSettingsChanged(EventSchema):
    """Values of the conference's settings (figures its plan's rules use, declared by the
    template with a default): every one when the conference is opened, those an organizer
    changes later, and why."""

    settings = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    reason = fields.String(required=True)


class TeamMemberJoined(EventSchema):
    """Someone joined the conference's team, with the roles they can own entries for."""

    member_id = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    email = fields.String(required=True, allow_none=True)


class EntryPlanned(EventSchema):
    """An entry of the plan, with its owner role, due date and how it is verified.
    Continuous work has the day its window opens (`opens_on`; its due date ends it);
    `after` lists the entries of the plan it depends on."""

    conference_id = fields.String(required=True)
    code = fields.String(required=True)
    title_zh = fields.String(required=True)
    title_en = fields.String(required=True)
    owner_role = fields.String(required=True)
    due_on = fields.Date(required=True)
    verification = fields.Dict(required=True)
    phase = fields.String(load_default="before", validate=validate.OneOf(PHASES))
    target = fields.Integer(load_default=None, allow_none=True)
    opens_on = fields.Date(load_default=None, allow_none=True)
    after = fields.List(fields.String(), load_default=None, allow_none=True)


class EntryVerified(EventSchema):
    """An entry was verified. `proof` is one of: an event of another service (service,
    event_type, event_id, notification_id, aggregate_id, occurred_at, actor); evidence
    recorded by hand (kind "evidence", evidence records, verified_by, verified_at); or a
    rule that holds (kind "rule", members, done, target, last; for continuous work also
    closed_on, the day at the conference it was closed: its due date or later)."""

    proof = fields.Dict(required=True)


class RuleProgressed(EventSchema):
    """An event a count or for-all rule listens to: a member added, removed or done, or
    (`undone`, added) its completion taken back by a for-all rule's `undone_by` event."""

    role = fields.String(
        required=True, validate=validate.OneOf(["add", "remove", "done", "undone"])
    )
    aggregate_id = fields.String(required=True)
    proof = fields.Dict(required=True)


class RuleStep(Schema):
    role = fields.String(
        required=True, validate=validate.OneOf(["add", "remove", "done", "undone"])
    )
    aggregate_id = fields.String(required=True)
    proof = fields.Dict(required=True)


class RuleMembersChanged(EventSchema):
    """Several events a count or for-all rule listens to, taken together from one page of
    an upstream's log: each step a member added, removed, done or undone (as
    RuleProgressed), in the order of the log. A page of 200 registrations is one event of
    the entry, not 200."""

    steps = fields.List(fields.Nested(RuleStep), required=True, validate=validate.Length(min=2))


class EntryTargetChanged(EventSchema):
    """A setting of the conference changed how many members the entry's count rule needs;
    an EntryVerified or EntryReopened follows when the rule now holds, or no longer does."""

    target = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True)


class EntryWaived(EventSchema):
    """The entry does not apply to this conference, and why."""

    reason = fields.String(required=True)
    waived_by = fields.String(required=True)


class EntryAssigned(EventSchema):
    """A team member owns the entry."""

    owner = fields.Dict(required=True)


class DueDateChanged(EventSchema):
    due_on = fields.Date(required=True)
    reason = fields.String(required=True)


class ProgressRecorded(EventSchema):
    state = fields.String(required=True, validate=validate.OneOf(PROGRESS_STATES))
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    note = fields.String(required=True, allow_none=True)


class EntryOverdue(EventSchema):
    """The entry passed its due date without being verified or waived (once per date)."""

    due_on = fields.Date(required=True)
    noticed_on = fields.Date(required=True)


class EntryProofWithdrawn(EventSchema):
    """Proofs were withdrawn by compensating events, and the status stays: other proofs
    still verify the entry, or it is waived (a waiver is lifted only by hand)."""

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
        "ConferenceSettingsChanged": ConferenceSettingsChanged,
        "TeamMemberJoined": TeamMemberJoined,
        "EntryPlanned": EntryPlanned,
        "EntryVerified": EntryVerified,
        "RuleProgressed": RuleProgressed,
        "RuleMembersChanged": RuleMembersChanged,
        "EntryTargetChanged": EntryTargetChanged,
        "EntryWaived": EntryWaived,
        "EntryAssigned": EntryAssigned,
        "DueDateChanged": DueDateChanged,
        "ProgressRecorded": ProgressRecorded,
        "EntryOverdue": EntryOverdue,
        "EntryProofWithdrawn": EntryProofWithdrawn,
        "EntryReopened": EntryReopened,
    },
)
