"""The audit trail projection: one row per event of every upstream service.

The same projection fills the trail readers see (`audit_trail`) and the shadow a rebuild
writes into (`audit_trail_rebuild`): one shape, two tables.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import orjson

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
    "on_behalf_of",  # added after the first release: last, so that old tables take it on
    "chain_link",  # the upstream's chain at this event: reporting's copy (docs/audit.md)
    "schema_version",  # of the payload, as published: exports are checked by it too
)
# Added after the first release, last, so that old tables take them on.
ADDED_COLUMNS = {"on_behalf_of": "TEXT", "chain_link": "TEXT", "schema_version": "BIGINT"}


LIVE_TABLE = "audit_trail"
SHADOW_TABLE = "audit_trail_rebuild"
INDEXES = {
    "conference": "conference_id, occurred_at",
    "event": "event_id",
    "causation": "causation_id",
    "correlation": "correlation_id",
}
_INDEX_NAME = re.compile(r"_(" + "|".join(INDEXES) + r")(_[0-9a-f]{8})?$")


class AuditTrail:
    def __init__(self, db: Database, table: str = LIVE_TABLE, indexed: bool | None = None) -> None:
        self.db = db
        self.table = table
        self.tables = (table,)
        self.indexed = table != SHADOW_TABLE if indexed is None else indexed

    def create(self, cur: Cursor) -> None:  # called by its ProjectionSink
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} ("
            "service TEXT NOT NULL, notification_id BIGINT NOT NULL, event_id TEXT NOT NULL, "
            "event_type TEXT NOT NULL, aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
            "aggregate_version BIGINT NOT NULL, conference_id TEXT, occurred_at TEXT NOT NULL, "
            "actor TEXT NOT NULL, correlation_id TEXT NOT NULL, causation_id TEXT, "
            "payload TEXT NOT NULL, on_behalf_of TEXT, chain_link TEXT, schema_version BIGINT, "
            "PRIMARY KEY (service, notification_id))",
            t=self.table,
        )
        for column, kind in ADDED_COLUMNS.items():
            if not self._has_column(cur, column):
                cur.execute(f"ALTER TABLE {{t}} ADD COLUMN {column} {kind}", t=self.table)
        if self.indexed:
            self.index(cur)
        else:  # a shadow of an earlier release had its indexes from the start
            for role in INDEXES:
                cur.execute("DROP INDEX IF EXISTS {i}", i=f"{self.table}_{role}")

    def index(self, cur: Cursor) -> None:
        """The indexes readers need, those the table lacks. A shadow gets them only once it
        is filled (building an index at the end is several times cheaper than keeping it
        up row by row), and keeps them as the live table (`swap_in`): so their names are
        the live table's and a token, not the table's own."""
        present = set(self.index_roles(cur))
        for role, columns in INDEXES.items():
            if role not in present:
                name = f"{LIVE_TABLE}_{role}_{uuid.uuid4().hex[:8]}"
                cur.execute(f"CREATE INDEX {name} ON {{t}} ({columns})", t=self.table)

    def unindex(self, cur: Cursor) -> None:
        """Drop the indexes `index` built: an emptied shadow is filled faster without."""
        for name in self._index_names(cur):
            if _role(name) is not None:
                cur.execute("DROP INDEX {i}", i=name)

    def swap_in(self, cur: Cursor, shadow: AuditTrail) -> None:
        """Make the shadow's table, indexed, this one; the shadow starts empty again.
        A rename, not a copy: no row is written twice (ProjectionSink.take_over)."""
        shadow.index(cur)
        cur.execute("DROP TABLE {t}", t=self.table)
        cur.execute(f"ALTER TABLE {{s}} RENAME TO {self.table}", s=shadow.table)
        shadow.create(cur)

    def index_roles(self, cur: Cursor) -> list[str]:
        """Which of INDEXES the table has, sorted (one each, if all is well)."""
        return sorted(r for name in self._index_names(cur) if (r := _role(name)) is not None)

    def _index_names(self, cur: Cursor) -> list[str]:
        if self.db.is_postgres:
            rows = cur.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = {p} AND tablename = {p}",
                [self.db.schema, self.table],
            ).fetchall()
            return [row[0] for row in rows]
        return [row[1] for row in cur.execute("PRAGMA index_list({t})", t=self.table).fetchall()]

    def _has_column(self, cur: Cursor, column: str) -> bool:
        if self.db.is_postgres:
            return (
                cur.execute(
                    "SELECT 1 FROM information_schema.columns WHERE table_schema = {p} "
                    "AND table_name = {p} AND column_name = {p}",
                    [self.db.schema, self.table, column],
                ).fetchone()
                is not None
            )
        rows = cur.execute("PRAGMA table_info({t})", t=self.table).fetchall()
        return any(row[1] == column for row in rows)

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        self.apply_many(cur, [(envelope, payload)])

    def apply_many(self, cur: Cursor, items: list[tuple[Envelope, dict[str, Any]]]) -> None:
        """A page of events as one batch of rows (a rebuild's pages are large)."""
        self.insert_rows(cur, [_row(envelope) for envelope, _ in items])

    def insert_rows(self, cur: Cursor, rows: list[tuple[Any, ...]]) -> None:
        """Rows made by `row_of`, as one batch."""
        cur.insert_many(self.table, COLUMNS, rows)

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
                clauses.append(f"{column} = {{p}}")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {{t}} {where} "
                "ORDER BY occurred_at, service, notification_id LIMIT {p} OFFSET {p}",
                [*params, limit, offset],
                t=self.table,
            ).fetchall()
        return _records(rows)

    def where(self, column: str, values: list[str], limit: int) -> list[dict[str, Any]]:
        """Events whose `column` (event_id, causation_id, correlation_id) is one of
        `values`, in the order they happened."""
        assert column in ("event_id", "causation_id", "correlation_id")
        if not values:
            return []
        marks = ", ".join(["{p}"] * len(values))
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {{t}} WHERE {column} IN ({marks}) "
                "ORDER BY occurred_at, service, notification_id LIMIT {p}",
                [*values, limit],
                t=self.table,
            ).fetchall()
        return _records(rows)

    def export_page(
        self, filters: dict[str, Any], after: tuple[str, int], limit: int
    ) -> list[dict[str, Any]]:
        """Up to `limit` events after `after` (service, notification_id), in that order,
        matching `filters` (column: value; `from`/`to` bound occurred_at, to the second)."""
        clauses = ["(service > {p} OR (service = {p} AND notification_id > {p}))"]
        params: list[Any] = [after[0], after[0], after[1]]
        for column in ("conference_id", "service", "actor", "event_type"):
            if filters.get(column) is not None:
                clauses.append(f"{column} = {{p}}")
                params.append(filters[column])
        if filters.get("from") is not None:
            clauses.append("occurred_at >= {p}")
            params.append(filters["from"])
        if filters.get("to") is not None:
            clauses.append("occurred_at < {p}")
            params.append(filters["to"])
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {{t}} WHERE {' AND '.join(clauses)} "
                "ORDER BY service, notification_id LIMIT {p}",
                [*params, limit],
                t=self.table,
            ).fetchall()
        return _records(rows)

    def link_before(self, service: str, notification_id: int) -> str | None:
        """Reporting's copy of the link of the event of `service` before this one."""
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT chain_link FROM {t} WHERE service = {p} AND notification_id < {p} "
                "ORDER BY notification_id DESC LIMIT 1",
                [service, notification_id],
                t=self.table,
            ).fetchone()
        return None if row is None else row[0]

    def chain_links(
        self, service: str, after: int, limit: int, upto: int | None = None
    ) -> list[tuple[int, str | None]]:
        """Reporting's copy of `service`'s chain: (notification_id, link), ascending,
        after `after` (and up to `upto`)."""
        bound = "" if upto is None else " AND notification_id <= {p}"
        with self.db.transaction() as cur:
            rows = cur.execute(
                "SELECT notification_id, chain_link FROM {t} WHERE service = {p} "
                f"AND notification_id > {{p}}{bound} ORDER BY notification_id LIMIT {{p}}",
                [service, after, *([] if upto is None else [upto]), limit],
                t=self.table,
            ).fetchall()
        return [(int(row[0]), row[1]) for row in rows]

    def count(self) -> int:
        with self.db.transaction() as cur:
            return int(cur.execute("SELECT COUNT(*) FROM {t}", t=self.table).fetchone()[0])


