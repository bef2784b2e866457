"""API schemas of checklist: what a command or query must contain, and how answers are
written (the plan read model stores answers dumped by these)."""

from typing import ClassVar
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

from services.common.as_of import LastEventAnswer
from services.common.commands import Loads
from services.common.fields import bounded_list, currency, day, text, token

from . import commands
from .events import EVIDENCE_KINDS, OWNER_ROLES, PHASES, PROFILES, PROGRESS_STATES
from .settings import NAME

ENTRY_CODE = r"^\d+\.\d+\.\d+$"
SELECTION_CODE = r"^\d+(\.\d+){0,2}$"
MAX_SETTINGS = 50


class SettingValue(fields.Float):
    """A JSON number, never a string or a boolean, kept as given (3 stays a whole number);
    whether the setting takes it (whole, within its range) is the template's to say."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        super()._deserialize(value, attr, data, **kwargs)  # refuses NaN and infinities
        return value


def settings_field(required: bool = False) -> fields.Dict:
    """Setting name -> value: at most MAX_SETTINGS of them; at least one if required."""
    presence = {"required": True} if required else {"load_default": dict}
    return fields.Dict(
        keys=fields.String(
            validate=validate.Regexp(NAME, error="must be a setting's name, as main_vendors")
        ),
        values=SettingValue(),
        validate=validate.Length(min=int(required), max=MAX_SETTINGS),
        **presence,
    )


class OpenConferenceSchema(Loads):
    command = commands.OpenConference

    conference_id = fields.UUID(load_default=None)  # a caller may choose the id (replays)
    name = text(300, required=True)
    starts_on = day(required=True)
    ends_on = day(required=True)
    city = text(100, required=True)
    expected_attendance = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    profile = fields.String(required=True, validate=validate.OneOf(PROFILES))
    include = bounded_list(
        fields.String(validate=validate.Regexp(SELECTION_CODE)), 1000, load_default=list
    )
    exclude = bounded_list(
        fields.String(validate=validate.Regexp(SELECTION_CODE)), 1000, load_default=list
    )
    timezone = fields.String(
        load_default="Asia/Shanghai",
        validate=lambda tz: tz in available_timezones() or _bad_timezone(tz),
    )
    currency = currency(load_default="CNY")  # ISO 4217: the fees, payments and ledger
    settings = settings_field()

    @validates_schema
    def _dates_in_order(self, data, **_):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("must not be before starts_on", field_name="ends_on")


def _bad_timezone(tz: str) -> bool:
    raise ValidationError(f"unknown time zone {tz!r}; use an IANA name such as Asia/Shanghai")


class ChangeSettingsSchema(Loads):
    command = commands.ChangeSettings

    settings = settings_field(required=True)
    reason = text(1000, required=True)


class AddMemberSchema(Loads):
    command = commands.AddMember

    member_id = token(100, load_default=None)
    name = text(200, required=True)
    roles = fields.List(
        fields.String(validate=validate.OneOf(OWNER_ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    email = fields.Email(load_default=None, validate=validate.Length(max=254))


class AssignSchema(Loads):
    command = commands.Assign

    member_id = token(100, required=True)
    codes = bounded_list(
        fields.String(validate=validate.Regexp(ENTRY_CODE)), 1000, load_default=list
    )
    role = fields.String(load_default=None, validate=validate.OneOf(OWNER_ROLES))


class ChangeDueDateSchema(Loads):
    command = commands.ChangeDueDate

    due_on = day(required=True)
    reason = text(1000, required=True)


class RecordProgressSchema(Loads):
    command = commands.RecordProgress

    state = fields.String(required=True, validate=validate.OneOf(PROGRESS_STATES))
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    note = text(2000, load_default=None, allow_none=True)


class Reference(Schema):
    """Where the evidence is: a link, a file by its SHA-256 and name, or a note."""

    class Meta:
        unknown = RAISE

    url = fields.Url(load_default=None, validate=validate.Length(max=2000))
    sha256 = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    filename = text(300, load_default=None)
    note = text(4000, load_default=None)

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


class EvidenceSchema(Loads):
    command = commands.Evidence

    proof = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,79}$", error="a proof's key, in snake_case"),
    )
    kind = fields.String(load_default=None, validate=validate.OneOf(EVIDENCE_KINDS))
    reference = fields.Nested(Reference, required=True)

    @validates_schema
    def _says_what(self, data, **_):
        if not data.get("proof") and not data.get("kind"):
            raise ValidationError("say which of the entry's named proofs it is, or its kind")


class VerifyByHandSchema(Loads):
    command = commands.VerifyByHand

    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        required=True,
        validate=[
            validate.Length(min=1, error="verifying by hand needs at least one evidence record"),
            validate.Length(max=20, error="give at most 20 evidence records"),
        ],
    )
    reason = text(1000, load_default=None)


class ReasonSchema(Loads):
    command = commands.GiveReason

    reason = text(1000, required=True)


class CheckOverdueSchema(Loads):
    command = commands.CheckOverdue

    today = day(load_default=None)


class PlanQuerySchema(Loads):
    command = commands.PlanQuery

    section = fields.String(load_default=None, validate=validate.Regexp(r"^\d{1,3}$"))
    owner = text(200, load_default=None)
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["open", "in_progress", "verified", "waived", "overdue"]),
    )
    phase = fields.String(load_default=None, validate=validate.OneOf(PHASES))
    due_from = day(load_default=None)
    due_to = day(load_default=None)
    lang = fields.String(load_default="en", validate=validate.OneOf(["en", "zh"]))


class ImportPlanSchema(Loads):
    """The query of an upload (its body is the XLSX) besides who imports it: its file name."""

    command = commands.ImportPlan

    filename = text(255, load_default=None)


# -- answers ---------------------------------------------------------------------------


class ConferenceIdAnswer(Schema):
    conference_id = fields.String()


class MemberAnswer(Schema):
    member_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    email = fields.String(allow_none=True)


class ConferenceAnswer(Schema):
    """A conference: the Conference aggregate, or its row in the plan read model."""

    STATE: ClassVar = (
        "name",
        "starts_on",
        "ends_on",
        "city",
        "expected_attendance",
        "profile",
        "timezone",
        "template",
        "currency",
    )

    conference_id = fields.String()
    name = fields.String()
    starts_on = fields.String()
    ends_on = fields.String()
    city = fields.String()
    expected_attendance = fields.Integer()
    profile = fields.String()
    timezone = fields.String()
    template = fields.String()
    currency = fields.String()
    selection = fields.Dict()
    settings = fields.Dict()  # name -> value; none for a conference opened before them
    entries = fields.Integer()
    team = fields.List(fields.Nested(MemberAnswer), attribute="members")


class EntryAnswer(Schema):
    """An entry of the plan, from its `EntryState` (the aggregate's or the read model's)."""

    entry_id = fields.String()
    code = fields.String()
    section = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    owner_role = fields.String()
    owner = fields.Dict(allow_none=True)
    phase = fields.String()
    opens_on = fields.String(allow_none=True)  # continuous work: its window, to due_on
    due_on = fields.String()
    after = fields.List(fields.String())
    status = fields.String()
    progress = fields.Dict(attribute="shown_progress")  # agrees with the status
    recorded_progress = fields.Dict(attribute="progress")  # as people recorded it
    verification = fields.Dict()
    target = fields.Integer(allow_none=True)
    members = fields.Function(lambda state: len(state.members))
    proofs = fields.List(fields.Dict())
    waived = fields.Dict(allow_none=True)
    overdue = fields.Boolean()
    flags = fields.List(fields.String())  # "unnamed_proof": verified by a record it does not name
    version = fields.Integer()


class SettingAnswer(Schema):
    """A declared setting, a conference's value of it and the entries of its plan using it."""

    name = fields.String()
    value = fields.Raw(allow_none=True)  # a number, whole for an integer setting
    default = fields.Raw()
    type = fields.String()  # integer or ratio
    min = fields.Raw()
    max = fields.Raw()
    description_zh = fields.String()
    description_en = fields.String()
    entries = fields.List(fields.String())


class SettingsAnswer(Schema):
    conference_id = fields.String()
    settings = fields.List(fields.Nested(SettingAnswer))


class SettingsChangedAnswer(SettingsAnswer):
    changed = fields.Dict()  # what this command changed (empty: the values were already so)
    entries = fields.List(fields.Nested(EntryAnswer))  # re-evaluated for a new target


class AssignedAnswer(Schema):
    assigned = fields.List(fields.String())
    owner = fields.Dict()


class OverdueAnswer(Schema):
    today = fields.Date()
    overdue = fields.List(fields.String())


class ImportedAnswer(Schema):
    applied = fields.Integer()
    unchanged = fields.Integer()
    entries = fields.List(fields.String())


class EntryAsOfAnswer(EntryAnswer):
    at = fields.String()
    last_event = fields.Nested(LastEventAnswer)


class PlanAsOfAnswer(Schema):
    conference_id = fields.String()
    at = fields.String()
    entries = fields.List(fields.Dict())  # each as EntryAnswer dumps it
    last_event = fields.Nested(LastEventAnswer)
