"""On site: scan a badge, upload a desk's offline scans, rotate the check-in key, print
badges, hand out kits and compile the attendance figures (registration service)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.registration.events import CATEGORIES, KIT_ITEMS

from .. import output
from ..client import path_segment
from .context import DEFAULT_TIMEZONE, Context, UsageError

SERVICE = "registration"
SCAN_COLUMNS = ("code", "day", "scanned_at", "desk", "scan_id")
# 3,000 badges take the service half a minute; a batch of 5,000 scans some seconds
BADGES_TIMEOUT = 300.0
UPLOAD_TIMEOUT = 120.0


def scan_time(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO date and time, e.g. 2027-05-12T08:31 or 2027-05-12T08:31+08:00, "
            f"got {text!r}"
        ) from None


def _conference(args: argparse.Namespace) -> str:
    return f"/conferences/{path_segment(args.conference)}"


def checkin_code(ctx: Context, args: argparse.Namespace) -> int:
    """Print an attendee's check-in code (the QR on their badge)."""
    answer = ctx.client.get(SERVICE, f"/attendees/{path_segment(args.attendee_id)}/checkin-code")
    return ctx.show(answer, answer.get("checkin_code", ""))


def checkin_scan(ctx: Context, args: argparse.Namespace) -> int:
    """Check in the attendee whose badge code was scanned (once a day)."""
    body: dict[str, Any] = {"code": args.code, "desk": args.desk, **ctx.caller()}
    if args.day:
        body["day"] = args.day.isoformat()
    if args.at:
        at = args.at if args.at.tzinfo else args.at.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
        body["scanned_at"] = at.isoformat()
    if args.scan_id:
        body["scan_id"] = args.scan_id
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/checkins", body)
    who = f"{answer.get('name')} ({answer.get('category')}, {answer.get('ticket_type')})"
    return ctx.show(answer, f"{who}: {answer.get('message')}")


def checkin_rotate_key(ctx: Context, args: argparse.Namespace) -> int:
    """Replace the conference's check-in key: badges printed before must be printed again."""
    body = {"reason": args.reason, **ctx.caller()}
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/checkin-key/rotate", body)
    text = (
        f"check-in key version {answer.get('key_version')}: badges printed before no longer "
        f"check in; print them again (huiwu badges print)"
    )
    return ctx.show(answer, text)


def checkin_upload(ctx: Context, args: argparse.Namespace) -> int:
    """Upload a desk's offline scans (CSV or JSON); bad lines are listed, the rest stored."""
    path = Path(args.file)
    scans, csv_rows = _scans(path)
    body = {"desk": args.desk, "scans": scans, **ctx.caller()}
    target = f"{_conference(args)}/checkins/batch"
    answer = ctx.client.post(SERVICE, target, body, timeout=UPLOAD_TIMEOUT)
    for bad in answer.get("rejected", []):
        where = f"row {bad['index'] + 2}" if csv_rows else f"scan {bad['index']}"
        print(f"huiwu checkin upload: {where}, {bad['field']}: {bad['reason']}", file=ctx.err)
    text = (
        f"{answer.get('received')} scans: {answer.get('checked_in')} checked in, "
        f"{answer.get('already_checked_in')} already checked in, "
        f"{answer.get('duplicates')} duplicates, {len(answer.get('rejected', []))} rejected"
    )
    ctx.show(answer, text)
    return 1 if answer.get("rejected") else 0


