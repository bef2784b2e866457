"""Check-in by scan, one or a desk's offline batch. A check-in is stored once per
attendee and conference day; two desks scanning one attendee at the same moment write
the same version of the attendee, the store lets one through and the other is retried
and finds the day checked in (as quotas do)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from services.common.domain import CommandContext
from services.common.errors import Conflict, HuiwuError, InvalidCommand, NotFound

from .. import commands as c
from ..conferences import Conference
from ..domain import Attendee, Order
from ..domain import checkin_codes as codes
from ..domain.checkin_key import CheckinKey
from ..domain.orders import PAID
from ..domain.scans import Scan, merge
from .checkin_codes import CheckinCodeCases


@dataclass(frozen=True)
class CheckInResult:
    status: str  # checked_in or already_checked_in
    attendee: Attendee
    day: str
    desk: str
    scanned_at: str  # UTC, as stored
    timezone: str  # the conference's, in which the message gives the time

    @property
    def attendee_id(self) -> str:
        return str(self.attendee.id)

    # who the desk sees
    @property
    def name(self) -> str:
        return self.attendee.name

    @property
    def organisation(self) -> str | None:
        return self.attendee.organisation

    @property
    def category(self) -> str:
        return self.attendee.category

    @property
    def ticket_type(self) -> str:
        return self.attendee.ticket_type

    @property
    def message(self) -> str:
        if self.status == "checked_in":
            return f"checked in on {self.day} at desk {self.desk}"
        local = dt.datetime.fromisoformat(self.scanned_at).astimezone(ZoneInfo(self.timezone))
        return (
            f"already checked in on {self.day} at desk {self.desk}, {local:%H:%M:%S} "
            f"({self.timezone})"
        )


class CheckInCases(CheckinCodeCases):
    def check_in(self, conference_id: Any, cmd: c.CheckIn, ctx: CommandContext) -> CheckInResult:
        conference = self._conference(conference_id)
        zone = ZoneInfo(conference.timezone)
        scanned_at = cmd.scanned_at or self.clock()
        day = cmd.day.isoformat() if cmd.day else scanned_at.astimezone(zone).date().isoformat()
        scan = c.ScanLine(cmd.code, dt.date.fromisoformat(day), scanned_at, cmd.desk, cmd.scan_id)

        def scan_once() -> CheckInResult:
            key = self._key(conference.conference_id)
            attendee, order = self._admissible(conference, key, scan)
            stored = self._store_scan(attendee, order, self._scan(scan, attendee, 0), ctx)
            if stored:
                self.save(attendee)
            return self._result(attendee, day, stored, conference.timezone)

        return self._retrying(scan_once)

    def check_in_batch(
        self, conference_id: Any, cmd: c.UploadCheckIns, ctx: CommandContext
    ) -> dict[str, Any]:
        """Good lines stored in one save, bad ones reported by index; per attendee and day
        the earliest scan wins and the others collapse (`duplicates`); a day already
        checked in stores nothing (`already_checked_in`)."""
        conference = self._conference(conference_id)

        def batch() -> dict[str, Any]:
            key = self._key(conference.conference_id)
            rejected = [line for line in cmd.lines if isinstance(line, c.BadLine)]
            scans: list[Scan] = []
            attendees: dict[str, Attendee] = {}
            orders: dict[str, Order] = {}
            for index, line in enumerate(cmd.lines):
                if isinstance(line, c.BadLine):
                    continue
                try:
                    attendee, order = self._admissible(conference, key, line, attendees, orders)
                except HuiwuError as exc:
                    rejected.append(c.BadLine(index, exc.field or "code", exc.message))
                    continue
                attendees[str(attendee.id)] = attendee
                orders[str(order.id)] = order
                scans.append(self._scan(line, attendee, index))
            merged = merge(scans)
            stored = [
                scan
                for scan in merged.winners
                if self._store_scan(
                    attendees[scan.attendee_id],
                    orders[str(attendees[scan.attendee_id].order_id)],
                    scan,
                    ctx,
                )
            ]
            if stored:
                self.save(*{s.attendee_id: attendees[s.attendee_id] for s in stored}.values())
            return {
                "received": len(cmd.lines),
                "checked_in": len(stored),
                "already_checked_in": len(merged.winners) - len(stored),
                "duplicates": merged.duplicates,
                "rejected": sorted(rejected, key=lambda bad: bad.index),
            }

        return self._retrying(batch)

    def _admissible(
        self,
        conference: Conference,
        key: CheckinKey | None,
        scan: c.ScanLine,
        attendees: dict[str, Attendee] | None = None,
        orders: dict[str, Order] | None = None,
    ) -> tuple[Attendee, Order]:
        """The attendee a scan checks in, or a refusal naming the field at fault: a code
        that is not one of this conference's current codes, a registration cancelled, an
        order not paid (free orders are paid at once), a day outside the conference or a
        scan time not on that day."""
        day = scan.day.isoformat()
        if not conference.starts_on <= day <= conference.ends_on:
            raise InvalidCommand(
                f"must be a day of the conference, {conference.starts_on} to {conference.ends_on}",
                field="day",
            )
        local = scan.scanned_at.astimezone(ZoneInfo(conference.timezone)).date().isoformat()
        if local != day:
            raise InvalidCommand(
                f"is on {local} in {conference.timezone}, not on the day {day}",
                field="scanned_at",
            )
        attendee = self._attendee_by_code(conference, key, scan.code, attendees or {})
        if not attendee.active:
            raise Conflict(f"the attendee's registration is {attendee.status}", field="code")
        order = (orders or {}).get(str(attendee.order_id)) or self.order(attendee.order_id)
        if order.status != PAID or attendee.refunded:
            state = "refunded" if attendee.refunded else order.status.replace("_", " ")
            raise Conflict(
                f"the attendee's order is {state}: take the payment at the desk, then scan again",
                field="code",
            )
        return attendee, order

    def _attendee_by_code(
        self,
        conference: Conference,
        key: CheckinKey | None,
        code: str,
        loaded: dict[str, Attendee],
    ) -> Attendee:
        unknown = InvalidCommand("is not a check-in code of this conference", field="code")
        try:
            attendee_id = str(codes.attendee_of(code))
        except codes.NotACode as exc:
            raise InvalidCommand(str(exc), field="code") from None
        attendee = loaded.get(attendee_id)
        if attendee is None:
            try:
                attendee = self.attendee(attendee_id)
            except NotFound:
                raise unknown from None
        if key is None or attendee.conference_id != conference.conference_id:
            raise unknown
        if not codes.verifies(key.key, conference.conference_id, code, attendee.substitutions):
            if codes.verifies(key.key, conference.conference_id, code, attendee.substitutions - 1):
                raise Conflict(
                    "is the code of a badge voided by a substitution: print the new badge",
                    field="code",
                )
            for version, old in key.retired_keys():
                if codes.verifies(old, conference.conference_id, code, attendee.substitutions):
                    raise Conflict(
                        f"is the code of a badge made with check-in key version {version}, "
                        f"rotated since (now version {key.key_version}): reprint the badge",
                        field="code",
                    )
            raise unknown
        return attendee

    def _scan(self, line: c.ScanLine, attendee: Attendee, index: int) -> Scan:
        return Scan(
            index=index,
            attendee_id=str(attendee.id),
            day=line.day.isoformat(),
            scanned_at=line.scanned_at.astimezone(dt.UTC),
            desk=line.desk,
            scan_id=line.scan_id,
        )

    def _store_scan(
        self, attendee: Attendee, order: Order, scan: Scan, ctx: CommandContext
    ) -> bool:
        return attendee.check_in(
            day=scan.day,
            desk=scan.desk,
            scanned_at=scan.scanned_at.isoformat(),
            scan_id=scan.scan_id,
            pre_registered=order.channel != "onsite",
            meta=ctx.meta(attendee.conference_id),
        )

    def _result(self, attendee: Attendee, day: str, stored: bool, timezone: str) -> CheckInResult:
        held = attendee.checked_in_on(day)
        return CheckInResult(
            "checked_in" if stored else "already_checked_in",
            attendee,
            day,
            held["desk"],
            held["scanned_at"],
            timezone,
        )
