"""API schemas of registration on site: scans (one, or a desk's offline batch), the
check-in key's rotation, kits, attendance figures and badges. A batch loads line by line:
a line that does not load is reported by its index and the others go on
(docs/registration.md#on-site)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.common.commands import Loads
from services.common.fields import day, text, token
from services.common.planned import flag, many_of, one_of

from . import commands
from .events import CATEGORIES, KIT_ITEMS

MAX_SCANS = 5000  # a desk's day offline, several times over
code = fields.String(required=True, validate=validate.Length(min=1, max=100))
desk = token(50, required=True)


class CheckInSchema(Loads):
    command = commands.CheckIn

    code = code
    desk = desk
    day = day(load_default=None)
    scanned_at = fields.AwareDateTime(load_default=None)
    scan_id = token(100, load_default=None)


class ScanLineSchema(Loads):
    command = commands.ScanLine

    code = code
    day = day(required=True)
    scanned_at = fields.AwareDateTime(required=True)
    desk = desk
    scan_id = token(100, load_default=None)


class LinesOneByOne(fields.List):
    """A list whose items are loaded one by one after it (UploadCheckInsSchema), so that a
    bad item is reported by its index while the others are used; described as a list of
    its inner schema."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return list(value)


class UploadCheckInsSchema(Schema):
    """{"desk": "east-2", "scans": [{"code": "...", "day": "2027-05-12",
    "scanned_at": "2027-05-12T08:31:05+08:00", "scan_id": "e2-0001"}]}: `desk`, when
    given, is that of every line that names none."""

    class Meta:
        unknown = "raise"

    desk = token(50, load_default=None)
    scans = LinesOneByOne(
        fields.Nested(ScanLineSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_SCANS),
    )

    @post_load
    def _lines(self, data: dict[str, Any], **_: Any) -> commands.UploadCheckIns:
        loader = ScanLineSchema()
        lines: list[commands.ScanLine | commands.BadLine] = []
        for index, raw in enumerate(data["scans"]):
            if not isinstance(raw, dict):
                lines.append(commands.BadLine(index, "_line", "must be a JSON object"))
                continue
            if data["desk"] is not None:
                raw = {"desk": data["desk"], **raw}
            try:
                lines.append(loader.load(raw))
            except ValidationError as exc:
                field, why = next(iter(exc.normalized_messages().items()))
                reason = why[0] if isinstance(why, list) and why else str(why)
                lines.append(commands.BadLine(index, field, str(reason)))
        return commands.UploadCheckIns(tuple(lines))


class CollectKitSchema(Loads):
    """{"items": ["bag", "programme"], "desk": "east-2"}"""

    command = commands.CollectKit

    items = fields.List(
        fields.String(validate=validate.OneOf(KIT_ITEMS)),
        required=True,
        validate=[validate.Length(min=1), *many_of(KIT_ITEMS).validators],
    )
    desk = token(50, load_default=None)


class CompileAttendanceSchema(Loads):
    command = commands.CompileAttendance

    final = flag()


class PrintBadgesSchema(Loads):
    """The query of a badge sheet: only a ticket type's, or a category's."""

    command = commands.PrintBadges

    ticket_type = token(50, load_default=None)
    category = one_of(*CATEGORIES, required=False)


# -- answers ---------------------------------------------------------------------------


class RotateCheckinKeySchema(Loads):
    """{"reason": "a desk's badge list was lost"}"""

    command = commands.RotateCheckinKey

    reason = text(500, required=True)


class CheckinKeyAnswer(Schema):
    """Which key version codes are now made and checked with; never the key."""

    conference_id = fields.String()
    key_version = fields.Integer()


class CheckinCodeAnswer(Schema):
    attendee_id = fields.String()
    checkin_code = fields.String()


class CheckInAnswer(Schema):
    status = fields.String()  # checked_in, already_checked_in
    message = fields.String()
    attendee_id = fields.String()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    category = fields.String()
    ticket_type = fields.String()
    day = fields.String()
    desk = fields.String()
    scanned_at = fields.String()


class BatchLineAnswer(Schema):
    index = fields.Integer()
    field = fields.String()
    reason = fields.String()


class CheckInBatchAnswer(Schema):
    received = fields.Integer()
    checked_in = fields.Integer()
    already_checked_in = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.List(fields.Nested(BatchLineAnswer))


class KitAnswer(Schema):
    status = fields.String()  # collected, already_collected
    attendee_id = fields.String()
    items = fields.List(fields.String())


class AttendanceFigureAnswer(Schema):
    day = fields.String()
    category = fields.String()
    checked_in = fields.Integer()


class AttendanceAnswer(Schema):
    figures_id = fields.String()
    figures = fields.List(fields.Nested(AttendanceFigureAnswer))
    registered = fields.Integer()
    attended = fields.Integer()
    final = fields.Boolean()