def _scans(path: Path) -> tuple[list[Any], bool]:
    """The scans of a file, and whether it was a CSV (its rows are numbered from 2)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("FILE", f"cannot read {path}: {getattr(exc, 'strerror', exc)}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UsageError("FILE", f"{path} is not JSON: {exc}") from None
        scans = data.get("scans") if isinstance(data, dict) else data
        if not isinstance(scans, list):
            raise UsageError("FILE", 'a JSON file holds a list of scans, or {"scans": [...]}')
        return scans, False
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(SCAN_COLUMNS)
    if not reader.fieldnames or unknown:
        raise UsageError(
            "FILE", f"a CSV has the columns {', '.join(SCAN_COLUMNS)} (unknown: {unknown or '-'})"
        )
    return [{k: v for k, v in row.items() if v} for row in reader], True


def badges_print(ctx: Context, args: argparse.Namespace) -> int:
    """Print the badges of the attendees still registered to a PDF (one A6 badge a page)."""
    query = {
        key: value
        for key, value in (("ticket_type", args.ticket_type), ("category", args.category))
        if value
    }
    target = f"{_conference(args)}/badges.pdf"
    body = ctx.client.download(SERVICE, target, query=query, timeout=BADGES_TIMEOUT)
    path = ctx.save(body, args.output, "badges.pdf")
    if path is None:
        return 0
    return ctx.show({"file": str(path), "bytes": len(body)}, str(path))


def kit_collect(ctx: Context, args: argparse.Namespace) -> int:
    """Record that an attendee collected their kit (once)."""
    body: dict[str, Any] = {"items": args.item, **ctx.caller()}
    if args.desk:
        body["desk"] = args.desk
    path = f"{_conference(args)}/attendees/{path_segment(args.attendee_id)}/kit"
    answer = ctx.client.post(SERVICE, path, body)
    text = f"{answer.get('status', '').replace('_', ' ')}: {', '.join(answer.get('items', []))}"
    return ctx.show(answer, text)


def attendance_compile(ctx: Context, args: argparse.Namespace) -> int:
    """Compile the attendance figures by day and category (--final once it is over)."""
    body = {"final": args.final, **ctx.caller()}
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/attendance/compile", body)
    rows = [(f["day"], f["category"], f["checked_in"]) for f in answer.get("figures", [])]
    text = output.table(("DAY", "CATEGORY", "CHECKED IN"), rows)
    kind = "final" if answer.get("final") else "so far"
    text += f"\n\n{answer.get('attended')} of {answer.get('registered')} registered came ({kind})"
    return ctx.show(answer, text)


def add_parsers(group: Callable, command: Callable, iso_date: Callable) -> None:
    """`huiwu checkin`, `huiwu badges`, `huiwu kit` and `huiwu attendance`."""

    def conference(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--conference", required=True, metavar="ID")

    checkin = group("checkin", "check-in by badge scan (registration service)")
    shown = command(checkin, "code", checkin_code)
    shown.add_argument("attendee_id", metavar="ATTENDEE_ID")
    scanned = command(checkin, "scan", checkin_scan)
    scanned.add_argument("code", metavar="CODE", help="the badge's check-in code")
    conference(scanned)
    scanned.add_argument("--desk", required=True, metavar="DESK")
    scanned.add_argument("--day", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    scanned.add_argument(
        "--at",
        type=scan_time,
        metavar="TIME",
        help=f"when it was scanned, ISO (default: now; without an offset, {DEFAULT_TIMEZONE})",
    )
    scanned.add_argument("--scan-id", metavar="ID")
    uploaded = command(checkin, "upload", checkin_upload)
    uploaded.add_argument("file", metavar="FILE", help="a .csv or a .json of scans")
    conference(uploaded)
    uploaded.add_argument("--desk", required=True, metavar="DESK", help="of lines naming none")
    rotated = command(checkin, "rotate-key", checkin_rotate_key)
    conference(rotated)
    rotated.add_argument("--reason", required=True, help="why (a key or a badge list leaked)")

    badges = group("badges", "badges as a print-ready PDF (registration service)")
    printed = command(badges, "print", badges_print)
    conference(printed)
    printed.add_argument("-o", "--output", metavar="FILE", help="default badges.pdf; - stdout")
    printed.add_argument("--ticket-type", metavar="TYPE")
    printed.add_argument("--category", choices=CATEGORIES, metavar="CATEGORY")

    kit = group("kit", "conference materials handed out (registration service)")
    collected = command(kit, "collect", kit_collect)
    collected.add_argument("attendee_id", metavar="ATTENDEE_ID")
    conference(collected)
    collected.add_argument(
        "--item",
        action="append",
        required=True,
        choices=KIT_ITEMS,
        metavar="ITEM",
        help=f"one of {', '.join(KIT_ITEMS)}; repeat for each",
    )
    collected.add_argument("--desk", metavar="DESK")

    attendance = group("attendance", "attendance figures (registration service)")
    compiled = command(attendance, "compile", attendance_compile)
    conference(compiled)
    compiled.add_argument("--final", action="store_true", help="once the conference is over")
