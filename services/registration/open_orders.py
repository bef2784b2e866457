"""The orders still open (unpaid, not ended), with when each expires: a read model of
registration's own events, so that the expiry timer finds its orders without loading
every order. Rebuilt from the log like any projection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

CLOSING = ("OrderPaid", "OrderExpired", "OrderCancelled", "OrderDenied")


class OpenOrders:
    tables = ("open_orders",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (order_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, expires_at BIGINT NOT NULL)",
            t="open_orders",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        if envelope.event_type == "OrderPlaced":
            expires = dt.datetime.fromisoformat(envelope.payload["expires_at"])
            cur.execute(
                "INSERT INTO {t} (order_id, conference_id, expires_at) VALUES ({p}, {p}, {p}) "
                "ON CONFLICT (order_id) DO NOTHING",
                [envelope.aggregate_id, envelope.conference_id, int(expires.timestamp())],
                t="open_orders",
            )
        elif envelope.event_type in CLOSING:
            cur.execute(
                "DELETE FROM {t} WHERE order_id = {p}", [envelope.aggregate_id], t="open_orders"
            )

    def due(self, now: dt.datetime) -> list[str]:
        """The open orders whose `expires_at` has passed, oldest first."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT order_id FROM {t} WHERE expires_at <= {p} ORDER BY expires_at",
                [int(now.timestamp())],
                t="open_orders",
            ).fetchall()
        return [row[0] for row in rows]
