"""`huiwu checkin`, `huiwu badges`, `huiwu kit` and `huiwu attendance` against a fake
registration service: what each sends and what it prints."""

from __future__ import annotations

import json

import pytest

from services.common.registry import load
from tests.support.fake_http import FakeService
from tests.unit.test_cli_registration import CONFERENCE_ID, TOKEN, run

BASE = f"/conferences/{CONFERENCE_ID}"
CODE = "0" * 32 + "A" * 24
ATTENDEE = "c0ffee00-0000-4000-8000-000000000004"


@pytest.fixture
def fake(monkeypatch):
    with FakeService() as service:
        for name in load().names:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        monkeypatch.setenv("HUIWU_TOKEN", TOKEN)
        yield service


def test_checkin_scan_sends_the_code_desk_and_local_time(fake, capsys):
    fake.routes[("POST", f"{BASE}/checkins")] = (
        200,
        {
            "status": "already_checked_in",
            "name": "王磊",
            "category": "delegate",
            "ticket_type": "full",
            "message": "already checked in on 2027-05-12 at desk east, 2027-05-12T00:31:00+00:00",
        },
    )
    code, out, _ = run(
        capsys,
        *("checkin", "scan", CODE, "--conference", CONFERENCE_ID, "--desk", "west"),
        *("--day", "2027-05-12", "--at", "2027-05-12T09:00"),
    )
    assert code == 0 and "王磊 (delegate, full): already checked in" in out and "desk east" in out
    assert fake.requests[-1]["body"] == {
        "code": CODE,
        "desk": "west",
        "day": "2027-05-12",
        "scanned_at": "2027-05-12T09:00:00+08:00",
    }


def test_checkin_upload_sends_a_csv_as_scans_and_lists_bad_rows(fake, capsys, tmp_path):
    batch = tmp_path / "east.csv"
    batch.write_text(
        "code,day,scanned_at,scan_id\n"
        f"{CODE},2027-05-12,2027-05-12T08:31:00+08:00,e1\n"
        "nonsense,2027-05-12,2027-05-12T08:32:00+08:00,\n",
        encoding="utf-8",
    )
    fake.routes[("POST", f"{BASE}/checkins/batch")] = (
        200,
        {
            "received": 2,
            "checked_in": 1,
            "already_checked_in": 0,
            "duplicates": 0,
            "rejected": [{"index": 1, "field": "code", "reason": "is not a check-in code"}],
        },
    )
    code, out, err = run(
        capsys, "checkin", "upload", str(batch), "--conference", CONFERENCE_ID, "--desk", "east"
    )
    assert code == 1 and "1 checked in" in out and "1 rejected" in out
    assert "row 3, code: is not a check-in code" in err
    sent = fake.requests[-1]["body"]
    assert sent["desk"] == "east"
    assert sent["scans"] == [
        {
            "code": CODE,
            "day": "2027-05-12",
            "scanned_at": "2027-05-12T08:31:00+08:00",
            "scan_id": "e1",
        },
        {"code": "nonsense", "day": "2027-05-12", "scanned_at": "2027-05-12T08:32:00+08:00"},
    ]


def test_checkin_upload_reads_json_and_refuses_unknown_csv_columns(fake, capsys, tmp_path):
    scans = [{"code": CODE, "day": "2027-05-12", "scanned_at": "2027-05-12T08:31:00+08:00"}]
    batch = tmp_path / "west.json"
    batch.write_text(json.dumps(scans), encoding="utf-8")
    answer = {"received": 1, "checked_in": 1, "already_checked_in": 0, "duplicates": 0}
    fake.routes[("POST", f"{BASE}/checkins/batch")] = (200, {**answer, "rejected": []})
    code, _, _ = run(
        capsys, "checkin", "upload", str(batch), "--conference", CONFERENCE_ID, "--desk", "w"
    )
    assert code == 0 and fake.requests[-1]["body"]["scans"] == scans

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,when\nX,now\n", encoding="utf-8")
    code, _, err = run(
        capsys, "checkin", "upload", str(wrong), "--conference", CONFERENCE_ID, "--desk", "w"
    )
    assert code == 2 and "when" in err


def test_badges_print_saves_the_pdf(fake, capsys, tmp_path):
    fake.routes[("GET", f"{BASE}/badges.pdf")] = (200, b"%PDF-1.4 badges")
    target = tmp_path / "badges.pdf"
    code, out, _ = run(
        capsys,
        *("badges", "print", "--conference", CONFERENCE_ID, "-o", str(target)),
        *("--ticket-type", "full"),
    )
    assert code == 0 and str(target) in out
    assert target.read_bytes() == b"%PDF-1.4 badges"
    assert fake.requests[-1]["query"] == "ticket_type=full"


def test_kit_collect_and_attendance_compile(fake, capsys):
    fake.routes[("POST", f"{BASE}/attendees/{ATTENDEE}/kit")] = (
        200,
        {"status": "collected", "attendee_id": ATTENDEE, "items": ["bag", "programme"]},
    )
    code, out, _ = run(
        capsys,
        *("kit", "collect", ATTENDEE, "--conference", CONFERENCE_ID),
        *("--item", "bag", "--item", "programme", "--desk", "east"),
    )
    assert code == 0 and "collected: bag, programme" in out
    assert fake.requests[-1]["body"] == {"items": ["bag", "programme"], "desk": "east"}

    fake.routes[("POST", f"{BASE}/attendance/compile")] = (
        201,
        {
            "figures": [{"day": "2027-05-12", "category": "delegate", "checked_in": 3}],
            "registered": 6,
            "attended": 5,
            "final": True,
        },
    )
    code, out, _ = run(capsys, "attendance", "compile", "--conference", CONFERENCE_ID, "--final")
    assert code == 0 and "2027-05-12" in out and "5 of 6 registered came (final)" in out
    assert fake.requests[-1]["body"] == {"final": True}


def test_checkin_code_prints_the_code_alone(fake, capsys):
    fake.routes[("GET", f"/attendees/{ATTENDEE}/checkin-code")] = (
        200,
        {"attendee_id": ATTENDEE, "checkin_code": CODE},
    )
    code, out, _ = run(capsys, "checkin", "code", ATTENDEE)
    assert (code, out) == (0, CODE + "\n")


def test_checkin_rotate_key_sends_the_reason_and_says_to_reprint(fake, capsys):
    answer = {"conference_id": CONFERENCE_ID, "key_version": 2}
    fake.routes[("POST", f"{BASE}/checkin-key/rotate")] = (200, answer)
    args = ("checkin", "rotate-key", "--conference", CONFERENCE_ID, "--reason", "badge list lost")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "version 2" in out and "print them again" in out
    assert fake.requests[-1]["body"] == {"reason": "badge list lost"}
    assert run(capsys, "checkin", "rotate-key", "--conference", CONFERENCE_ID)[0] == 2
