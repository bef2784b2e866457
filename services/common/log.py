"""A service's own notification log, as envelopes: what the relay publishes, what the
`notifications` RPC serves, and what local read models follow."""

from __future__ import annotations

from typing import Any

from .catalog import EventCatalog
from .envelope import Envelope, build_envelope, check_outgoing
from .store import ServiceApplication

MAX_PAGE = 1000


class NotificationLog:
    """The log of one store. Each event is built into its envelope once, for the relay,
    the log RPC and every local read model alike: the last `KEPT` are kept (a stored event
    never changes; the store's own checks read the store, not this)."""

    KEPT = 20_000

    def __init__(self, app: ServiceApplication, catalog: EventCatalog) -> None:
        self.app = app
        self.service = app.name
        self.catalog = catalog
        self._built: dict[int, tuple[Envelope, bool]] = {}  # id -> (envelope, validated)

    def envelopes(self, start: int, limit: int, validate: bool = True) -> list[Envelope]:
        """Envelopes from notification `start` (inclusive), at most `limit`, validated,
        each with its link of the store's chain."""
        notifications = self.app.select_notifications(start, limit)
        if not notifications:
            return []
        built = self._built
        missing = [n for n in notifications if n.id not in built]
        links = self.app.chain_links(missing[0].id, missing[-1].id) if missing else {}
        page = []
        for notification in notifications:
            envelope, checked = built.get(notification.id) or (None, False)
            if envelope is None:
                envelope = build_envelope(
                    self.app.mapper,
                    self.service,
                    self.catalog,
                    notification,
                    validate,
                    chain_link=links.get(notification.id),
                )
                checked = validate
            elif validate and not checked:
                check_outgoing(self.catalog, self.service, envelope)
                checked = True
            built[notification.id] = (envelope, checked)
            page.append(envelope)
        while len(built) > self.KEPT:
            del built[next(iter(built))]  # the oldest built
        return page

    def page(self, start: int, limit: int) -> list[dict[str, Any]]:
        """One page for a reader elsewhere; the bounds are checked, a bad one is a ValueError."""
        if not isinstance(start, int) or isinstance(start, bool) or start < 1:
            raise ValueError(f"start must be an integer >= 1, got {start!r}")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be an integer from 1 to {MAX_PAGE}, got {limit!r}")
        return [envelope.to_dict() for envelope in self.envelopes(start, limit)]

    def fetch(self, upstream: str, start: int, limit: int) -> list[Envelope]:
        """The same log as a consumer's `fetch`, for a read model of the service's own
        events: not checked against the schema again (the relay does, before publishing)."""
        assert upstream == self.service, f"{self.service}'s log is not {upstream}'s"
        return self.envelopes(start, limit, validate=False)

    def last_id(self) -> int:
        return self.app.max_notification_id()
