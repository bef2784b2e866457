"""The `huiwu` command line: start the services and drive them over their HTTP APIs.

Exit codes: 0 done; 1 the command was refused or a service could not be reached;
2 an argument is wrong (the message names it and says why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.checklist.events import EVIDENCE_KINDS, OWNER_ROLES, PHASES, PROFILES, PROGRESS_STATES
from services.common import registry
from services.common.config import Settings
from services.policy import ROLES
from services.vendors.events import CATEGORIES, SCOPES

from . import commands
from .client import ServiceError, ServiceUnreachable
from .commands import Context, UsageError
from .commands import budget as budget_commands
from .commands import fapiao as fapiao_commands
from .commands import onsite as onsite_commands
from .commands import partners as partner_commands
from .commands import payouts as payout_commands
from .commands import revenue as revenue_commands
from .commands import sponsor as sponsor_commands
from .commands import vendor_fapiao as vendor_fapiao_commands
from .credentials import CredentialsError, read_token
from .money import AmountError

PROG = "huiwu"
PLAN_STATUSES = ("open", "in_progress", "verified", "waived", "overdue")

# Fields in a service's answer, and the option that sets each.
OPTION_OF_FIELD = {
    "conference_id": "--conference",
    "vendor_id": "--vendor",
    "starts_on": "--start",
    "ends_on": "--end",
    "expected_attendance": "--attendance",
    "amount_minor": "--amount",
    "categories": "--category",
    "contact_name": "--contact-name",
    "contact_email": "--contact-email",
    "contact_phone": "--contact-phone",
    "signed_on": "--on",
    "signed_by": "--by",
    "member_id": "--member",
    "codes": "--code",
    "role": "--role",
    "roles": "--role",
    "email": "--email",
    "due_on": "--on",
    "state": "--state",
    "percent": "--percent",
    "evidence": "--proof/--kind/--url/--file/--note",
    "reason": "--reason",
    "settings": "--setting",
    "price_minor": "--price",
    "ticket_type": "--type",
    "tax_rate_bp": "--tax-rate",
    "buyer_name": "--buyer",
    "buyer_organisation": "--organisation",
    "buyer_email": "--buyer-email",
    "buyer_phone": "--buyer-phone",
    "attendees": "--attendee",
    "expires_at": "--expires",
    "method": "--method",
    "received_on": "--on",
    "completed_on": "--on",
    "full_refund_until": "--full-until",
    "partial_refund_until": "--partial-until",
    "partial_refund_percent": "--percent",
    "substitution_until": "--substitution-until",
}

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SETTING = re.compile(r"([a-z][a-z0-9_]*)=(.+)")
_ENTRY_CODE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


# -- argument types: each error message says what is wrong ---------------------------


def iso_date(text: str) -> dt.date:
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None
    raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, got {text!r}")


def int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return value

    parse.__name__ = "number"
    return parse


def moment(text: str) -> dt.datetime:
    """An ISO date or date and time; the time zone comes later if it has no offset."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "give an ISO date and time, e.g. 2027-05-01T09:30 or 2027-05-01T09:30+08:00"
        ) from None


def timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r}; use an IANA name such as Asia/Shanghai"
        ) from None
    return text


def service_list(services: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in services]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown service {', '.join(unknown) or repr(text)}; "
                f"choose from {', '.join(services)}"
            )
        return list(dict.fromkeys(names))

    parse.__name__ = "service list"
    return parse


def entry_code(text: str) -> str:
    if not _ENTRY_CODE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"must be an entry code such as 1.3.5, got {text!r}")
    return text


def setting(text: str) -> tuple[str, int | float]:
    """NAME=VALUE, as main_vendors=4 or onsite_checkin_ratio=0.6; the service says whether
    the conference has that setting and whether it takes the value."""
    found = _SETTING.fullmatch(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"must be NAME=VALUE, as main_vendors=4, got {text!r}")
    name, value = found.groups()
    try:
        return name, int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{name}: must be a finite number, got {value!r}")
    return name, number


def section_number(text: str) -> str:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a section number such as 7, got {text!r}")
    return text


