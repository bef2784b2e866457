"""Scans of badges merged before they are stored: several desks, offline for a while,
each send what they scanned. Per attendee and day the earliest scan wins (ties go to the
desk and scan id that sort first, so the result does not depend on the order the lines
came in); the other scans of that attendee and day collapse into it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Scan:
    index: int  # the line of the batch it came from
    attendee_id: str
    day: str
    scanned_at: dt.datetime
    desk: str
    scan_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.attendee_id, self.day)

    def _rank(self) -> tuple[dt.datetime, str, str]:
        return (self.scanned_at, self.desk, self.scan_id or "")


@dataclass(frozen=True)
class Merged:
    winners: tuple[Scan, ...]  # one per attendee and day, in the order of the batch
    collapsed: tuple[Scan, ...]  # the others: duplicates or later scans of the same

    @property
    def duplicates(self) -> int:
        return len(self.collapsed)


def merge(scans: list[Scan]) -> Merged:
    best: dict[tuple[str, str], Scan] = {}
    for scan in scans:
        held = best.get(scan.key)
        if held is None or scan._rank() < held._rank():
            best[scan.key] = scan
    winners = sorted(best.values(), key=lambda scan: scan.index)
    kept = {scan.index for scan in winners}
    return Merged(tuple(winners), tuple(s for s in scans if s.index not in kept))
