"""Registrations against their targets, on a timer (`HUIWU_TARGET_CHECK_INTERVAL`) and on
demand: each conference with targets checks its current one against the registrations
paid for (a read model counts them); the set-up warns once per target, so a tick or a
restart after the warning adds nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from services.common.domain import CommandContext

from .application import RegistrationApplication
from .expiry import SYSTEM_ACTOR
from .registered_counts import RegisteredCounts

log = logging.getLogger(__name__)


class TargetCheck:
    def __init__(
        self,
        app: RegistrationApplication,
        counts: RegisteredCounts,
        catch_up: Callable[[], object],
    ) -> None:
        self.app = app
        self.counts = counts
        self.catch_up = catch_up  # the counts, up to every payment stored before the check

    def check(self, conference_id: str, ctx: CommandContext) -> dict[str, Any]:
        """One conference's current target, now: `warning` is the one given, or None."""
        self.catch_up()
        return {"warning": self.app.check_target(conference_id, self.counts.paid, ctx)}

    def tick(self) -> None:
        ctx = CommandContext.new(SYSTEM_ACTOR)
        try:
            self.catch_up()
            conferences = self.counts.targeted()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("counting registrations for their targets failed")
            return
        for conference_id in conferences:
            try:
                warning = self.app.check_target(conference_id, self.counts.paid, ctx)
            except Exception:  # noqa: BLE001 - one conference's failure stops no other
                log.exception("checking the registration target of %s failed", conference_id)
                continue
            if warning is not None:
                log.info("%s below its registration target: %s", conference_id, warning)