def _row(envelope: Envelope) -> tuple[Any, ...]:
    return row_of(envelope.to_dict(), envelope.chain_link)


def payload_json(payload: dict[str, Any]) -> str:
    """The payload column: keys sorted, by orjson (several times faster than json); json
    for what orjson does not take (an integer past 64 bits)."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_of(fields: dict[str, Any], chain_link: str | None) -> tuple[Any, ...]:
    """The trail's row of an event (COLUMNS), from its envelope's fields and its chain
    link. Spelled out: a rebuild makes one for every event of the history."""
    return (
        fields["service"],
        fields["notification_id"],
        fields["event_id"],
        fields["event_type"],
        fields["aggregate_type"],
        fields["aggregate_id"],
        fields["aggregate_version"],
        fields["conference_id"],
        fields["occurred_at"],
        fields["actor"],
        fields["correlation_id"],
        fields["causation_id"],
        payload_json(fields["payload"]),
        fields.get("on_behalf_of"),
        chain_link,
        fields["schema_version"],
    )


def _records(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows of COLUMNS as events, their payloads as objects again."""
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    for record in records:
        record["payload"] = json.loads(record["payload"])
    return records


def _role(index_name: str) -> str | None:
    """Which of INDEXES an index is, by its name (with or without a token)."""
    found = _INDEX_NAME.search(index_name)
    return found.group(1) if found else None
