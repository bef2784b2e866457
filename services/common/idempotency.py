"""The first answer to a command given with an `Idempotency-Key`, for its retries.

A client that lost the reply to a command it sent (a timeout, a dropped connection)
retries it with the same key and gets the answer the first attempt got, instead of the
domain's refusal of doing it twice. Keys are per token, kept for a day. A key claimed by
a request still being answered makes a concurrent retry wait its turn (409); the same key
with another request is a mistake (400). A server error is not kept: the retry runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .database import Database
from .errors import Conflict, InvalidCommand

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(days=1)
ABANDONED_AFTER = timedelta(minutes=2)  # a claim never answered: its process died
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str


def checked_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not _KEY.match(value):
        raise InvalidCommand("1 to 200 visible ASCII characters", field=HEADER)
    return value


def fingerprint(command: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (command.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Replies:
    def __init__(self, db: Database, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.db = db
        self._now = now

    def create_table(self) -> None:
        with self.db.ddl() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS {t} (holder TEXT NOT NULL, key TEXT NOT NULL, "
                "fingerprint TEXT NOT NULL, status INTEGER, content_type TEXT, body TEXT, "
                "created_at TEXT NOT NULL, PRIMARY KEY (holder, key))",
                t="idempotent_replies",
            )

    def once(self, holder: str, key: str, print_: str, answer: Callable[[], Answer]) -> Answer:
        """The stored answer for (holder, key), or `answer()`'s, stored when not a 5xx."""
        kept = self._claim(holder, key, print_)
        if kept is not None:
            return kept
        try:
            result = answer()
        except BaseException:
            self._release(holder, key)
            raise
        if result.status >= 500:
            self._release(holder, key)
        else:
            self._keep(holder, key, result)
        return result

    def _claim(self, holder: str, key: str, print_: str) -> Answer | None:
        now = self._now()
        with self.db.transaction() as cur:
            cur.execute(
                "DELETE FROM {t} WHERE created_at < {p}",
                [(now - KEEP_FOR).isoformat()],
                t="idempotent_replies",
            )
            row = cur.execute(
                "SELECT fingerprint, status, content_type, body, created_at FROM {t} "
                "WHERE holder = {p} AND key = {p}",
                [holder, key],
                t="idempotent_replies",
            ).fetchone()
            if row is None:
                cur.execute(
                    "INSERT INTO {t} (holder, key, fingerprint, created_at) "
                    "VALUES ({p}, {p}, {p}, {p})",
                    [holder, key, print_, now.isoformat()],
                    t="idempotent_replies",
                )
                return None
            stored_print, status, content_type, body, created_at = row
            if stored_print != print_:
                raise InvalidCommand(
                    "this key was used for another request; use a new key for a new request",
                    field=HEADER,
                )
            if status is not None:
                return Answer(status, body.encode("utf-8"), content_type)
            if datetime.fromisoformat(created_at) > now - ABANDONED_AFTER:
                raise Conflict(
                    "a request with this Idempotency-Key is still being answered; retry in a moment"
                )
            cur.execute(  # claimed by a process that died before answering: take it over
                "UPDATE {t} SET created_at = {p} WHERE holder = {p} AND key = {p}",
                [now.isoformat(), holder, key],
                t="idempotent_replies",
            )
            return None

    def _keep(self, holder: str, key: str, answer: Answer) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE {t} SET status = {p}, content_type = {p}, body = {p} "
                "WHERE holder = {p} AND key = {p}",
                [answer.status, answer.content_type, answer.body.decode("utf-8"), holder, key],
                t="idempotent_replies",
            )

    def _release(self, holder: str, key: str) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "DELETE FROM {t} WHERE holder = {p} AND key = {p} AND status IS NULL",
                [holder, key],
                t="idempotent_replies",
            )
