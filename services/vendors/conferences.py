"""The conferences vendors knows of: a projection of checklist's ConferenceOpened events.

Commands name a conference; vendors refuses one it has never heard of. If a conference
was opened a moment ago and its event is still on the way, the application pulls
checklist's log once before refusing.
"""

from __future__ import annotations

from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope


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
            "INSERT INTO {t} (conference_id, name, starts_on, ends_on) VALUES (?, ?, ?, ?) "
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
                "SELECT 1 FROM {t} WHERE conference_id = ?", [conference_id], t="known_conferences"
            ).fetchone()
        return row is not None
