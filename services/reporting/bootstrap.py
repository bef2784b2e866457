"""Wiring of reporting: the audit trail, a projection of every other service's events,
and its shadow, where a rebuild replays the logs before it is swapped in."""

from services.common.config import Settings
from services.common.sinks import ProjectionSink
from services.common.wiring import Parts, Wired

from .application import AuditService, ReportingApplication
from .audit import LIVE_TABLE, SHADOW_TABLE, AuditTrail
from .export import Export
from .rebuild import AuditRebuild
from .rebuild_lock import RebuildLock
from .trace import Tracer
from .verifications import VerificationMetrics, Verifications


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "reporting")
    trail = AuditTrail(parts.db)
    sink = parts.projection(LIVE_TABLE, trail)
    # Not a read model of its own: no reader and no consumer ever sees it.
    shadow = ProjectionSink(parts.db, SHADOW_TABLE, AuditTrail(parts.db, SHADOW_TABLE))
    following = parts.follow(sink)
    rebuild = AuditRebuild(
        sink,
        shadow,
        trail,
        following.consumer,
        RebuildLock(settings, "reporting", "audit_rebuild"),
        parts.failpoints,
        log_end=following.logs.end,
    )
    VerificationMetrics(Verifications(parts.db), parts.metrics.registry)
    app = parts.store(ReportingApplication)
    return parts.wire(
        app,
        uses={
            "audit": AuditService(trail),
            "audit_rebuild": rebuild,
            "tracer": Tracer(trail),
            "exporter": Export(trail),
        },
        following=following,
    )
