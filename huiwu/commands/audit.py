"""The audit trail: show it, or rebuild it from every service's event log."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

from .. import output
from ..client import ServiceError
from .context import Context

REBUILD_WAIT = 20.0  # the request waits this long, then the rebuild is followed by polling
ANSWER_MARGIN = 30.0
POLL_INTERVAL = 1.0
BAR_INTERVAL = 0.2  # the bar of a read from the stores is redrawn at most this often


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
    """Rebuild the audit trail from every service's event log, beside the live one, and
    swap it in once every log is read; on any failure the trail stays as it was.

    Where the stores are (as for `huiwu audit verify`), the stored events are first read
    from them straight into the new trail, the fast way; reporting then reads over RPC
    only what was stored meanwhile, and swaps the new trail in. Elsewhere, or with
    `--over-rpc`, reporting reads every log over RPC.

    On a terminal a progress bar follows it (events, rate, time left). Ctrl-C interrupts
    it, keeping what was replayed: the next `huiwu audit rebuild` resumes it (`--fresh`
    starts again from #1 of every log)."""
    bar = RebuildProgress(ctx.err, enabled=not ctx.json and ctx.err.isatty())
    fresh = args.fresh
    filled = None
    if not args.over_rpc and stores_here(ctx):
        try:
            filled = _fill_from_stores(ctx, args, bar, fresh)
        except KeyboardInterrupt:
            bar.done()
            print(
                "rebuild interrupted; the live trail is unchanged; "
                "`huiwu audit rebuild` resumes it",
                file=ctx.err,
            )
            return 130
        fresh = False  # started afresh already: reporting resumes from what was filled
        bar.first = None  # the rate shown from here is reporting's
    wait = 0.0 if bar.enabled else REBUILD_WAIT  # a bar: answered at once, then followed
    try:
        answer = ctx.client.post(
            "reporting",
            "/audit/rebuild",
            {},
            query={"wait": wait, "fresh": "true" if fresh else None},
            timeout=wait + ANSWER_MARGIN,
        )
        run = answer.get("id")
        if answer.get("state") == "running" and not ctx.json and not bar.enabled:
            print("rebuilding the audit trail; the live one is served meanwhile ...", file=ctx.err)
        while answer.get("state") == "running":
            bar.update(answer)
            time.sleep(POLL_INTERVAL)
            answer = ctx.client.get("reporting", "/audit/rebuild")
            if answer.get("id") != run:
                raise ServiceError(
                    "reporting",
                    503,
                    {
                        "message": "reporting restarted during the rebuild; the audit trail is "
                        "unchanged; run `huiwu audit rebuild` again to resume it"
                    },
                )
    except KeyboardInterrupt:
        bar.done()
        return _interrupt(ctx)
    bar.done()
    if answer.get("state") != "done":
        status = 409 if answer.get("error") == "Conflict" else 503
        raise ServiceError("reporting", status, answer)
    replayed = answer.get("replayed", {})
    detail = ", ".join(f"{service} {count}" for service, count in replayed.items())
    resumed = sum(answer.get("resumed", {}).values())
    if filled is not None:
        answer["from_stores"] = filled.read
        answer["from_stores_seconds"] = round(filled.seconds, 3)
        read = ", ".join(f"{service} {count}" for service, count in filled.read.items())
        how = (
            f"read from the stores in {filled.seconds:.1f} s: {read or 'nothing new'}; "
            f"then over RPC: {detail or 'nothing'}"
        )
    else:
        since = f"; resumed after #{resumed:,} of the logs" if resumed else ""
        how = f"replayed: {detail}{since}"
    return ctx.show(answer, f"audit trail rebuilt: {answer.get('events')} events ({how})")


def stores_here(ctx: Context) -> bool:
    """Whether this command runs where the stores are: reporting's SQLite file is here,
    or PostgreSQL is named (HUIWU_DATABASE_URL)."""
    settings = ctx.settings
    return settings.database_url is not None or settings.sqlite_path("reporting").exists()


def _fill_from_stores(
    ctx: Context, args: argparse.Namespace, bar: RebuildProgress, fresh: bool
) -> Any:
    """Read every upstream's stored events into reporting's new trail, as `huiwu audit
    verify` reads them (only an admin or an auditor may); what was read (`Filled`)."""
    import sqlite3

    import psycopg

    from services.common.token_store import TokenStore  # the stores: only for this path
    from services.reporting import fill_from_stores

    from .tokens import as_one_of

    store = TokenStore(ctx.settings)
    try:
        as_one_of(ctx, store, ("admin", "auditor"), "rebuilding the audit trail")
    finally:
        store.close()
    upstreams = [name for name in ctx.settings.services if name != "reporting"]
    shown = [0.0]

    def progress(positions: dict[str, int], ends: dict[str, int]) -> None:
        now = time.monotonic()
        if now - shown[0] >= BAR_INTERVAL:
            shown[0] = now
            bar.update({"positions": positions, "ends": ends, "reading": "stores"})

    try:
        filled = fill_from_stores.fill(
            ctx.settings, upstreams, fresh=fresh, workers=args.workers, progress=progress
        )
    except fill_from_stores.Busy as exc:
        raise ServiceError("reporting", 409, {"message": str(exc)}) from None
    except (OSError, sqlite3.Error, psycopg.Error) as exc:  # the stores, not the trail
        bar.done()
        raise ServiceError(
            "reporting",
            503,
            {
                "message": f"the stores could not be read here ({type(exc).__name__}: {exc}); "
                "the audit trail is unchanged; run it where the stores are, or with "
                "--over-rpc to let reporting read every log"
            },
        ) from None
    bar.done()
    return filled


def _interrupt(ctx: Context) -> int:
    """Ctrl-C: stop the rebuild after its current page, keeping what it replayed."""
    reply = ctx.client.request("reporting", "DELETE", "/audit/rebuild", timeout=ANSWER_MARGIN)
    if reply.status == 409:
        print("interrupted; no rebuild was running", file=ctx.err)
        return 130
    if reply.status >= 400:
        raise ServiceError("reporting", reply.status, reply.body)
    done, total = progress_of(reply.body)
    of = f" of {total:,}" if total else ""
    print(
        f"rebuild interrupted at {done:,}{of} events; the live trail is unchanged; "
        "`huiwu audit rebuild` resumes it",
        file=ctx.err,
    )
    return 130


def progress_of(answer: dict[str, Any]) -> tuple[int, int | None]:
    """How far the shadow has read (the sum of its positions), and where the logs ended
    when the rebuild started (None if a log could not tell)."""
    done = sum(answer.get("positions", {}).values())
    ends = answer.get("ends") or {}
    return done, (sum(ends.values()) if ends else None)


def progress_text(answer: dict[str, Any], rate: float | None, width: int = 24) -> str:
    """`[#####.....]  41%  412,000 of 1,000,000 events  5,230/s  1m52s left`"""
    done, total = progress_of(answer)
    parts = []
    if total:
        share = min(done / total, 1.0)
        filled = round(share * width)
        parts.append(f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}")
        parts.append(f"{done:,} of {total:,} events")
    else:
        parts.append(f"{done:,} events")
    if rate:
        parts.append(f"{rate:,.0f}/s")
        if total and total > done:
            parts.append(f"{_duration((total - done) / rate)} left")
    reading = answer.get("reading")
    if reading:
        parts.append(f"({reading})")
    return "  ".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class RebuildProgress:
    """A rebuild's progress bar on the terminal, rewritten at each poll; the rate is of
    what this command has watched (a resumed rebuild does not count what came before)."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.first: tuple[float, int] | None = None
        self.width = 0

    def update(self, answer: dict[str, Any]) -> None:
        if not self.enabled:
            return
        now, (done, _) = time.monotonic(), progress_of(answer)
        if self.first is None:
            self.first = (now, done)
        elapsed = now - self.first[0]
        rate = (done - self.first[1]) / elapsed if elapsed > 0.5 else None
        line = progress_text(answer, rate)
        self.stream.write("\r" + line.ljust(self.width))
        self.width = len(line)
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def audit_verify(ctx: Context, args: argparse.Namespace) -> int:
    """Check every service's stored events against its hash chain, and each chain against
    reporting's copy of it; exit 1 naming the first broken position of each service."""
    from services.common.token_store import TokenStore  # the stores: only for this command
    from services.reporting import verification

    from .tokens import as_one_of

    store = TokenStore(ctx.settings)
    try:
        as_one_of(ctx, store, ("admin", "auditor"), "verifying the history")
    finally:
        store.close()
    services = [args.service] if args.service else list(ctx.settings.services)
    shown = ProgressLine(ctx.err, enabled=not ctx.json and ctx.err.isatty())
    result = verification.verify(ctx.settings, services, progress=shown.update)
    shown.done()
    verification.record(ctx.settings, result)
    answer = {
        "ok": result.ok,
        "seconds": result.seconds,
        "services": [
            {
                "service": r.service,
                "events": r.events,
                "compared_with_reporting": r.copied,
                "absent": r.absent,
                "broken": None
                if r.broken is None
                else {
                    "notification_id": r.broken.notification_id,
                    "kind": r.broken.kind,
                    "detail": r.broken.detail,
                },
            }
            for r in result.results
        ],
    }
    lines = []
    for r in result.results:
        if r.absent:
            lines.append(f"{r.service}: no stored events here")
        elif r.broken is not None:
            lines.append(f"BROKEN {r.broken.describe()}")
        else:
            copied = f", {r.copied} matched against reporting's copy" if r.copied else ""
            lines.append(f"{r.service}: {r.events} events intact{copied}")
    verdict = "every history is intact" if result.ok else "TAMPERED: see above"
    ctx.show(answer, "\n".join([*lines, f"{verdict} ({result.seconds:.1f} s)"]))
    return 0 if result.ok else 1


class ProgressLine:
    """One line on the terminal, rewritten: the service and events checked, and the rate."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream, self.enabled = stream, enabled
        self.started = time.monotonic()

    def update(self, service: str, checked: int) -> None:
        if self.enabled:
            rate = checked / max(time.monotonic() - self.started, 1e-6)
            self.stream.write(f"\r{service}: {checked} events checked ({rate:,.0f}/s)   ")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def audit_as_of(ctx: Context, args: argparse.Namespace) -> int:
    """A conference's plan, one entry, or any aggregate as it stood at a past moment, with
    the last event counted."""
    moment = args.at if args.at.tzinfo else args.at.replace(tzinfo=ZoneInfo(args.timezone))
    at = {"at": moment.isoformat()}
    conference = args.conference
    zone = ZoneInfo(args.timezone)
    if args.aggregate:
        found = ctx.client.get(
            "reporting",
            "/audit",
            query={"conference_id": conference, "aggregate_id": args.aggregate, "limit": 1},
        ).get("events", [])
        if not found:
            raise ServiceError(
                "reporting",
                404,
                {"message": f"no aggregate {args.aggregate} in conference {conference}'s trail"},
            )
        service = found[0]["service"]
        answer = ctx.client.get(service, f"/aggregates/{args.aggregate}/as-of", query=at)
        state = answer.get("state", {})
        lines = [
            f"{answer['aggregate_type']} {answer['aggregate_id']} ({service}), "
            f"version {answer['version']}, as of {local_time(at['at'], zone)}",
            *(f"  {name}: {value}" for name, value in state.items()),
        ]
    elif args.entry:
        answer = ctx.client.get(
            "checklist", f"/conferences/{conference}/entries/{args.entry}/as-of", query=at
        )
        owner = (answer.get("owner") or {}).get("name") or f"role:{answer.get('owner_role')}"
        lines = [
            f"{answer['code']} {answer['title_en']}, as of {local_time(at['at'], zone)}",
            f"  status: {answer['status']}",
            f"  owner: {owner}",
            f"  due: {answer['due_on']}",
            f"  proofs: {len(answer.get('proofs') or [])}",
        ]
    else:
        answer = ctx.client.get("checklist", f"/conferences/{conference}/plan/as-of", query=at)
        rows = [
            (
                e["code"],
                e["status"],
                (e.get("owner") or {}).get("name") or f"role:{e.get('owner_role')}",
                e["due_on"],
                len(e.get("proofs") or []),
            )
            for e in answer.get("entries", [])
        ]
        lines = [
            f"the plan of {conference} as of {local_time(at['at'], zone)} ({args.timezone})",
            output.table(("CODE", "STATUS", "OWNER", "DUE", "PROOFS"), rows),
        ]
    last = answer.get("last_event") or {}
    lines.append(
        f"last event counted: {last.get('event_type')} of {last.get('aggregate_type')} "
        f"{last.get('aggregate_id')} v{last.get('aggregate_version')} at "
        f"{local_time(last.get('occurred_at'), zone)} (event {last.get('event_id')})"
    )
    return ctx.show(answer, "\n".join(lines))


def audit_trace(ctx: Context, args: argparse.Namespace) -> int:
    """The tree of events one event or one request caused, across every service."""
    answer = ctx.client.get("reporting", f"/audit/trace/{args.id}")
    zone = ZoneInfo(args.timezone)
    lines: list[str] = []

    def show(node: dict[str, Any], prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(
            f"{prefix}{branch}{node['event_type']}  {node['service']}#{node['notification_id']}"
            f"  {node['aggregate_type']} {node['aggregate_id']}  by {node['actor']}"
            f"  at {local_time(node['occurred_at'], zone)}"
        )
        below = prefix if top else prefix + ("   " if last else "│  ")
        children = node.get("caused") or []
        for i, child in enumerate(children):
            show(child, below, i == len(children) - 1, False)

    for root in answer.get("roots", []):
        show(root, "", True, True)
    summary = f"{answer.get('events')} events, found by {answer.get('by')}"
    if answer.get("truncated"):
        summary += "; cut at 10,000 events"
    lines.append(summary)
    return ctx.show(answer, "\n".join(lines))


def audit_export(ctx: Context, args: argparse.Namespace) -> int:
    """Export the audit trail, filtered, as JSON Lines or CSV with each event's chain links
    (check it offline with examples/verify_export.py)."""
    query = {
        "format": args.format,
        "conference_id": args.conference,
        "service": args.service,
        "actor": args.actor,
        "event_type": args.event_type,
        "from": args.since,
        "to": args.until,
    }
    body = ctx.client.download("reporting", "/audit/export", query=query)
    path = ctx.save(body, args.output, f"audit-trail.{args.format}")
    if path is None:
        return 0
    events = body.count(b"\n") - (1 if args.format == "csv" else 0)
    answer = {"file": str(path), "events": events, "format": args.format}
    return ctx.show(answer, f"{path}: {events} events")
