"""Attendees (aggregate: the attendee, one position of an order): registered, paid for,
cancelled or refunded, substituted, badged, checked in, given their kit. The checklist's
count and for-all rules count attendees, so these stay per attendee; the attendance
figures compiled from their check-ins are their own aggregate."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.catalog import EventSchema, Part
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import count, flag, many_of, one_of

from .vocabulary import (
    BADGE_REPRINT_REASONS,
    CANCELLED_BY,
    CATEGORIES,
    CHECKIN_METHODS,
    CONSENTS,
    KIT_ITEMS,
    PAYMENT_METHODS,
    SENIORITIES,
)

country = fields.String(
    validate=validate.Regexp(r"^[A-Z]{2}$", error="must be an ISO 3166 country code such as CN")
)


class AttendeeRegistered(EventSchema):
    """An attendee registered, in a category (10.3.5 and 21.8.3 count `delegate`s against
    the expected attendance). The profile fields feed the audience analysis of 1.1.3 and
    1.1.4; `consents` are those the attendee gave (PIPL)."""

    category = one_of(*CATEGORIES)
    order_id = fields.UUID()
    ticket_type = token(50)
    organisation = text(200)
    industry = text(100)
    seniority = one_of(*SENIORITIES, required=False)
    country = country
    # the campaign that brought them: a mailing, a partner's code, telesales
    source_campaign = token(100)
    consents = many_of(CONSENTS)
    # (added) the consent wording the attendee agreed to: its version and its SHA-256
    consent_version = token(50)
    consent_sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}\Z"))


class AttendeeSubstituted(EventSchema):
    """Another person takes the attendee's place (换人): the position, its payment and its
    fapiao stay; the badge and name card must be reprinted and proof-checked (21.3.6)."""

    reason = text(500)
    # (added) what the new person consented to, and to which wording
    consents = many_of(CONSENTS)
    consent_version = token(50)
    consent_sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}\Z"))


class RegistrationPaid(EventSchema):
    """This attendee's fee is paid: one per position when its order is paid (OrderPaid),
    so that rules count paying attendees (10.1.4) and ask each for an invoice (15.3.4,
    23.1.3). The order-level payments are PaymentReceived."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    order_id = fields.UUID()
    method = one_of(*PAYMENT_METHODS, required=False)


class RefundIssued(EventSchema):
    """This attendee's whole fee was refunded: undoes their RegistrationPaid. A partial
    refund does not (it is only the order's RefundCompleted)."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    order_id = fields.UUID()
    refund_id = fields.UUID()


class RegistrationCancelled(EventSchema):
    """The attendee's registration was cancelled (by them, or with their order: denied,
    expired, cancelled); they no longer count as registered."""

    reason = text(1000, required=True)
    order_id = fields.UUID()
    cancelled_by = one_of(*CANCELLED_BY, required=False)
    refund_due = flag()


class BadgePrinted(EventSchema):
    """The attendee's badge was printed, or printed again (`reprint`, with why: a badge
    printed again after a substitution is one; any other reprint gives no reason)."""

    reprint = flag(required=True)
    reprint_reason = one_of(*BADGE_REPRINT_REASONS, required=False)
    # (added) the print run of BadgesPrinted it was part of
    print_run_id = fields.UUID()


class BadgesPrinted(EventSchema):
    """Badges were printed for a batch of pre-registered attendees (15.2.1: the counter
    has its pre-printed badges). One event for the batch; BadgePrinted is per attendee.
    The aggregate is the print run."""

    count = count(minimum=1)
    # (added) the filter the batch was printed with, when one was given
    ticket_type = token(50)
    category = one_of(*CATEGORIES, required=False)


class AttendeeCheckedIn(EventSchema):
    """The attendee checked in on a check-in list (as in pretix: one per entrance, day or
    room; valid once per list). 15.3.1 counts attendees checked in at least once.
    Registration keeps one list, `entrance`, valid once per attendee and conference day:
    `day` is that day in the conference's time zone, `scanned_at` when the desk scanned
    the badge (earlier than the event when the desk was offline), `desk` which desk,
    `scan_id` the desk's own id of the scan."""

    checkin_list = token(50)
    day = day()
    method = one_of(*CHECKIN_METHODS, required=False)
    pre_registered = flag()
    category = one_of(*CATEGORIES, required=False)
    # (added) where and when the scan was made
    desk = token(50)
    scanned_at = fields.AwareDateTime()
    scan_id = token(100)


class KitCollected(EventSchema):
    """The attendee collected their conference materials (15.3.5)."""

    items = many_of(KIT_ITEMS, required=True)
    # (added) the desk that handed them out
    desk = token(50)


class CheckInCodesKeyed(EventSchema):
    """Registration made the secret key of a conference's check-in codes (the HMAC key of
    the codes on its badges). The key itself stays in registration's store; this says
    when it was made and which version it is."""

    key_version = count(minimum=1)


class CheckInKeyRotated(EventSchema):
    """An organizer replaced the secret key of a conference's check-in codes (a key or a
    badge list leaked): `key_version` is the new key's, one more than the one it replaces.
    Codes made with an older key are refused at scan from now on (the badge is printed
    again); check-ins stored before stay. The key itself stays in registration's store."""

    key_version = count(minimum=2)
    reason = text(500, required=True)


class AttendanceFigure(Schema):
    """How many attendees of one category checked in on one day."""

    day = day(required=True)
    category = one_of(*CATEGORIES)
    checked_in = count()


class AttendanceFiguresCompiled(EventSchema):
    """The attendance figures were compiled from the check-ins: attendees checked in by
    category and day (`figures`), and how many of those registered came at all
    (`attended`: checked in at least once). `final` once the conference is over and no
    check-in can follow (24.2.1); a day's figures for its wrap-up are not final."""

    figures = fields.List(
        Part(AttendanceFigure), required=True, validate=validate.Length(min=1, max=2000)
    )
    registered = count()
    attended = count()
    final = flag(required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        keys = [(f["day"], f["category"]) for f in data.get("figures", [])]
        if len(set(keys)) != len(keys):
            raise ValidationError("must give each day and category once", "figures")
        if data.get("attended", 0) > data.get("registered", data.get("attended", 0)):
            raise ValidationError("must not be more than registered", "attended")


TYPES = {
    "AttendeeRegistered": AttendeeRegistered,
    "AttendeeSubstituted": AttendeeSubstituted,
    "RegistrationPaid": RegistrationPaid,
    "RefundIssued": RefundIssued,
    "RegistrationCancelled": RegistrationCancelled,
    "BadgePrinted": BadgePrinted,
    "BadgesPrinted": BadgesPrinted,
    "AttendeeCheckedIn": AttendeeCheckedIn,
    "KitCollected": KitCollected,
    "AttendanceFiguresCompiled": AttendanceFiguresCompiled,
    "CheckInCodesKeyed": CheckInCodesKeyed,
    "CheckInKeyRotated": CheckInKeyRotated,
}
