"""Follow a cause: the tree of events one event (or one request) caused, across every
service, through causation ids (docs/audit.md, "Follow a cause").

An event caused by another carries that event's id as `causation_id` (a command's own
events carry none, and the request's `correlation_id`). A trace starts from an event id,
or from a correlation id (then from the request's own events: those of that correlation
not caused by another of them), and goes down level by level, in the trail.
"""

from __future__ import annotations

from typing import Any

from services.common.errors import NotFound

from .audit import AuditTrail

MAX_EVENTS = 10_000  # a trace stops there, and says it was cut


class Tracer:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def trace(self, ident: str) -> dict[str, Any]:
        roots = self.trail.where("event_id", [ident], MAX_EVENTS)
        by = "event_id"
        if not roots:
            by = "correlation_id"
            request = self.trail.where("correlation_id", [ident], MAX_EVENTS)
            ids = {e["event_id"] for e in request}
            roots = [e for e in request if e["causation_id"] not in ids]
        if not roots:
            raise NotFound(f"no event and no request {ident} in the audit trail", field="id")
        return {"id": ident, "by": by, **build(roots, self._children)}

    def _children(self, event_ids: list[str], room: int) -> list[dict[str, Any]]:
        return self.trail.where("causation_id", event_ids, room)


def build(roots: list[dict[str, Any]], children_of: Any) -> dict[str, Any]:
    """The tree under `roots`, level by level; `children_of(ids, room)` gives the events
    caused by any of `ids` (at most `room`). Each event appears once."""
    seen = {e["event_id"] for e in roots}
    nodes = [{**e, "caused": []} for e in roots]
    level, count, truncated = nodes, len(nodes), False
    while level:
        if count >= MAX_EVENTS:
            truncated = True
            break
        by_id = {node["event_id"]: node for node in level}
        found = children_of(list(by_id), MAX_EVENTS - count + 1)
        next_level = []
        for event in found:
            if event["event_id"] in seen:
                continue
            if count >= MAX_EVENTS:
                truncated = True
                break
            seen.add(event["event_id"])
            node = {**event, "caused": []}
            by_id[event["causation_id"]]["caused"].append(node)
            next_level.append(node)
            count += 1
        level = next_level
    return {"events": count, "truncated": truncated, "roots": nodes}
