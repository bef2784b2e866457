"""Kits handed out, once per attendee, and badges recorded as printed: a print run
(BadgesPrinted) and each of its badges (BadgePrinted), saved together."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, NotFound

from .. import commands as c
from ..domain import Attendee
from ..domain.badges import BadgePrintRun
from .checkin_codes import CheckinCodeCases


class KitAndBadgeCases(CheckinCodeCases):
    def collect_kit(
        self, conference_id: Any, attendee_id: Any, cmd: c.CollectKit, ctx: CommandContext
    ) -> dict[str, Any]:
        def collect() -> dict[str, Any]:
            attendee = self.attendee(attendee_id)
            if attendee.conference_id != str(conference_id):
                raise NotFound(f"no attendee {attendee_id} at this conference", field="attendee_id")
            if not attendee.active:
                raise Conflict(
                    f"the attendee's registration is {attendee.status}", field="attendee_id"
                )
            collected = attendee.collect_kit(
                list(cmd.items), cmd.desk, ctx.meta(attendee.conference_id)
            )
            if collected:
                self.save(attendee)
            return {
                "status": "collected" if collected else "already_collected",
                "attendee_id": str(attendee.id),
                "items": attendee.kit,
            }

        return self._retrying(collect)

    def record_badges(
        self, conference_id: Any, attendee_ids: list[str], cmd: c.PrintBadges, ctx: CommandContext
    ) -> list[tuple[Attendee, str]]:
        """The attendees to print, each with their code, recorded as printed in one save:
        BadgesPrinted for the run, BadgePrinted for each badge."""
        conference = self._conference(conference_id)

        def record() -> list[tuple[Attendee, str]]:
            meta = ctx.meta(conference.conference_id)
            attendees = [a for a in map(self.attendee, attendee_ids) if a.active]
            run = BadgePrintRun.printed(
                uuid.uuid4(), len(attendees), cmd.ticket_type, cmd.category, meta
            )
            key = self._key_or_new(conference.conference_id, ctx)
            for attendee in attendees:
                attendee.badge_printed(str(run.id), meta)
            self.save(*([key] if key.pending_events else []), run, *attendees)
            return [(attendee, self._code(key, attendee)) for attendee in attendees]

        return self._retrying(record)
