"""Follow-up per conference, for the reports: each survey with its responses and average
score, the mailings by kind and audience, the inquiries and complaints received,
handled and still open. A read model of registration's own events, rebuilt from the
log like any projection."""

from __future__ import annotations

from collections import Counter
from typing import Any

from services.common.database import Cursor, Database
from services.common.envelope import Envelope

OPEN_IDS = 100  # the open inquiries and complaints listed, oldest first
CONTACTS = {
    "InquiryReceived": "inquiry",
    "ComplaintReceived": "complaint",
}
HANDLED = {"InquiryAnswered": "inquiry", "ComplaintResolved": "complaint"}


class FollowUpView:
    tables = ("survey_summary", "survey_responses", "mailings_sent", "contacts")

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, cur: Cursor) -> None:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (survey_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, stage TEXT NOT NULL, questions INTEGER NOT NULL, "
            "position BIGINT NOT NULL)",
            t="survey_summary",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (response_id TEXT PRIMARY KEY, "
            "survey_id TEXT NOT NULL, score INTEGER NOT NULL)",
            t="survey_responses",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (mailing_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, kind TEXT NOT NULL, medium TEXT NOT NULL, "
            "audience TEXT NOT NULL, recipients BIGINT NOT NULL)",
            t="mailings_sent",
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS {t} (contact_id TEXT PRIMARY KEY, "
            "conference_id TEXT NOT NULL, what TEXT NOT NULL, channel TEXT NOT NULL, "
            "topic TEXT NOT NULL, handled INTEGER NOT NULL, hours BIGINT, "
            "position BIGINT NOT NULL)",
            t="contacts",
        )

    def apply(self, cur: Cursor, envelope: Envelope, payload: dict[str, Any]) -> None:
        kind, data, aid = envelope.event_type, envelope.payload, envelope.aggregate_id
        if kind == "SurveyPublished":
            cur.execute(
                "INSERT INTO {t} (survey_id, conference_id, stage, questions, position) "
                "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (survey_id) DO NOTHING",
                [
                    aid,
                    envelope.conference_id,
                    data["stage"],
                    data["questions"],
                    envelope.notification_id,
                ],
                t="survey_summary",
            )
        elif kind == "SurveyResponseReceived":
            cur.execute(
                "INSERT INTO {t} (response_id, survey_id, score) VALUES ({p}, {p}, {p}) "
                "ON CONFLICT (response_id) DO NOTHING",
                [aid, data["survey_id"], data["overall_score"]],
                t="survey_responses",
            )
        elif kind == "MailingSent":
            cur.execute(
                "INSERT INTO {t} (mailing_id, conference_id, kind, medium, audience, "
                "recipients) VALUES ({p}, {p}, {p}, {p}, {p}, {p}) "
                "ON CONFLICT (mailing_id) DO NOTHING",
                [
                    aid,
                    envelope.conference_id,
                    data["kind"],
                    data["medium"],
                    data["audience"],
                    data["recipients"],
                ],
                t="mailings_sent",
            )
        elif kind in CONTACTS:
            cur.execute(
                "INSERT INTO {t} (contact_id, conference_id, what, channel, topic, handled, "
                "position) VALUES ({p}, {p}, {p}, {p}, {p}, 0, {p}) "
                "ON CONFLICT (contact_id) DO NOTHING",
                [
                    aid,
                    envelope.conference_id,
                    CONTACTS[kind],
                    data["channel"],
                    data["topic"],
                    envelope.notification_id,
                ],
                t="contacts",
            )
        elif kind in HANDLED:
            cur.execute(
                "UPDATE {t} SET handled = 1, hours = {p} WHERE contact_id = {p}",
                [data.get("hours_to_answer"), aid],
                t="contacts",
            )

    def summary(self, conference_id: str) -> dict[str, Any]:
        with self.db.transaction() as cur:
            surveys = cur.execute(
                "SELECT s.survey_id, s.stage, s.questions, COUNT(r.response_id), "
                "SUM(r.score) FROM {t} s LEFT JOIN {r} r ON r.survey_id = s.survey_id "
                "WHERE s.conference_id = {p} "
                "GROUP BY s.survey_id, s.stage, s.questions, s.position ORDER BY s.position",
                [conference_id],
                t="survey_summary",
                r="survey_responses",
            ).fetchall()
            mailings = cur.execute(
                "SELECT kind, audience, medium, COUNT(*), SUM(recipients) FROM {t} "
                "WHERE conference_id = {p} GROUP BY kind, audience, medium "
                "ORDER BY kind, audience, medium",
                [conference_id],
                t="mailings_sent",
            ).fetchall()
            contacts = cur.execute(
                "SELECT contact_id, what, channel, topic, handled, hours FROM {t} "
                "WHERE conference_id = {p} ORDER BY position",
                [conference_id],
                t="contacts",
            ).fetchall()
        return {
            "conference_id": conference_id,
            "surveys": [
                {
                    "survey_id": sid,
                    "stage": stage,
                    "questions": questions,
                    "responses": responses,
                    "average_score": round(total / responses, 2) if responses else None,
                }
                for sid, stage, questions, responses, total in surveys
            ],
            "mailings": [
                {
                    "kind": kind,
                    "audience": audience,
                    "medium": medium,
                    "mailings": n,
                    "recipients": recipients,
                }
                for kind, audience, medium, n, recipients in mailings
            ],
            "inquiries": _contacts([row for row in contacts if row[1] == "inquiry"]),
            "complaints": _contacts([row for row in contacts if row[1] == "complaint"]),
        }


def _contacts(rows: list[Any]) -> dict[str, Any]:
    """rows: (id, what, channel, topic, handled, hours), oldest first."""
    handled = [row for row in rows if row[4]]
    hours = [row[5] for row in handled if row[5] is not None]
    return {
        "received": len(rows),
        "handled": len(handled),
        "open": len(rows) - len(handled),
        "by_channel": dict(Counter(row[2] for row in rows)),
        "by_topic": dict(Counter(row[3] for row in rows)),
        "average_hours_to_answer": round(sum(hours) / len(hours), 1) if hours else None,
        "open_ids": [row[0] for row in rows if not row[4]][:OPEN_IDS],
    }


class FollowUpReport:
    """The summary, up to every event stored before the request."""

    def __init__(self, view: FollowUpView, catch_up: Any) -> None:
        self.view = view
        self.catch_up = catch_up

    def summary(self, conference_id: str) -> dict[str, Any]:
        self.catch_up()
        return self.view.summary(conference_id)
