"""Each conference's attendees (category, ticket type, still registered or not) and the
days they checked in: a read model of registration's own events, so that badges are
printed and attendance compiled without loading every attendee of the store. Names stay
in the attendees' aggregates; this holds ids and categories only."""

from __future__ import annotations

from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

from .domain.attendance import Attending


class Roster:
    tables = ("roster", "roster_checkins")

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (attendee_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, category TEXT NOT NULL, ticket_type TEXT NOT NULL, "
            "active INTEGER NOT NULL, position BIGINT NOT NULL)",
            t="roster",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (attendee_id TEXT NOT NULL, day TEXT NOT NULL, "
            "PRIMARY KEY (attendee_id, day))",
            t="roster_checkins",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind, data = envelope.event_type, envelope.payload
        if kind == "AttendeeRegistered":
            cur.execute(
                "INSERT INTO {t} (attendee_id, conference_id, category, ticket_type, active, "
                "position) VALUES ({p}, {p}, {p}, {p}, 1, {p}) "
                "ON CONFLICT (attendee_id) DO NOTHING",
                [
                    envelope.aggregate_id,
                    envelope.conference_id,
                    data["category"],
                    data.get("ticket_type", ""),
                    envelope.notification_id,
                ],
                t="roster",
            )
        elif kind == "RegistrationCancelled":
            cur.execute(
                "UPDATE {t} SET active = 0 WHERE attendee_id = {p}",
                [envelope.aggregate_id],
                t="roster",
            )
        elif kind == "AttendeeCheckedIn":
            cur.execute(
                "INSERT INTO {t} (attendee_id, day) VALUES ({p}, {p}) "
                "ON CONFLICT (attendee_id, day) DO NOTHING",
                [envelope.aggregate_id, data["day"]],
                t="roster_checkins",
            )

    def registered(
        self, conference_id: str, ticket_type: str | None = None, category: str | None = None
    ) -> list[str]:
        """The attendees still registered, in the order they registered."""
        where, args = ["conference_id = {p}", "active = 1"], [conference_id]
        for column, value in (("ticket_type", ticket_type), ("category", category)):
            if value is not None:
                where.append(f"{column} = {{p}}")
                args.append(value)
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT attendee_id FROM {{t}} WHERE {' AND '.join(where)} ORDER BY position",
                args,
                t="roster",
            ).fetchall()
        return [row[0] for row in rows]

    def attending(self, conference_id: str) -> list[Attending]:
        """Each attendee still registered, with the days they checked in."""
        with self.db.transaction() as cur:
            people = cur.execute(
                "SELECT attendee_id, category FROM {t} WHERE conference_id = {p} AND active = 1",
                [conference_id],
                t="roster",
            ).fetchall()
            days = cur.execute(
                "SELECT c.attendee_id, c.day FROM {c} c JOIN {t} r "
                "ON r.attendee_id = c.attendee_id WHERE r.conference_id = {p}",
                [conference_id],
                t="roster",
                c="roster_checkins",
            ).fetchall()
        checked: dict[str, list[str]] = {}
        for attendee_id, day in days:
            checked.setdefault(attendee_id, []).append(day)
        return [
            Attending(attendee_id, category, tuple(sorted(checked.get(attendee_id, ()))))
            for attendee_id, category in people
        ]
