"""API schemas of revenue targets."""

from marshmallow import fields, validate

from services.common.commands import Loads
from services.common.fields import day
from services.common.planned import one_of

from . import revenue_commands as commands
from .events import OVERRUN_SUBJECTS


class SetRevenueTargetSchema(Loads):
    command = commands.SetRevenueTarget

    line = one_of(*OVERRUN_SUBJECTS)
    due_on = day(required=True)
    percent = fields.Integer(strict=True, load_default=100, validate=validate.Range(1, 100))
    margin_bp = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10_000))


class CheckRevenueSchema(Loads):
    command = commands.CheckRevenue

    as_of = day(load_default=None)
