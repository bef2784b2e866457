"""API schemas of checklist."""

from zoneinfo import available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.common.fields import text

from .domain import PROFILES


class OpenConference(Schema):
    class Meta:
        unknown = RAISE

    actor = text(200, required=True)
    correlation_id = fields.String(load_default=None)
    conference_id = fields.UUID(load_default=None)  # a caller may choose the id (replays)
    name = text(300, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    city = text(100, required=True)
    expected_attendance = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    profile = fields.String(required=True, validate=validate.OneOf(PROFILES))
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
