"""Requests that a payment provider signs instead of holding a token: the signature
scheme, the check of each request, and the edge of such an endpoint.

A provider shares a secret with us (`HUIWU_PAYMENT_WEBHOOK_SECRET_<PROVIDER>`) and sends
with each request the Unix time it signed at and an HMAC-SHA256, keyed by that secret,
of the time, a dot and the raw body:

    X-Huiwu-Timestamp: 1804300800
    X-Huiwu-Signature: sha256=<hex of HMAC-SHA256(secret, b"1804300800." + body)>

A request is refused (401, saying why) without both headers, with a signature that does
not match (compared in constant time), or signed more than the tolerance (300 s) from
now: a captured request cannot be replayed later, and one replayed within the window is
the same transaction again, which the use case records once.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema
from werkzeug.wrappers import Request, Response

from .domain import CommandContext
from .errors import NotFound, Unauthenticated
from .http import Edge, error_response, json_response, parse_json, read_body, refuse_unreadable

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Huiwu-Timestamp"
SIGNATURE_HEADER = "X-Huiwu-Signature"
SCHEME = "sha256="
TOLERANCE = 300.0  # seconds either side of now
MAX_BODY = 64 * 1024  # a notification is a few hundred bytes
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


class BadSignature(Unauthenticated):
    """The request is not signed, or not by the holder of the provider's secret, or not
    now."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body signed at `timestamp` (Unix seconds)."""
    message = timestamp.encode("ascii") + b"." + body
    return SCHEME + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: float = TOLERANCE,
) -> None:
    """Refuse (`BadSignature`, saying why) unless `signature` signs `body` at `timestamp`
    with `secret`, and `timestamp` is within `tolerance` seconds of `now`."""
    if not timestamp:
        raise BadSignature(f"the {TIMESTAMP_HEADER} header is missing")
    if not signature:
        raise BadSignature(f"the {SIGNATURE_HEADER} header is missing")
    if not _TIMESTAMP.match(timestamp):
        raise BadSignature(f"{TIMESTAMP_HEADER} must be the Unix time in seconds")
    expected = sign(secret, timestamp, body).encode("ascii")
    if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
        raise BadSignature(
            f"{SIGNATURE_HEADER} does not match the body: sign {TIMESTAMP_HEADER}, a dot "
            f"and the raw body with HMAC-SHA256 and the provider's secret"
        )
    skew = now - int(timestamp)
    if abs(skew) > tolerance:
        when = "ago" if skew > 0 else "ahead"
        raise BadSignature(
            f"signed {abs(skew):.0f} s {when}; a signature holds for {tolerance:.0f} s"
        )


class WebhookSecrets:
    """The secret of each provider that may notify us, and the check of its requests."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        tolerance: float = TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = dict(secrets)
        self.tolerance = tolerance
        self.clock = clock

    def __repr__(self) -> str:  # never the secrets
        return f"WebhookSecrets(providers={sorted(self._secrets)})"

    def check(self, provider: str, headers: Mapping[str, str], body: bytes) -> None:
        """Refuse unless `provider` is configured (NotFound) and signed this body now."""
        secret = self._secrets.get(provider)
        if secret is None:
            raise NotFound(f"no payment provider {provider!r} is configured", field="provider")
        verify(
            secret,
            headers.get(TIMESTAMP_HEADER),
            headers.get(SIGNATURE_HEADER),
            body,
            self.clock(),
            self.tolerance,
        )


def signed(
    name: str,
    schema: type[Schema],
    answer: type[Schema],
    secrets: str,
    provider: str = "provider",
    max_body: int = MAX_BODY,
) -> Callable:
    """An endpoint a provider calls: `handler(self, command, ctx, **path)`. No token: the
    body must be signed with the secret of the provider the path names (`secrets` is the
    service's attribute holding the `WebhookSecrets`). Its actor is `provider:<name>`.
    Checked before anything is parsed; errors answer as every edge's do."""
    loader, dumper = schema(), answer()

    def decorate(handler: Callable) -> Callable:
        def handle(self: Any, request: Request, path: dict[str, Any]) -> Response:
            refuse_unreadable(path)
            raw = read_body(request, max_body)
            getattr(self, secrets).check(path[provider], request.headers, raw)
            command = loader.load(parse_json(request, raw))
            ctx = CommandContext.new(f"provider:{path[provider]}")
            return json_response(dumper.dump(handler(self, command, ctx, **path)))

        @functools.wraps(handler)
        def wrapper(self: Any, request: Request, **path: Any) -> Response:
            try:
                return handle(self, request, path)
            except Exception as exc:  # noqa: BLE001 - mapped below, or a logged 500
                if isinstance(exc, Unauthenticated):
                    log.warning("%s refused (%s): %s", name, path.get(provider), exc)
                mapped = error_response(exc)
                if mapped is not None:
                    return mapped
                log.exception("%s failed", name)
                return json_response(
                    {"error": "InternalError", "message": f"{name} failed; see the service log"},
                    500,
                )

        wrapper.huiwu_command = name  # type: ignore[attr-defined]
        wrapper.huiwu_edge = Edge("webhook", name, schema, answer, 200)  # type: ignore[attr-defined]
        return wrapper

    return decorate
