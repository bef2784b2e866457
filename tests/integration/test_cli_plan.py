"""The plan through the command line: team, owners, dates, progress, evidence, waivers, overdue,
and the spreadsheet round trip, against the real checklist service."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid

from openpyxl import load_workbook

from services.checklist.exchange import KEYS
from tests.integration.test_cli import huiwu, ok
from tests.support.slice import open_conference
from tests.support.upstream import named_proof


def failed(result, code: int = 2) -> str:
    assert result.returncode == code, result
    return result.stderr


def test_team_owners_progress_evidence_waiver_and_overdue(sqlite_system, tmp_path):
    system = sqlite_system.start("checklist")
    conference_id = open_conference(system)

    member = ok(
        huiwu(
            system,
            *("team", "add", conference_id, "--name", "Li Na"),
            *("--role", "venue", "--role", "logistics", "--email", "li.na@example.com"),
        )
    ).strip()
    assert uuid.UUID(member)
    team = ok(huiwu(system, "team", "show", conference_id))
    assert member in team and "venue, logistics" in team and "li.na@example.com" in team

    assigned = ok(
        huiwu(system, "entry", "assign", conference_id, "--member", member, "--role", "venue")
    )
    assert assigned.startswith("assigned 30 entries to Li Na: 1.3.1 ")
    shown = ok(huiwu(system, "checklist", "show", conference_id, "--owner", member))
    rows = [line for line in shown.splitlines() if line[:1].isdigit()]
    assert len(rows) == 30 and all(" Li Na " in row for row in rows)
    assert "0 of 30 verified (filtered)" in shown
    by_code = json.loads(
        ok(
            huiwu(
                system,
                *("entry", "assign", conference_id, "--member", member),
                *("--code", "1.1.1", "--code", "1.1.2", "--json"),
            )
        )
    )
    assert by_code["assigned"] == ["1.1.1", "1.1.2"]

    due = ok(
        huiwu(
            system,
            *("entry", "due", conference_id, "1.3.2", "--on", "2026-12-20"),
            *("--reason", "venue asks for more time"),
        )
    )
    assert "2026-12-20" in due
    progress = ok(
        huiwu(
            system,
            *("entry", "progress", conference_id, "1.3.2", "--state", "in_progress"),
            *("--percent", "40", "--note", "two quotes in"),
        )
    )
    assert "in_progress 40%: two quotes in" in progress

    proof = named_proof("1.3.2")
    minutes = tmp_path / "会议纪要-venue.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes of the venue meeting\n")
    verified = json.loads(
        ok(
            huiwu(
                system,
                *("entry", "verify", conference_id, "1.3.2", "--proof", proof),
                *("--file", str(minutes), "--url", "https://example.com/lease.pdf", "--json"),
            )
        )
    )
    assert verified["status"] == "verified"
    (proof,) = verified["proofs"]
    assert proof["verified_by"] == "li"
    assert [e["reference"] for e in proof["evidence"]] == [
        {
            "sha256": hashlib.sha256(minutes.read_bytes()).hexdigest(),
            "filename": "会议纪要-venue.pdf",
        },
        {"url": "https://example.com/lease.pdf"},
    ]
    assert [e["proof"] for e in proof["evidence"]] == [named_proof("1.3.2")] * 2
    shown = ok(huiwu(system, "entry", "show", conference_id, "1.3.2"))
    assert f"evidence ({named_proof('1.3.2')}, {named_proof('1.3.2')}) by li" in shown
    assert f"{named_proof('1.3.2')}: " in shown  # the proofs it names, to choose from

    # A record it does not name needs a reason, and the plan shows it.
    call = ("entry", "verify", conference_id, "1.3.3", "--kind", "phone_record")
    refused = huiwu(system, *call, "--note", "call with the venue manager")
    assert "reason (--reason): a record that is not one of the proofs" in failed(refused)
    reason = "the inspection report is still with the venue"
    ok(huiwu(system, *call, "--note", "call with the venue manager", "--reason", reason))
    listed = ok(huiwu(system, "checklist", "show", conference_id, "--section", "1"))
    assert f"[unnamed proof: {reason}]" in listed

    waived = ok(
        huiwu(
            system,
            *("entry", "waive", conference_id, "1.1.3"),
            *("--reason", "one industry only this year"),
        )
    )
    assert "waived by li: one industry only this year" in waived
    reopened = ok(
        huiwu(system, "entry", "reopen", conference_id, "1.1.3", "--reason", "the board asks")
    )
    assert "status      open" in reopened
    again = huiwu(system, "entry", "reopen", conference_id, "1.1.3", "--reason", "twice")
    assert "refused" in failed(again, 1)

    overdue = ok(huiwu(system, "checklist", "overdue", conference_id, "--today", "2027-05-01"))
    assert "entries newly overdue as of 2027-05-01: " in overdue
    codes = overdue.split(": ", 1)[1].split()
    assert "1.1.3" in codes  # re-opened, and due months before
    assert "1.3.2" not in codes  # verified: never overdue
    assert "no entry newly overdue as of 2027-05-01" in ok(
        huiwu(system, "checklist", "overdue", conference_id, "--today", "2027-05-01")
    )


def test_export_csv_and_xlsx_and_import_with_row_errors_and_without(sqlite_system, tmp_path):
    system = sqlite_system.start("checklist")
    conference_id = open_conference(system)
    ok(huiwu(system, "team", "add", conference_id, "--name", "赵敏", "--role", "design"))
    member = json.loads(ok(huiwu(system, "team", "show", conference_id, "--json")))[0]

    csv_file = tmp_path / "plan.csv"
    written = ok(
        huiwu(
            system,
            *("checklist", "export", conference_id, "--format", "csv", "-o", str(csv_file)),
            *("--lang", "zh", "--section", "1"),
        )
    )
    assert written.strip() == str(csv_file)
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "章节", "事项"]
    assert {r[1] for r in rows[1:]} == {"1"}
    assert any(r[2] == "签订场地合同、协议或备忘录" for r in rows)

    xlsx_file = tmp_path / "plan.xlsx"
    ok(huiwu(system, "checklist", "export", conference_id, "-o", str(xlsx_file)))
    workbook = load_workbook(xlsx_file)
    sheet = workbook["plan"]
    row = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=2)}
    column = {key: i + 1 for i, key in enumerate(KEYS)}
    sheet.cell(row["1.2.1"], column["due_on"]).value = "soon"
    sheet.cell(row["1.3.1"], column["code"]).value = "1.3.77"
    sheet.cell(row["4.1.1"], column["owner"]).value = member["member_id"]
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)

    result = huiwu(system, "checklist", "import", conference_id, str(broken))
    err = failed(result, 2)
    assert f"row {row['1.2.1']}, due_on: not a date: 'soon'" in err
    assert f"row {row['1.3.1']}, code: no entry 1.3.77 in this plan" in err
    assert "nothing was applied" in err
    entry = json.loads(ok(huiwu(system, "entry", "show", conference_id, "4.1.1", "--json")))
    assert entry["owner"] is None

    sheet.cell(row["1.2.1"], column["due_on"]).value = dt.date(2026, 12, 24)
    sheet.cell(row["1.3.1"], column["code"]).value = "1.3.1"
    fixed = tmp_path / "fixed.xlsx"
    workbook.save(fixed)
    applied = ok(huiwu(system, "checklist", "import", conference_id, str(fixed)))
    assert applied.strip() == "applied 2 entries from fixed.xlsx (387 rows unchanged)"
    entry = json.loads(ok(huiwu(system, "entry", "show", conference_id, "4.1.1", "--json")))
    assert entry["owner"] == {"member_id": member["member_id"], "name": "赵敏"}
    shown = ok(huiwu(system, "checklist", "show", conference_id, "--owner", "赵敏", "--lang", "zh"))
    assert "4.1.1" in shown and "0 of 1 verified (filtered)" in shown

    missing = huiwu(system, "checklist", "import", conference_id, str(tmp_path / "none.xlsx"))
    assert "FILE: cannot read" in failed(missing, 2)
    not_xlsx = huiwu(system, "checklist", "import", conference_id, str(csv_file))
    assert "not an XLSX workbook" in failed(not_xlsx, 2)


def test_bad_arguments_and_refused_fields_exit_2(sqlite_system, tmp_path):
    system = sqlite_system.start("checklist")
    conference_id = open_conference(system)

    unknown = huiwu(
        system, "entry", "assign", conference_id, "--member", "nobody", "--code", "1.1.1"
    )
    assert "member_id (--member): no team member nobody" in failed(unknown)
    no_reference = huiwu(system, "entry", "verify", conference_id, "1.1.1", "--kind", "form")
    assert "evidence: give at least one of --url, --file or --note" in failed(no_reference)
    kinds = huiwu(
        system,
        *("entry", "verify", conference_id, "1.1.1", "--kind", "form", "--kind", "photo"),
        *("--note", "in the red folder", "--url", "https://e.com/a", "--url", "https://e.com/b"),
    )
    assert "--kind: give one --kind for every reference" in failed(kinds)
    no_file = huiwu(
        system,
        *("entry", "verify", conference_id, "1.1.1", "--kind", "form"),
        *("--file", str(tmp_path / "missing.pdf")),
    )
    assert "--file: cannot read" in failed(no_file)
    percent = huiwu(
        system, "entry", "progress", conference_id, "1.1.1", "--state", "done", "--percent", "101"
    )
    assert "must be from 0 to 100" in failed(percent)
    code = huiwu(system, "entry", "waive", conference_id, "1.1", "--reason", "x")
    assert "must be an entry code" in failed(code)
    both = huiwu(
        system, "entry", "assign", conference_id, "--member", "m", "--code", "1.1.1", "--role", "hr"
    )
    assert "not allowed with argument" in failed(both)
    no_entry = huiwu(system, "entry", "due", conference_id, "9.9.9", "--on", "2027-01-01")
    assert "--reason" in failed(no_entry)
    not_found = huiwu(
        system, "entry", "due", conference_id, "9.9.9", "--on", "2027-01-01", "--reason", "x"
    )
    assert "not found" in failed(not_found, 1)
