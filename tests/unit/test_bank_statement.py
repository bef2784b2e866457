"""A bank statement read into payments: English or Chinese headers, amounts exact to the
fen, lines that cannot be payments told apart with why, files that cannot be read refused."""

from __future__ import annotations

import io

from openpyxl import Workbook

from services.registration import bank_statement
from services.registration.bank_statement import parse_amount, parse_day

REF = "HWFACVV1MD"


def csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_english_columns_in_any_order_and_unknown_ones_passed_over():
    read = bank_statement.read(
        csv(
            "transaction_id,date,amount,currency,payer,reference,balance",
            f'B001,2027-03-02,"2,800.00",CNY,王磊,{REF} 会议费,10000.00',
            f"B002,2027/3/3,0.01,,李娜,{REF.lower()},",
        ),
        "CNY",
    )
    assert not read.errors and not read.unreadable
    first, second = read.payments
    assert (first.line, first.transaction_id, first.amount_minor) == (2, "B001", 280_000)
    assert (first.currency, first.received_on, first.references) == ("CNY", "2027-03-02", {REF})
    assert (first.method, first.source) == ("bank_transfer", "bank")
    assert (second.amount_minor, second.currency, second.received_on) == (1, "CNY", "2027-03-03")
    assert read.payers == {2: "王磊", 3: "李娜"}


def test_a_chinese_export_in_gb18030_with_rows_above_its_header():
    data = csv(
        "账号,6222000011112222",
        "查询期间,2027-03-01至2027-03-31",
        "交易日期,交易流水号,贷方金额,币种,对方户名,摘要,附言",
        f"20270302,CB-77,￥3000.5,人民币,杭州某某科技有限公司,汇入汇款,会议费 {REF}",
        encoding="gb18030",
    )
    read = bank_statement.read(data, "CNY")
    assert not read.errors, read.errors
    (payment,) = read.payments
    assert (payment.line, payment.amount_minor, payment.currency) == (4, 300_050, "CNY")
    assert payment.references == {REF}  # found in 附言 though 摘要 came first
    assert read.payers[4] == "杭州某某科技有限公司"


def test_lines_that_cannot_be_payments_are_told_with_their_column():
    read = bank_statement.read(
        csv(
            "date,amount,reference,transaction_id,currency",
            f"2027-03-02,2800.001,{REF},B1,CNY",
            f"2027-03-02,-2800,{REF},B2,CNY",
            f"2027-13-02,2800,{REF},B3,CNY",
            f"2027-03-02,2800,{REF},,CNY",
            f"2027-03-02,2800,{REF},B5,XXX",
            f"2027-03-02,2800,{REF},B6,CNY",
        ),
        "CNY",
    )
    why = [(u.line, u.column, u.transaction_id) for u in read.unreadable]
    assert why == [
        (2, "amount", "B1"),
        (3, "amount", "B2"),
        (4, "date", "B3"),
        (5, "transaction_id", None),
        (6, "currency", "B5"),
    ]
    assert "more decimal places" in read.unreadable[0].reason
    assert [p.line for p in read.payments] == [7]


def test_an_xlsx_statement_is_read_like_a_csv():
    book = Workbook()
    sheet = book.active
    sheet.append(["交易时间", "交易金额", "用途", "流水号"])
    sheet.append(["2027-03-02 10:15:00", 2800.5, REF, "X9"])
    out = io.BytesIO()
    book.save(out)
    (payment,) = bank_statement.read(out.getvalue(), "CNY").payments
    assert (payment.amount_minor, payment.received_on, payment.transaction_id) == (
        280_050,
        "2027-03-02",
        "X9",
    )


def test_a_file_that_cannot_be_read_is_refused_as_a_whole():
    def why(data: bytes) -> str:
        read = bank_statement.read(data, "CNY")
        assert read.errors and not read.payments
        return read.errors[0].reason

    assert "empty" in why(b"  ")
    assert "no header row" in why(csv("name,email", "a,b"))
    assert "nothing after it" in why(csv("date,amount,reference,transaction_id"))
    assert "more than one column" in why(
        csv("date,amount,金额,reference,transaction_id", "2027-03-02,1,1,x,y")
    )
    assert "neither a CSV" in why(b"\x00\x01\x02 binary")
    assert "larger than" in why(b"x" * (bank_statement.MAX_BYTES + 1))


def test_amounts_are_exact_minor_units_and_days_are_read_as_banks_write_them():
    assert parse_amount("¥1,234,567.89", "CNY") == 123_456_789
    assert parse_amount("0.10", "CNY") == 10
    assert parse_amount("100", "JPY") == 100
    assert "decimal places" in parse_amount("100.5", "JPY")
    assert "not money received" in parse_amount("0.00", "CNY")
    assert "not an amount" in parse_amount("1e3", "CNY")
    assert parse_day("2027年3月2日") == "2027-03-02"
    assert parse_day("20270302") == "2027-03-02"
    assert parse_day("2027-02-30") is None
    assert parse_day("1999-12-31") is None
