"""The conferences registration knows of: a projection of checklist's ConferenceOpened
events, with what registration needs of each (dates, time zone, currency).

Commands name a conference; registration refuses one it has never heard of. If a
conference was opened a moment ago and its event is still on the way, `KnownConferences`
pulls checklist's log once before refusing. ConferenceOpened's `currency` is the one of
all the conference's money; one opened before the field existed is in CNY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope
from services.common.errors import InvalidCommand, Unavailable

DEFAULT_CURRENCY = "CNY"


@dataclass(frozen=True)
class Conference:
    conference_id: str
    name: str
    starts_on: str
    ends_on: str
    timezone: str
    currency: str


class ConferenceDirectory:
    tables = ("known_conferences",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (conference_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
            "starts_on TEXT NOT NULL, ends_on TEXT NOT NULL, timezone TEXT NOT NULL, "
            "currency TEXT NOT NULL)",
            t="known_conferences",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        if envelope.event_type != "ConferenceOpened":
            return
        cur.execute(
            "INSERT INTO {t} (conference_id, name, starts_on, ends_on, timezone, currency) "
            "VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (conference_id) DO NOTHING",
            [
                envelope.aggregate_id,
                payload["name"],
                payload["starts_on"].isoformat(),
                payload["ends_on"].isoformat(),
                payload["timezone"],
                payload.get("currency") or DEFAULT_CURRENCY,
            ],
            t="known_conferences",
        )

    def get(self, conference_id: str) -> Conference | None:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT conference_id, name, starts_on, ends_on, timezone, currency "
                "FROM {t} WHERE conference_id = {p}",
                [conference_id],
                t="known_conferences",
            ).fetchone()
        return Conference(*row) if row is not None else None


class KnownConferences:
    """A conference, reading checklist's log once when it is not known yet."""

    def __init__(self, directory: ConferenceDirectory, refresh: Callable[[], Any]) -> None:
        self.directory = directory
        self.refresh = refresh

    def get(self, conference_id: str) -> Conference:
        found = self.directory.get(conference_id)
        if found is not None:
            return found
        try:  # it may have been opened a moment ago: read checklist's log first
            self.refresh()
        except Exception as exc:  # noqa: BLE001 - any failure: we cannot tell yet
            raise Unavailable(
                f"cannot confirm conference {conference_id}: checklist's log cannot be read "
                f"({type(exc).__name__}); try again once checklist is running",
                field="conference_id",
            ) from exc
        found = self.directory.get(conference_id)
        if found is None:
            raise InvalidCommand(f"unknown conference {conference_id}", field="conference_id")
        return found