def non_blank(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return text


# -- the parser ---------------------------------------------------------------------------


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--json", action="store_true", default=default, help="print the raw JSON")
    parser.add_argument(
        "--for",
        dest="on_behalf_of",
        type=non_blank,
        default=default,
        metavar="WHO",
        help="record that you act for WHO (you, the token's holder, are recorded too)",
    )


def plan_filters(parser: argparse.ArgumentParser) -> None:
    """The filters of the plan, for `checklist show` and `checklist export`."""
    parser.add_argument("--section", type=section_number, metavar="N")
    parser.add_argument(
        "--owner", metavar="WHO", help="a member id, a member name or an owner role"
    )
    parser.add_argument("--status", choices=PLAN_STATUSES)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--due-from", type=iso_date, metavar="YYYY-MM-DD")
    parser.add_argument("--due-to", type=iso_date, metavar="YYYY-MM-DD")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of titles")


def entry_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("conference_id", metavar="CONFERENCE_ID")
    parser.add_argument("code", type=entry_code, metavar="CODE")


def build_parser(services: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; `services` are those of the registry (the built-in one by default)."""
    services = tuple(services or registry.load().names)
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run and drive the Huiwu conference-operations services."
    )
    _add_global_options(parser, None)
    # The same options after a command's name; SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, argparse.SUPPRESS)
    groups = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        parent: argparse._SubParsersAction, name: str, handler: Callable
    ) -> argparse.ArgumentParser:
        summary = (handler.__doc__ or "").strip().splitlines()[0]
        sub = parent.add_parser(name, parents=[common], help=summary, description=summary)
        sub.set_defaults(handler=handler)
        return sub

    def group(name: str, summary: str) -> argparse._SubParsersAction:
        sub = groups.add_parser(name, parents=[common], help=summary, description=summary)
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True)

    up = command(groups, "up", commands.up)
    up.add_argument(
        "--only",
        type=service_list(services),
        metavar="SERVICE,...",
        help=f"start only these services (from {', '.join(services)})",
    )
    command(groups, "status", commands.status)
    described = command(groups, "openapi", print_openapi)
    described.add_argument("service", choices=services, metavar="SERVICE")

    token = group("token", "make, list and revoke the tokens the services accept")
    made = command(token, "create", commands.token_create)
    made.add_argument("--name", type=non_blank, default="admin", help="the holder (default admin)")
    made.add_argument("--role", choices=ROLES, help="what the holder may do (services/policy.py)")
    made.add_argument("--conference", metavar="ID", help="the one conference it is for")
    made.add_argument(
        "--expires", type=commands.expiry, metavar="WHEN", help="30d, 12h, 90m or an ISO time"
    )
    made.add_argument(
        "--bootstrap",
        action="store_true",
        help="the first admin token, kept in your config directory; only while none exists",
    )
    command(token, "list", commands.token_list)
    revoked = command(token, "revoke", commands.token_revoke)
    revoked.add_argument("token_id", metavar="TOKEN_ID")

    conference = group("conference", "open, show and set conferences (checklist service)")
    opened = command(conference, "open", commands.conference_open)
    opened.add_argument("--name", required=True, type=non_blank)
    opened.add_argument("--start", required=True, type=iso_date, metavar="YYYY-MM-DD")
    opened.add_argument("--end", required=True, type=iso_date, metavar="YYYY-MM-DD")
    opened.add_argument("--city", required=True, type=non_blank)
    opened.add_argument(
        "--attendance",
        required=True,
        type=int_between(1, 1_000_000),
        metavar="N",
        help="expected attendance",
    )
    opened.add_argument("--profile", required=True, choices=PROFILES)
    opened.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="CODE",
        help="also plan this section, item or entry the profile leaves out (repeatable)",
    )
    opened.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="CODE",
        help="leave this section, item or entry out of the plan (repeatable)",
    )
    opened.add_argument("--timezone", type=timezone, default=commands.DEFAULT_TIMEZONE)
    opened.add_argument("--currency", default="CNY", help="ISO 4217 code of its money (CNY)")
    opened.add_argument(
        "--setting",
        action="append",
        type=setting,
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the plan's rules (repeatable; the others take their defaults)",
    )
    shown = command(conference, "show", commands.conference_show)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")
    settings = command(conference, "settings", commands.conference_settings)
    settings.add_argument("conference_id", metavar="CONFERENCE_ID")
    settings.add_argument("--lang", choices=("en", "zh"), default="en", help="of descriptions")
    changed = command(conference, "set", commands.conference_set)
    changed.add_argument("conference_id", metavar="CONFERENCE_ID")
    changed.add_argument(
        "--setting",
        action="append",
        type=setting,
        required=True,
        metavar="NAME=VALUE",
        help="the new value of a setting (repeatable)",
    )
    changed.add_argument("--reason", required=True, type=non_blank)

    vendor = group("vendor", "add and show vendors (vendors service)")
    added = command(vendor, "add", commands.vendor_add)
    added.add_argument("--conference", required=True, metavar="ID")
    added.add_argument("--name", required=True, type=non_blank)
    added.add_argument(
        "--category",
        action="append",
        choices=CATEGORIES,
        metavar="CATEGORY",
        help=f"repeat for several; each one of {', '.join(CATEGORIES)}",
    )
    added.add_argument("--contact-name")
    added.add_argument("--contact-email")
    added.add_argument("--contact-phone")
    shown = command(vendor, "show", commands.vendor_show)
    shown.add_argument("vendor_id", metavar="VENDOR_ID")

    contract = group("contract", "draft, sign, cancel and show contracts (vendors service)")
    drafted = command(contract, "draft", commands.contract_draft)
    drafted.add_argument("--conference", required=True, metavar="ID")
    drafted.add_argument("--vendor", required=True, metavar="ID")
    drafted.add_argument(
        "--category",
        required=True,
        choices=CATEGORIES,
        metavar="CATEGORY",
        help=f"one of {', '.join(CATEGORIES)}",
    )
    drafted.add_argument("--title", required=True, type=non_blank)
    drafted.add_argument(
        "--amount", required=True, help="in major units as a decimal, e.g. 120000.00"
    )
    drafted.add_argument("--currency", default="CNY", help="ISO code (default CNY)")
    drafted.add_argument(
        "--scope",
        choices=SCOPES,
        metavar="SCOPE",
        help=f"whose contract: one of {', '.join(SCOPES)} (default conference)",
    )
    signed = command(contract, "sign", commands.contract_sign)
    signed.add_argument("contract_id", metavar="CONTRACT_ID")
    signed.add_argument(
        "--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today in Asia/Shanghai"
    )
    signed.add_argument("--by", dest="signed_by", type=non_blank, help="default: the actor")
    cancelled = command(contract, "cancel", commands.contract_cancel)
    cancelled.add_argument("contract_id", metavar="CONTRACT_ID")
    cancelled.add_argument("--reason", required=True, type=non_blank)
    shown = command(contract, "show", commands.contract_show)
    shown.add_argument("contract_id", metavar="CONTRACT_ID")

    commands.registration.add_parsers(group, command, iso_date, non_blank)
    fapiao_commands.add_parsers(group, command, iso_date, non_blank)
    commands.payments.add_parsers(group, command)
    commands.follow_up.add_parsers(group, command, non_blank)
    onsite_commands.add_parsers(group, command, iso_date)

    checklist = group("checklist", "the plan of a conference (checklist service)")
    shown = command(checklist, "show", commands.checklist_show)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")
    plan_filters(shown)
    exported = command(checklist, "export", commands.checklist_export)
    exported.add_argument("conference_id", metavar="CONFERENCE_ID")
    exported.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    exported.add_argument(
        "-o", "--output", metavar="FILE", help="default: plan-CONFERENCE_ID.FORMAT; - for stdout"
    )
    plan_filters(exported)
    imported = command(checklist, "import", commands.checklist_import)
    imported.add_argument("conference_id", metavar="CONFERENCE_ID")
    imported.add_argument("file", metavar="FILE", help="an XLSX exported by `checklist export`")
    overdue = command(checklist, "overdue", commands.checklist_overdue)
    overdue.add_argument("conference_id", metavar="CONFERENCE_ID")
    overdue.add_argument(
        "--today", type=iso_date, metavar="YYYY-MM-DD", help="default: today in its time zone"
    )

    team = group("team", "the team of a conference, who owns entries (checklist service)")
    added = command(team, "add", commands.team_add)
    added.add_argument("conference_id", metavar="CONFERENCE_ID")
    added.add_argument("--name", required=True, type=non_blank)
    added.add_argument(
        "--role",
        required=True,
        action="append",
        choices=OWNER_ROLES,
        metavar="ROLE",
        help=f"repeat for several; each one of {', '.join(OWNER_ROLES)}",
    )
    added.add_argument("--email")
    added.add_argument("--id", type=non_blank, help="the member id (default: a new UUID)")
    shown = command(team, "show", commands.team_show)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")

    entry = group("entry", "run the entries of a plan (checklist service)")
    shown = command(entry, "show", commands.entry_show)
    entry_arguments(shown)
    assigned = command(entry, "assign", commands.entry_assign)
    assigned.add_argument("conference_id", metavar="CONFERENCE_ID")
    assigned.add_argument("--member", required=True, type=non_blank, metavar="MEMBER_ID")
    which = assigned.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--code", action="append", type=entry_code, metavar="CODE", help="repeat for several"
    )
    which.add_argument(
        "--role", choices=OWNER_ROLES, metavar="ROLE", help="every entry of this owner role"
    )
    due = command(entry, "due", commands.entry_due)
    entry_arguments(due)
    due.add_argument("--on", required=True, type=iso_date, metavar="YYYY-MM-DD")
    due.add_argument("--reason", required=True, type=non_blank)
    progress = command(entry, "progress", commands.entry_progress)
    entry_arguments(progress)
    progress.add_argument("--state", required=True, choices=PROGRESS_STATES)
    progress.add_argument("--percent", required=True, type=int_between(0, 100), metavar="N")
    progress.add_argument("--note")
    verified = command(entry, "verify", commands.entry_verify)
    entry_arguments(verified)
    verified.add_argument(
        "--proof",
        dest="proofs",
        action="append",
        metavar="KEY",
        help="which of the proofs the entry names (see `huiwu entry show`); "
        "one for all references or one each",
    )
    verified.add_argument(
        "--kind",
        action="append",
        choices=EVIDENCE_KINDS,
        metavar="KIND",
        help=f"for a record the entry does not name: one of {', '.join(EVIDENCE_KINDS)}; "
        "one for all references or one each (needs --reason)",
    )
    verified.add_argument(
        "--reason", type=non_blank, help="why a record the entry does not name proves it"
    )
    for form, help_text in (
        ("url", "a link to the record"),
        ("file", "a file: its SHA-256 and name are recorded, not its content"),
        ("note", "a note saying where the record is"),
    ):
        verified.add_argument(
            f"--{form}",
            dest="references",
            action=commands.Reference,
            const=form,
            metavar=form.upper() if form != "file" else "PATH",
            help=f"{help_text} (repeatable)",
        )
    for name, handler in (("waive", commands.entry_waive), ("reopen", commands.entry_reopen)):
        sub = command(entry, name, handler)
        entry_arguments(sub)
        sub.add_argument("--reason", required=True, type=non_blank)

    budget_commands.add_parsers(group, command, iso_date)
    sponsor_commands.add_parsers(group, command, iso_date)
    payout_commands.add_parsers(group, command, iso_date)
    revenue_commands.add_parsers(group, command, iso_date)
    vendor_fapiao_commands.add_parsers(group, command)
    partner_commands.add_parsers(group, command, iso_date)

    audit = group("audit", "the audit trail of every service (reporting service)")
    shown = command(audit, "show", commands.audit_show)
    shown.add_argument("--conference", metavar="ID")
    shown.add_argument("--service", choices=services)
    shown.add_argument("--aggregate", metavar="ID")
    shown.add_argument("--limit", type=int_between(1, 10_000), default=1000, metavar="N")
    shown.add_argument(
        "--timezone", type=timezone, default=commands.DEFAULT_TIMEZONE, help="to show times in"
    )
    rebuilt = command(audit, "rebuild", commands.audit_rebuild)
    rebuilt.add_argument(
        "--fresh",
        action="store_true",
        help="start from #1 of every log, not where an interrupted rebuild stopped",
    )
    rebuilt.add_argument(
        "--over-rpc",
        action="store_true",
        help="let reporting read every log over RPC, even where the stores are (slower)",
    )
    rebuilt.add_argument(
        "--workers",
        type=int_between(0, 64),
        metavar="N",
        help="processes reading the stores (default: one per core, up to 2, for a long "
        "history; 0: this process reads them)",
    )
    as_of = command(audit, "as-of", commands.audit_as_of)
    as_of.add_argument("at", type=moment, help="ISO date and time (in --timezone without offset)")
    as_of.add_argument("--conference", metavar="ID", required=True)
    what = as_of.add_mutually_exclusive_group()
    what.add_argument("--entry", metavar="CODE")
    what.add_argument("--aggregate", metavar="ID")
    as_of.add_argument(
        "--timezone", type=timezone, default=commands.DEFAULT_TIMEZONE, help="of times shown"
    )
    exported_trail = command(audit, "export", commands.audit_export)
    exported_trail.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    exported_trail.add_argument("--conference", metavar="ID")
    exported_trail.add_argument("--service", choices=services)
    exported_trail.add_argument("--actor", metavar="NAME")
    exported_trail.add_argument("--event-type", metavar="TYPE")
    exported_trail.add_argument("--since", metavar="TIME", help="ISO 8601 with offset (inclusive)")
    exported_trail.add_argument("--until", metavar="TIME", help="ISO 8601 with offset (exclusive)")
    exported_trail.add_argument(
        "-o", "--output", metavar="FILE", help="default: audit-trail.FORMAT; - for stdout"
    )
    traced = command(audit, "trace", commands.audit_trace)
    traced.add_argument("id", type=non_blank, help="an event id, or a request's correlation id")
    traced.add_argument(
        "--timezone", type=timezone, default=commands.DEFAULT_TIMEZONE, help="to show times in"
    )
    verified = command(audit, "verify", commands.audit_verify)
    verified.add_argument("--service", choices=services, help="only this service's history")
    return parser


def print_openapi(ctx: Context, args: argparse.Namespace) -> int:
    """Print a service's OpenAPI description (what it serves at GET /openapi.json)."""
    with warnings.catch_warnings():  # eventlet, imported by nameko, announces its retirement
        warnings.simplefilter("ignore")
        from services.common import openapi  # nameko and apispec: only for this command
        from services.common.service import service_class

    services = ctx.settings.registry
    described = openapi.describe(service_class(services.spec(args.service), services))
    ctx.out.write(json.dumps(described, indent=2, ensure_ascii=False))
    ctx.print()
    return 0


# -- running a command ---------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, run one command, map every failure to a message and an exit code."""
    try:
        settings: Settings | None = Settings.from_env()
        problem = None
    except ValueError as exc:  # said after parsing, so that --help still works
        settings, problem = None, exc
    parser = build_parser(settings.services if settings else None)
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: 2 with a message naming the argument, 0: --help
            sys.stdout.flush()
            return exc.code if isinstance(exc.code, int) else 2
    except BrokenPipeError:  # `huiwu --help | head`
        _silence(sys.stdout)
        return SIGPIPE_EXIT
    name = " ".join(part for part in (PROG, args.command, getattr(args, "action", None)) if part)
    if settings is None:
        print(f"{name}: configuration error: {problem}", file=sys.stderr)
        return 1
    try:
        token = read_token()
    except CredentialsError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    ctx = Context(
        settings=settings,
        token=token,
        on_behalf_of=getattr(args, "on_behalf_of", None),
        json=bool(args.json),
    )
    try:
        code = args.handler(ctx, args)
        ctx.out.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # piped into `head`, which has read enough: stop quietly
        _silence(ctx.out)
        return SIGPIPE_EXIT
    except (UsageError, AmountError) as exc:
        print(f"{name}: error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except ServiceUnreachable as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except ServiceError as exc:
        return report_service_error(name, exc)
    except KeyboardInterrupt:
        return 130


SIGPIPE_EXIT = 128 + 13  # as a program killed by SIGPIPE, like `git log | head`


def _silence(stream: TextIO) -> None:
    """Point the stream at /dev/null, so that Python's flush at exit finds nothing to say."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def report_service_error(name: str, exc: ServiceError) -> int:
    """400: each `field: message` and exit 2; anything else: the message and exit 1."""
    if exc.status == 400:
        errors = exc.field_errors()
        if not errors:
            print(f"{name}: error: {exc.message}", file=sys.stderr)
        for field, message in errors:
            option = OPTION_OF_FIELD.get(field.split(".")[0])
            label = f"{field} ({option})" if option else field
            print(f"{name}: error: {label}: {message}", file=sys.stderr)
        return 2
    kind = {
        401: "not signed in (set HUIWU_TOKEN, or run `huiwu token create --bootstrap` once)",
        403: "not allowed",
        404: "not found",
        409: "refused",
        503: f"{exc.service} is unavailable",
    }.get(exc.status, f"{exc.service} answered HTTP {exc.status}")
    print(f"{name}: {kind}: {exc.message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
