"""`huiwu token`: make, list and revoke the bearer tokens the services accept.

These act on the token table directly, on the host that holds the stores. Making a token
(other than the first admin's, with --bootstrap), listing and revoking need an admin's
token; the first admin's is made only while no active admin token exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import TYPE_CHECKING

from services.policy import conference_rule_for

from .. import output
from ..credentials import token_file, write_token
from .context import Context, UsageError

if TYPE_CHECKING:
    from services.common.token_store import TokenStore

_DURATION = re.compile(r"^(?P<n>\d{1,5})(?P<unit>[dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def expiry(text: str) -> dt.datetime:
    """`30d`, `12h`, `90m` from now, or an ISO date or time (UTC when no offset)."""
    match = _DURATION.match(text)
    if match:
        return dt.datetime.now(dt.UTC) + dt.timedelta(**{_UNITS[match["unit"]]: int(match["n"])})
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "give a duration (30d, 12h, 90m) or an ISO date or time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _store(ctx: Context) -> TokenStore:
    # Imported here: the store reaches the event-store library, which other commands
    # (talking HTTP only) need not load.
    from services.common.token_store import TokenStore

    return TokenStore(ctx.settings)


def _as_admin(ctx: Context, store: TokenStore, what: str) -> None:
    as_one_of(ctx, store, ("admin",), what)


def as_one_of(ctx: Context, store: TokenStore, roles: tuple[str, ...], what: str) -> None:
    """The caller's token (HUIWU_TOKEN, or the one kept) must be active and of a role given."""
    from services.common.authentication import Gatekeeper
    from services.common.errors import Unauthenticated

    needs = " or ".join(f"an {r}'s" if r[0] in "aeiou" else f"a {r}'s" for r in roles)
    if not ctx.token:
        raise UsageError(
            "token", f"{what} needs {needs} token: set HUIWU_TOKEN or keep it in {token_file()}"
        )
    try:
        principal = Gatekeeper(store).principal(f"Bearer {ctx.token}")
    except Unauthenticated as exc:
        raise UsageError("token", f"your token cannot be used: {exc}") from None
    if principal.role not in roles:
        raise UsageError(
            "token", f"{what} needs {needs} token; your token is {principal.describe()}"
        )


def token_create(ctx: Context, args: argparse.Namespace) -> int:
    """Make a token; it is shown once, and only its hash is kept."""
    role = "admin" if args.bootstrap else args.role
    if role is None:
        raise UsageError("role", "give --role (or --bootstrap for the first admin)")
    conference = args.conference
    why = conference_rule_for(role, conference)
    if why is not None:
        raise UsageError("role" if "role" in why else "conference", why)
    expires = args.expires
    if expires is not None and expires <= dt.datetime.now(dt.UTC):
        raise UsageError("expires", "must be in the future")
    store = _store(ctx)
    try:
        if args.bootstrap:
            try:
                record, token = store.create(
                    args.name, "admin", None, expires, only_if_no_admin=True
                )
            except LookupError:
                ctx.err.write(
                    "huiwu token create: an admin token exists already; ask an admin for one"
                    f" (the first one made on this host is kept in {token_file()})\n"
                )
                return 1
            path = write_token(token)
            data = {**_shown(record), "kept_in": str(path)}
            return ctx.show(data, f"admin token {record.token_id} made; kept in {path} (0600)")
        _as_admin(ctx, store, "making a token")
        record, token = store.create(args.name, role, conference, expires)
    finally:
        store.close()
    data = {**_shown(record), "token": token}
    return ctx.show(
        data,
        f"token {record.token_id} for {record.name} ({record.role}"
        f"{' of ' + conference if conference else ''}); shown this once:\n{token}",
    )


def token_list(ctx: Context, args: argparse.Namespace) -> int:
    """List tokens: id, holder, role, conference, and whether each is active."""
    store = _store(ctx)
    try:
        _as_admin(ctx, store, "listing tokens")
        records = store.all()
    finally:
        store.close()
    now = dt.datetime.now(dt.UTC)
    rows = [{**_shown(r), "state": _state(r, now)} for r in records]
    table = output.table(
        ["ID", "NAME", "ROLE", "CONFERENCE", "EXPIRES", "STATE"],
        [
            [
                r["token_id"],
                r["name"],
                r["role"],
                r["conference_id"] or "-",
                r["expires_at"] or "-",
                r["state"],
            ]
            for r in rows
        ],
    )
    return ctx.show(rows, table)


def token_revoke(ctx: Context, args: argparse.Namespace) -> int:
    """Revoke a token by its id; every service refuses it within a second."""
    store = _store(ctx)
    try:
        _as_admin(ctx, store, "revoking a token")
        record = store.revoke(args.token_id)
    finally:
        store.close()
    if record is None:
        raise UsageError("token_id", f"no token {args.token_id}")
    return ctx.show(_shown(record), f"token {record.token_id} of {record.name} revoked")


def _state(record, now: dt.datetime) -> str:
    if record.revoked_at is not None:
        return "revoked"
    return "expired" if record.why_inactive(now) else "active"


def _shown(record) -> dict:
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "token_id": record.token_id,
        "name": record.name,
        "role": record.role,
        "conference_id": record.conference_id,
        "created_at": when(record.created_at),
        "expires_at": when(record.expires_at),
        "revoked_at": when(record.revoked_at),
    }
