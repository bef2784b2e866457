"""The contract of budget: the events it publishes on `budget.events` (routing key = event
type) and the vocabulary they use. Imports no domain: a subscriber may import it alone.

Budget emits the budget's, the ledger's, the vendor payables', the sponsorship pipeline's,
the honoraria's, the cash advances' and the revenue targets' events (docs/budget.md); the
others are planned: their contracts are fixed here so that checklist rules and outside
subscribers can rely on them. Aggregates: a cost sheet, the budget, the ledger and each of
its entries, a partner and a partner's contribution, a commitment, the sponsorship plan,
the prospectus and each sponsorship, a vendor's payable under one contract, a vendor's bank
details, an honorarium, a cash advance, a volunteer's allowance, a revenue target, a
payment channel's settlements, the conference's settlement.
"""

from services.common.catalog import EventCatalog

from . import payables, plan, revenue, settlement, sponsorship
from .vocabulary import *  # noqa: F403 - the vocabulary is part of the contract

TYPES = {
    **plan.TYPES,
    **sponsorship.TYPES,
    **payables.TYPES,
    **settlement.TYPES,
    **revenue.TYPES,
}

CATALOG = EventCatalog("budget", TYPES)
