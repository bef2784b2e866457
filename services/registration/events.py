"""Event types that registration publishes on `registration.events`.

Registration does not emit them yet: their contracts are fixed here so checklist rules
(and outside subscribers) can rely on them. The aggregate is the attendee, or the
registration setup of the conference for RegistrationOpened and FeeScheduleSet.
"""

from marshmallow import fields

from services.common.catalog import EventCatalog
from services.common.planned import amount, one_of, planned

CATEGORIES = ("delegate", "student", "speaker", "sponsor", "press", "staff", "guest")

TYPES = {
    "RegistrationOpened": planned(
        "RegistrationOpened",
        "Registration opened on a channel.",
        channel=one_of("online", "onsite"),
    ),
    "FeeScheduleSet": planned(
        "FeeScheduleSet",
        "Registration categories and fees were set.",
        categories=fields.List(fields.Dict(), required=True),
    ),
    "AttendeeRegistered": planned(
        "AttendeeRegistered", "An attendee registered.", category=one_of(*CATEGORIES)
    ),
    "RegistrationPaid": planned(
        "RegistrationPaid", "An attendee's registration fee was received.", **amount()
    ),
    "RefundIssued": planned(
        "RefundIssued", "A registration fee was refunded; undoes RegistrationPaid.", **amount()
    ),
    "RegistrationCancelled": planned(
        "RegistrationCancelled", "An attendee cancelled.", reason=fields.String(required=True)
    ),
    "InvoiceIssued": planned(
        "InvoiceIssued",
        "An invoice for a registration fee was issued.",
        invoice_number=fields.String(required=True),
        **amount(),
    ),
    "AttendeeCheckedIn": planned("AttendeeCheckedIn", "An attendee checked in on site."),
    "BadgesPrinted": planned(
        "BadgesPrinted",
        "Badges were printed for a batch of attendees.",
        count=fields.Integer(required=True, strict=True),
    ),
    "SurveyPublished": planned("SurveyPublished", "A satisfaction survey was published."),
    "SurveyResponseReceived": planned(
        "SurveyResponseReceived", "An attendee answered the satisfaction survey."
    ),
    "ComplaintResolved": planned("ComplaintResolved", "A complaint was resolved."),
}

CATALOG = EventCatalog("registration", TYPES)
