"""The reporting service: the audit trail of every service, live and rebuildable."""

from __future__ import annotations

from dataclasses import asdict

from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.common.http import json_response, query
from services.common.providers import Use
from services.common.service import HuiwuService

from . import schemas as s
from .background import Background
from .rebuild import DONE, RUNNING, RebuildRun

_REBUILD = s.RebuildAnswer()


class Service(HuiwuService):
    name = "reporting"
    audit = Use("audit")
    audit_rebuild = Use("audit_rebuild")
    tracer = Use("tracer")
    exporter = Use("exporter")
    background = Background()

    @http("GET", "/audit")
    @query("ShowAudit", s.AuditQuerySchema, s.AuditAnswer)
    def show_audit(self, audit_query):
        """Query string: conference_id, service, aggregate_id, limit, offset."""
        return {"events": self.audit.show(**asdict(audit_query))}

    @http("GET", "/audit/export")
    @query("ExportAudit", s.ExportQuerySchema)
    def export_audit(self, export_query):
        """Query: format (jsonl, csv), conference_id, service, actor, event_type, from, to
        (ISO 8601 with offset; from inclusive, to exclusive). Streamed, in chain order, each
        event with chain_link and previous_link (docs/audit.md, "Export")."""
        filters = export_query.filters()
        if export_query.format == "csv":
            body, mimetype = self.exporter.csv(filters), "text/csv"
        else:
            body, mimetype = self.exporter.jsonl(filters), "application/x-ndjson"
        response = Response(body, status=200, mimetype=mimetype, direct_passthrough=True)
        name = f"audit-trail.{export_query.format}"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @http("GET", "/audit/trace/<string:ident>")
    @query("TraceAudit", answer=s.TraceAnswer)
    def trace_audit(self, ident):
        """The tree of events caused by an event (its event id) or by a request (its
        correlation id), across every service."""
        return self.tracer.trace(ident)

    @http("POST", "/audit/rebuild")
    @query("RebuildAudit", s.RebuildQuerySchema)
    def rebuild_audit(self, rebuild_query):
        """Query string: wait (seconds), fresh (true: from #1 of every log). Replays every
        service's log beside the live trail, resuming where an interrupted rebuild stopped,
        and swaps it in: 200 if done within `wait`, else 202 (GET /audit/rebuild follows
        it); 409 while one runs; 503 if a log cannot be read (the trail is unchanged)."""
        run = self.audit_rebuild.start(self.background, fresh=rebuild_query.fresh)
        return rebuild_answer(self.audit_rebuild.wait(run, rebuild_query.wait))

    @http("DELETE", "/audit/rebuild")
    @query("InterruptAuditRebuild")
    def interrupt_audit_rebuild(self):
        """Stop the running rebuild after its current page, keeping what it replayed: the
        next `POST /audit/rebuild` resumes it. 202; 409 when none runs."""
        run = self.audit_rebuild.interrupt()
        response = json_response(_REBUILD.dump(run.to_dict()), 202)
        response.headers["Location"] = "/audit/rebuild"
        return response

    @http("GET", "/audit/rebuild")
    @query("ShowAuditRebuild")
    def show_audit_rebuild(self):
        """The rebuild running now, else the last one since the service started."""
        run = self.audit_rebuild.last
        return _REBUILD.dump(run.to_dict()) if run is not None else {"state": "none"}


def rebuild_answer(run: RebuildRun) -> Response:
    if run.state == DONE:
        return json_response(_REBUILD.dump(run.to_dict()), 200)
    if run.state == RUNNING:
        response = json_response(_REBUILD.dump(run.to_dict()), 202)
        response.headers["Location"] = "/audit/rebuild"
        return response
    assert run.error is not None
    raise run.error  # 503 or 409 with its message, by the edge's table
