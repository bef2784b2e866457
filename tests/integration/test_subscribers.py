"""Another program subscribes with plain kombu and receives the full envelope."""

import datetime as dt
import re
import threading
import uuid

from kombu import Connection

from examples.subscribe import follow, subscription
from tests.support.slice import signed_venue_contract

ENVELOPE_FIELDS = {
    "event_id",
    "event_type",
    "service",
    "notification_id",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "conference_id",
    "occurred_at",
    "actor",
    "correlation_id",
    "causation_id",
    "schema_version",
    "payload",
    "chain_link",  # the publisher's hash chain at this event (docs/audit.md)
}


def test_plain_kombu_consumer_receives_contract_signed_with_every_envelope_field(system, vhost):
    system.start("checklist", "vendors")
    queue = subscription("vendors", "ContractSigned", queue=f"auditor-{uuid.uuid4().hex[:6]}")
    with Connection(vhost.uri) as conn:
        queue(conn.default_channel).declare()  # subscribe before anything happens

    received = []
    listener = threading.Thread(target=follow, args=(vhost.uri, queue, received.append, 1))
    listener.start()
    conference_id, contract_id = signed_venue_contract(system)
    listener.join(timeout=30)

    (envelope,) = received
    assert set(envelope) == ENVELOPE_FIELDS
    assert envelope["event_type"] == "ContractSigned"
    assert envelope["service"] == "vendors"
    assert envelope["aggregate_type"] == "Contract"
    assert envelope["aggregate_id"] == contract_id
    assert envelope["aggregate_version"] == 2
    assert envelope["conference_id"] == conference_id
    assert envelope["actor"] == "li"
    assert envelope["notification_id"] == 3  # VendorAdded, ContractDrafted, ContractSigned
    assert envelope["schema_version"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", envelope["chain_link"])
    assert uuid.UUID(envelope["event_id"])
    assert dt.datetime.fromisoformat(envelope["occurred_at"]).utcoffset() == dt.timedelta(0)
    assert envelope["payload"] == {
        "vendor_id": envelope["payload"]["vendor_id"],
        "category": "venue",
        "scope": "conference",  # none given when it was drafted
        "amount_minor": 12_000_000,
        "currency": "CNY",
        "signed_on": "2026-12-01",
        "signed_by": "li",
    }
