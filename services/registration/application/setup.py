"""A conference's registration set-up: its fee schedule, channels, targets and refund
rules."""

from __future__ import annotations

from typing import Any

from services.common.domain import CommandContext

from .. import commands as c
from ..domain import RegistrationSetup
from .base import RegistrationBase, day, plain


class SetupCases(RegistrationBase):
    def set_fee_schedule(
        self, conference_id: Any, cmd: c.SetFeeSchedule, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        lines = [{k: plain(v) for k, v in line.items() if v is not None} for line in cmd.categories]
        setup.set_fees(lines, ctx.meta(conference.conference_id))
        self.save(setup)
        return setup

    def open_registration(
        self, conference_id: Any, cmd: c.OpenRegistration, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        setup.open(
            cmd.channel,
            list(cmd.payment_methods),
            day(cmd.closes_on),
            ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def close_registration(
        self, conference_id: Any, cmd: c.CloseRegistration, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        setup.close(cmd.channel, cmd.reason, ctx.meta(conference.conference_id))
        self.save(setup)
        return setup

    def set_targets(
        self, conference_id: Any, cmd: c.SetRegistrationTargets, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        setup.set_targets(
            [{k: plain(v) for k, v in t.items()} for t in cmd.targets],
            cmd.warn_below_percent,
            list(cmd.categories),
            ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def set_refund_policy(
        self, conference_id: Any, cmd: c.SetRefundPolicy, ctx: CommandContext
    ) -> RegistrationSetup:
        conference = self._conference(conference_id)
        setup = self._setup_or_new(conference, ctx)
        setup.set_refund_policy(
            full_refund_until=cmd.full_refund_until.isoformat(),
            partial_refund_until=day(cmd.partial_refund_until),
            partial_refund_percent=cmd.partial_refund_percent,
            substitution_until=day(cmd.substitution_until),
            meta=ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def setup(self, conference_id: Any) -> dict[str, Any]:
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        return {
            "conference_id": conference.conference_id,
            "currency": setup.currency,
            "timezone": setup.timezone,
            "hold_hours": setup.hold_hours,
            "fees": setup.fees,
            "channels": setup.channels,
            "targets": setup.targets,
            "refund_policy": self._policy(setup, conference),
            "version": setup.version,
        }
