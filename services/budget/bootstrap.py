"""Wiring of budget: its application, and one consumer of checklist (the conferences),
registration (payments, refunds, attendees), vendors (contracts, deliveries) and speakers
into two sinks: the policy, which records the ledger's events from theirs, and the
registered count, a read model the budget's per-attendee lines are forecast with."""

from services.common.config import Settings
from services.common.sinks import ProcessSink
from services.common.wiring import Following, Parts, Wired

from .application import BudgetApplication
from .headcount import Registered
from .sinks import BothSinks
from .views import BudgetViews


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "budget")
    registered = Registered(parts.db)
    # The consumer is built around the application, so the application reaches it
    # through this list: to read checklist's log when a command names a conference
    # opened a moment ago.
    following: list[Following] = []
    app = parts.store(
        BudgetApplication,
        refresh_conferences=lambda: following[0].refresher("checklist")(),
    )
    sink = BothSinks(ProcessSink(app), parts.projection("registered", registered))
    following.append(parts.follow(sink))
    uses = {"budget": app, "views": BudgetViews(app, registered.count)}
    return parts.wire(app, uses=uses, following=following[0])
