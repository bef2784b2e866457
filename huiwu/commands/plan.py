"""The plan of a conference: show and filter it, export and import it, run its entries, and
manage the team that owns them (checklist service)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from .. import output
from ..client import ServiceError, path_segment
from .context import Context, UsageError

SERVICE = "checklist"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _conference(args: argparse.Namespace) -> str:
    return f"/conferences/{path_segment(args.conference_id)}"


def _entry(args: argparse.Namespace) -> str:
    return f"{_conference(args)}/entries/{path_segment(args.code)}"


def plan_query(args: argparse.Namespace) -> dict[str, Any]:
    """The filters of `checklist show` and `checklist export`, as the API's query."""
    return {
        "section": args.section,
        "owner": args.owner,
        "status": args.status,
        "phase": args.phase,
        "due_from": args.due_from.isoformat() if args.due_from else None,
        "due_to": args.due_to.isoformat() if args.due_to else None,
        "lang": args.lang,
    }


# -- the plan ---------------------------------------------------------------------------


def checklist_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a conference's plan: each entry's status, due date, owner, progress and proof."""
    query = plan_query(args)
    plan = ctx.client.get(SERVICE, f"{_conference(args)}/plan", query=query)
    if ctx.json:
        return ctx.show(plan, "")
    conference = plan.get("conference", {})
    entries = plan.get("entries", [])
    verified = sum(1 for e in entries if e.get("status") == "verified")
    filtered = any(v for k, v in query.items() if k != "lang")
    rows = [
        (
            e.get("code"),
            e.get("status"),
            f"{e.get('due_on')} (overdue)" if e.get("overdue") else e.get("due_on"),
            owner_text(e),
            f"{(e.get('progress') or {}).get('percent', 0)}%",
            e.get("title_zh" if args.lang == "zh" else "title_en") or e.get("title"),
            proof_summary(e.get("proofs") or []),
        )
        for e in entries
    ]
    ctx.print(
        f"{conference.get('name')} | {conference.get('starts_on')} .. {conference.get('ends_on')}"
        f" | {conference.get('city')} | {verified} of {len(entries)} verified"
        + (" (filtered)" if filtered else "")
    )
    ctx.print(output.table(("CODE", "STATUS", "DUE", "OWNER", "DONE", "TITLE", "PROOF"), rows))
    return 0


def owner_text(entry: dict[str, Any]) -> str:
    owner = entry.get("owner") or {}
    return owner.get("name") or f"role:{entry.get('owner_role')}"


def proof_summary(proofs: list[dict[str, Any]]) -> str:
    if not proofs:
        return "-"
    first = proofs[0]
    if first.get("event_type"):
        what = f"{first.get('service')}.{first['event_type']}"
    elif first.get("kind") == "evidence":
        names = ", ".join(e.get("proof") or e.get("kind", "?") for e in first.get("evidence") or [])
        what = f"evidence ({names})"
    else:
        what = str(first.get("kind") or "evidence")
    actor = first.get("actor") or first.get("verified_by")
    when = str(first.get("occurred_at") or first.get("verified_at") or "")[:10]
    text = " ".join(part for part in (what, f"by {actor}" if actor else "", when) if part)
    text += f" (+{len(proofs) - 1} more)" if len(proofs) > 1 else ""
    unnamed = [p.get("reason") for p in proofs if p.get("off_list")]
    return text + "".join(f" [unnamed proof: {reason}]" for reason in unnamed)


def named_proofs_text(verification: dict[str, Any]) -> str | None:
    """The proofs an entry names, as `key: what it is`, for verifying it by hand."""
    named = [
        p if isinstance(p, dict) else {"proof": p, "kind": p}
        for p in (verification or {}).get("evidence") or []
    ]
    return "; ".join(f"{p['proof']}: {p.get('en') or p['kind']}" for p in named) or None


def checklist_export(ctx: Context, args: argparse.Namespace) -> int:
    """Export the plan to an XLSX or CSV file, with the same filters as `checklist show`."""
    body = ctx.client.download(
        SERVICE, f"{_conference(args)}/plan.{args.format}", query=plan_query(args)
    )
    path = ctx.save(body, args.output, f"plan-{args.conference_id}.{args.format}")
    if path is None:
        return 0
    return ctx.show({"file": str(path), "bytes": len(body), "format": args.format}, str(path))


def checklist_import(ctx: Context, args: argparse.Namespace) -> int:
    """Import owners, due dates and progress from an exported XLSX: every row, or none."""
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError("FILE", f"cannot read {path}: {exc.strerror or exc}") from None
    query = {**ctx.caller(), "filename": path.name}
    try:
        answer = ctx.client.upload(
            SERVICE, f"{_conference(args)}/plan/import", content, XLSX_TYPE, query=query
        )
    except ServiceError as exc:
        errors = exc.body.get("errors") if isinstance(exc.body, dict) else None
        if exc.status != 400 or not isinstance(errors, list):
            raise
        if ctx.json:
            output.emit_json(exc.body, ctx.out)
        for error in errors:
            print(f"huiwu checklist import: error: {row_error(error)}", file=ctx.err)
        print(f"huiwu checklist import: {exc.message}", file=ctx.err)
        return 2
    return ctx.show(
        answer,
        f"applied {answer.get('applied')} entries from {path.name}"
        f" ({answer.get('unchanged')} rows unchanged)",
    )


def row_error(error: Any) -> str:
    """{"row": 7, "column": "due_on", "reason": "..."} as `row 7, due_on: ...`."""
    if not isinstance(error, dict):
        return str(error)
    where = [f"row {error['row']}"] if error.get("row") is not None else []
    if error.get("column"):
        where.append(str(error["column"]))
    return f"{', '.join(where) or 'file'}: {error.get('reason')}"


def checklist_overdue(ctx: Context, args: argparse.Namespace) -> int:
    """Check the plan for overdue entries now, recording each one newly overdue."""
    body: dict[str, Any] = ctx.caller()
    if args.today:
        body["today"] = args.today.isoformat()
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/overdue", body)
    flagged = answer.get("overdue") or []
    text = (
        f"{len(flagged)} entries newly overdue as of {answer.get('today')}: {' '.join(flagged)}"
        if flagged
        else f"no entry newly overdue as of {answer.get('today')}"
    )
    return ctx.show(answer, text)


# -- the team ---------------------------------------------------------------------------


def team_add(ctx: Context, args: argparse.Namespace) -> int:
    """Add a member to a conference's team, with the roles they own entries for; print the id."""
    body = {"name": args.name, "roles": list(dict.fromkeys(args.role)), **ctx.caller()}
    if args.email:
        body["email"] = args.email
    if args.id:
        body["member_id"] = args.id
    member = ctx.client.post(SERVICE, f"{_conference(args)}/team", body)
    return ctx.show(member, member["member_id"])


