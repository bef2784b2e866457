"""The waiting list in order of joining, with each entry's offer: a read model of
registration's own events, so that freed places are offered to the first ones waiting
and lapsed offers are found without loading every entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope


class WaitlistView:
    tables = ("waitlist",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (entry_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, ticket_type TEXT NOT NULL, position BIGINT NOT NULL, "
            "status TEXT NOT NULL, voucher_id TEXT, offer_expires_at BIGINT)",
            t="waitlist",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind, data = envelope.event_type, envelope.payload
        if kind == "WaitlistJoined":
            cur.execute(
                "INSERT INTO {t} (entry_id, conference_id, ticket_type, position, status) "
                "VALUES ({p}, {p}, {p}, {p}, 'waiting') ON CONFLICT (entry_id) DO NOTHING",
                [
                    envelope.aggregate_id,
                    envelope.conference_id,
                    data["ticket_type"],
                    envelope.notification_id,
                ],
                t="waitlist",
            )
        elif kind == "WaitlistOffered":
            expires = dt.datetime.fromisoformat(data["offer_expires_at"])
            cur.execute(
                "UPDATE {t} SET status = 'offered', voucher_id = {p}, offer_expires_at = {p} "
                "WHERE entry_id = {p}",
                [data["voucher_id"], int(expires.timestamp()), envelope.aggregate_id],
                t="waitlist",
            )
        elif kind == "WaitlistOfferLapsed":
            cur.execute(
                "UPDATE {t} SET status = 'lapsed' WHERE entry_id = {p}",
                [envelope.aggregate_id],
                t="waitlist",
            )
        elif kind == "VoucherRedeemed":
            cur.execute(
                "UPDATE {t} SET status = 'taken' WHERE voucher_id = {p}",
                [envelope.aggregate_id],
                t="waitlist",
            )

    def waiting(self) -> dict[tuple[str, str], list[str]]:
        """The entries waiting, by conference and ticket type, first come first."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT conference_id, ticket_type, entry_id FROM {t} "
                "WHERE status = 'waiting' ORDER BY position",
                t="waitlist",
            ).fetchall()
        found: dict[tuple[str, str], list[str]] = {}
        for conference_id, ticket_type, entry_id in rows:
            found.setdefault((conference_id, ticket_type), []).append(entry_id)
        return found

    def lapsing(self, now: dt.datetime) -> list[str]:
        """The entries whose offer has expired untaken."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT entry_id FROM {t} WHERE status = 'offered' AND offer_expires_at <= {p} "
                "ORDER BY position",
                [int(now.timestamp())],
                t="waitlist",
            ).fetchall()
        return [row[0] for row in rows]
