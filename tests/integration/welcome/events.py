"""The contract of welcome: what it publishes on `welcome.events`."""

from marshmallow import fields

from services.common.catalog import EventCatalog, EventSchema
from services.common.fields import text


class WelcomePrepared(EventSchema):
    """A welcome was prepared for a conference just opened."""

    conference_id = fields.String(required=True)
    conference_name = text(300, required=True)


class WelcomeSent(EventSchema):
    """The welcome was sent, with a note."""

    note = text(500, required=True)


CATALOG = EventCatalog("welcome", {"WelcomePrepared": WelcomePrepared, "WelcomeSent": WelcomeSent})
