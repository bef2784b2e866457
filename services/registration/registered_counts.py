"""The registrations paid for and not cancelled, by conference and category, and the
conferences with targets: a read model of registration's own events, so that the target
check counts without loading every attendee. Rebuilt from the log like any projection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

# A registration stops counting when it is cancelled or its order is refunded in full.
ENDING = ("RegistrationCancelled", "RefundIssued")


class RegisteredCounts:
    tables = ("registered_attendees", "targeted_conferences")

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (attendee_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, category TEXT NOT NULL, paid INTEGER NOT NULL)",
            t="registered_attendees",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (conference_id TEXT PRIMARY KEY)",
            t="targeted_conferences",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind, attendee = envelope.event_type, envelope.aggregate_id
        if kind == "AttendeeRegistered":
            cur.execute(
                "INSERT INTO {t} (attendee_id, conference_id, category, paid) "
                "VALUES ({p}, {p}, {p}, 0) ON CONFLICT (attendee_id) DO NOTHING",
                [attendee, envelope.conference_id, envelope.payload["category"]],
                t="registered_attendees",
            )
        elif kind == "RegistrationPaid":
            cur.execute(
                "UPDATE {t} SET paid = 1 WHERE attendee_id = {p}",
                [attendee],
                t="registered_attendees",
            )
        elif kind in ENDING:
            cur.execute(
                "DELETE FROM {t} WHERE attendee_id = {p}", [attendee], t="registered_attendees"
            )
        elif kind == "RegistrationTargetsSet":
            cur.execute(
                "INSERT INTO {t} (conference_id) VALUES ({p}) "
                "ON CONFLICT (conference_id) DO NOTHING",
                [envelope.conference_id],
                t="targeted_conferences",
            )

    def paid(self, conference_id: str, categories: Sequence[str] = ()) -> int:
        """How many registrations of the conference are paid for (of these categories;
        none named: all)."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT category, COUNT(*) FROM {t} WHERE conference_id = {p} AND paid = 1 "
                "GROUP BY category",
                [conference_id],
                t="registered_attendees",
            ).fetchall()
        return sum(n for category, n in rows if not categories or category in categories)

    def targeted(self) -> list[str]:
        """The conferences whose registration has targets."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT conference_id FROM {t} ORDER BY conference_id", t="targeted_conferences"
            ).fetchall()
        return [row[0] for row in rows]
