"""Event types that registration publishes on `registration.events` (none yet)."""

from services.common.catalog import EventCatalog

CATALOG = EventCatalog("registration", {})
