"""API schemas of checklist."""

from zoneinfo import available_timezones

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.common.commands import Command
from services.common.fields import text

from .domain import PROFILES, PROGRESS_STATES
from .template import EVIDENCE_KINDS, OWNER_ROLES, PHASES

ENTRY_CODE = r"^\d+\.\d+\.\d+$"
SELECTION_CODE = r"^\d+(\.\d+){0,2}$"


class OpenConference(Command):
    conference_id = fields.UUID(load_default=None)  # a caller may choose the id (replays)
    name = text(300, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    city = text(100, required=True)
    expected_attendance = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    profile = fields.String(required=True, validate=validate.OneOf(PROFILES))
    include = fields.List(
        fields.String(validate=validate.Regexp(SELECTION_CODE)), load_default=list
    )
    exclude = fields.List(
        fields.String(validate=validate.Regexp(SELECTION_CODE)), load_default=list
    )
    timezone = fields.String(
        load_default="Asia/Shanghai",
        validate=lambda tz: tz in available_timezones() or _bad_timezone(tz),
    )

    @validates_schema
    def _dates_in_order(self, data, **_):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("must not be before starts_on", field_name="ends_on")


def _bad_timezone(tz: str) -> bool:
    raise ValidationError(f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai")


class AddMember(Command):
    member_id = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    name = text(200, required=True)
    roles = fields.List(
        fields.String(validate=validate.OneOf(OWNER_ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    email = fields.Email(load_default=None)


class Assign(Command):
    member_id = fields.String(required=True)
    codes = fields.List(fields.String(validate=validate.Regexp(ENTRY_CODE)), load_default=list)
    role = fields.String(load_default=None, validate=validate.OneOf(OWNER_ROLES))


class ChangeDueDate(Command):
    due_on = fields.Date(required=True)
    reason = text(1000, required=True)


class RecordProgress(Command):
    state = fields.String(required=True, validate=validate.OneOf(PROGRESS_STATES))
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class Reference(Schema):
    """Where the evidence is: a link, a file by its SHA-256 and name, or a note."""

    class Meta:
        unknown = RAISE

    url = fields.Url(load_default=None)
    sha256 = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    filename = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    note = fields.String(load_default=None, validate=validate.Length(min=1, max=4000))

    @validates_schema
    def _one_form(self, data, **_):
        forms = [f for f in ("url", "sha256", "note") if data.get(f)]
        if len(forms) != 1:
            raise ValidationError("give exactly one of url, sha256 (with filename) or note")
        if data.get("sha256") and not data.get("filename"):
            raise ValidationError("a file reference needs its filename", "filename")

    @post_load
    def _compact(self, data, **_):
        if data.get("sha256"):
            data["sha256"] = data["sha256"].lower()  # one spelling of the same digest
        return {k: v for k, v in data.items() if v is not None}


class Evidence(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(EVIDENCE_KINDS))
    reference = fields.Nested(Reference, required=True)


class VerifyByHand(Command):
    evidence = fields.List(
        fields.Nested(Evidence),
        required=True,
        validate=validate.Length(
            min=1, error="verifying by hand needs at least one evidence record"
        ),
    )


class Reason(Command):
    reason = text(1000, required=True)


class CheckOverdue(Command):
    today = fields.Date(load_default=None)


class PlanQuery(Schema):
    class Meta:
        unknown = RAISE

    section = fields.String(load_default=None, validate=validate.Regexp(r"^\d+$"))
    owner = fields.String(load_default=None)
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", "in_progress", "verified", "waived", "overdue"]),
    )
    phase = fields.String(load_default=None, validate=validate.OneOf(PHASES))
    due_from = fields.Date(load_default=None)
    due_to = fields.Date(load_default=None)
    lang = fields.String(load_default="en", validate=validate.OneOf(["en", "zh"]))


class ImportPlan(Schema):
    """The query of an upload (its body is the XLSX): who imports it, and its file name."""

    class Meta:
        unknown = RAISE

    actor = text(200, required=True)
    correlation_id = fields.String(load_default=None)
    filename = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
