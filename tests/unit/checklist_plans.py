"""Checklist on the in-memory event store, for unit tests: the application on a template,
a conference opened on it, and its plan read from the aggregates (the plan read model,
plan_view.py, needs a database and is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.commands import OpenConference
from services.checklist.domain import Entry, entry_id
from services.checklist.schemas import ConferenceAnswer, EntryAnswer

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def checklist(template: str = "starter", **kwargs: Any) -> ChecklistApplication:
    """The small starter template keeps most tests about one rule."""
    return ChecklistApplication(env=POPO, template=templates.load(template), **kwargs)


def opening(**overrides: Any) -> OpenConference:
    fields: dict[str, Any] = {
        "name": "Annual Meeting 2026",
        "starts_on": dt.date(2026, 10, 10),
        "ends_on": dt.date(2026, 10, 12),
        "city": "Hangzhou",
        "expected_attendance": 800,
        "profile": "academic",
        "timezone": "Asia/Shanghai",
    }
    fields.update(overrides)
    return OpenConference(**fields)


def entry_of(app: ChecklistApplication, conference_id: Any, code: str) -> Entry:
    return app.repository.get(entry_id(str(conference_id), code))


def entry(app: ChecklistApplication, conference_id: Any, code: str) -> dict[str, Any]:
    """The entry's answer, as the API dumps it."""
    return EntryAnswer().dump(entry_of(app, conference_id, code).state)


def plan(app: ChecklistApplication, conference_id: Any) -> dict[str, Any]:
    """The conference and every entry of its plan, in plan order."""
    conference = app.conference(conference_id)
    return {
        "conference": ConferenceAnswer().dump(conference),
        "entries": [entry(app, conference_id, code) for code in conference.entry_codes],
    }


def template_entry(code: str = "1.1.1", **overrides: Any) -> dict[str, Any]:
    """One entry of a template file, as YAML gives it, with a rule or evidence given."""
    data: dict[str, Any] = {
        "code": code,
        "title_zh": "测试条目",
        "title_en": "A test entry",
        "owner_role": "venue",
        "phase": "before",
        "due": {"milestone": "start", "offset_days": -90},
        "verification": {"evidence": ["document"]},
    }
    data.update(overrides)
    return data


def one_rule_template(rule: dict[str, Any], code: str = "1.1.1") -> templates.Template:
    """A template of one entry, verified by `rule`."""
    raw = {"name": "t", "entries": [template_entry(code, verification={"rule": rule})]}
    return templates.parse(raw, "t.yaml")
