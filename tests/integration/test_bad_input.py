"""Bad input to every command: a clear error naming the field; nothing stored or published."""

import uuid
from collections import Counter

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
from tests.support.system import wait_until
from tests.support.upstream import consumed

OUTCOMES = ("ok", "invalid", "not_found", "conflict", "unavailable", "error")
STATUS_OUTCOME = {200: "ok", 201: "ok", 400: "invalid", 404: "not_found", 409: "conflict"}


def stored(system, service):
    return system[service].metric("huiwu_events_stored", service=service)


def assert_refused(response, status, field, words=""):
    assert response.status == status, response
    body = response.json
    assert field in body["errors"], body
    assert words in " ".join(body["errors"][field]).lower(), body


class Calls:
    """Every command call the test makes, by service, command and outcome, so that
    `huiwu_commands_total` can be compared exactly."""

    def __init__(self):
        self.made = Counter()

    def count(self, service, command, response, status):
        assert response.status == status, response
        self.made[service, command, STATUS_OUTCOME[status]] += 1
        return response

    def refused(self, service, command, response, status, field, words=""):
        assert_refused(response, status, field, words)
        self.made[service, command, STATUS_OUTCOME[status]] += 1

    def commands(self):
        return sorted({(service, command) for service, command, _ in self.made})


def test_bad_commands_are_refused_with_the_field_and_nothing_is_recorded(system, vhost):
    system.start("checklist", "vendors")
    vendors, checklist = system["vendors"], system["checklist"]
    calls = Calls()
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    ok(cancel(system, contract_id))
    for service, command in (
        ("checklist", "OpenConference"),
        ("vendors", "AddVendor"),
        ("vendors", "DraftContract"),
        ("vendors", "CancelContract"),
    ):
        calls.made[service, command, "ok"] += 1
    vendors_before = stored(system, "vendors")
    assert vendors_before == 3  # added, drafted, cancelled
    # The relay publishes after the reply, and checklist reacts to vendors' events after
    # that: wait for both to be done before taking what is stored and watching the exchange.
    wait_until(lambda: vendors.metric("huiwu_events_published", service="vendors") == 3)
    wait_until(lambda: consumed(checklist, "vendors", "processed") == 3)
    watch = amqp.capture(vhost.uri, "vendors", "test.watch")
    checklist_before = stored(system, "checklist")
    contract = {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "category": "venue",
        "title": "Hall",
        "amount_minor": 100,
        "actor": "li",
    }

    def draft(body, status, field, words=""):
        response = vendors.post("/contracts", body)
        calls.refused("vendors", "DraftContract", response, status, field, words)

    def open_(body, field, words=""):
        response = checklist.post("/conferences", body)
        calls.refused("checklist", "OpenConference", response, 400, field, words)

    # missing field
    draft({**contract, "title": None}, 400, "title")
    no_title = {k: v for k, v in contract.items() if k != "title"}
    draft(no_title, 400, "title", "missing")
    # the actor is the token's holder, never a field of the body
    response = vendors.post("/contracts", {**contract, "actor": "李总 (CEO)"}, as_="li")
    calls.refused("vendors", "DraftContract", response, 400, "actor", "on_behalf_of")
    # wrong type: amounts are integers in minor units, never strings or floats
    draft({**contract, "amount_minor": "100"}, 400, "amount_minor", "integer")
    draft({**contract, "amount_minor": 99.5}, 400, "amount_minor", "integer")
    open_({**CONFERENCE, "expected_attendance": "many"}, "expected_attendance")
    # negative amount
    draft({**contract, "amount_minor": -1}, 400, "amount_minor", "greater than or equal to 0")
    # unknown conference and vendor
    unknown = str(uuid.uuid4())
    draft({**contract, "conference_id": unknown}, 400, "conference_id", "unknown conference")
    calls.refused(
        "vendors",
        "AddVendor",
        vendors.post("/vendors", {"conference_id": unknown, "name": "X", "actor": "li"}),
        400,
        "conference_id",
    )
    draft({**contract, "vendor_id": unknown}, 400, "vendor_id", "no vendor")
    # other mistakes a person makes
    draft({**contract, "category": "fireworks"}, 400, "category")
    draft({**contract, "currency": "rmb"}, 400, "currency")
    draft({**contract, "colour": "red"}, 400, "colour")
    open_({**CONFERENCE, "ends_on": "2027-05-01"}, "ends_on", "before")
    open_({**CONFERENCE, "profile": "party"}, "profile")
    draft(b"{not json", 400, "_body")
    # signing a cancelled contract
    refused = calls.count("vendors", "SignContract", sign(system, contract_id), 409)
    assert refused.json["errors"]["contract_id"] == [
        f"contract {contract_id} is cancelled and cannot be signed"
    ]
    calls.count("vendors", "SignContract", sign(system, str(uuid.uuid4())), 404)
    bad_date = {"signed_on": "yesterday", "actor": "li"}
    calls.refused(
        "vendors",
        "SignContract",
        vendors.post(f"/contracts/{contract_id}/sign", bad_date),
        400,
        "signed_on",
    )

    assert stored(system, "vendors") == vendors_before
    assert stored(system, "checklist") == checklist_before
    assert amqp.drain(vhost.uri, watch.name) == []
    assert ok(vendors.get(f"/contracts/{contract_id}"))["status"] == "cancelled"
    assert calls.made["vendors", "DraftContract", "invalid"] == 12  # the calls above
    for service, command in calls.commands():  # each outcome exactly as often as made
        for outcome in OUTCOMES:
            found = system[service].metric("huiwu_commands_total", command=command, outcome=outcome)
            assert found == calls.made[service, command, outcome], (command, outcome)
