"""Which orders have a payment reference: a read model of registration's own OrderPlaced
events, so that a statement line or a provider's notification finds its order without
loading every order. Rebuilt from the log like any projection. An order stays in it when
it ends: a payment for a cancelled order is reported as such, not as one for no order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

from .domain.payment_reference import payment_reference

TABLE = "order_references"


class OrderReferences:
    tables = (TABLE,)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (order_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, reference TEXT NOT NULL)",
            t=TABLE,
        )
        cur.execute(
            "CREATE INDEX IF NOT EXISTS order_references_by_reference "
            "ON {t} (reference, conference_id)",
            t=TABLE,
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        if envelope.event_type == "OrderPlaced":
            cur.execute(
                "INSERT INTO {t} (order_id, conference_id, reference) VALUES ({p}, {p}, {p}) "
                "ON CONFLICT (order_id) DO NOTHING",
                [
                    envelope.aggregate_id,
                    envelope.conference_id,
                    payment_reference(envelope.aggregate_id),
                ],
                t=TABLE,
            )

    def orders(
        self, references: Iterable[str], conference_id: str | None = None
    ) -> dict[str, list[str]]:
        """The order ids of each reference (of one conference, or of any)."""
        wanted = sorted(set(references))
        if not wanted:
            return {}
        found: dict[str, list[str]] = {reference: [] for reference in wanted}
        with self.db.transaction() as cur:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ", ".join("{p}" for _ in part)
                sql = f"SELECT reference, order_id FROM {{t}} WHERE reference IN ({marks})"
                values: list[Any] = list(part)
                if conference_id is not None:
                    sql += " AND conference_id = {p}"
                    values.append(conference_id)
                for reference, order_id in cur.execute(sql, values, t=TABLE).fetchall():
                    found[reference].append(order_id)
        return {reference: sorted(ids) for reference, ids in found.items()}

    def of_conference(self, conference_id: str) -> list[str]:
        """Every order placed in the conference, in id order."""
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT order_id FROM {t} WHERE conference_id = {p} ORDER BY order_id",
                [conference_id],
                t=TABLE,
            ).fetchall()
        return [row[0] for row in rows]
