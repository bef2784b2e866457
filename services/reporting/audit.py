"""The audit trail projection: one row per event of every upstream service."""

from __future__ import annotations

import json
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

COLUMNS = (
    "service",
    "notification_id",
    "event_id",
    "event_type",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "conference_id",
    "occurred_at",
    "actor",
    "correlation_id",
    "causation_id",
    "payload",
)


class AuditTrail:
    tables = ("audit_trail",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} ("
            "service TEXT NOT NULL, notification_id BIGINT NOT NULL, event_id TEXT NOT NULL, "
            "event_type TEXT NOT NULL, aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
            "aggregate_version BIGINT NOT NULL, conference_id TEXT, occurred_at TEXT NOT NULL, "
            "actor TEXT NOT NULL, correlation_id TEXT NOT NULL, causation_id TEXT, "
            "payload TEXT NOT NULL, PRIMARY KEY (service, notification_id))",
            t="audit_trail",
        )
        cur.execute(
            "CREATE INDEX IF NOT EXISTS audit_trail_conference ON {t} (conference_id, occurred_at)",
            t="audit_trail",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        row = envelope.to_dict()
        row["payload"] = json.dumps(envelope.payload, ensure_ascii=False, sort_keys=True)
        cur.execute(
            f"INSERT INTO {{t}} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
            [row[column] for column in COLUMNS],
            t="audit_trail",
        )

    def query(
        self,
        conference_id: str | None = None,
        service: str | None = None,
        aggregate_id: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value in (
            ("conference_id", conference_id),
            ("service", service),
            ("aggregate_id", aggregate_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {{t}} {where} "
                "ORDER BY occurred_at, service, notification_id LIMIT ? OFFSET ?",
                [*params, limit, offset],
                t="audit_trail",
            ).fetchall()
        records = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        for record in records:
            record["payload"] = json.loads(record["payload"])
        return records

    def count(self) -> int:
        with self.db.transaction() as cur:
            return int(cur.execute("SELECT COUNT(*) FROM {t}", t="audit_trail").fetchone()[0])
