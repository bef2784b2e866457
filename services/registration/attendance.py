"""What on site needs of all a conference's attendees at once, from the roster read model
(caught up with the log first, so it holds every check-in stored before the request):
the attendance figures compiled, and the badges printed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eventlet import patcher, tpool

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand

from . import badge_pdf
from . import commands as c
from .application import RegistrationApplication
from .domain.attendance import AttendanceFigures, figures
from .roster import Roster

MAX_BADGES = 3000  # one PDF of a few MB, rendered within a request's time


class Attendance:
    def __init__(
        self,
        app: RegistrationApplication,
        roster: Roster,
        catch_up: Callable[[], Any],
        font: Path | None = None,
    ) -> None:
        self.app = app
        self.roster = roster
        self.catch_up = catch_up
        self.font = font

    def compile(
        self, conference_id: Any, cmd: c.CompileAttendance, ctx: CommandContext
    ) -> dict[str, Any]:
        conference = self.app.conferences.get(str(conference_id))
        self.catch_up()
        compiled = figures(self.roster.attending(conference.conference_id))
        zone = ZoneInfo(conference.timezone)
        today = self.app.clock().astimezone(zone).date().isoformat()
        figures_id = uuid.uuid4()
        made = AttendanceFigures.compile(
            figures_id,
            compiled,
            final=cmd.final,
            over=today > conference.ends_on,
            meta=ctx.meta(conference.conference_id),
        )
        self.app.save(made)
        return {"figures_id": str(figures_id), **compiled, "final": cmd.final}

    def badges(self, conference_id: Any, cmd: c.PrintBadges, ctx: CommandContext) -> bytes:
        """The PDF of the badges of every attendee still registered (or of a ticket type's,
        a category's), recorded as printed."""
        conference = self.app.conferences.get(str(conference_id))
        self.catch_up()
        ids = self.roster.registered(conference.conference_id, cmd.ticket_type, cmd.category)
        if len(ids) > MAX_BADGES:
            raise InvalidCommand(
                f"would print {len(ids)} badges, more than {MAX_BADGES} in one PDF: "
                f"print them by ticket type or category",
                field="ticket_type",
            )
        printed = self.app.record_badges(conference.conference_id, ids, cmd, ctx)
        face = badge_pdf.font(self.font)
        badges = [
            badge_pdf.Badge(a.name, a.organisation, a.ticket_type, a.category, code)
            for a, code in printed
        ]
        return _off_the_hub(badge_pdf.render, conference.name, badges, face)


def _off_the_hub(work: Callable[..., bytes], *args: Any) -> bytes:
    """Work that takes seconds of CPU (10 ms a badge, most of it choosing each QR's mask)
    in an OS thread when the process runs under eventlet: scans, the relay and every other
    request go on meanwhile instead of waiting for the green thread to yield."""
    if patcher.is_monkey_patched("thread"):
        return tpool.execute(work, *args)
    return work(*args)
