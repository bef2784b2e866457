"""`huiwu ticket`, `huiwu order` and `huiwu attendee` against a fake registration service:
what each sends (exact minor units, the consent wording) and what it prints."""

from __future__ import annotations

import hashlib
import io

import pytest

from huiwu import cli
from huiwu.progress import Progress
from services.common.registry import load
from tests.support.fake_http import FakeService

CONFERENCE_ID = "c0ffee00-0000-4000-8000-000000000001"
ORDER_ID = "c0ffee00-0000-4000-8000-000000000002"
REFUND_ID = "c0ffee00-0000-4000-8000-000000000003"
TOKEN = "hw_0123456789ab_" + "x" * 43
ORDER = {
    "order_id": ORDER_ID,
    "conference_id": CONFERENCE_ID,
    "status": "awaiting_payment",
    "buyer_name": "王磊",
    "buyer_organisation": None,
    "total_minor": 560_000,
    "currency": "CNY",
    "paid_minor": 500_000,
    "balance_minor": 60_000,
    "overpaid_minor": 0,
    "refunded_minor": 0,
    "refunds": [],
    "expires_at": "2027-03-04T02:00:00+00:00",
}
CONSENT = ("--consent-version", "2027-01", "--consent-text", "我同意处理我的个人信息")


@pytest.fixture
def fake(monkeypatch):
    with FakeService() as service:
        for name in load().names:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        monkeypatch.setenv("HUIWU_TOKEN", TOKEN)
        yield service


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_ticket_add_sets_the_schedule_again_with_the_new_line(fake, capsys):
    setup = f"/conferences/{CONFERENCE_ID}/registration"
    existing = {
        "category": "delegate",
        "ticket_type": "full",
        "label": "全程",
        "price_minor": 280_000,
        "currency": "CNY",
        "tax_rate_bp": 600,
    }
    fake.routes[("GET", setup)] = (200, {"fees": [existing]})
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/fees")] = (200, {"version": 3})
    code, out, _ = run(
        capsys,
        *("ticket", "add", CONFERENCE_ID, "--type", "student", "--category", "student"),
        *("--label", "学生", "--price", "600.50", "--quota", "40", "--on-sale-until", "2027-05-01"),
        "--approval",
    )
    assert code == 0 and "2 lines" in out
    assert fake.requests[-1]["body"]["categories"] == [
        existing,
        {
            "category": "student",
            "ticket_type": "student",
            "label": "学生",
            "price_minor": 60_050,
            "currency": "CNY",
            "tax_rate_bp": 600,
            "quota": 40,
            "on_sale_until": "2027-05-01",
            "requires_approval": True,
        },
    ]


def test_ticket_add_starts_a_schedule_when_there_is_none(fake, capsys):
    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/registration")] = (
        409,
        {"error": "Conflict", "message": "not set up"},
    )
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/fees")] = (200, {"version": 2})
    code, _, _ = run(
        capsys,
        *("ticket", "add", CONFERENCE_ID, "--type", "full", "--category", "delegate"),
        *("--label", "全程", "--price", "2800"),
    )
    assert code == 0
    assert [line["price_minor"] for line in fake.requests[-1]["body"]["categories"]] == [280_000]


def test_order_place_sends_a_group_with_its_consent(fake, capsys):
    fake.routes[("POST", "/orders")] = (201, ORDER)
    code, out, _ = run(
        capsys,
        *("order", "place", "--conference", CONFERENCE_ID, "--buyer", "张伟"),
        *("--organisation", "杭州某某科技有限公司"),
        *("--attendee", "王磊,wang@example.cn,full", "--attendee", "李娜,li@example.cn,full,+86 1"),
        *CONSENT,
        *("--consent-to", "photography"),
    )
    assert code == 0
    assert out.splitlines() == [ORDER_ID, "awaiting_payment, 5,600.00 CNY to pay"]
    body = fake.requests[-1]["body"]
    assert (body["buyer_kind"], body["buyer_organisation"]) == (
        "organisation",
        "杭州某某科技有限公司",
    )
    second = body["attendees"][1]
    assert second["ticket_type"] == "full"
    assert second["person"] == {
        "name": "李娜",
        "email": "li@example.cn",
        "phone": "+86 1",
        "consents": ["personal_information", "photography"],
        "consent": {"version": "2027-01", "wording": "我同意处理我的个人信息"},
    }


def test_a_malformed_attendee_is_a_usage_error_naming_it(fake, capsys):
    code, _, err = run(
        capsys,
        *("order", "place", "--conference", CONFERENCE_ID, "--buyer", "张伟"),
        *("--attendee", "王磊,wang@example.cn"),
        *CONSENT,
    )
    assert code == 2 and "--attendee" in err and "NAME,EMAIL,TICKET_TYPE" in err
    assert fake.requests == []


