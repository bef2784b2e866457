"""Wiring of registration: it follows checklist's ConferenceOpened into a directory of
conferences (dates, time zone, currency), keeps read models of its open orders, of its
waiting list and of each conference's attendees and check-ins (the roster) from its own
log, and on a timer expires unpaid orders and offers freed places to those waiting."""

from services.common.config import Settings
from services.common.domain import Clock, utc_now
from services.common.wiring import Parts, Wired

from .application import RegistrationApplication
from .attendance import Attendance
from .conferences import ConferenceDirectory, KnownConferences
from .expiry import OrderExpiry
from .open_orders import OpenOrders
from .roster import Roster
from .waitlist_view import WaitlistView


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Wired:
    parts = Parts(settings, "registration")
    directory = ConferenceDirectory(parts.db)
    following = parts.follow(parts.projection("known_conferences", directory))
    app = parts.store(
        RegistrationApplication,
        conferences=KnownConferences(directory, following.refresher("checklist")),
        clock=clock,
    )
    open_orders = OpenOrders(parts.db)
    orders_model = parts.read_model(app, parts.projection("open_orders", open_orders))
    waitlist = WaitlistView(parts.db)
    waitlist_model = parts.read_model(app, parts.projection("waitlist", waitlist))
    roster = Roster(parts.db)
    roster_model = parts.read_model(app, parts.projection("roster", roster))
    attendance = Attendance(app, roster, roster_model.catch_up, settings.badge_font)
    uses = {
        "registration": app,
        "expiry": OrderExpiry(app, open_orders, waitlist),
        "attendance": attendance,
    }
    return parts.wire(
        app,
        uses=uses,
        following=following,
        read_models=[orders_model, waitlist_model, roster_model],
    )
