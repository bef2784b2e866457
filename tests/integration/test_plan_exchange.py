"""The plan as a spreadsheet through the checklist service: export, edit, import, export again."""

from __future__ import annotations

import csv
import datetime as dt
import io
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from openpyxl import load_workbook

from services.checklist.exchange import KEYS, XLSX_TYPE
from tests.support.slice import ok, open_conference
from tests.support.system import ServiceProcess

DERIVED = ("status", "owner_name")  # read-only columns that follow from the edited ones


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        import json

        return json.loads(self.body)


def fetch(
    service: ServiceProcess, method: str, path: str, data: bytes | None = None, token=None
) -> Reply:
    headers = {"Content-Type": XLSX_TYPE} if data is not None else {}
    headers.update(service.auth(token=token))
    request = urllib.request.Request(service.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return Reply(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def export(service: ServiceProcess, conference_id: str, fmt: str = "xlsx", **query) -> Reply:
    suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
    reply = fetch(service, "GET", f"/conferences/{conference_id}/plan.{fmt}{suffix}")
    assert reply.status == 200, reply
    return reply


def upload(service: ServiceProcess, conference_id: str, data: bytes, **query) -> Reply:
    path = f"/conferences/{conference_id}/plan/import?{urllib.parse.urlencode(query)}"
    return fetch(service, "POST", path, data)


def grid(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data))["plan"].iter_rows(values_only=True)]


def without_derived(rows: list[list]) -> list[list]:
    keep = [i for i, key in enumerate(KEYS) if key not in DERIVED]
    return [[row[i] for i in keep] for row in rows]


