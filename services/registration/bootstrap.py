"""Wiring of registration: it follows checklist's ConferenceOpened into a directory of
conferences (dates, time zone, currency), keeps read models of its open orders, of its
waiting list, of its fapiao, of its orders' payment references, of paid registrations
by category, of its follow-up and of each conference's attendees and check-ins (the
roster) from its own log, and on a timer expires unpaid orders, offers freed places to
those waiting and checks registrations against their targets."""

from services.common.config import Settings
from services.common.domain import Clock, utc_now
from services.common.webhooks import WebhookSecrets
from services.common.wiring import Parts, Wired

from .application import RegistrationApplication
from .attendance import Attendance
from .conferences import ConferenceDirectory, KnownConferences
from .expiry import OrderExpiry
from .fapiao_view import FapiaoRegister, FapiaoView
from .follow_up_view import FollowUpReport, FollowUpView
from .incoming_payments import IncomingPayments
from .open_orders import OpenOrders
from .order_references import OrderReferences
from .reconciliation import ConferenceReconciliation
from .registered_counts import RegisteredCounts
from .roster import Roster
from .target_check import TargetCheck
from .waitlist_view import WaitlistView


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Wired:
    parts = Parts(settings, "registration")
    directory = ConferenceDirectory(parts.db)
    following = parts.follow(parts.projection("known_conferences", directory))
    app = parts.store(
        RegistrationApplication,
        conferences=KnownConferences(directory, following.refresher("checklist")),
        clock=clock,
        quota_nearly_percent=settings.quota_nearly_percent,
        offer_hours=settings.waitlist_offer_hours,
    )
    open_orders = OpenOrders(parts.db)
    orders_model = parts.read_model(app, parts.projection("open_orders", open_orders))
    waitlist = WaitlistView(parts.db)
    waitlist_model = parts.read_model(app, parts.projection("waitlist", waitlist))
    fapiao = FapiaoView(parts.db)
    fapiao_model = parts.read_model(app, parts.projection("fapiao_list", fapiao))
    references = OrderReferences(parts.db)
    references_model = parts.read_model(app, parts.projection("order_references", references))
    counts = RegisteredCounts(parts.db)
    counts_model = parts.read_model(app, parts.projection("registered_counts", counts))
    follow_up = FollowUpView(parts.db)
    follow_up_model = parts.read_model(app, parts.projection("follow_up", follow_up))
    roster = Roster(parts.db)
    roster_model = parts.read_model(app, parts.projection("roster", roster))
    attendance = Attendance(app, roster, roster_model.catch_up, settings.badge_font)
    uses = {
        "registration": app,
        "expiry": OrderExpiry(app, open_orders, waitlist),
        "fapiao": FapiaoRegister(app, fapiao, fapiao_model.catch_up),
        "payments": IncomingPayments(app, references, references_model.catch_up),
        "reconciliation": ConferenceReconciliation(app, references, references_model.catch_up),
        "webhook_secrets": WebhookSecrets(
            settings.payment_webhook_secrets, settings.payment_webhook_tolerance
        ),
        "follow_up": FollowUpReport(follow_up, follow_up_model.catch_up),
        "targets": TargetCheck(app, counts, counts_model.catch_up),
        "attendance": attendance,
    }
    read_models = [
        orders_model,
        waitlist_model,
        fapiao_model,
        references_model,
        counts_model,
        follow_up_model,
        roster_model,
    ]
    return parts.wire(app, uses=uses, following=following, read_models=read_models)
