"""The contract of vendors: the events it publishes on `vendors.events` (routing key = event
type) and the vocabulary they use. Imports no domain: a subscriber may import it alone."""

from marshmallow import fields, validate

from services.common.catalog import EventCatalog, EventSchema
from services.common.fields import currency, money_minor, text
from services.common.planned import amount, planned

CATEGORIES = (
    "venue",
    "av",
    "interpreting",
    "printing",
    "transport",
    "catering",
    "accommodation",
    "decoration",
    "photography",
    "staffing",
    "insurance",
    "other",
)

category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))


class VendorAdded(EventSchema):
    """A vendor (or venue) was added for a conference."""

    vendor_id = fields.UUID(required=True)
    conference_id = fields.String(required=True)
    name = text(200, required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True)
    contact_name = fields.String(required=True, allow_none=True)
    contact_email = fields.String(required=True, allow_none=True)
    contact_phone = fields.String(required=True, allow_none=True)


class ContractDrafted(EventSchema):
    """A contract was drafted with a vendor; nothing is binding yet."""

    contract_id = fields.UUID(required=True)
    conference_id = fields.String(required=True)
    vendor_id = fields.String(required=True)
    category = category
    title = text(300, required=True)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)


class ContractSigned(EventSchema):
    """Both parties signed. Verifies checklist entries such as 1.3.5 (venue contract)."""

    vendor_id = fields.String(required=True)
    category = category
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    signed_on = fields.Date(required=True)
    signed_by = text(200, required=True)


class ContractCancelled(EventSchema):
    """The contract was cancelled; re-opens what its signature had verified."""

    vendor_id = fields.String(required=True)
    category = category
    was_signed = fields.Boolean(required=True)
    reason = text(1000, required=True)


PLANNED = {
    "SiteInspected": planned(
        "SiteInspected",
        "A vendor's site (a venue, a hotel) was inspected.",
        vendor_id=fields.String(required=True),
        category=category,
    ),
    "QuoteReceived": planned(
        "QuoteReceived",
        "A vendor quoted for a need.",
        vendor_id=fields.String(required=True),
        category=category,
        **amount(),
    ),
    "VendorSelected": planned(
        "VendorSelected",
        "A vendor was chosen for a need.",
        vendor_id=fields.String(required=True),
        category=category,
    ),
    "DeliveryAccepted": planned(
        "DeliveryAccepted",
        "What a contract promised was delivered and accepted (`contract_id`: which "
        "contract, so that a rule can pair a delivery with its contract).",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
    ),
    "VendorReviewed": planned(
        "VendorReviewed",
        "A vendor's work under a contract was reviewed after the event.",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
        rating=fields.Integer(required=True, strict=True),
    ),
}

CATALOG = EventCatalog(
    "vendors",
    {
        "VendorAdded": VendorAdded,
        "ContractDrafted": ContractDrafted,
        "ContractSigned": ContractSigned,
        "ContractCancelled": ContractCancelled,
        **PLANNED,
    },
)
