"""Event types that budget publishes on `budget.events`.

Budget does not emit them yet: their contracts are fixed here so checklist rules (and
outside subscribers) can rely on them. Sponsorship events share the sponsorship as their
aggregate; ledger events are each their own.
"""

from marshmallow import fields

from services.common.catalog import EventCatalog
from services.common.planned import amount, one_of, planned

LEVELS = ("title", "platinum", "gold", "silver", "bronze", "partner", "in_kind")
LINES = (
    "registration",
    "sponsorship",
    "venue",
    "av",
    "interpreting",
    "printing",
    "transport",
    "catering",
    "accommodation",
    "speakers",
    "marketing",
    "staffing",
    "other",
)

TYPES = {
    "BudgetApproved": planned(
        "BudgetApproved",
        "A version of the budget was approved.",
        version=fields.Integer(required=True, strict=True),
        approved_by=fields.String(required=True),
    ),
    "SponsorshipPlanApproved": planned(
        "SponsorshipPlanApproved", "The sponsorship plan and packages were approved."
    ),
    "SponsorSigned": planned(
        "SponsorSigned", "A sponsor signed for a package.", level=one_of(*LEVELS), **amount()
    ),
    "SponsorshipPaid": planned("SponsorshipPaid", "A sponsor's payment was received.", **amount()),
    "SponsorshipCancelled": planned(
        "SponsorshipCancelled",
        "A sponsorship was cancelled; undoes SponsorSigned.",
        reason=fields.String(required=True),
    ),
    "IncomeRecorded": planned(
        "IncomeRecorded", "Income was recorded in the ledger.", category=one_of(*LINES), **amount()
    ),
    "ExpenseRecorded": planned(
        "ExpenseRecorded",
        "An expense was recorded in the ledger.",
        category=one_of(*LINES),
        **amount(),
    ),
    "VendorPaid": planned(
        "VendorPaid",
        "A vendor was paid.",
        category=fields.String(required=True),
        vendor_id=fields.String(required=True),
        **amount(),
    ),
    "VendorInvoiceReceived": planned(
        "VendorInvoiceReceived",
        "A vendor's invoice was received and checked.",
        category=fields.String(required=True),
        vendor_id=fields.String(required=True),
        **amount(),
    ),
    "SettlementCompleted": planned(
        "SettlementCompleted", "The conference's accounts were settled.", **amount()
    ),
}

CATALOG = EventCatalog("budget", TYPES)
