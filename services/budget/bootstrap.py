"""Wiring of budget: its application, and the policy that follows checklist (the
conferences), registration (payments, refunds), vendors (contracts, deliveries) and
speakers, recording the ledger's events from theirs."""

from services.common.config import Settings
from services.common.sinks import ProcessSink
from services.common.wiring import Following, Parts, Wired

from .application import BudgetApplication


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "budget")
    # The consumer is built around the application, so the application reaches it
    # through this list: to read checklist's log when a command names a conference
    # opened a moment ago.
    following: list[Following] = []
    app = parts.store(
        BudgetApplication, refresh_conferences=lambda: following[0].refresher("checklist")()
    )
    following.append(parts.follow(ProcessSink(app)))
    return parts.wire(app, uses={"budget": app}, following=following[0])
