"""Registration's aggregates, each in its module; no I/O: ids, days and meta come in as
arguments (eventsourcing re-runs the decorated methods when it loads an aggregate)."""

from .attendees import Attendee, AttendeeNotActive
from .claims import AlreadyRegistered, EmailClaim
from .ids import claim_id, normalise_code, normalise_email, quota_id, setup_id, voucher_id
from .orders import Order, OrderNotOpen
from .quota import Quota, SoldOut
from .setup import ChannelNotOpen, RegistrationSetup
from .vouchers import Voucher, VoucherUsedUp
from .waitlist import WaitlistEntry

__all__ = [
    "AlreadyRegistered",
    "Attendee",
    "AttendeeNotActive",
    "ChannelNotOpen",
    "EmailClaim",
    "Order",
    "OrderNotOpen",
    "Quota",
    "RegistrationSetup",
    "SoldOut",
    "Voucher",
    "VoucherUsedUp",
    "WaitlistEntry",
    "claim_id",
    "normalise_code",
    "normalise_email",
    "quota_id",
    "setup_id",
    "voucher_id",
]
