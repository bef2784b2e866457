"""API schemas of reconciliation (an order, or all of a conference's) and of the test of
a live payment channel."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.common.commands import Loads
from services.common.fields import currency, token

from . import commands
from .schemas import SetupChangedAnswer, positive_minor


class ReconcileOrderSchema(Loads):
    command = commands.ReconcileOrder


class ReconcileOrdersSchema(Loads):
    command = commands.ReconcileOrders


class TestPaymentChannelSchema(Loads):
    command = commands.TestPaymentChannel

    amount_minor = positive_minor()
    currency = currency(required=True)
    payment_reference = token(64, required=True)
    refund_reference = token(64, load_default=None)


class ReconciledOrderAnswer(Schema):
    order_id = fields.String()
    status = fields.String()
    due_minor = fields.Integer()
    paid_minor = fields.Integer()
    refunded_minor = fields.Integer()
    outstanding_minor = fields.Integer()
    to_collect_minor = fields.Integer()
    to_refund_minor = fields.Integer()
    currency = fields.String()
    fapiao_open = fields.Integer()
    settled = fields.Boolean()
    recorded = fields.Boolean()


class ReconciliationAnswer(Schema):
    conference_id = fields.String()
    orders = fields.Integer()
    recorded = fields.Integer()
    settled = fields.Integer()
    unsettled = fields.Integer()
    # the first of those not settled (at most 100)
    unsettled_orders = fields.List(fields.Nested(ReconciledOrderAnswer))


class ChannelTestedAnswer(SetupChangedAnswer):
    channel_tests = fields.Dict(keys=fields.String(), values=fields.Dict())
