"""The plan read model answers what a replay of the entry aggregates answers, after a mixed
history of commands, upstream events and an import, on both stores; and checklist's
overdue timer flags entries on its own."""

from __future__ import annotations

import datetime as dt
import json

from services.checklist import template as templates
from services.checklist.application import ChecklistApplication
from services.checklist.domain import entry_id
from services.checklist.schemas import ConferenceAnswer, EntryAnswer
from services.common.config import Settings
from tests.integration.test_plan_exchange import add_member, edited, export, upload
from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    cancel,
    draft_contract,
    ok,
    open_conference,
    sign,
    wait_for_status,
)
from tests.support.system import wait_until
from tests.support.upstream import by_hand


def replayed(system, conference_id: str) -> dict:
    """The plan as the aggregates hold it: each entry loaded from the store by replay."""
    settings = Settings.from_env(system.env())
    app = ChecklistApplication.open(settings, template=templates.load("conference"))
    try:
        conference = app.conference(conference_id)
        entries = [
            EntryAnswer().dump(app.repository.get(entry_id(conference_id, code)).state)
            for code in conference.entry_codes
        ]
        return {"conference": ConferenceAnswer().dump(conference), "entries": entries}
    finally:
        app.close()


def read_model(system, conference_id: str) -> dict:
    plan = ok(system["checklist"].get(f"/conferences/{conference_id}/plan"))
    for entry in plan["entries"]:
        assert entry.pop("title") == entry["title_en"]
    return json.loads(json.dumps(plan))


def test_the_plan_read_model_equals_a_replay_after_a_mixed_history(system):
    system.start("checklist", "vendors")
    checklist = system["checklist"]
    conference_id = open_conference(system, **SECTION_ONE)
    base = f"/conferences/{conference_id}/entries"
    add_member(checklist, conference_id, "m-li", "Li Na", "venue", "project_lead")
    add_member(checklist, conference_id, "m-wu", "Wu Fang", "project_lead")
    ok(
        checklist.post(
            f"/conferences/{conference_id}/assignments",
            {"member_id": "m-li", "role": "venue", "actor": "wang"},
        )
    )
    # upstream events: a venue signed then cancelled, another signed (1.3.5 and 1.3.x rules)
    vendor_id = add_vendor(system, conference_id)
    first = draft_contract(system, conference_id, vendor_id)
    ok(sign(system, first))
    wait_for_status(system, conference_id, "1.3.5", "verified")
    ok(cancel(system, first))
    wait_for_status(system, conference_id, "1.3.5", "open")
    ok(sign(system, draft_contract(system, conference_id, vendor_id)))
    wait_for_status(system, conference_id, "1.3.5", "verified")
    # by hand: evidence, re-open, waive, due dates, progress
    ok(checklist.post(f"{base}/1.1.1/verify", {"evidence": by_hand("1.1.1"), "actor": "wang"}))
    ok(checklist.post(f"{base}/1.1.1/reopen", {"reason": "wrong minutes", "actor": "wang"}))
    ok(checklist.post(f"{base}/1.1.2/verify", {"evidence": by_hand("1.1.2"), "actor": "wang"}))
    ok(checklist.post(f"{base}/1.2.2/waive", {"reason": "one day only", "actor": "wang"}))
    ok(
        checklist.post(
            f"{base}/1.2.1/due-date",
            {"due_on": "2027-01-15", "reason": "board meets later", "actor": "wang"},
        )
    )
    ok(
        checklist.post(
            f"{base}/1.1.3/progress",
            {"state": "blocked", "percent": 30, "note": "waiting", "actor": "li"},
        )
    )
    ok(
        checklist.post(
            f"/conferences/{conference_id}/overdue", {"today": "2027-03-01", "actor": "wang"}
        )
    )
    # an import: owners, a due date and progress for several rows at once
    workbook = export(checklist, conference_id).body
    changed = edited(
        workbook,
        {
            ("1.1.4", "owner"): "m-wu",
            ("1.1.4", "progress_state"): "in_progress",
            ("1.1.4", "progress_percent"): 60,
            ("1.3.1", "due_on"): "2027-02-02",
            ("1.1.2", "owner"): "m-wu",
        },
    )
    imported = upload(checklist, conference_id, changed)
    assert imported.status == 200 and imported.json["applied"] == 3, imported

    live = read_model(system, conference_id)
    replay = replayed(system, conference_id)

    assert live == replay
    by_code = {e["code"]: e for e in live["entries"]}
    assert by_code["1.3.5"]["status"] == "verified" and len(by_code["1.3.5"]["proofs"]) == 1
    assert by_code["1.1.1"]["status"] == "open"
    assert (by_code["1.1.2"]["status"], by_code["1.1.2"]["owner"]["name"]) == (
        "verified",
        "Wu Fang",
    )
    assert by_code["1.2.2"]["progress"] == {"state": "done", "percent": 100, "note": None}
    assert by_code["1.1.4"]["progress"]["percent"] == 60
    assert by_code["1.3.1"]["due_on"] == "2027-02-02"
    assert by_code["1.3.3"]["owner"]["name"] == "Li Na"
    assert any(e["overdue"] for e in live["entries"])
    assert [m["member_id"] for m in live["conference"]["team"]] == ["m-li", "m-wu"]


def test_the_overdue_timer_flags_past_due_entries_of_every_conference_by_itself(system):
    system.start("checklist", extra_env={"HUIWU_OVERDUE_INTERVAL": "1"})
    checklist = system["checklist"]
    soon = dt.date.today() + dt.timedelta(days=10)  # section one is mostly due before that
    conference_id = open_conference(
        system,
        starts_on=soon.isoformat(),
        ends_on=(soon + dt.timedelta(days=2)).isoformat(),
        **SECTION_ONE,
    )
    path = f"/conferences/{conference_id}/plan"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()  # in any time zone
    past_due = {e["code"] for e in ok(checklist.get(path))["entries"] if e["due_on"] < yesterday}
    assert len(past_due) >= 10

    def flagged() -> set[str]:
        return {e["code"] for e in ok(checklist.get(path))["entries"] if e["overdue"]}

    wait_until(lambda: past_due <= flagged(), timeout=30)  # no command asked for it
    wait_until(
        lambda: (
            checklist.metric("huiwu_checklist_overdue_entries_by_section", section="1")
            == len(flagged())
        )
    )
