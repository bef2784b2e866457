"""What every command carries, whatever it does: who gives it, and the request it belongs to."""

from marshmallow import RAISE, Schema, fields

from .fields import text


class Command(Schema):
    """Base of command schemas: unknown fields are refused, naming them."""

    class Meta:
        unknown = RAISE

    actor = text(200, required=True)
    correlation_id = fields.String(load_default=None)
