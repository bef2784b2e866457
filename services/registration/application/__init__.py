"""Use cases of registration, a module per part: the conference's set-up, orders,
attendees imported from a sheet, payments and refunds, vouchers and the waiting list,
attendees, and on site: check-in codes, check-ins, kits and badges. Each takes
`(ids..., command, ctx)`, checks everything first and saves everything it changes in one
`save`."""

from .attendees import AttendeeCases
from .base import ATTEMPTS, DEFAULT_HOLD_HOURS, OFFER_HOURS, REQUIRED_CONSENT, check_publishable
from .checkins import CheckInCases
from .fapiao import FapiaoCases
from .follow_up import FollowUpCases
from .imports import ImportCases
from .incoming import IncomingCases
from .kits_and_badges import KitAndBadgeCases
from .orders import OrderCases
from .payments import PaymentCases
from .reconcile import ReconcileCases
from .setup import SetupCases
from .targets import TargetCases
from .waitlist import WaitlistCases, new_code


class RegistrationApplication(
    SetupCases,
    ImportCases,
    OrderCases,
    PaymentCases,
    WaitlistCases,
    AttendeeCases,
    IncomingCases,
    FapiaoCases,
    TargetCases,
    FollowUpCases,
    CheckInCases,
    KitAndBadgeCases,
    ReconcileCases,
):
    """Every use case of registration, on one store."""

    # eventsourcing names each subclass after itself unless it says otherwise: the store,
    # the schema and the catalogue are registration's
    name = "registration"


__all__ = [
    "ATTEMPTS",
    "DEFAULT_HOLD_HOURS",
    "OFFER_HOURS",
    "REQUIRED_CONSENT",
    "RegistrationApplication",
    "check_publishable",
    "new_code",
]