def team_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a conference's team: each member's id, name, roles and email."""
    conference = ctx.client.get(SERVICE, _conference(args))
    team = conference.get("team") or []
    if ctx.json:
        return ctx.show(team, "")
    rows = [
        (m.get("member_id"), m.get("name"), ", ".join(m.get("roles") or []), m.get("email"))
        for m in team
    ]
    ctx.print(output.table(("MEMBER", "NAME", "ROLES", "EMAIL"), rows))
    return 0


# -- entries ------------------------------------------------------------------------------


def entry_text(e: dict[str, Any]) -> str:
    progress = e.get("progress") or {}
    done = f"{progress.get('state')} {progress.get('percent')}%"
    if progress.get("note"):
        done += f": {progress['note']}"
    status = e.get("status")
    if status == "waived" and e.get("waived"):
        status = f"waived by {e['waived'].get('by')}: {e['waived'].get('reason')}"
    owner = e.get("owner") or {}
    due = f"{e.get('due_on')} (overdue)" if e.get("overdue") else e.get("due_on")
    if e.get("opens_on"):  # continuous work: verified only from its due date on
        due = f"{due}, continuous work from {e['opens_on']}"
    return output.fields(
        [
            ("entry", e.get("code")),
            ("title", e.get("title_en")),
            ("status", status),
            ("due", due),
            ("after", ", ".join(e.get("after") or []) or None),
            ("owner", f"{owner['name']} ({owner['member_id']})" if owner else None),
            ("owner role", e.get("owner_role")),
            ("progress", done),
            ("proves it", named_proofs_text(e.get("verification") or {})),
            ("proof", proof_summary(e.get("proofs") or [])),
        ]
    )


def entry_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one entry of the plan."""
    entry = ctx.client.get(SERVICE, _entry(args))
    return ctx.show(entry, entry_text(entry))


