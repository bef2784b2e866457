"""Who is registered for each conference: a read model of registration's attendees, so
that a budget's per-attendee lines can be forecast for the registered count. Shown, never
decided on: what budget records never depends on it."""

from __future__ import annotations

from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

TABLE = "budget_registered"


class Registered:
    tables = (TABLE,)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (attendee_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, category TEXT NOT NULL, cancelled INTEGER NOT NULL)",
            t=TABLE,
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        if envelope.service != "registration" or envelope.conference_id is None:
            return
        if envelope.event_type == "AttendeeRegistered":
            cur.execute(
                "INSERT INTO {t} (attendee_id, conference_id, category, cancelled) "
                "VALUES ({p}, {p}, {p}, 0) ON CONFLICT (attendee_id) DO UPDATE SET "
                "category = excluded.category, cancelled = 0",
                [envelope.aggregate_id, envelope.conference_id, payload["category"]],
                t=TABLE,
            )
        elif envelope.event_type == "RegistrationCancelled":
            cur.execute(
                "UPDATE {t} SET cancelled = 1 WHERE attendee_id = {p}",
                [envelope.aggregate_id],
                t=TABLE,
            )

    def count(self, conference_id: str) -> dict[str, int]:
        """Attendees registered (and not cancelled), by category."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT category, COUNT(*) FROM {t} WHERE conference_id = {p} AND cancelled = 0 "
                "GROUP BY category ORDER BY category",
                [str(conference_id)],
                t=TABLE,
            ).fetchall()
        return {category: int(n) for category, n in rows}
