"""Use cases of reporting: read the audit trail (its rebuild is in rebuild.py)."""

from __future__ import annotations

from typing import Any

from services.common.store import ServiceApplication

from .audit import AuditTrail


class ReportingApplication(ServiceApplication):
    """Reporting records no events of its own yet; its store serves an empty log."""

    name = "reporting"


class AuditService:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def show(self, **filters: Any) -> list[dict[str, Any]]:
        return self.trail.query(**filters)