def entry_assign(ctx: Context, args: argparse.Namespace) -> int:
    """Give entries an owner: the codes named, or every entry of a role."""
    body: dict[str, Any] = {"member_id": args.member, **ctx.caller()}
    if args.code:
        body["codes"] = args.code
    if args.role:
        body["role"] = args.role
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/assignments", body)
    codes = answer.get("assigned") or []
    owner = answer.get("owner") or {}
    return ctx.show(
        answer, f"assigned {len(codes)} entries to {owner.get('name')}: {' '.join(codes)}"
    )


def entry_due(ctx: Context, args: argparse.Namespace) -> int:
    """Change an entry's due date, saying why."""
    body = {"due_on": args.on.isoformat(), "reason": args.reason, **ctx.caller()}
    entry = ctx.client.post(SERVICE, f"{_entry(args)}/due-date", body)
    return ctx.show(entry, entry_text(entry))


def entry_progress(ctx: Context, args: argparse.Namespace) -> int:
    """Record an entry's progress: state, percent done and a note."""
    body = {"state": args.state, "percent": args.percent, "note": args.note, **ctx.caller()}
    entry = ctx.client.post(SERVICE, f"{_entry(args)}/progress", body)
    return ctx.show(entry, entry_text(entry))


def entry_verify(ctx: Context, args: argparse.Namespace) -> int:
    """Verify an entry by hand: which of its named proofs, and where the record is (a link,
    a file by its SHA-256, or a note). A record it does not name needs --kind and --reason."""
    records = evidence(args.proofs or [], args.kind or [], args.references or [])
    body = {"evidence": records, **ctx.caller()}
    if args.reason:
        body["reason"] = args.reason
    entry = ctx.client.post(SERVICE, f"{_entry(args)}/verify", body)
    return ctx.show(entry, entry_text(entry))


def evidence(
    proofs: list[str], kinds: list[str], references: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Pair proofs (or kinds) with references: one for all, or one per reference in order."""
    if not references:
        raise UsageError("evidence", "give at least one of --url, --file or --note")
    if not proofs and not kinds:
        raise UsageError("--proof", "say which of the entry's proofs the record is")
    records: list[dict[str, Any]] = [
        {"reference": reference(form, value)} for form, value in references
    ]
    for flag, key, values in (("--proof", "proof", proofs), ("--kind", "kind", kinds)):
        if not values:
            continue
        if len(values) not in (1, len(references)):
            raise UsageError(
                flag,
                f"give one {flag} for every reference, or one for all; got {len(values)} "
                f"for {len(references)} references",
            )
        paired = values * len(references) if len(values) == 1 else values
        for record, value in zip(records, paired, strict=True):
            record[key] = value
    return records


def reference(form: str, value: str) -> dict[str, str]:
    if form != "file":
        return {form: value}
    path = Path(value)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise UsageError("--file", f"cannot read {path}: {exc.strerror or exc}") from None
    return {"sha256": digest.hexdigest(), "filename": path.name}


def entry_waive(ctx: Context, args: argparse.Namespace) -> int:
    """Waive an entry, saying why it does not apply."""
    body = {"reason": args.reason, **ctx.caller()}
    entry = ctx.client.post(SERVICE, f"{_entry(args)}/waive", body)
    return ctx.show(entry, entry_text(entry))


def entry_reopen(ctx: Context, args: argparse.Namespace) -> int:
    """Re-open a waived entry, or one verified by hand, saying why."""
    body = {"reason": args.reason, **ctx.caller()}
    entry = ctx.client.post(SERVICE, f"{_entry(args)}/reopen", body)
    return ctx.show(entry, entry_text(entry))


class Reference(argparse.Action):
    """--url, --file and --note add references in the order given (for `entry verify`)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        references = list(getattr(namespace, self.dest, None) or [])
        references.append((self.const, values))
        setattr(namespace, self.dest, references)
