"""The contract of registration: the events it publishes on `registration.events` (routing
key = event type) and the vocabulary they use. Imports no domain: a subscriber may import
it alone.

Registration emits those of its set-up, orders, payments, refunds and attendees (marked
emitted in the catalogue); the others are planned: their contracts are fixed here so that
checklist rules and outside subscribers can rely on them. Aggregates: the conference's
registration set-up, a ticket type's quota, the order, the attendee (one position of an
order), the claim of an attendee's email, the attendance figures, the check-in key,
a badge print run, the fapiao, the voucher, the waiting-list entry, and one each for
surveys, mailings, inquiries and complaints. Each module below holds the events of one part.
"""

from services.common.catalog import EventCatalog

from . import attendees, claims, conference, follow_up, invoices, orders, vouchers_and_waitlist
from .vocabulary import *  # noqa: F403 - the vocabulary is part of the contract

TYPES = {
    **conference.TYPES,
    **orders.TYPES,
    **vouchers_and_waitlist.TYPES,
    **attendees.TYPES,
    **claims.TYPES,
    **invoices.TYPES,
    **follow_up.TYPES,
}

CATALOG = EventCatalog("registration", TYPES)
