"""Event types that budget publishes on `budget.events` (none yet)."""

from services.common.catalog import EventCatalog

CATALOG = EventCatalog("budget", {})