def edited(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """The workbook with cells changed: {(entry code, column key): value}."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["plan"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for (code, key), value in edits.items():
        sheet.cell(row=rows[code], column=KEYS.index(key) + 1).value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(data: bytes, code: str) -> int:
    return next(i for i, row in enumerate(grid(data), start=1) if row[0] == code)


def add_member(service: ServiceProcess, conference_id: str, member_id: str, name: str, *roles):
    body = {"member_id": member_id, "name": name, "roles": list(roles), "actor": "wang.lei"}
    return ok(service.post(f"/conferences/{conference_id}/team", body), 201)


def plan(service: ServiceProcess, conference_id: str) -> dict[str, dict]:
    entries = ok(service.get(f"/conferences/{conference_id}/plan"))["entries"]
    return {e["code"]: e for e in entries}


def stored(service: ServiceProcess) -> float:
    return service.metric("huiwu_events_stored", service="checklist")


def test_export_edit_import_and_export_again_round_trips_without_loss(system):
    checklist = system.start("checklist")["checklist"]
    conference_id = open_conference(system)
    add_member(checklist, conference_id, "li.na", "Li Na", "venue")
    add_member(checklist, conference_id, "zhao.min", "赵敏", "design", "media")

    exported = export(checklist, conference_id, lang="zh")
    assert exported.headers["Content-Type"] == XLSX_TYPE
    disposition = exported.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="plan-{conference_id}.xlsx"' in disposition
    sheet = grid(exported.body)
    assert sheet[0][:3] == ["编号", "章节", "事项"]
    assert len(sheet) == 1 + 389

    # Unchanged, it imports as nothing to do, and nothing is stored.
    before = stored(checklist)
    assert ok(upload(checklist, conference_id, exported.body)) == {
        "applied": 0,
        "unchanged": 389,
        "entries": [],
    }
    assert stored(checklist) == before

    changed = edited(
        exported.body,
        {
            ("1.1.1", "owner"): "zhao.min",
            ("1.3.2", "owner"): "li.na",
            ("1.3.2", "due_on"): dt.date(2026, 11, 30),
            ("1.2.1", "progress_state"): "in_progress",
            ("1.2.1", "progress_percent"): 40,
            ("1.2.1", "progress_note"): "两个日期待定",
            ("2.1.1", "due_on"): dt.date(2026, 10, 1),
            ("2.1.1", "progress_state"): "blocked",
            ("2.1.1", "status"): "verified",  # read-only: ignored
            ("2.1.1", "title"): "改过的标题",  # read-only: ignored
        },
    )
    answer = ok(upload(checklist, conference_id, changed, filename="edited.xlsx"))
    assert answer == {
        "applied": 4,
        "unchanged": 385,
        "entries": ["1.1.1", "1.2.1", "1.3.2", "2.1.1"],
    }
    # one event per edited value: 2 owners, 2 dates, 2 progress records
    assert stored(checklist) == before + 6

    entries = plan(checklist, conference_id)
    assert entries["1.1.1"]["owner"] == {"member_id": "zhao.min", "name": "赵敏"}
    assert entries["1.3.2"]["owner"] == {"member_id": "li.na", "name": "Li Na"}
    assert entries["1.3.2"]["due_on"] == "2026-11-30"
    assert entries["1.2.1"]["progress"] == {
        "state": "in_progress",
        "percent": 40,
        "note": "两个日期待定",
    }
    assert entries["2.1.1"]["due_on"] == "2026-10-01"
    assert entries["2.1.1"]["status"] == "in_progress"
    assert entries["2.1.1"]["title_zh"] != "改过的标题"

    again = export(checklist, conference_id, lang="zh").body
    edited_rows = grid(changed)
    edited_rows[row_of(changed, "2.1.1") - 1][KEYS.index("title")] = entries["2.1.1"]["title_zh"]
    assert without_derived(grid(again)) == without_derived(edited_rows)
    assert grid(again)[row_of(again, "1.1.1") - 1][KEYS.index("owner_name")] == "赵敏"
    assert ok(upload(checklist, conference_id, again))["applied"] == 0
    assert stored(checklist) == before + 6


def test_a_broken_sheet_lists_every_row_error_and_applies_nothing(sqlite_system):
    checklist = sqlite_system.start("checklist")["checklist"]
    conference_id = open_conference(sqlite_system)
    add_member(checklist, conference_id, "li.na", "Li Na", "venue")
    exported = export(checklist, conference_id).body
    broken = edited(
        exported,
        {
            ("1.1.1", "owner"): "li.na",  # fine, but not applied either
            ("1.2.1", "due_on"): "31/02/2027",
            ("1.3.1", "code"): "1.3.99",
            ("1.3.2", "progress_percent"): 101,
            ("1.3.3", "owner"): "nobody",
        },
    )
    before_plan = plan(checklist, conference_id)
    before_events = stored(checklist)

    reply = upload(checklist, conference_id, broken, filename="broken.xlsx")

    assert reply.status == 400, reply
    body = reply.json
    assert body["error"] == "ImportRejected"
    assert "nothing was applied" in body["message"]
    found = {(e["row"], e["column"]): e for e in body["errors"]}
    assert set(found) == {
        (row_of(broken, "1.2.1"), "due_on"),
        (row_of(broken, "1.3.99"), "code"),
        (row_of(broken, "1.3.2"), "progress_percent"),
        (row_of(broken, "1.3.3"), "owner"),
    }
    bad_date = found[(row_of(broken, "1.2.1"), "due_on")]
    assert bad_date["reason"] == "not a date: '31/02/2027' (write YYYY-MM-DD)"
    assert bad_date["cell"] == f"H{row_of(broken, '1.2.1')}"
    assert found[(row_of(broken, "1.3.99"), "code")]["reason"] == "no entry 1.3.99 in this plan"
    assert plan(checklist, conference_id) == before_plan
    assert stored(checklist) == before_events
    assert checklist.metric("huiwu_commands_total", command="ImportPlan", outcome="invalid") == 1


def test_an_upload_without_a_token_naming_an_actor_or_not_a_workbook_is_refused(sqlite_system):
    checklist = sqlite_system.start("checklist")["checklist"]
    conference_id = open_conference(sqlite_system)
    exported = export(checklist, conference_id).body

    path = f"/conferences/{conference_id}/plan/import"
    assert fetch(checklist, "POST", path, exported, token="").status == 401
    named = fetch(checklist, "POST", path + "?actor=li", exported)
    assert named.status == 400
    assert "actor" in named.json["errors"]

    not_xlsx = upload(checklist, conference_id, b"code,due_on\n1.1.1,2027-01-01\n")
    assert not_xlsx.status == 400
    (error,) = not_xlsx.json["errors"]
    assert error["row"] is None and "not an XLSX workbook" in error["reason"]

    unknown = upload(checklist, str(uuid.uuid4()), exported)
    assert unknown.status == 404


def test_exports_follow_the_plan_filters_and_csv_shows_chinese(sqlite_system):
    checklist = sqlite_system.start("checklist")["checklist"]
    conference_id = open_conference(sqlite_system)
    add_member(checklist, conference_id, "li.na", "Li Na", "venue")
    ok(
        checklist.post(
            f"/conferences/{conference_id}/assignments",
            {"member_id": "li.na", "role": "venue", "actor": "wang.lei"},
        )
    )

    reply = export(checklist, conference_id, "csv", section="1", lang="zh")
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="plan-{conference_id}.csv"' in reply.headers["Content-Disposition"]
    assert reply.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
    assert rows[0][0] == "编号"
    codes = [r[0] for r in rows[1:]]
    assert codes and all(code.startswith("1.") for code in codes)
    venue = next(r for r in rows if r[0] == "1.3.5")
    assert venue[2] == "签订场地合同、协议或备忘录"
    assert venue[KEYS.index("owner")] == "li.na"

    mine = grid(export(checklist, conference_id, owner="li.na").body)
    assert len(mine) > 1 and {r[KEYS.index("owner")] for r in mine[1:]} == {"li.na"}
    window = grid(export(checklist, conference_id, due_from="2027-05-12", due_to="2027-05-14").body)
    assert len(window) > 1
    assert {r[KEYS.index("due_on")].date() for r in window[1:]} <= {
        dt.date(2027, 5, 12),
        dt.date(2027, 5, 13),
        dt.date(2027, 5, 14),
    }
    bad = fetch(checklist, "GET", f"/conferences/{conference_id}/plan.xlsx?lang=fr")
    assert bad.status == 400 and "lang" in bad.json["errors"]
    assert checklist.metric("huiwu_commands_total", command="ExportPlanXlsx", outcome="ok") == 2
    assert checklist.metric("huiwu_commands_total", command="ExportPlanCsv", outcome="ok") == 1
