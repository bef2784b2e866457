"""The audit trail: show it, or rebuild it from every service's event log."""

from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo

from .. import output
from .context import Context

REBUILD_TIMEOUT = 600.0


def audit_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show the audit trail: who did what, when, oldest first."""
    query = {
        "conference_id": args.conference,
        "service": args.service,
        "aggregate_id": args.aggregate,
        "limit": args.limit,
    }
    answer = ctx.client.get("reporting", "/audit", query=query)
    if ctx.json:
        return ctx.show(answer, "")
    zone = ZoneInfo(args.timezone)
    rows = [
        (
            local_time(e.get("occurred_at"), zone),
            e.get("service"),
            e.get("notification_id"),
            e.get("event_type"),
            e.get("actor"),
            e.get("aggregate_id"),
        )
        for e in answer.get("events", [])
    ]
    ctx.print(
        output.table(
            (f"OCCURRED ({args.timezone})", "SERVICE", "#", "EVENT", "ACTOR", "AGGREGATE"), rows
        )
    )
    return 0


def local_time(occurred_at: str | None, zone: ZoneInfo) -> str:
    if not occurred_at:
        return "-"
    try:
        moment = dt.datetime.fromisoformat(occurred_at)
    except ValueError:
        return occurred_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def audit_rebuild(ctx: Context, args: argparse.Namespace) -> int:
    """Drop the audit trail and replay every service's event log from the start."""
    answer = ctx.client.post(
        "reporting", "/audit/rebuild", {"actor": ctx.actor}, timeout=REBUILD_TIMEOUT
    )
    replayed = answer.get("replayed", {})
    detail = ", ".join(f"{service} {count}" for service, count in replayed.items())
    return ctx.show(
        answer, f"audit trail rebuilt: {answer.get('events')} events (replayed: {detail})"
    )
