"""Reading an uploaded list of attendees: CSV (with or without a BOM) and XLSX, header
names in any case and order, and the errors of the file itself, by row and column."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from services.registration import attendee_sheet as sheet


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors(read) -> list[tuple]:
    return [(e.row, e.column, e.reason) for e in read.errors]


def test_a_csv_with_a_bom_is_read_by_column_name_in_any_case_and_order():
    read = sheet.read(
        csv_bytes(
            "Email,NAME,Ticket_Type,phone",
            "wang@example.cn,王磊,full,",
            ",,,",
            "li@example.cn,李娜,workshop,138 0000 0000",
            bom=True,
        )
    )
    assert read.errors == []
    assert read.rows == [
        (2, {"email": "wang@example.cn", "name": "王磊", "ticket_type": "full", "phone": None}),
        (
            4,
            {
                "email": "li@example.cn",
                "name": "李娜",
                "ticket_type": "workshop",
                "phone": "138 0000 0000",
            },
        ),
    ]


def test_an_xlsx_first_sheet_is_read_with_numbers_and_dates_as_text():
    read = sheet.read(
        xlsx_bytes(
            ("name", "email", "ticket_type", "paid_minor", "received_on"),
            ("王磊", "wang@example.cn", "full", 280000, dt.datetime(2027, 3, 2)),
        )
    )
    assert read.errors == []
    assert read.rows == [
        (
            2,
            {
                "name": "王磊",
                "email": "wang@example.cn",
                "ticket_type": "full",
                "paid_minor": "280000",
                "received_on": "2027-03-02",
            },
        )
    ]


def test_unknown_twice_named_and_missing_columns_are_errors_of_the_header():
    read = sheet.read(csv_bytes("name,name,shoe_size", "王磊,王磊,42"))
    assert errors(read)[0][:2] == (1, "name")
    assert errors(read)[1][:2] == (1, "shoe_size")
    assert "unknown column" in errors(read)[1][2]
    assert {(r, c) for r, c, _ in errors(read)[2:]} == {(1, "email"), (1, "ticket_type")}
    assert read.rows == []


def test_empty_files_and_files_of_no_attendee_are_refused():
    assert "empty" in errors(sheet.read(b""))[0][2]
    assert "empty" in errors(sheet.read(b"\xef\xbb\xbf\r\n"))[0][2]
    assert errors(sheet.read(csv_bytes("name,email,ticket_type")))[0][:2] == (2, None)


def test_neither_csv_nor_xlsx_is_refused():
    assert "neither" in errors(sheet.read("名字,邮箱".encode("gb18030")))[0][2]
    assert "neither" in errors(sheet.read(b"\x00\x01\x02binary"))[0][2]
    assert "XLSX" in errors(sheet.read(b"PK\x03\x04 not really a zip"))[0][2]


def test_a_row_with_more_cells_than_the_header_is_refused():
    read = sheet.read(csv_bytes("name,email,ticket_type", "王磊,wang@example.cn,full,extra"))
    assert errors(read) == [(2, None, "more cells than the header has columns")]


def test_too_many_rows_and_too_many_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(sheet, "MAX_ROWS", 3)
    lines = [f"p{i},p{i}@example.cn,full" for i in range(4)]
    read = sheet.read(csv_bytes("name,email,ticket_type", *lines))
    assert errors(read) == [(5, None, "more than 3 attendees: split the file")]
    assert "larger than 10 MB" in errors(sheet.read(b"x" * (sheet.MAX_BYTES + 1)))[0][2]
