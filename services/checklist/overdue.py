"""Flagging overdue entries: on demand for one conference, and on a timer for all of them,
each with today's date in the conference's own time zone."""

from __future__ import annotations

import datetime as dt
import logging

from services.common.domain import CommandContext
from services.common.errors import NotFound

from .application import ChecklistApplication
from .plan_view import PlanView

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "checklist"


class OverdueWatch:
    def __init__(self, app: ChecklistApplication, view: PlanView) -> None:
        self.app = app
        self.view = view

    def check(
        self, conference_id: str, ctx: CommandContext, today: dt.date | None = None
    ) -> dict[str, object]:
        """Record EntryOverdue for each entry past its due date; which ones, and as of when."""
        zone = self.view.conference_zones().get(str(conference_id))
        if zone is None:
            raise NotFound(f"no conference {conference_id}", field="conference_id")
        today = today or self.view.today(zone)
        candidates = self.view.overdue_candidates(str(conference_id), today)
        flagged = []
        if candidates:
            flagged = self.app.flag_overdue(str(conference_id), candidates, today, ctx)
        return {"today": today, "overdue": flagged}

    def check_all(self) -> int:
        """Every conference, as of its own today; how many entries were flagged."""
        ctx = CommandContext.new(SYSTEM_ACTOR)
        flagged = 0
        for conference_id in self.view.conference_zones():
            try:
                flagged += len(self.check(conference_id, ctx)["overdue"])  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - one conference must not stop the others
                log.exception("overdue check of conference %s failed", conference_id)
        return flagged
