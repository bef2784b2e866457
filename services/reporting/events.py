"""Reporting publishes no events: it only reads the others'."""

from services.common.catalog import EventCatalog

CATALOG = EventCatalog("reporting", {})
