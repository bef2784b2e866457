"""Who sends a request: its bearer token checked against the token table.

A token found is remembered for at most `ttl` seconds, so a revocation reaches every
service within that time while a busy service reads the table about twice a second per
token rather than once per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from .errors import Unauthenticated, Unavailable
from .token_store import TokenStore
from .tokens import BadToken, Principal, TokenRecord, bearer_of, token_id_of

REMEMBER_FOR = 0.5  # seconds; revocation takes effect within this


class Gatekeeper:
    def __init__(
        self,
        store: TokenStore,
        ttl: float = REMEMBER_FOR,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.ttl = ttl
        self._monotonic = monotonic
        self._now = now
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, TokenRecord]] = {}

    def principal(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization` header, or `Unauthenticated` saying why."""
        try:
            token = bearer_of(authorization)
            token_id = token_id_of(token)
        except BadToken as exc:
            raise Unauthenticated(str(exc)) from None
        record = self._record(token_id)
        if record is None or not record.matches(token):
            raise Unauthenticated("unknown token")
        why = record.why_inactive(self._now())
        if why is not None:
            raise Unauthenticated(why)
        return record.principal()

    def _record(self, token_id: str) -> TokenRecord | None:
        now = self._monotonic()
        with self._lock:
            seen = self._seen.get(token_id)
        if seen is not None and now - seen[0] < self.ttl:
            return seen[1]
        try:
            record = self.store.find(token_id)
        except Exception as exc:  # noqa: BLE001 - the table is out of reach: not the caller's fault
            raise Unavailable(f"tokens cannot be checked now: {type(exc).__name__}") from None
        with self._lock:
            if record is None:
                self._seen.pop(token_id, None)
            else:
                if len(self._seen) > 10_000:  # bounded: forget all rather than grow
                    self._seen.clear()
                self._seen[token_id] = (now, record)
        return record
