"""Budget follows registration's FapiaoIssued: each income entry of the order it covers is
recorded again with the fapiao's number (2.4.2), the same amount never counted twice,
whether the payment and the fapiao come in one page of the log or in two."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import Tracking

from services.common.sinks import UpstreamEvent

from .budget_support import CATALOGS, Upstream, budget_app, deliver, event_types, views

NUMBER = "25312000000012345678"


@pytest.fixture
def app():
    app = budget_app()
    yield app
    app.close()


@pytest.fixture
def conference_id():
    return str(uuid.uuid4())


@pytest.fixture
def upstream(app, conference_id):
    upstream = Upstream(conference_id)
    deliver(app, upstream.conference_opened())
    return upstream


def fapiao_issued(upstream, order_id, gross_minor, number=NUMBER):
    net = gross_minor * 10_000 * 2 // (2 * 10_600)  # near enough: the contract checks the sum
    payload = {
        "order_id": order_id,
        "attendee_ids": [str(uuid.uuid4())],
        "fapiao_number": number,
        "fapiao_type": "vat_ordinary",
        "medium": "digital",
        "item": "conference_fee",
        "issued_on": "2027-03-05",
        "delivery": "email",
        "buyer_name": "王磊",
        "net_minor": net,
        "tax_rate_bp": 600,
        "tax_minor": gross_minor - net,
        "gross_minor": gross_minor,
        "currency": "CNY",
    }
    fapiao_id = str(uuid.uuid5(uuid.NAMESPACE_URL, number))
    return upstream.envelope("registration", "FapiaoIssued", "Fapiao", fapiao_id, payload)


def income(app, conference_id):
    return [e for e in views(app).entries(conference_id) if e["kind"] == "income"]


def test_the_income_of_a_paid_order_takes_the_number_of_its_fapiao(app, upstream, conference_id):
    order = str(uuid.uuid4())
    deliver(app, upstream.payment_received(order, 280_000))
    (entry,) = income(app, conference_id)
    assert entry["fapiao"] == "missing"

    deliver(app, fapiao_issued(upstream, order, 280_000))
    (entry,) = income(app, conference_id)
    assert (entry["fapiao"], entry["fapiao_number"]) == ("received", NUMBER)
    assert views(app).ledger(conference_id)["income_minor"] == 280_000  # not counted twice
    assert event_types(app)[-2:] == ["IncomeRecorded", "IncomeRecorded"]
    again = app.repository.get(uuid.UUID(entry["entry_id"]))
    assert (again.version, again.fapiao_number) == (2, NUMBER)


def test_a_fapiao_covers_the_entries_its_gross_reaches_oldest_first(app, upstream, conference_id):
    order = str(uuid.uuid4())
    deliver(app, upstream.payment_received(order, 200_000))
    deliver(app, upstream.payment_received(order, 360_000))
    deliver(app, fapiao_issued(upstream, order, 200_000))
    assert [e["fapiao_number"] for e in income(app, conference_id)] == [NUMBER, None]

    second = "25312000000012345679"
    deliver(app, fapiao_issued(upstream, order, 360_000, second))
    assert [e["fapiao_number"] for e in income(app, conference_id)] == [NUMBER, second]
    assert views(app).ledger(conference_id)["income_minor"] == 560_000


def test_a_fapiao_of_another_order_or_of_no_income_records_nothing(app, upstream, conference_id):
    order = str(uuid.uuid4())
    deliver(app, upstream.payment_received(order, 280_000))
    before = len(event_types(app))
    deliver(app, fapiao_issued(upstream, str(uuid.uuid4()), 280_000))
    assert len(event_types(app)) == before
    assert income(app, conference_id)[0]["fapiao"] == "missing"


def test_the_payment_and_its_fapiao_in_one_page_give_the_same_entries(app, upstream, conference_id):
    order = str(uuid.uuid4())
    messages = [upstream.payment_received(order, 280_000), fapiao_issued(upstream, order, 280_000)]
    page = [
        UpstreamEvent(m, CATALOGS[m.service].load_incoming(m.event_type, m.payload))
        for m in messages
    ]
    app.process_page(page, Tracking("registration", messages[-1].notification_id))
    (entry,) = income(app, conference_id)
    assert entry["fapiao_number"] == NUMBER
    assert views(app).ledger(conference_id)["income_minor"] == 280_000
