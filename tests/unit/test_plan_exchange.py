"""The plan as a spreadsheet: export, parse back, every row error, and the import use case."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from services.checklist import exchange
from services.checklist.commands import AddMember, Evidence, GiveReason, VerifyByHand
from services.checklist.exchange import EDITABLE, KEYS
from services.checklist.plan_import import ImportRejected, RowError
from services.common.domain import CommandContext
from services.common.http import error_response
from tests.unit.checklist_plans import checklist, opening, plan
from tests.unit.checklist_plans import entry as entry_answer


def entry(code: str, **overrides) -> dict:
    base = {
        "code": code,
        "section": code.split(".")[0],
        "title_zh": f"事项 {code}",
        "title_en": f"Entry {code}",
        "owner_role": "venue",
        "owner": None,
        "phase": "before",
        "due_on": "2027-01-12",
        "status": "open",
        "progress": {"state": "not_started", "percent": 0, "note": None},
        "verification": {"rule": None, "evidence": ["document", "meeting_minutes"]},
        "target": None,
        "proofs": [],
    }
    return {**base, **overrides}


ENTRIES = [
    entry("1.1.1", owner={"member_id": "li.na", "name": "Li Na"}),
    entry(
        "1.3.5",
        due_on="2026-12-01",
        status="in_progress",
        progress={"state": "in_progress", "percent": 40, "note": "两份报价 / two quotes"},
        verification={
            "rule": {
                "event": "vendors.ContractSigned",
                "where": {"category": "venue"},
                "compensated_by": ["vendors.ContractCancelled"],
            },
            "evidence": [],
        },
        proofs=[{"event_id": "e1"}],
    ),
    entry(
        "10.2.1",
        phase="onsite",
        verification={
            "rule": {"count": "registration.RegistrationPaid", "at_least": {"ratio": 0.5}},
            "evidence": [],
        },
        target=250,
    ),
]
CODES = [e["code"] for e in ENTRIES]
MEMBERS = {"li.na", "wang.lei"}


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data))["plan"]


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def edited(data: bytes, edits: dict[tuple[int, str], object]) -> bytes:
    """The workbook with cells changed: {(row, column key): value}."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["plan"]
    for (row, key), value in edits.items():
        sheet.cell(row=row, column=KEYS.index(key) + 1).value = value
    return saved(workbook)


def grid(data: bytes) -> list[list]:
    return [list(row) for row in sheet_of(data).iter_rows(values_only=True)]


# -- export -------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_with_a_frozen_header_widths_and_real_dates():
    data = exchange.build_xlsx(ENTRIES, "en", "Asia Pharma Forum")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["plan"]
    sheet = workbook["plan"]
    assert sheet.freeze_panes == "B2"
    assert [c.value for c in sheet[1]] == exchange.header("en")
    assert sheet.column_dimensions["C"].width == 60
    due = sheet.cell(row=3, column=KEYS.index("due_on") + 1)
    assert due.is_date and due.value.date() == dt.date(2026, 12, 1)
    assert due.number_format == "yyyy-mm-dd"
    row = dict(zip(KEYS, grid(data)[2], strict=True))
    assert row["title"] == "Entry 1.3.5"
    assert row["owner"] is None and row["proofs"] == 1
    assert row["progress_state"] == "in_progress" and row["progress_percent"] == 40
    assert row["verification"] == ("rule: vendors.ContractSigned (category=venue)")
    first = dict(zip(KEYS, grid(data)[1], strict=True))
    assert (first["owner"], first["owner_name"]) == ("li.na", "Li Na")
    assert first["verification"] == "evidence: document; meeting_minutes"
    count = dict(zip(KEYS, grid(data)[3], strict=True))
    assert count["verification"] == "rule: registration.RegistrationPaid ≥ 250"


def test_in_chinese_the_header_and_titles_are_chinese():
    data = exchange.build_xlsx(ENTRIES, "zh")
    rows = grid(data)
    assert rows[0][:3] == ["编号", "章节", "事项"]
    assert rows[1][2] == "事项 1.1.1"
    assert rows[1][KEYS.index("verification")].startswith("凭证: ")


def test_csv_has_a_byte_order_mark_and_chinese_titles_with_lang_zh():
    data = exchange.build_csv(ENTRIES, "zh")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == exchange.header("zh")
    assert rows[0][0] == "编号"
    assert [r[2] for r in rows[1:]] == ["事项 1.1.1", "事项 1.3.5", "事项 10.2.1"]
    assert rows[2][KEYS.index("due_on")] == "2026-12-01"
    assert rows[2][KEYS.index("progress_note")] == "两份报价 / two quotes"
    assert rows[1][KEYS.index("progress_note")] == ""
    assert data.count(b"\r\n") == 4


