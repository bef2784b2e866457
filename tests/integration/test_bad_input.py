"""Bad input to every command: a clear error naming the field; nothing stored or published."""

import uuid

from tests.support import amqp
from tests.support.slice import (
    CONFERENCE,
    SECTION_ONE,
    add_vendor,
    cancel,
    draft_contract,
    ok,
    open_conference,
    sign,
)


def stored(system, service):
    return system[service].metric("huiwu_events_stored", service=service)


def assert_refused(response, status, field, words=""):
    assert response.status == status, response
    body = response.json
    assert field in body["errors"], body
    assert words in " ".join(body["errors"][field]).lower(), body


def test_bad_commands_are_refused_with_the_field_and_nothing_is_recorded(system, vhost):
    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    ok(cancel(system, contract_id))
    watch = amqp.capture(vhost.uri, "vendors", "test.watch")
    vendors_before, checklist_before = stored(system, "vendors"), stored(system, "checklist")
    vendors, checklist = system["vendors"], system["checklist"]
    contract = {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "category": "venue",
        "title": "Hall",
        "amount_minor": 100,
        "actor": "li",
    }

    # missing field
    assert_refused(vendors.post("/contracts", {**contract, "title": None}), 400, "title")
    no_title = {k: v for k, v in contract.items() if k != "title"}
    assert_refused(vendors.post("/contracts", no_title), 400, "title", "missing")
    no_actor = {k: v for k, v in contract.items() if k != "actor"}
    assert_refused(vendors.post("/contracts", no_actor), 400, "actor", "missing")
    # wrong type: amounts are integers in minor units, never strings or floats
    assert_refused(
        vendors.post("/contracts", {**contract, "amount_minor": "100"}),
        400,
        "amount_minor",
        "integer",
    )
    assert_refused(
        vendors.post("/contracts", {**contract, "amount_minor": 99.5}),
        400,
        "amount_minor",
        "integer",
    )
    assert_refused(
        checklist.post("/conferences", {**CONFERENCE, "expected_attendance": "many"}),
        400,
        "expected_attendance",
    )
    # negative amount
    assert_refused(
        vendors.post("/contracts", {**contract, "amount_minor": -1}),
        400,
        "amount_minor",
        "greater than or equal to 0",
    )
    # unknown conference and vendor
    unknown = str(uuid.uuid4())
    assert_refused(
        vendors.post("/contracts", {**contract, "conference_id": unknown}),
        400,
        "conference_id",
        "unknown conference",
    )
    assert_refused(
        vendors.post("/vendors", {"conference_id": unknown, "name": "X", "actor": "li"}),
        400,
        "conference_id",
    )
    assert_refused(
        vendors.post("/contracts", {**contract, "vendor_id": unknown}),
        400,
        "vendor_id",
        "no vendor",
    )
    # other mistakes a person makes
    assert_refused(
        vendors.post("/contracts", {**contract, "category": "fireworks"}), 400, "category"
    )
    assert_refused(vendors.post("/contracts", {**contract, "currency": "rmb"}), 400, "currency")
    assert_refused(vendors.post("/contracts", {**contract, "colour": "red"}), 400, "colour")
    assert_refused(
        checklist.post("/conferences", {**CONFERENCE, "ends_on": "2027-05-01"}),
        400,
        "ends_on",
        "before",
    )
    assert_refused(
        checklist.post("/conferences", {**CONFERENCE, "profile": "party"}), 400, "profile"
    )
    not_json = vendors.post("/contracts", b"{not json")
    assert not_json.status == 400 and "_body" in not_json.json["errors"]
    # signing a cancelled contract
    refused = sign(system, contract_id)
    assert refused.status == 409, refused
    assert refused.json["errors"]["contract_id"] == [
        f"contract {contract_id} is cancelled and cannot be signed"
    ]
    assert sign(system, str(uuid.uuid4())).status == 404
    bad_date = {"signed_on": "yesterday", "actor": "li"}
    assert_refused(vendors.post(f"/contracts/{contract_id}/sign", bad_date), 400, "signed_on")

    assert stored(system, "vendors") == vendors_before
    assert stored(system, "checklist") == checklist_before
    assert amqp.drain(vhost.uri, watch.name) == []
    assert ok(vendors.get(f"/contracts/{contract_id}"))["status"] == "cancelled"
    assert vendors.metric("huiwu_commands_total", command="DraftContract", outcome="invalid") >= 9
    assert vendors.metric("huiwu_commands_total", command="SignContract", outcome="conflict") == 1
