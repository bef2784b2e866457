"""API schemas of welcome."""

from marshmallow import Schema, fields

from services.common.commands import Loads
from services.common.fields import text

from . import commands


class SendWelcomeSchema(Loads):
    command = commands.SendWelcome

    note = text(500, required=True)


class WelcomeAnswer(Schema):
    conference_id = fields.String()
    conference_name = fields.String()
    note = fields.String(allow_none=True)
    version = fields.Integer()
