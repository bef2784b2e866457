"""The conferences vendors knows of: a projection of checklist's ConferenceOpened events.

Commands name a conference; vendors refuses one it has never heard of. If a conference
was opened a moment ago and its event is still on the way, `KnownConferences` pulls
checklist's log once before refusing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope
from services.common.errors import Unavailable


class ConferenceDirectory:
    tables = ("known_conferences",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (conference_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
            "starts_on TEXT NOT NULL, ends_on TEXT NOT NULL)",
            t="known_conferences",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        if envelope.event_type != "ConferenceOpened":
            return
        cur.execute(
            "INSERT INTO {t} (conference_id, name, starts_on, ends_on) VALUES ({p}, {p}, {p}, {p}) "
            "ON CONFLICT (conference_id) DO NOTHING",
            [
                envelope.aggregate_id,
                payload["name"],
                payload["starts_on"].isoformat(),
                payload["ends_on"].isoformat(),
            ],
            t="known_conferences",
        )

    def exists(self, conference_id: str) -> bool:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT 1 FROM {t} WHERE conference_id = {p}",
                [conference_id],
                t="known_conferences",
            ).fetchone()
        return row is not None


class KnownConferences:
    """Whether a conference exists, reading checklist's log once when it is not known yet."""

    def __init__(self, directory: ConferenceDirectory, refresh: Callable[[], Any]) -> None:
        self.directory = directory
        self.refresh = refresh

    def exists(self, conference_id: str) -> bool:
        if self.directory.exists(conference_id):
            return True
        try:  # it may have been opened a moment ago: read checklist's log first
            self.refresh()
        except Exception as exc:  # noqa: BLE001 - any failure: we cannot tell yet
            raise Unavailable(
                f"cannot confirm conference {conference_id}: checklist's log cannot be read "
                f"({type(exc).__name__}); try again once checklist is running",
                field="conference_id",
            ) from exc
        return self.directory.exists(conference_id)
