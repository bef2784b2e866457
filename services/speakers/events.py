"""Event types that speakers publishes on `speakers.events` (none yet)."""

from services.common.catalog import EventCatalog

CATALOG = EventCatalog("speakers", {})
