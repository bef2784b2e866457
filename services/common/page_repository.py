"""A repository whose reads see the aggregates a page of upstream events has changed so
far, before the page is recorded.

A service that records events in reaction to others (`ProcessSink`) takes a page of an
upstream's log in one transaction. The policy of a later event in the page must see what
an earlier one did to an aggregate, or it would load the stored version again and the
page would save two changes on one version (refused by the store).

The page is the taking thread's alone (a green thread's, under eventlet): a request or
another upstream's reader, reading at the same moment, must see what is stored, never a
page that may yet fail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.application import ProcessingEvent, Repository


class PageRepository(Repository):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._taking = threading.local()

    @contextmanager
    def page(self, processing_event: ProcessingEvent) -> Iterator[None]:
        """While open, a read of an aggregate collected in `processing_event` returns it."""
        self._taking.page = processing_event
        try:
            yield
        finally:
            self._taking.page = None

    def in_page(self) -> list[Any]:
        """The aggregates the page being taken has changed so far (none outside a page)."""
        page: ProcessingEvent | None = getattr(self._taking, "page", None)
        return list(page.aggregates.values()) if page is not None else []

    def get(self, aggregate_id: Any, *, version: int | None = None, **kwargs: Any) -> Any:
        page: ProcessingEvent | None = getattr(self._taking, "page", None)
        if page is not None and version is None and aggregate_id in page.aggregates:
            return page.aggregates[aggregate_id]
        return super().get(aggregate_id, version=version, **kwargs)
