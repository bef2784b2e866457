"""The audit trail for auditors: filtered, streamed as JSON Lines or CSV, every event with
its link of its service's chain and the link before it, so each one can be checked
offline (examples/verify_export.py; docs/audit.md, "Export").

Events come in chain order (service, then notification id), a page at a time: memory
stays flat however long the trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from services.common.chain import GENESIS

from .audit import COLUMNS, AuditTrail

PAGE = 2000
FIELDS = (*COLUMNS, "previous_link")


class Export:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def events(self, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every matching event, with `previous_link` (64 zeros before a service's first)."""
        after: tuple[str, int] = ("", 0)
        window = _window(filters)
        leaves_out = ("conference_id", "actor", "event_type", "from", "to")
        gapless = all(filters.get(key) is None for key in leaves_out)
        last: tuple[str, int, str | None] | None = None
        while True:
            page = self.trail.export_page(window, after, PAGE)
            for event in page:
                if not _within(event, filters):
                    continue
                service, number = event["service"], event["notification_id"]
                if gapless and last is not None and last[0] == service:
                    previous = last[2]  # nothing in between was left out
                else:
                    previous = self.trail.link_before(service, number)
                last = (service, number, event["chain_link"])
                yield {**event, "previous_link": previous or GENESIS}
            if len(page) < PAGE:
                return
            after = (page[-1]["service"], page[-1]["notification_id"])

    def jsonl(self, filters: dict[str, Any]) -> Iterator[bytes]:
        for event in self.events(filters):
            line = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            yield line.encode() + b"\n"

    def csv(self, filters: dict[str, Any]) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for event in self.events(filters):
            payload = json.dumps(
                event["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
            )
            writer.writerow({**event, "payload": payload})
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()


def _window(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the trail's SQL takes them: times as UTC text, widened to the second
    (stored times may or may not show microseconds); `_within` then decides exactly."""
    window = dict(filters)
    for key, widen in (("from", dt.timedelta(0)), ("to", dt.timedelta(seconds=1))):
        moment = filters.get(key)
        if moment is not None:
            second = moment.astimezone(dt.UTC).replace(microsecond=0) + widen
            window[key] = second.isoformat()
    return window


def _within(event: dict[str, Any], filters: dict[str, Any]) -> bool:
    moment = dt.datetime.fromisoformat(event["occurred_at"])
    start, end = filters.get("from"), filters.get("to")
    return (start is None or moment >= start) and (end is None or moment < end)
