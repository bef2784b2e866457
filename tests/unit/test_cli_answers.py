"""How the command line turns service answers into output and exit codes (fake services)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from huiwu import cli, output
from huiwu.client import ServiceError
from huiwu.commands.plan import entry_text
from services.common.registry import load
from tests.support.fake_http import FakeService
from tests.support.system import free_port

SERVICES = load().names  # every service of the registry

CONFERENCE_ID = "c0ffee00-0000-4000-8000-000000000001"
VENDOR_ID = "c0ffee00-0000-4000-8000-000000000002"
CONTRACT_ID = "c0ffee00-0000-4000-8000-000000000003"

CONTRACT = {
    "contract_id": CONTRACT_ID,
    "conference_id": CONFERENCE_ID,
    "vendor_id": VENDOR_ID,
    "category": "venue",
    "scope": "conference",
    "title": "Main hall",
    "amount_minor": 12_000_010,
    "currency": "CNY",
    "status": "signed",
    "signed_on": "2026-12-01",
    "signed_by": "li",
    "cancel_reason": None,
    "version": 2,
}


TOKEN = "hw_0123456789ab_" + "x" * 43


@pytest.fixture
def fake(monkeypatch):
    """One fake answers for every service; nothing else listens."""
    with FakeService() as service:
        for name in SERVICES:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        monkeypatch.setenv("HUIWU_TOKEN", TOKEN)
        yield service


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_contract_draft_sends_exact_minor_units_and_prints_the_id(fake, capsys):
    fake.routes[("POST", "/contracts")] = (201, {"contract_id": CONTRACT_ID})
    code, out, _ = run(
        capsys,
        *("contract", "draft", "--conference", CONFERENCE_ID, "--vendor", VENDOR_ID),
        *("--category", "venue", "--title", "Main hall", "--amount", "120000.10"),
    )
    assert code == 0
    assert out.strip() == CONTRACT_ID
    (request,) = fake.requests
    assert request["body"] == {
        "conference_id": CONFERENCE_ID,
        "vendor_id": VENDOR_ID,
        "category": "venue",
        "title": "Main hall",
        "amount_minor": 12_000_010,
        "currency": "CNY",
    }
    assert request["authorization"] == f"Bearer {TOKEN}"


def test_contract_draft_sends_a_scope_only_when_one_is_named(fake, capsys):
    fake.routes[("POST", "/contracts")] = (201, {"contract_id": CONTRACT_ID})
    draft = (
        *("contract", "draft", "--conference", CONFERENCE_ID, "--vendor", VENDOR_ID),
        *("--category", "catering", "--title", "Gala dinner", "--amount", "800"),
    )

    assert run(capsys, *draft, "--scope", "themed_event")[0] == 0
    assert run(capsys, *draft)[0] == 0

    named, unnamed = (request["body"] for request in fake.requests)
    assert named["scope"] == "themed_event"
    assert "scope" not in unnamed  # the service's default: the conference's


def test_conference_open_sends_the_service_field_names(fake, capsys):
    fake.routes[("POST", "/conferences")] = (201, {"conference_id": CONFERENCE_ID})
    code, out, _ = run(
        capsys,
        *("--for", "wang.lei", "conference", "open", "--name", "Forum", "--city", "Hangzhou"),
        *("--start", "2027-05-12", "--end", "2027-05-14", "--attendance", "500"),
        *("--profile", "business", "--timezone", "Asia/Hong_Kong", "--currency", "hkd"),
        *("--include", "16", "--exclude", "4.1", "--exclude", "1.1.1"),
    )
    assert (code, out.strip()) == (0, CONFERENCE_ID)
    assert fake.requests[0]["body"] == {
        "name": "Forum",
        "starts_on": "2027-05-12",
        "ends_on": "2027-05-14",
        "city": "Hangzhou",
        "expected_attendance": 500,
        "profile": "business",
        "include": ["16"],
        "exclude": ["4.1", "1.1.1"],
        "timezone": "Asia/Hong_Kong",
        "currency": "HKD",
        "on_behalf_of": "wang.lei",
    }


def test_conference_open_sends_the_settings_given(fake, capsys):
    fake.routes[("POST", "/conferences")] = (201, {"conference_id": CONFERENCE_ID})
    code, _, _ = run(
        capsys,
        *("conference", "open", "--name", "Forum", "--city", "Hangzhou", "--profile", "academic"),
        *("--start", "2027-05-12", "--end", "2027-05-14", "--attendance", "500"),
        *("--setting", "main_vendors=4", "--setting", "onsite_checkin_ratio=0.6"),
    )
    assert code == 0
    assert fake.requests[0]["body"]["settings"] == {"main_vendors": 4, "onsite_checkin_ratio": 0.6}


SETTINGS = [
    {
        "name": "main_vendors",
        "value": 4,
        "default": 3,
        "type": "integer",
        "min": 1,
        "max": 50,
        "description_zh": "主要供应商家数",
        "description_en": "Number of main vendors",
        "entries": ["8.2.1", "8.2.6", "8.3.3"],
    }
]


def test_conference_set_sends_the_settings_and_shows_the_entries_re_evaluated(fake, capsys):
    path = f"/conferences/{CONFERENCE_ID}/settings"
    entry = {"code": "8.2.1", "status": "verified", "members": 4, "target": 4}
    answer = {"conference_id": CONFERENCE_ID, "changed": {"main_vendors": 4}}
    fake.routes[("POST", path)] = (200, {**answer, "settings": SETTINGS, "entries": [entry]})
    code, out, _ = run(
        capsys,
        *("--for", "wang.lei", "conference", "set", CONFERENCE_ID),
        *("--setting", "main_vendors=4", "--reason", "four main vendors this year"),
    )
    assert code == 0
    assert fake.requests[0]["body"] == {
        "settings": {"main_vendors": 4},
        "reason": "four main vendors this year",
        "on_behalf_of": "wang.lei",
    }
    assert out.splitlines() == ["changed: main_vendors = 4", "8.2.1: verified, 4 of 4"]

    fake.routes[("POST", path)] = (200, {**answer, "changed": {}, "entries": []})
    code, out, _ = run(
        capsys, "conference", "set", CONFERENCE_ID, "--setting", "main_vendors=4", "--reason", "x"
    )
    assert (code, out.strip()) == (0, "nothing changed: every setting already had that value")


def test_conference_settings_shows_values_defaults_ranges_and_entries(fake, capsys):
    path = f"/conferences/{CONFERENCE_ID}/settings"
    fake.routes[("GET", path)] = (200, {"conference_id": CONFERENCE_ID, "settings": SETTINGS})

    code, out, _ = run(capsys, "conference", "settings", CONFERENCE_ID, "--lang", "zh")

    assert code == 0
    header, _, row = out.splitlines()
    assert header.split() == ["SETTING", "VALUE", "DEFAULT", "RANGE", "ENTRIES", "MEANING"]
    assert row.split() == [
        *("main_vendors", "4", "3", "1", "..", "50"),
        *("8.2.1,", "8.2.6,", "8.3.3", "主要供应商家数"),
    ]


def test_a_refused_setting_names_the_option(fake, capsys):
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/settings")] = (
        400,
        {
            "error": "InvalidCommand",
            "message": "main_vendors: must be from 1 to 50, not 0",
            "errors": {"settings": ["main_vendors: must be from 1 to 50, not 0"]},
        },
    )
    code, _, err = run(
        capsys, "conference", "set", CONFERENCE_ID, "--setting", "main_vendors=0", "--reason", "x"
    )
    assert code == 2
    assert "settings (--setting): main_vendors: must be from 1 to 50, not 0" in err


def test_sign_defaults_to_today_in_shanghai(fake, capsys, monkeypatch):
    fake.routes[("POST", f"/contracts/{CONTRACT_ID}/sign")] = (200, CONTRACT)
    monkeypatch.setattr("huiwu.commands.slice.today_in", lambda *_: dt.date(2027, 1, 2))
    code, out, _ = run(capsys, "contract", "sign", CONTRACT_ID)
    assert code == 0
    assert fake.requests[0]["body"] == {"signed_on": "2027-01-02"}
    assert "120,000.10 CNY" in out
    assert "signed on 2026-12-01 by li" in out
    assert re.search(r"^scope\s+conference$", out, re.MULTILINE)


def test_json_flag_prints_the_raw_answer(fake, capsys):
    fake.routes[("GET", f"/contracts/{CONTRACT_ID}")] = (200, CONTRACT)
    code, out, _ = run(capsys, "contract", "show", CONTRACT_ID, "--json")
    assert code == 0
    assert json.loads(out) == CONTRACT


def test_400_prints_each_field_and_exits_2(fake, capsys):
    fake.routes[("POST", "/vendors")] = (
        400,
        {
            "error": "ValidationError",
            "message": "invalid input",
            "errors": {
                "conference_id": ["unknown conference " + CONFERENCE_ID],
                "contact_email": ["Not a valid email address."],
            },
        },
    )
    code, _, err = run(
        capsys, "vendor", "add", "--conference", CONFERENCE_ID, "--name", "Expo", "--category",
        "venue", "--contact-email", "nope",
    )  # fmt: skip
    assert code == 2
    assert f"conference_id (--conference): unknown conference {CONFERENCE_ID}" in err
    assert "contact_email (--contact-email): Not a valid email address." in err


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (404, {"error": "NotFound", "message": f"no contract {CONTRACT_ID}"}, "not found: no"),
        (409, {"error": "ContractNotDraft", "message": "only a draft can be signed"}, "refused"),
        (503, {"error": "Unavailable", "message": "log cannot be read"}, "unavailable"),
        (500, {"error": "InternalError", "message": "failed; see the log"}, "HTTP 500"),
    ],
)
def test_other_errors_exit_1_with_the_message(fake, capsys, status, body, words):
    fake.routes[("POST", f"/contracts/{CONTRACT_ID}/sign")] = (status, body)
    code, _, err = run(capsys, "contract", "sign", CONTRACT_ID, "--on", "2026-12-01")
    assert code == 1
    assert words in err
    assert body["message"] in err


def test_an_unreachable_service_says_where_and_how_to_start_it(monkeypatch, capsys):
    port = free_port()
    monkeypatch.setenv("HUIWU_PORT_VENDORS", str(port))
    code, _, err = run(capsys, "contract", "show", CONTRACT_ID)
    assert code == 1
    assert f"cannot reach vendors at http://127.0.0.1:{port}" in err
    assert "huiwu up" in err


def test_checklist_show_filters_and_picks_the_language(fake, capsys):
    entry = {
        "code": "1.3.5",
        "title_en": "Venue contract signed",
        "title_zh": "签订场地合同",
        "owner_role": "venue",
        "due_on": "2027-01-12",
        "status": "verified",
        "proofs": [
            {
                "service": "vendors",
                "event_type": "ContractSigned",
                "actor": "li",
                "occurred_at": "2026-12-01T02:00:00+00:00",
            }
        ],
    }
    other = {**entry, "code": "1.1.1", "status": "open", "proofs": []}
    plan = {"conference": {"name": "Forum", "city": "Hangzhou"}, "entries": [other, entry]}
    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/plan")] = (200, plan)

    code, out, _ = run(capsys, "checklist", "show", CONFERENCE_ID)
    assert code == 0
    assert "1 of 2 verified" in out

    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/plan")] = (200, {**plan, "entries": [entry]})
    code, out, _ = run(capsys, "checklist", "show", CONFERENCE_ID, "--status", "verified")
    assert code == 0
    assert "status=verified" in fake.requests[-1]["query"]  # the service filters
    assert "1 of 1 verified (filtered)" in out
    assert "1.3.5" in out and "1.1.1" not in out
    assert "vendors.ContractSigned by li 2026-12-01" in out
    assert "Venue contract signed" in out

    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/plan")] = (200, plan)
    code, out, _ = run(capsys, "checklist", "show", CONFERENCE_ID, "--lang", "zh")
    assert "签订场地合同" in out and "1.1.1" in out
    assert "lang=zh" in fake.requests[-1]["query"]


def test_audit_show_passes_filters_and_shows_local_time(fake, capsys):
    event = {
        "occurred_at": "2026-12-01T02:00:00+00:00",
        "service": "vendors",
        "notification_id": 3,
        "event_type": "ContractSigned",
        "actor": "li",
        "aggregate_id": CONTRACT_ID,
    }
    fake.routes[("GET", "/audit")] = (200, {"events": [event]})
    code, out, _ = run(
        capsys, "audit", "show", "--conference", CONFERENCE_ID, "--service", "vendors",
        "--limit", "5",
    )  # fmt: skip
    assert code == 0
    assert "2026-12-01 10:00:00" in out  # Asia/Shanghai
    assert "ContractSigned" in out
    query = fake.requests[0]["query"]
    assert f"conference_id={CONFERENCE_ID}" in query
    assert "service=vendors" in query and "limit=5" in query


def test_status_exits_1_when_a_service_is_down(monkeypatch, capsys):
    healthy = {
        "service": "x",
        "ok": True,
        "checks": {"store": {"ok": True}, "broker": {"ok": True}},
    }
    with FakeService({("GET", "/health"): (200, healthy)}) as service:
        for name in SERVICES:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        code, out, _ = run(capsys, "status")
        assert code == 0
        assert out.count(" up ") == len(SERVICES)

        monkeypatch.setenv("HUIWU_PORT_BUDGET", str(free_port()))
        code, out, err = run(capsys, "status")
        assert code == 1
        assert "down" in out
        assert "not up: budget" in err


def test_nested_field_errors_are_flattened():
    error = ServiceError(
        "vendors", 400, {"errors": {"categories": {"0": ["Must be one of: venue."]}}}
    )
    assert error.field_errors() == [("categories.0", "Must be one of: venue.")]


def test_tables_align_columns_after_chinese_text():
    text = output.table(("TITLE", "PROOF"), [("签订场地合同", "x"), ("Venue", "y"), ("v", None)])
    lines = text.splitlines()
    columns = {output.display_width(line[: line.rindex(" ") + 1]) for line in lines[2:]}
    assert len(columns) == 1  # "x", "y" and "-" start in the same terminal column
    assert lines[-1].endswith("-")


def test_an_entry_shows_its_window_and_what_it_comes_after():
    ledger = {
        "code": "2.4.2",
        "title_en": "Income recorded item by item",
        "status": "in_progress",
        "opens_on": "2026-05-23",
        "due_on": "2026-11-11",
        "after": ["2.4.1"],
        "progress": {"state": "in_progress", "percent": 100, "note": None},
    }

    text = entry_text(ledger)

    assert "due         2026-11-11, continuous work from 2026-05-23" in text
    assert "after       2.4.1" in text
    once = entry_text({**ledger, "opens_on": None, "after": []})
    assert "due         2026-11-11\n" in once and "after       -" in once
