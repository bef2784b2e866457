"""Importing attendees on the in-memory store: each row an order of one attendee as
placing an order makes it, paid rows paid, and every error of every row listed, by row
and column, with nothing stored when there is any."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand
from services.common.http import error_response
from services.common.imports import ImportRejected
from services.registration import commands as c
from services.registration.application import RegistrationApplication
from tests.unit.test_attendee_sheet import csv_bytes, xlsx_bytes
from tests.unit.test_registration_application import (
    CONFERENCE,
    POPO,
    WORDING,
    Clock,
    Conferences,
    fees,
    line,
    order_cmd,
    types,
)

HEADER = "name,email,ticket_type,consents,paid_minor,payment_method,received_on,country"
CONSENT = c.ImportAttendees("2027-01", hashlib.sha256(WORDING.encode()).hexdigest())


@pytest.fixture
def app():
    app = RegistrationApplication(env=POPO, conferences=Conferences(), clock=Clock())
    yield app
    app.close()


@pytest.fixture
def ctx():
    return CommandContext.new("li", "corr-1")


@pytest.fixture
def schedule(app, ctx):
    fees(
        app,
        ctx,
        line(),
        line("workshop", price_minor=50_000, quota=3),
        line("later", on_sale_from="2027-04-01"),
    )


def import_csv(app, ctx, *rows, header=HEADER):
    return app.import_attendees(CONFERENCE, csv_bytes(header, *rows), CONSENT, ctx)


def rejected(app, ctx, *rows, header=HEADER) -> list[tuple]:
    before = types(app)
    with pytest.raises(ImportRejected) as refused:
        import_csv(app, ctx, *rows, header=header)
    assert types(app) == before, "nothing is stored"
    return [(e.row, e.column, e.reason) for e in refused.value.errors]


def test_each_row_is_an_order_of_one_attendee_and_paid_rows_are_paid(app, ctx, schedule):
    answer = import_csv(
        app,
        ctx,
        "王磊,Wang@Example.cn,full,,280000,bank_transfer,2027-03-02,CN",
        "李娜,li@example.cn,workshop,personal_information;marketing,,,,",
        "张伟,zhang@example.cn,full,,100000,wechat_pay,2027-03-02,",
    )
    assert (answer["attendees"], answer["orders"], answer["paid"]) == (3, 3, 1)
    counted = Counter(types(app))
    assert counted["AttendeeRegistered"] == 3 and counted["OrderPlaced"] == 3
    assert counted["PaymentReceived"] == 2 and counted["OrderPaid"] == 1
    first = app.order_view(answer["order_ids"][0])
    assert first["order"].channel == "back_office" and first["order"].status == "paid"
    attendee = first["attendees"][0]
    assert attendee.consent_sha256 == CONSENT.consent_sha256
    assert attendee.consent_version == "2027-01" and attendee.country == "CN"
    second = app.order_view(answer["order_ids"][1])["attendees"][0]
    assert list(second.consents) == ["personal_information", "marketing"]


def test_an_xlsx_is_imported_as_a_csv_is(app, ctx, schedule):
    data = xlsx_bytes(("Name", "Email", "Ticket_Type"), ("王磊", "wang@example.cn", "full"))
    assert app.import_attendees(CONFERENCE, data, CONSENT, ctx)["orders"] == 1


def test_every_error_of_every_row_is_listed_and_nothing_stored(app, ctx, schedule):
    app.place_order(order_cmd("taken@example.cn"), ctx)
    errors = rejected(
        app,
        ctx,
        "王磊,not-an-email,full,,,,,cn",  # 2: two field errors
        "李娜,li@example.cn,vip,,,,,",  # 3: unknown ticket type
        "张伟,zhang@example.cn,later,,,,,",  # 4: not on sale yet
        "赵敏,Taken@example.cn,full,,,,,",  # 5: already registered
        "钱七,qian@example.cn,full,marketing,,,,",  # 6: no consent to personal data
        "孙八,sun@example.cn,full,,12.5,cash,,",  # 7: bad amount
        "周九,zhou@example.cn,full,,100,bitcoin,2027-03-02,",  # 8: bad method
        "吴十,QIAN@example.cn,full,,,,,",  # 9: row 6's email again
        ",wu@example.cn,full,,,,,",  # 10: no name
    )
    columns = [(row, column) for row, column, _ in errors]
    assert columns == [
        (2, "country"),
        (2, "email"),
        (3, "ticket_type"),
        (4, "ticket_type"),
        (5, "email"),
        (6, "consents"),
        (7, "paid_minor"),
        (8, "payment_method"),
        (9, "email"),
        (10, "name"),
    ]
    reasons = dict(((row, column), reason) for row, column, reason in errors)
    assert "unknown ticket type 'vip'" in reasons[3, "ticket_type"]
    assert "not on sale" in reasons[4, "ticket_type"]
    assert "already registered" in reasons[5, "email"] or "Taken" in reasons[5, "email"]
    assert "row 6" in reasons[9, "email"]


def test_the_first_row_over_a_quota_is_named(app, ctx, schedule):
    app.place_order(order_cmd("one@example.cn", ticket_type="workshop"), ctx)
    rows = [f"p{i},p{i}@example.cn,workshop,,,,," for i in range(4)]
    errors = rejected(app, ctx, *rows)
    assert [(row, column) for row, column, _ in errors] == [(4, "ticket_type")]
    assert errors[0][2] == (
        "the quota of workshop had 2 places left and the file has 4 rows of it: "
        "this row is the first over it"
    )


def test_a_paid_amount_needs_a_method_and_a_day(app, ctx, schedule):
    errors = rejected(app, ctx, "王磊,wang@example.cn,full,,280000,,,")
    assert {column for _, column, _ in errors} == {"payment_method", "received_on"}


def test_a_sheet_error_is_a_400_listing_the_rows():
    answer = error_response(ImportRejected([]))
    assert answer.status_code == 400
    assert json.loads(answer.get_data())["error"] == "ImportRejected"
    assert issubclass(ImportRejected, InvalidCommand)


def test_a_file_that_is_not_a_sheet_is_refused_before_anything(app, ctx, schedule):
    with pytest.raises(ImportRejected) as refused:
        app.import_attendees(CONFERENCE, b"", CONSENT, ctx)
    assert refused.value.errors[0].row is None


def test_an_import_that_raced_an_order_checks_every_row_again(app, ctx, schedule, monkeypatch):
    save = app.save
    raced = []

    def racing(*objs, **kwargs):
        if not raced:  # an order takes one of the file's emails just before the import saves
            raced.append(True)
            app.place_order(order_cmd("p1@example.cn"), ctx)
        return save(*objs, **kwargs)

    monkeypatch.setattr(app, "save", racing)
    rows = [f"p{i},p{i}@example.cn,full,,,,," for i in range(3)]
    errors = rejected_after_race(app, ctx, rows)
    assert [(row, column) for row, column, _ in errors] == [(3, "email")]
    assert "already registered" in errors[0][2]
    assert Counter(types(app))["AttendeeRegistered"] == 1  # the racing order's only


def rejected_after_race(app, ctx, rows):
    with pytest.raises(ImportRejected) as refused:
        import_csv(app, ctx, *rows)
    return [(e.row, e.column, e.reason) for e in refused.value.errors]
