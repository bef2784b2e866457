"""The fapiao of each conference with their state: a read model of registration's own
fapiao events, so that a conference's list is found without loading every order. It
catches up with the log before each read, so a list shows what was just saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

from .domain.fapiao import REQUESTED

STATES = {
    "FapiaoIssued": "issued",
    "FapiaoHandedOver": "handed_over",
    "FapiaoReversed": "reversed",
    "FapiaoRequestWithdrawn": "withdrawn",
}
MAX_LISTED = 5000


class FapiaoView:
    tables = ("fapiao_list",)

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (fapiao_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, order_id TEXT NOT NULL, state TEXT NOT NULL, "
            "position BIGINT NOT NULL)",
            t="fapiao_list",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind = envelope.event_type
        if kind == "FapiaoRequested":
            cur.execute(
                "INSERT INTO {t} (fapiao_id, conference_id, order_id, state, position) "
                "VALUES ({p}, {p}, {p}, 'requested', {p}) ON CONFLICT (fapiao_id) DO NOTHING",
                [
                    envelope.aggregate_id,
                    envelope.conference_id,
                    envelope.payload["order_id"],
                    envelope.notification_id,
                ],
                t="fapiao_list",
            )
        elif kind == "FapiaoReversed" and payload.get("remaining_minor", 0) > 0:
            return  # a part taken back: the fapiao stands, issued or handed over as it was
        elif kind in STATES:
            cur.execute(
                "UPDATE {t} SET state = {p} WHERE fapiao_id = {p}",
                [STATES[kind], envelope.aggregate_id],
                t="fapiao_list",
            )

    def ids(self, conference_id: str, state: str | None = None) -> list[str]:
        """The conference's fapiao ids in the order they were requested (in `state`)."""
        where, params = "conference_id = {p}", [conference_id]
        if state is not None:
            where, params = where + " AND state = {p}", [*params, state]
        with self.db.transaction() as cur:
            rows = cur.execute(
                f"SELECT fapiao_id FROM {{t}} WHERE {where} ORDER BY position LIMIT {MAX_LISTED}",
                params,
                t="fapiao_list",
            ).fetchall()
        return [row[0] for row in rows]


class FapiaoRegister:
    """A conference's fapiao as they stand: the ids from the view, each fapiao from the
    store."""

    def __init__(self, app: Any, view: FapiaoView, catch_up: Callable[[], Any]) -> None:
        self.app = app
        self.view = view
        self.catch_up = catch_up

    def list(self, conference_id: str, state: str | None) -> dict[str, Any]:
        self.catch_up()
        ids = self.view.ids(conference_id, state)
        fapiao = [self.app.fapiao(conference_id, fid) for fid in ids]
        return {
            "fapiao": fapiao,
            "invoiceable_minor": None,
            "open": sum(1 for f in fapiao if f.state == REQUESTED),
        }
