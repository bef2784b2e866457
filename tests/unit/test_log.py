"""A service's notification log as envelopes: what the relay publishes, what the
`notifications` RPC serves (bounds checked), and what a local read model fetches."""

import datetime as dt
import uuid

import pytest

from services.common.domain import CommandContext
from services.common.envelope import Envelope, InvalidStoredEvent, build_envelope, parse
from services.common.log import MAX_PAGE, NotificationLog
from services.vendors.application import VendorsApplication
from services.vendors.commands import AddVendor, DraftContract, SignContract
from services.vendors.domain import Contract
from services.vendors.events import CATALOG

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
CONFERENCE = uuid.UUID("3f1d2c4b-1111-4c3a-9d2e-000000000001")


class EveryConference:
    def exists(self, conference_id):
        return True


@pytest.fixture
def app():
    app = VendorsApplication(env=POPO, conferences=EveryConference())
    ctx = CommandContext.new("li", "corr-1")
    vendor = app.add_vendor(AddVendor(conference_id=CONFERENCE, name="Expo Hall"), ctx)
    contract = app.draft_contract(
        DraftContract(
            conference_id=CONFERENCE,
            vendor_id=vendor.id,
            category="venue",
            title="Main hall",
            amount_minor=12_000_000,
        ),
        ctx,
    )
    app.sign_contract(str(contract.id), SignContract(signed_on=dt.date(2026, 3, 1)), ctx)
    yield app
    app.close()


@pytest.fixture
def log(app):
    return NotificationLog(app, CATALOG)


def test_envelopes_are_the_validated_envelopes_of_the_stored_events_in_order(app, log):
    envelopes = log.envelopes(1, 10)

    assert log.service == "vendors"
    assert [e.event_type for e in envelopes] == ["VendorAdded", "ContractDrafted", "ContractSigned"]
    assert [e.notification_id for e in envelopes] == [1, 2, 3]
    assert all(isinstance(e, Envelope) for e in envelopes)
    assert envelopes == [
        build_envelope(app.mapper, "vendors", CATALOG, n) for n in app.select_notifications(1, 10)
    ]
    assert [e.notification_id for e in log.envelopes(2, 1)] == [2]
    assert log.envelopes(4, 10) == []
    assert log.last_id() == 3


def test_a_page_is_the_envelopes_as_dicts_a_reader_elsewhere_can_parse(log):
    page = log.page(2, 2)

    assert [e["notification_id"] for e in page] == [2, 3]
    assert [parse(e) for e in page] == log.envelopes(2, 2)
    assert log.page(1, MAX_PAGE)[0]["event_type"] == "VendorAdded"


@pytest.mark.parametrize(
    ("start", "limit", "words"),
    [
        (0, 10, "start must be an integer >= 1, got 0"),
        (-1, 10, "start must be"),
        ("1", 10, "start must be"),
        (True, 10, "start must be"),
        (1.0, 10, "start must be"),
        (1, 0, f"limit must be an integer from 1 to {MAX_PAGE}, got 0"),
        (1, MAX_PAGE + 1, "limit must be"),
        (1, "10", "limit must be"),
        (1, False, "limit must be"),
    ],
)
def test_a_page_out_of_bounds_is_refused_naming_the_bound(log, start, limit, words):
    with pytest.raises(ValueError, match=words):
        log.page(start, limit)


def test_fetch_serves_the_service_own_log_to_a_local_read_model(log):
    assert log.fetch("vendors", 1, 2) == log.envelopes(1, 2)
    with pytest.raises(AssertionError):
        log.fetch("checklist", 1, 2)


def test_a_stored_event_that_fails_its_schema_is_an_invalid_stored_event(app, log):
    broken = Contract(
        contract_id=uuid.uuid4(),
        conference_id=str(CONFERENCE),
        vendor_id="v",
        category="spa",  # not a category
        scope="conference",
        title="t",
        amount_minor=1,
        currency="CNY",
        meta=CommandContext.new("li").meta(str(CONFERENCE)),
    )
    app.save(broken)

    with pytest.raises(InvalidStoredEvent, match="notification 4 \\(ContractDrafted\\) of vendors"):
        log.envelopes(1, 10)
    assert [e.notification_id for e in log.envelopes(1, 3)] == [1, 2, 3]