def test_csv_in_english_has_english_titles():
    rows = list(csv.reader(io.StringIO(exchange.build_csv(ENTRIES).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Code", "Section", "Title"]
    assert rows[1][2] == "Entry 1.1.1"


# -- parsing back ---------------------------------------------------------------------------


def test_an_unchanged_export_parses_back_to_what_it_was_exported_from():
    for lang in ("en", "zh"):
        parsed = exchange.parse_xlsx(exchange.build_xlsx(ENTRIES, lang), CODES, MEMBERS)
        assert parsed.ok and parsed.rows == 3
        assert parsed.changes == [
            {
                "row": 2,
                "code": "1.1.1",
                "owner": "li.na",
                "due_on": dt.date(2027, 1, 12),
                "progress": {"state": "not_started", "percent": 0, "note": None},
            },
            {
                "row": 3,
                "code": "1.3.5",
                "due_on": dt.date(2026, 12, 1),
                "progress": {
                    "state": "in_progress",
                    "percent": 40,
                    "note": "两份报价 / two quotes",
                },
            },
            {
                "row": 4,
                "code": "10.2.1",
                "due_on": dt.date(2027, 1, 12),
                "progress": {"state": "not_started", "percent": 0, "note": None},
            },
        ]


def test_edits_of_editable_columns_are_read_and_read_only_ones_ignored():
    data = edited(
        exchange.build_xlsx(ENTRIES),
        {
            (3, "owner"): "wang.lei",
            (3, "due_on"): dt.date(2027, 2, 1),
            (4, "due_on"): "2027/03/05",
            (4, "progress_state"): "blocked",
            (4, "progress_percent"): "15%",
            (4, "progress_note"): "waiting for the venue",
            (2, "progress_note"): "  ",
            (2, "status"): "verified",  # read-only: ignored
            (2, "title"): "Something else",  # read-only: ignored
            (2, "owner_name"): "Nobody",  # read-only: ignored
        },
    )
    parsed = exchange.parse_xlsx(data, CODES, MEMBERS)
    assert parsed.ok, parsed.errors
    first, second, third = parsed.changes
    assert first["progress"]["note"] is None
    assert set(first) == {"row", "code", "owner", "due_on", "progress"}
    assert (second["owner"], second["due_on"]) == ("wang.lei", dt.date(2027, 2, 1))
    assert third["due_on"] == dt.date(2027, 3, 5)
    assert third["progress"] == {"state": "blocked", "percent": 15, "note": "waiting for the venue"}


def test_columns_are_found_by_key_or_label_in_any_order_and_absent_ones_are_left_as_is():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "anything"
    sheet.append(["进度状态", "Notes of mine", "code", "Due on"])
    sheet.append(["done", "ignored", "1.3.5", dt.date(2027, 1, 1)])
    sheet.append([None, None, None, None])  # empty rows are skipped
    sheet.append(["in_progress", None, "1.1.1", "2027-01-02"])
    parsed = exchange.parse_xlsx(saved(workbook), CODES, MEMBERS)
    assert parsed.ok, parsed.errors
    assert parsed.changes == [
        {"row": 2, "code": "1.3.5", "due_on": dt.date(2027, 1, 1), "progress": {"state": "done"}},
        {
            "row": 4,
            "code": "1.1.1",
            "due_on": dt.date(2027, 1, 2),
            "progress": {"state": "in_progress"},
        },
    ]


def test_every_kind_of_row_error_is_reported_with_row_column_and_reason():
    data = edited(
        exchange.build_xlsx(ENTRIES * 2),  # rows 5-7 repeat rows 2-4
        {
            (2, "due_on"): "next week",
            (2, "progress_percent"): 150,
            (3, "owner"): "zhao.min",
            (3, "progress_state"): "finished",
            (4, "code"): "9.9.9",
            (4, "progress_percent"): 12.5,
            (5, "progress_note"): "x" * 2001,
            (6, "code"): None,
            (7, "due_on"): None,
            (7, "progress_percent"): None,
        },
    )
    parsed = exchange.parse_xlsx(data, CODES, MEMBERS)
    assert parsed.changes == []
    found = {(e.row, e.column): e for e in parsed.errors}
    expected = {
        (2, "due_on"): "not a date: 'next week'",
        (2, "progress_percent"): "whole number from 0 to 100; got 150",
        (3, "owner"): "no team member 'zhao.min'",
        (3, "progress_state"): "must be one of not_started, in_progress, blocked, done; got",
        (4, "code"): "no entry 9.9.9 in this plan",
        (4, "progress_percent"): "got 12.5",
        (5, "code"): "entry 1.1.1 is also in row 2",
        (5, "progress_note"): "longer than 2000 characters",
        (6, "code"): "empty; every row needs the code",
        (7, "due_on"): "empty; give a date",
        (7, "progress_percent"): "empty",
    }
    assert set(found) == set(expected)
    for key, words in expected.items():
        assert words in found[key].reason, (key, found[key])
    assert found[(2, "due_on")].cell == "H2"
    assert found[(2, "due_on")].to_dict() == {
        "row": 2,
        "column": "due_on",
        "reason": "not a date: 'next week' (write YYYY-MM-DD)",
        "cell": "H2",
    }
    assert str(found[(2, "due_on")]).startswith("row 2, due_on: not a date")


def test_a_sheet_without_a_code_column_is_rejected_at_its_header():
    workbook = Workbook()
    workbook.active.title = "plan"
    workbook.active.append(["Title", "Due on", "Due on"])
    workbook.active.append(["x", "2027-01-01", "2027-01-01"])
    parsed = exchange.parse_xlsx(saved(workbook), CODES, MEMBERS)
    assert parsed.changes == []
    assert [(e.row, e.column) for e in parsed.errors] == [(1, "due_on"), (1, "code")]
    assert "appears twice (B and C)" in parsed.errors[0].reason
    assert "no code column" in parsed.errors[1].reason


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"code,due_on\n1.1.1,2027-01-01\n", "not an XLSX workbook"),
        (b"PK\x03\x04 broken", "not a readable XLSX workbook"),
        (b"", "not an XLSX workbook"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_one_error_without_a_row(data, words):
    parsed = exchange.parse_xlsx(data, CODES, MEMBERS)
    assert parsed.changes == []
    ((error,),) = [parsed.errors]
    assert error.row is None and words in error.reason


def test_an_empty_sheet_says_the_header_is_missing():
    workbook = Workbook()
    parsed = exchange.parse_xlsx(saved(workbook))
    assert [(e.row, e.reason) for e in parsed.errors] == [
        (1, "the sheet is empty; the first row must be the header")
    ]


def test_without_codes_and_members_only_the_cells_are_checked():
    data = edited(exchange.build_xlsx(ENTRIES), {(2, "code"): "9.9.9", (2, "owner"): "x"})
    parsed = exchange.parse_xlsx(data)
    assert parsed.ok
    assert parsed.changes[0]["code"] == "9.9.9" and parsed.changes[0]["owner"] == "x"


def test_the_rejection_lists_every_error():
    errors = [RowError(7, "due_on", "not a date"), RowError(9, "code", "no")]
    body = ImportRejected(errors).to_dict()
    assert body["error"] == "ImportRejected"
    assert body["message"] == "2 problems in the sheet; nothing was applied"
    assert body["errors"] == [
        {"row": 7, "column": "due_on", "reason": "not a date"},
        {"row": 9, "column": "code", "reason": "no"},
    ]
    response = error_response(ImportRejected(errors))
    assert response.status_code == 400
    assert response.get_json() == body


# -- the import use case, in memory ------------------------------------------------------


@pytest.fixture
def app():
    app = checklist("starter", read_sheet=exchange.parse_xlsx)
    yield app
    app.close()


@pytest.fixture
def conference_id(app):
    ctx = CommandContext.new("wang")
    conference_id = str(app.open_conference(opening(), ctx).id)
    app.add_member(conference_id, AddMember(member_id="li.na", name="Li Na", roles=("venue",)), ctx)
    return conference_id


def export(app, conference_id, lang="en") -> bytes:
    """The plan's entries as the read model answers them: the answer of each entry."""
    return exchange.build_xlsx(plan(app, conference_id)["entries"], lang)


def import_(app, conference_id, data: bytes, source="plan.xlsx") -> dict:
    return app.import_plan(conference_id, data, source, CommandContext.new("li"))


def test_importing_an_unchanged_export_changes_nothing(app, conference_id):
    before = app.max_notification_id()
    answer = import_(app, conference_id, export(app, conference_id, "zh"))
    assert answer == {"applied": 0, "unchanged": 6, "entries": []}
    assert app.max_notification_id() == before


def test_importing_an_unchanged_export_of_verified_and_waived_entries_changes_nothing(
    app, conference_id
):
    ctx = CommandContext.new("wang")
    evidence = (
        Evidence(proof="positioning_meeting_minutes", reference={"note": "minutes of 3 March"}),
    )
    app.verify_by_hand(conference_id, "1.1.1", VerifyByHand(evidence=evidence), ctx)
    app.waive(conference_id, "1.2.1", GiveReason(reason="the dates were set last year"), ctx)
    before = app.max_notification_id()

    answer = import_(app, conference_id, export(app, conference_id))

    # Nothing was edited: no entry may gain a ProgressRecorded it was never given (it
    # would show "done" once the entry is re-opened).
    assert answer == {"applied": 0, "unchanged": 6, "entries": []}
    assert app.max_notification_id() == before


def test_edited_owners_dates_and_progress_are_applied_together_and_round_trip(app, conference_id):
    original = export(app, conference_id)
    rows = {row[0]: number for number, row in enumerate(grid(original), start=1)}
    changed = edited(
        original,
        {
            (rows["1.1.1"], "owner"): "li.na",
            (rows["1.3.5"], "due_on"): dt.date(2026, 5, 1),
            (rows["1.2.1"], "progress_state"): "in_progress",
            (rows["1.2.1"], "progress_percent"): 40,
            (rows["1.2.1"], "progress_note"): "two dates proposed",
        },
    )
    before = app.max_notification_id()

    answer = import_(app, conference_id, changed, "edited.xlsx")

    assert answer == {"applied": 3, "unchanged": 3, "entries": ["1.1.1", "1.2.1", "1.3.5"]}
    assert app.max_notification_id() == before + 3
    owned = entry_answer(app, conference_id, "1.1.1")
    assert owned["owner"] == {"member_id": "li.na", "name": "Li Na"}
    assert entry_answer(app, conference_id, "1.3.5")["due_on"] == "2026-05-01"
    assert entry_answer(app, conference_id, "1.2.1")["progress"] == {
        "state": "in_progress",
        "percent": 40,
        "note": "two dates proposed",
    }
    notifications = app.recorder.select_notifications(start=before + 1, limit=10)
    events = [app.mapper.to_domain_event(n) for n in notifications]
    assert [type(e).__name__ for e in events] == [
        "EntryAssigned",
        "ProgressRecorded",
        "DueDateChanged",
    ]
    assert events[2].reason == "imported from edited.xlsx"
    assert {e.meta["actor"] for e in events} == {"li"}
    assert len({e.meta["correlation_id"] for e in events}) == 1

    # Exported again, the sheet is the edited one; only the columns that follow from the
    # edits (status, owner name) tell what the service made of them.
    again = export(app, conference_id)
    assert without_derived(grid(again)) == without_derived(grid(changed))
    assert cell(again, rows["1.2.1"], "status") == "in_progress"
    assert cell(again, rows["1.1.1"], "owner_name") == "Li Na"
    assert import_(app, conference_id, again)["applied"] == 0


DERIVED = ("status", "owner_name")


def without_derived(rows: list[list]) -> list[list]:
    keep = [i for i, key in enumerate(KEYS) if key not in DERIVED]
    return [[row[i] for i in keep] for row in rows]


def cell(data: bytes, row: int, key: str):
    return grid(data)[row - 1][KEYS.index(key)]


def test_an_import_naming_an_unknown_entry_or_member_applies_nothing(app, conference_id):
    before = app.max_notification_id()
    workbook = Workbook()
    workbook.active.title = "plan"
    workbook.active.append(["code", "owner", "due_on"])
    workbook.active.append(["1.1.1", "li.na", "2027-01-01"])
    workbook.active.append(["9.9.9", None, "2027-01-01"])
    workbook.active.append(["1.2.1", "nobody", "2027-01-01"])

    with pytest.raises(ImportRejected) as rejected:
        import_(app, conference_id, saved(workbook))

    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "code"), (4, "owner")]
    assert "no entry 9.9.9 in this plan" in rejected.value.errors[0].reason
    assert "no team member 'nobody'" in rejected.value.errors[1].reason
    assert app.max_notification_id() == before
    assert entry_answer(app, conference_id, "1.1.1")["owner"] is None


def test_only_the_editable_columns_are_documented_as_editable():
    assert EDITABLE == ("owner", "due_on", "progress_state", "progress_percent", "progress_note")
