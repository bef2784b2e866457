"""API schemas of reporting."""

from marshmallow import RAISE, Schema, fields, validate

from services.common.commands import Command


class AuditQuery(Schema):
    class Meta:
        unknown = RAISE

    conference_id = fields.String(load_default=None)
    service = fields.String(load_default=None)
    aggregate_id = fields.String(load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class Rebuild(Command):
    """Who asks for the audit trail to be rebuilt."""
