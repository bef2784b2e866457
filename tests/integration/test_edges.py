"""What a careless or hostile client sends at the edge: bodies too large, not JSON, nested
too deeply; unreadable characters; values beyond any conference. Each is refused with the
field and why (never a 500), and nothing is stored or published."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support import amqp
from tests.support.slice import SECTION_ONE, add_vendor, ok, open_conference
from tests.support.system import Response, ServiceProcess, wait_until

MIB = 1024 * 1024


def raw(service: ServiceProcess, path: str, body: bytes, content_type: str) -> Response:
    headers = {"Content-Type": content_type, **service.headers}
    request = urllib.request.Request(service.url + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return Response(reply.status, reply.read(), reply.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), error.headers.get("Content-Type", ""))
    except (ConnectionError, urllib.error.URLError) as error:  # a server may hang up early
        return Response(0, str(error).encode(), "")


def refused(response: Response, status: int, field: str, words: str = "") -> dict:
    assert response.status == status, response
    body = response.json
    assert field in body["errors"], body
    assert words in " ".join(map(str, body["errors"][field])).lower(), body
    return body


@pytest.fixture
def running(system, vhost):
    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    wait_until(lambda: system["vendors"].metric("huiwu_relay_lag", service="vendors") == 0)
    wait_until(lambda: system["checklist"].metric("huiwu_relay_lag", service="checklist") == 0)
    watch = amqp.capture(vhost.uri, "vendors", "test.edges")
    before = {n: system[n].metric("huiwu_events_stored", service=n) for n in system.services}
    yield system, conference_id, vendor_id
    assert {n: system[n].metric("huiwu_events_stored", service=n) for n in before} == before
    assert amqp.drain(vhost.uri, watch.name) == []  # and nothing was published


def contract(conference_id: str, vendor_id: str, **changes) -> dict:
    return {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "category": "venue",
        "title": "Main hall",
        "amount_minor": 12_000_000,
        "currency": "CNY",
        **changes,
    }


def test_bodies_too_large_not_json_or_nested_too_deeply_are_refused(running):
    system, conference_id, vendor_id = running
    vendors = system["vendors"]
    body = contract(conference_id, vendor_id)

    huge = json.dumps({**body, "title": "x" * (2 * MIB)}).encode()
    too_large = refused(raw(vendors, "/contracts", huge, "application/json"), 413, "_body")
    assert too_large["limit"] == MIB and "1048576 bytes" in too_large["message"]
    refused(raw(vendors, "/contracts", json.dumps(body).encode(), "text/plain"), 415, "_body")
    deep = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    refused(raw(vendors, "/contracts", deep, "application/json"), 400, "_body", "nested")
    refused(raw(vendors, "/contracts", b"[1, 2]", "application/json"), 400, "_body", "object")
    for outcome, count in (("invalid", 4),):
        assert vendors.metric("huiwu_commands_total", command="DraftContract", outcome=outcome) == (
            count
        )
    assert vendors.metric("huiwu_commands_total", command="DraftContract", outcome="error") == 0


def test_unreadable_characters_are_refused_where_they_are(running):
    system, conference_id, vendor_id = running
    vendors, checklist = system["vendors"], system["checklist"]
    for value in ("Hall\u0000A", "\ud800", "\u200b\u200b", "\u0007bell"):
        response = raw(
            vendors,
            "/contracts",
            json.dumps(contract(conference_id, vendor_id, title=value)).encode(),
            "application/json",
        )
        refused(response, 400, "title")
    refused(
        vendors.post("/vendors", {"conference_id": conference_id, "name": "\u200b"}),
        400,
        "name",
        "blank",
    )
    refused(
        vendors.post(
            "/vendors", {"conference_id": conference_id, "name": "A", "on_behalf_of": "li\u0000"}
        ),
        400,
        "on_behalf_of",
    )
    plan = checklist.get(f"/conferences/{conference_id}/plan?owner=%00")
    refused(plan, 400, "owner")


def test_values_beyond_any_conference_are_refused_with_their_range(running):
    system, conference_id, vendor_id = running
    vendors, checklist = system["vendors"], system["checklist"]
    for amount in (10**30, 2**63, -1):
        refused(
            vendors.post("/contracts", contract(conference_id, vendor_id, amount_minor=amount)),
            400,
            "amount_minor",
        )
    refused(
        vendors.post("/contracts", contract(conference_id, vendor_id, currency="ZZZ")),
        400,
        "currency",
        "iso 4217",
    )
    refused(
        vendors.post("/contracts", contract(conference_id, vendor_id, correlation_id="c" * 1000)),
        400,
        "correlation_id",
    )
    refused(
        vendors.post(
            "/vendors",
            {
                "conference_id": conference_id,
                "name": "A",
                "categories": ["venue"] * 50,
                "actor": "li",
            },
        ),
        400,
        "categories",
    )
    for day in ("0001-01-01", "9999-12-31"):
        opened = checklist.post(
            "/conferences",
            {
                "name": "Far",
                "starts_on": day,
                "ends_on": day,
                "city": "Hangzhou",
                "expected_attendance": 10,
                "profile": "academic",
                "actor": "wang",
            },
        )
        refused(opened, 400, "starts_on", "from 2000-01-01 to 2100-12-31")
        overdue = checklist.post(
            f"/conferences/{conference_id}/overdue", {"today": day, "actor": "wang"}
        )
        refused(overdue, 400, "today")
    plan = checklist.get(f"/conferences/{conference_id}/plan?due_from=0001-01-01")
    refused(plan, 400, "due_from")
    assert ok(checklist.get(f"/conferences/{conference_id}/plan?due_from=2026-01-01"))