def test_order_pay_refund_and_cancel_send_exact_minor_units(fake, capsys):
    for path in ("payments", "refunds", "cancel", f"refunds/{REFUND_ID}/complete"):
        fake.routes[("POST", f"/orders/{ORDER_ID}/{path}")] = (200, ORDER)
    assert run(capsys, "order", "pay", ORDER_ID, "--amount", "5000.10", "--method", "card")[0] == 0
    assert (
        run(capsys, "order", "refund", ORDER_ID, "--amount", "100", "--reason", "overpayment")[0]
        == 0
    )
    assert (
        run(
            capsys,
            "order",
            "refunded",
            ORDER_ID,
            REFUND_ID,
            "--method",
            "card",
            "--on",
            "2027-03-03",
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "order", "cancel", ORDER_ID, "--reason", "cannot travel")
    assert code == 0 and "600.00 CNY" in out  # still to pay
    pay, refund, done, cancel = (r["body"] for r in fake.requests)
    assert (pay["amount_minor"], pay["currency"], pay["method"]) == (500_010, "CNY", "card")
    assert (refund["amount_minor"], refund["reason"], refund["source"]) == (
        10_000,
        "overpayment",
        "organiser",
    )
    assert done == {"method": "card", "completed_on": "2027-03-03"}
    assert cancel == {"reason": "cannot travel", "cancelled_by": "attendee"}


def test_order_show_lists_its_attendees(fake, capsys):
    attendee = {
        "attendee_id": "a1",
        "name": "王磊",
        "email": "wang@example.cn",
        "ticket_type": "full",
        "status": "registered",
    }
    fake.routes[("GET", f"/orders/{ORDER_ID}")] = (200, {"order": ORDER, "attendees": [attendee]})
    code, out, _ = run(capsys, "order", "show", ORDER_ID)
    assert code == 0 and "wang@example.cn" in out and "awaiting_payment" in out


def test_voucher_issue_prints_the_code_and_sends_minor_units(fake, capsys):
    path = f"/conferences/{CONFERENCE_ID}/vouchers"
    fake.routes[("POST", path)] = (201, {"code": "ABCDEFGHJKLMNPQR", "voucher_id": "v"})
    code, out, _ = run(
        capsys,
        *("voucher", "issue", CONFERENCE_ID, "--purpose", "promotion", "--mode", "subtract"),
        *("--value", "100.50", "--uses", "20", "--type", "full"),
    )
    assert (code, out.strip()) == (0, "ABCDEFGHJKLMNPQR")
    assert fake.requests[-1]["body"] == {
        "purpose": "promotion",
        "price_mode": "subtract",
        "max_usages": 20,
        "value": 10_050,
        "currency": "CNY",
        "ticket_type": "full",
    }
    bad = run(capsys, "voucher", "issue", CONFERENCE_ID, "--purpose", "press", "--mode", "percent")
    assert bad[0] == 2 and "--value" in bad[2]


def test_an_attendee_may_bring_a_voucher_code(fake, capsys):
    fake.routes[("POST", "/orders")] = (201, ORDER)
    run(
        capsys,
        *("order", "place", "--conference", CONFERENCE_ID, "--buyer", "李娜"),
        *("--attendee", "李娜,li@example.cn,seminar,,ABCDEFGHJKLMNPQR", *CONSENT),
    )
    (sent,) = fake.requests[-1]["body"]["attendees"]
    assert sent["voucher_code"] == "ABCDEFGHJKLMNPQR" and "phone" not in sent["person"]


IMPORTED = f"/conferences/{CONFERENCE_ID}/attendees/import"


def test_attendee_import_uploads_the_sheet_with_the_hash_of_the_wording(fake, capsys, tmp_path):
    sheet = tmp_path / "attendees.csv"
    sheet.write_bytes("name,email,ticket_type\r\n王磊,wang@example.cn,full\r\n".encode())
    wording = tmp_path / "consent.txt"
    wording.write_text("我同意处理我的个人信息", encoding="utf-8")
    answer = {"attendees": 1, "orders": 1, "paid": 0, "order_ids": [ORDER_ID]}
    fake.routes[("POST", IMPORTED)] = (201, answer)
    code, out, err = run(
        capsys,
        *("attendee", "import", str(sheet), "--conference", CONFERENCE_ID),
        *("--consent-version", "2027-01", "--consent-wording-file", str(wording)),
    )
    assert code == 0 and err == ""  # no progress bar when stderr is not a terminal
    assert out.splitlines() == [
        "imported 1 attendees in 1 orders (0 paid) from attendees.csv",
        ORDER_ID,
    ]
    sent = fake.requests[-1]
    assert sent["raw"] == sheet.read_bytes()
    expected = hashlib.sha256("我同意处理我的个人信息".encode()).hexdigest()
    assert f"consent_sha256={expected}" in sent["query"]
    assert "consent_version=2027-01" in sent["query"]


def test_attendee_import_prints_every_row_error(fake, capsys, tmp_path):
    sheet = tmp_path / "attendees.csv"
    sheet.write_text("name,email,ticket_type\n", encoding="utf-8")
    wording = tmp_path / "consent.txt"
    wording.write_text("wording", encoding="utf-8")
    errors = [
        {"row": 7, "column": "email", "reason": "Not a valid email address."},
        {"row": 9, "column": "ticket_type", "reason": "unknown ticket type 'vip'"},
    ]
    body = {"error": "ImportRejected", "message": "2 problems", "errors": errors}
    fake.routes[("POST", IMPORTED)] = (400, body)
    code, _, err = run(
        capsys,
        *("attendee", "import", str(sheet), "--conference", CONFERENCE_ID),
        *("--consent-version", "2027-01", "--consent-wording-file", str(wording)),
    )
    assert code == 2
    assert "row 7, email: Not a valid email address." in err
    assert "row 9, ticket_type: unknown ticket type 'vip'" in err


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with Progress(stream, 100, "importing a.csv") as progress:
            progress.sent(50)
            progress.sent(50)
    assert "50% sent" in terminal.getvalue() and "checking and storing" in terminal.getvalue()
    assert pipe.getvalue() == ""
