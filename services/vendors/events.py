"""The contract of vendors: the events it publishes on `vendors.events` (routing key = event
type) and the vocabulary they use. Imports no domain: a subscriber may import it alone."""

from marshmallow import fields, validate

from services.common.catalog import EventCatalog, EventSchema
from services.common.fields import currency, money_minor, text
from services.common.planned import amount, one_of, planned

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

# Whose a contract is: the conference's own, its themed evening's, a tour's or the staff's
# (their hotel rooms, meals and transport are contracted apart from the delegates').
SCOPES = ("conference", "themed_event", "tour", "staff")
UNSCOPED = "conference"
"""What a contract stored before contracts had a scope was: the conference's."""

category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
# On the contract events older than scope: each one stored since carries it; those stored
# before do not, and are published as they were stored. Loaded, absent reads `conference`.
scope_since = fields.String(load_default=UNSCOPED, validate=validate.OneOf(SCOPES))


class VendorAdded(EventSchema):
    """A vendor (or venue) was added for a conference."""

    vendor_id = fields.UUID(required=True)
    conference_id = fields.String(required=True)
    name = text(200, required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True)
    contact_name = fields.String(required=True, allow_none=True)
    contact_email = fields.String(required=True, allow_none=True)
    contact_phone = fields.String(required=True, allow_none=True)


SCOPE_NOTE = (
    "`scope`: whose contract it is, one of conference, themed_event, tour, staff; absent "
    "from events stored before contracts had a scope, which were all the conference's "
    "(read absent as conference)."
)


class ContractDrafted(EventSchema):
    __doc__ = f"A contract was drafted with a vendor; nothing is binding yet. {SCOPE_NOTE}"

    contract_id = fields.UUID(required=True)
    conference_id = fields.String(required=True)
    vendor_id = fields.String(required=True)
    category = category
    scope = scope_since
    title = text(300, required=True)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)


class ContractSigned(EventSchema):
    __doc__ = (
        "Both parties signed. Verifies checklist entries such as 1.3.5 (venue contract). "
        + SCOPE_NOTE
    )

    vendor_id = fields.String(required=True)
    category = category
    scope = scope_since
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    signed_on = fields.Date(required=True)
    signed_by = text(200, required=True)


class ContractCancelled(EventSchema):
    __doc__ = f"The contract was cancelled; re-opens what its signature had verified. {SCOPE_NOTE}"

    vendor_id = fields.String(required=True)
    category = category
    scope = scope_since
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
    "ContractReviewed": planned(
        "ContractReviewed",
        "A draft contract's terms were reviewed, by legal or by finance (`review`), for "
        "accuracy and compliance: by whom (`reviewer`) and with what outcome (`outcome`).",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
        scope=scope,
        review=one_of("legal", "finance"),
        reviewer=text(200, required=True),
        outcome=one_of("approved", "changes_requested", "rejected"),
    ),
    "ContractFiled": planned(
        "ContractFiled",
        "A signed contract's scan was archived: the file's SHA-256 (`sha256`, lowercase hex) "
        "and name.",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
        scope=scope,
        sha256=fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}\Z")),
        filename=text(255, required=True),
    ),
    "DeliveryAccepted": planned(
        "DeliveryAccepted",
        "What a contract promised was delivered and accepted (`contract_id`: which "
        "contract, so that a rule can pair a delivery with its contract; `scope`: the "
        "contract's).",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
        scope=scope,
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
