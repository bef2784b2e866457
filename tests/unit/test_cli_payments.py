"""`huiwu payment import` against a fake registration service: the statement sent as it
is, every line's outcome printed, a file refused as a whole told row by row."""

from __future__ import annotations

from tests.unit.test_cli_registration import (  # noqa: F401 - the fake service fixture
    CONFERENCE_ID,
    ORDER,
    ORDER_ID,
    fake,
    run,
)

STATEMENT = f"/conferences/{CONFERENCE_ID}/payments/bank-statement"


def test_payment_import_sends_the_statement_and_prints_each_lines_outcome(fake, capsys, tmp_path):  # noqa: F811
    statement = tmp_path / "bank.csv"
    statement.write_bytes("交易日期,贷方金额,附言,交易流水号\r\n".encode("gb18030"))
    lines = [
        {"line": 2, "outcome": "recorded", "transaction_id": "B1", "amount_minor": 280_050,
         "currency": "CNY", "order_id": ORDER_ID, "reason": None},
        {"line": 3, "outcome": "unmatched", "transaction_id": "B2", "amount_minor": 100,
         "currency": "CNY", "order_id": None, "reason": "no payment reference"},
    ]  # fmt: skip
    answer = {"lines": 2, "recorded": 1, "duplicate": 0, "unmatched": 1, "ambiguous": 0,
              "invalid": 0, "outcomes": lines}  # fmt: skip
    fake.routes[("POST", STATEMENT)] = (200, answer)
    code, out, err = run(
        capsys, "--for", "陈静", "payment", "import", str(statement), "--conference", CONFERENCE_ID
    )
    assert code == 0 and err == ""
    sent = fake.requests[-1]
    assert sent["raw"] == statement.read_bytes()  # as the bank wrote it, GB18030 and all
    assert "on_behalf_of=" in sent["query"]
    head, _, _, _, first, second = out.splitlines()[:6]
    assert head == (
        "2 lines of bank.csv: 1 recorded, 0 duplicate, 1 unmatched, 0 ambiguous, 0 invalid"
    )
    assert "recorded" in first and "2,800.50 CNY" in first and ORDER_ID in first
    assert "unmatched" in second and "no payment reference" in second


def test_payment_import_prints_why_a_file_is_refused(fake, capsys, tmp_path):  # noqa: F811
    statement = tmp_path / "bank.csv"
    statement.write_text("name\n", encoding="utf-8")
    errors = [{"row": 1, "column": None, "reason": "no header row naming the columns"}]
    body = {"error": "ImportRejected", "message": "1 problem", "errors": errors}
    fake.routes[("POST", STATEMENT)] = (400, body)
    code, _, err = run(capsys, "payment", "import", str(statement), "--conference", CONFERENCE_ID)
    assert code == 2
    assert "huiwu payment import: error: row 1: no header row naming the columns" in err


def test_payment_import_of_a_missing_file_is_a_usage_error(fake, capsys, tmp_path):  # noqa: F811
    code, _, err = run(
        capsys, "payment", "import", str(tmp_path / "none.csv"), "--conference", CONFERENCE_ID
    )
    assert code == 2 and "FILE" in err and fake.requests == []


def test_order_show_gives_the_payment_reference_a_buyer_writes_on_a_transfer(fake, capsys):  # noqa: F811
    order = {**ORDER, "payment_reference": "HWFACVV1MD"}
    fake.routes[("GET", f"/orders/{ORDER_ID}")] = (200, {"order": order, "attendees": []})
    code, out, _ = run(capsys, "order", "show", ORDER_ID)
    (line,) = [text for text in out.splitlines() if "payment reference" in text]
    assert code == 0 and line.split() == ["payment", "reference", "HWFACVV1MD"]
