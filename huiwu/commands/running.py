"""`huiwu up` and `huiwu status`: run the services locally and ask how they are."""

from __future__ import annotations

import argparse
from typing import Any

from .. import output
from ..client import ServiceUnreachable
from .context import Context


def up(ctx: Context, args: argparse.Namespace) -> int:
    """Run every service locally, one process each, until Ctrl-C."""
    from ..preflight import preflight
    from ..up import supervise

    services = args.only or list(ctx.settings.services)
    problems = preflight(ctx.settings, services)
    for problem in problems:
        print(f"huiwu up: {problem}", file=ctx.err)
    if problems:
        return 1
    urls = {name: ctx.settings.base_url(name) for name in services}
    return supervise(services, urls, out=ctx.out)


def status(ctx: Context, args: argparse.Namespace) -> int:
    """Ask every service's /health; exit 1 unless all are up."""
    report, rows = [], []
    for service in ctx.settings.services:
        url = ctx.client.url(service)
        try:
            reply = ctx.client.request(service, "GET", "/health", timeout=5)
        except ServiceUnreachable as exc:
            report.append({"service": service, "url": url, "ok": False, "error": exc.reason})
            rows.append((service, url, f"down ({exc.reason})", "-", "-"))
            continue
        health = reply.body if isinstance(reply.body, dict) else {}
        ok = reply.status == 200 and bool(health.get("ok"))
        checks = health.get("checks", {})
        report.append({"service": service, "url": url, "ok": ok, "health": health})
        state = "up" if ok else f"unhealthy (HTTP {reply.status})"
        rows.append((service, url, state, _check(checks, "store"), _check(checks, "broker")))
    down = [entry["service"] for entry in report if not entry["ok"]]
    if ctx.json:
        output.emit_json(report, ctx.out)
    else:
        ctx.print(output.table(("SERVICE", "URL", "STATE", "STORE", "BROKER"), rows))
    if down:
        print(
            f"huiwu status: not up: {', '.join(down)}; start the services with `huiwu up` "
            "(or ./scripts/up)",
            file=ctx.err,
        )
        return 1
    return 0


def _check(checks: dict[str, Any], name: str) -> str:
    check = checks.get(name)
    if not isinstance(check, dict):
        return "-"
    return "ok" if check.get("ok") else f"error: {check.get('error', 'failed')}"
