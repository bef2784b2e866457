"""Use cases of budget (none yet: the store and its notification log are in place)."""

from services.common.store import ServiceApplication


class BudgetApplication(ServiceApplication):
    name = "budget"
