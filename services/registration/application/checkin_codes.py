"""Check-in codes, the QR on each badge: made with the conference's newest key, which is
made the first time a code of the conference is shown or printed and saved with what
shows or prints it, and rotated by an organizer (domain/checkin_codes.py says what a code
is)."""

from __future__ import annotations

import secrets
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, NotFound

from .. import commands as c
from ..domain import Attendee
from ..domain import checkin_codes as codes
from ..domain.checkin_key import CheckinKey
from ..domain.ids import checkin_key_id
from .base import RegistrationBase

KEY_VERSION = 1


class CheckinCodeCases(RegistrationBase):
    def checkin_code(self, attendee_id: Any, ctx: CommandContext) -> dict[str, str]:
        attendee = self.attendee(attendee_id)

        def code() -> dict[str, str]:
            key = self._key_or_new(attendee.conference_id, ctx)
            if key.pending_events:
                self.save(key)
            return {"attendee_id": str(attendee.id), "checkin_code": self._code(key, attendee)}

        return self._retrying(code)

    def rotate_checkin_key(
        self, conference_id: Any, cmd: c.RotateCheckinKey, ctx: CommandContext
    ) -> CheckinKey:
        """A new key for the conference's codes: badges printed before must be printed
        again; check-ins already stored stay."""
        conference = self._conference(conference_id)

        def rotate() -> CheckinKey:
            key = self._key(conference.conference_id)
            if key is None:
                raise Conflict(
                    "has no check-in key yet: its first badge code makes one, so there is "
                    "nothing to rotate",
                    "conference_id",
                )
            key.rotate(
                secrets.token_hex(codes.KEY_BYTES), cmd.reason, ctx.meta(conference.conference_id)
            )
            self.save(key)
            return key

        return self._retrying(rotate)

    def _code(self, key: CheckinKey, attendee: Attendee) -> str:
        return codes.make_code(key.key, attendee.conference_id, attendee.id, attendee.substitutions)

    def _key(self, conference_id: str) -> CheckinKey | None:
        """The conference's key; None before its first code was made (no code verifies)."""
        try:
            return self.get(CheckinKey, checkin_key_id(conference_id), "check-in key")
        except NotFound:
            return None

    def _key_or_new(self, conference_id: str, ctx: CommandContext) -> CheckinKey:
        """The key, or a new one for the caller to save with what it saves: two made at
        once write version 1 of the same id, and the one retried finds the other's."""
        return self._key(conference_id) or CheckinKey(
            key_version=KEY_VERSION,
            secret=secrets.token_hex(codes.KEY_BYTES),
            meta=ctx.meta(conference_id),
        )
