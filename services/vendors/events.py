"""The contract of vendors: the events it publishes on `vendors.events` (routing key = event
type) and the vocabulary they use. Imports no domain: a subscriber may import it alone."""

from marshmallow import fields, validate

from services.common.catalog import EventCatalog, EventSchema
from services.common.fields import currency, money_minor, text
from services.common.planned import amount, count, one_of, planned

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
# A file's SHA-256, lowercase hex: a requirement brief, a specification.
sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}\Z"))

# Why a site was inspected: to choose a vendor (1.3.3, 8.2.2, 8.2.3), or, once chosen, for
# the vendor's technical survey of the rooms: measurements, power, rigging (17.2.3).
INSPECTION_PURPOSES = ("selection", "technical_survey")
# The parts of what a contract delivers on site that are checked and accepted each by
# itself before the whole delivery is: a room, a lounge, a dining area, the registration
# desk, the stage, the backdrop, the interpreting booths, the signs.
PARTS = (
    "room",
    "lounge",
    "dining_area",
    "registration_desk",
    "stage",
    "backdrop",
    "booths",
    "signage",
)
# 17.5.1: the backdrop behind the stage is an LED wall or built (printed and framed).
BACKDROPS = ("led", "built")
MAX_MM = 100_000  # 100 m: larger than any stage or room a specification gives


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
    "RequirementsRecorded": planned(
        "RequirementsRecorded",
        "The organiser's requirement brief for a category of service was confirmed and "
        "recorded, for a scope: what vendors are then shortlisted and asked to quote "
        "against, before any vendor is chosen: the venue (8.1.1), the build of rooms and "
        "events (decoration, 8.1.3), AV and sound (8.1.4), interpreting equipment and "
        "interpreters (8.1.5), transport (8.1.7). `confirmed_by`: who confirmed it; "
        "`sha256`: the brief's file, when it is one.",
        category=category,
        scope=scope,
        confirmed_by=text(200, required=True),
        sha256=sha256,
    ),
    "SiteInspected": planned(
        "SiteInspected",
        "A vendor's site (a venue, a hotel) was inspected. `purpose`: to choose the vendor "
        "(selection: 1.3.3, 8.2.2), or the chosen vendor's technical survey of the rooms, "
        "their measurements, power and rigging (technical_survey: 17.2.3).",
        vendor_id=fields.String(required=True),
        category=category,
        purpose=one_of(*INSPECTION_PURPOSES, required=False),
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
    "SpecificationApproved": planned(
        "SpecificationApproved",
        "What a chosen vendor is to build or install was specified after the site survey, "
        "and approved by the organiser: for a stage (17.5.1), the `backdrop` (an LED wall "
        "or built), the stage's width, depth and height in millimetres. `contract_id`: the "
        "contract it specifies, once there is one; `sha256`: the specification's file.",
        vendor_id=fields.String(required=True),
        contract_id=fields.UUID(),
        category=category,
        scope=scope,
        backdrop=one_of(*BACKDROPS, required=False),
        stage_width_mm=count(required=False, minimum=1, maximum=MAX_MM),
        stage_depth_mm=count(required=False, minimum=1, maximum=MAX_MM),
        stage_height_mm=count(required=False, maximum=MAX_MM),
        sha256=sha256,
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
    "PartAccepted": planned(
        "PartAccepted",
        "One part of what a contract delivers on site (`part`: the interpreting booths, a "
        "lounge, the stage) was checked against what was asked and accepted by itself, "
        "before the whole delivery is (DeliveryAccepted, which it does not stand for): the "
        "booths (12.3.5), the lounges (17.4.4).",
        contract_id=fields.UUID(required=True),
        vendor_id=fields.String(required=True),
        category=category,
        scope=scope,
        part=one_of(*PARTS),
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
