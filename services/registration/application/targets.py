"""The registration targets checked against what is registered (RegistrationBelowTarget)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.common.domain import CommandContext

from .base import RegistrationBase

# How many registrations of a conference are paid for, of the categories named (none: all).
CountPaid = Callable[[str, Sequence[str]], int]


class TargetCases(RegistrationBase):
    def check_target(
        self, conference_id: Any, count_paid: CountPaid, ctx: CommandContext
    ) -> dict[str, Any] | None:
        """Check the conference's current target today (its time zone): the warning given,
        or None (no target due yet, met, or warned before)."""

        def check() -> dict[str, Any] | None:
            conference = self._conference(conference_id)
            setup = self._setup(conference)
            if setup.targets is None:
                return None
            registered = count_paid(conference.conference_id, setup.targets["categories"])
            meta = ctx.meta(conference.conference_id)
            warning = setup.check_target(self._today(conference), registered, meta)
            if warning is not None:
                self.save(setup)
            return warning

        return self._retrying(check)
