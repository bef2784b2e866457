"""Wiring of checklist: the plan's application (with its template and sheet reader), the
policy that follows vendors, registration, budget and speakers, the plan read model fed
from checklist's own log, the overdue watch and the plan gauges."""

from services.common.config import Settings
from services.common.domain import Clock, utc_now
from services.common.sinks import ProcessSink
from services.common.wiring import Parts, Wired

from . import exchange
from . import template as templates
from .application import ChecklistApplication
from .history import PlanHistory
from .metrics import PlanMetrics
from .overdue import OverdueWatch
from .plan_view import PlanProjection, PlanView


def bootstrap(settings: Settings, clock: Clock = utc_now) -> Wired:
    parts = Parts(settings, "checklist")
    app = parts.store(
        ChecklistApplication,
        template=templates.load("conference"),
        read_sheet=exchange.parse_xlsx,
        clock=clock,
    )
    following = parts.follow(ProcessSink(app))
    plan_model = parts.read_model(app, parts.projection("plan", PlanProjection()))
    plans = PlanView(parts.db, plan_model, clock)
    PlanMetrics(plans, parts.metrics.registry)
    uses = {
        "checklist": app,
        "plans": plans,
        "overdue": OverdueWatch(app, plans),
        "history": PlanHistory(app),
    }
    return parts.wire(app, uses=uses, following=following, read_models=[plan_model])
