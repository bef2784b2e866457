"""Bearer tokens and the principals they name (docs/architecture.md, "Identity").

A token reads `hw_<id>_<secret>`: the id is public (lists, logs, revocation) and the
secret is 32 random bytes. Only the SHA-256 of the whole token is stored; a random
secret of that size needs no salt or slow hash, and a lookup by id costs one row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

ADMIN = "admin"
ORGANIZER = "organizer"
AUDITOR = "auditor"
SERVICE = "service"
BUILT_IN_ROLES = (ADMIN, ORGANIZER, AUDITOR, SERVICE)

_TOKEN = re.compile(r"^hw_(?P<id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


class BadToken(Exception):
    """A bearer value that is not a Huiwu token, or names none that is active."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the holder of a token, with its role and conference."""

    token_id: str
    name: str
    role: str
    conference_id: str | None = None

    def describe(self) -> str:
        where = f" of conference {self.conference_id}" if self.conference_id else ""
        return f"{self.name} ({self.role}{where})"


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: what it grants, when it ends, and its hash (never the token)."""

    token_id: str
    name: str
    role: str
    conference_id: str | None
    token_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(self.token_id, self.name, self.role, self.conference_id)

    def why_inactive(self, now: datetime) -> str | None:
        if self.revoked_at is not None:
            return "the token was revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "the token has expired"
        return None

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_token(token))


def new_token() -> tuple[str, str]:
    """(token id, token): the token is shown once and then only its hash is kept."""
    token_id = secrets.token_hex(6)
    return token_id, f"hw_{token_id}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id_of(token: str) -> str:
    match = _TOKEN.match(token)
    if match is None:
        raise BadToken("not a Huiwu token (hw_<id>_<secret>)")
    return match["id"]


def bearer_of(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    if not header:
        raise BadToken("no bearer token (send Authorization: Bearer <token>)")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise BadToken("the Authorization header must be `Bearer <token>`")
    return value.strip()
