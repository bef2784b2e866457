"""Identity at the edge, against real services: every request needs a token, each role may
do what the policy table says about every endpoint, tokens end when revoked or expired,
and the actor of every event is the token's holder."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import urllib.parse

import pytest

from services import policy
from services.common import registry
from tests.support import amqp
from tests.support.slice import (
    SECTION_ONE,
    add_vendor,
    draft_contract,
    ok,
    open_conference,
    wait_for_status,
)
from tests.support.system import http, wait_until

PUBLIC = {("GET", "/health"), ("GET", "/metrics")}
# Reads whose conference is a query parameter: a token of one conference must name it.
QUERY = {
    "ShowAudit": "?conference_id={conference_id}",
    "GetPlanAsOf": "?at={at}",
    "GetEntryAsOf": "?at={at}",
    "GetAggregateAsOf": "?at={at}",
}
SERVICES = ("checklist", "vendors", "reporting")


def routes(service: str) -> list[tuple[str, str, str | None]]:
    """(method, path, command name) of every HTTP endpoint the service class declares."""
    module = importlib.import_module(f"{registry.load().spec(service).package}.service")
    found = []
    for _, method in inspect.getmembers(module.Service):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if hasattr(entrypoint, "url"):
                found.append(
                    (entrypoint.method, entrypoint.url, getattr(method, "huiwu_command", None))
                )
    return sorted(found)


def concrete(path: str, values: dict[str, str]) -> str:
    return re.sub(r"<string:(\w+)>", lambda m: values[m.group(1)], path)


@pytest.fixture
def running(sqlite_system):
    system = sqlite_system.start(*SERVICES)
    conference_id = open_conference(system, **SECTION_ONE)
    vendor_id = add_vendor(system, conference_id)
    contract_id = draft_contract(system, conference_id, vendor_id)
    values = {
        "conference_id": conference_id,
        "vendor_id": vendor_id,
        "contract_id": contract_id,
        "code": "1.3.5",
        "aggregate_id": contract_id,  # as-of: vendors has it, the others answer 404
        "ident": contract_id,  # a trace of something the trail does not hold: 404
        "at": urllib.parse.quote(dt.datetime.now(dt.UTC).isoformat()),  # as-of: all made by now
    }
    return system, values


def test_every_endpoint_but_health_and_metrics_needs_a_token(running):
    system, values = running
    for service in SERVICES:
        process = system[service]
        for method, path, _ in routes(service):
            url = process.url + concrete(path, values)
            body = {} if method == "POST" else None
            answer = http(method, url, body)
            if (method, path) in PUBLIC:
                assert answer.status == 200, (service, path, answer)
                continue
            assert answer.status == 401, (service, method, path, answer)
            assert answer.json["error"] == "Unauthenticated"
            for header in (
                "Bearer nonsense",
                "Basic bGk6bGk=",
                "Bearer hw_0123456789ab_" + "x" * 43,
            ):
                answer = http(method, url, body, headers={"Authorization": header})
                assert answer.status == 401, (service, path, header, answer)


def test_each_role_may_reach_exactly_the_endpoints_the_table_gives_it(running):
    system, values = running
    conference_id = values["conference_id"]
    checked = 0
    for role in policy.ROLES:
        scoped = conference_id if role in policy.NEEDS_CONFERENCE else None
        token = system.token(f"{role}-holder", role, scoped)
        for service in SERVICES:
            for method, path, name in routes(service):
                if (method, path) in PUBLIC:
                    continue
                body = {} if method == "POST" else None
                answer = http(
                    method,
                    system[service].url
                    + concrete(path, values)
                    + QUERY.get(name, "").format(**values),
                    body,
                    headers={"Authorization": f"Bearer {token}"},
                )
                allowed = role in policy.rule_for(name).roles
                if allowed:
                    assert answer.status not in (401, 403), (role, name, answer)
                else:
                    assert answer.status == 403, (role, name, answer)
                    refusal = answer.json
                    assert refusal["command"] == name
                    assert role in refusal["message"]
                checked += 1
    assert checked > 25 * len(policy.ROLES)
    # Refusals are counted per command, and logged with the token's id, not the token.
    assert system["vendors"].metric(
        "huiwu_commands_total", command="SignContract", outcome="forbidden"
    ) >= len(policy.ROLES) - len(policy.rule_for("SignContract").roles)


def test_a_token_of_one_conference_acts_on_it_alone(running):
    system, values = running
    mine = values["conference_id"]
    other = open_conference(system, **SECTION_ONE)
    other_vendor = add_vendor(system, other)
    other_contract = draft_contract(system, other, other_vendor)
    organizer = system.token("zhou", "organizer", mine)
    vendors = system["vendors"]

    refused = vendors.post(
        f"/contracts/{other_contract}/sign", {"signed_on": "2026-12-01"}, token=organizer
    )
    assert refused.status == 403, refused
    assert f"is about {other}" in refused.json["message"]
    assert vendors.get(f"/contracts/{other_contract}", token=organizer).status == 403
    assert system["checklist"].get(f"/conferences/{other}/plan", token=organizer).status == 403
    assert ok(vendors.get(f"/contracts/{other_contract}"))["status"] == "draft"  # nothing done

    signed = vendors.post(
        f"/contracts/{values['contract_id']}/sign", {"signed_on": "2026-12-01"}, token=organizer
    )
    assert ok(signed)["status"] == "signed"
    assert ok(signed)["signed_by"] == "zhou"


def test_an_owner_role_acts_on_the_entries_of_its_role_or_that_it_owns(running):
    system, values = running
    conference_id = values["conference_id"]
    checklist = system["checklist"]
    venue = system.token("li.na", "venue", conference_id)
    progress = {"state": "in_progress", "percent": 30, "note": "two quotes in"}
    entries = ok(checklist.get(f"/conferences/{conference_id}/plan"))["entries"]
    venue_code = next(e["code"] for e in entries if e["owner_role"] == "venue")
    other_code = next(e["code"] for e in entries if e["owner_role"] != "venue")
    base = f"/conferences/{conference_id}/entries"

    assert ok(checklist.post(f"{base}/{venue_code}/progress", progress, token=venue))
    refused = checklist.post(f"{base}/{other_code}/progress", progress, token=venue)
    assert refused.status == 403, refused
    assert "owned by nobody" in refused.json["message"]
    # Assigned to li.na, the entry is hers to work on.
    member = {"member_id": "li.na", "name": "Li Na", "roles": ["venue"]}
    ok(checklist.post(f"/conferences/{conference_id}/team", member), 201)
    ok(
        checklist.post(
            f"/conferences/{conference_id}/assignments",
            {"member_id": "li.na", "codes": [other_code]},
        )
    )
    answer = ok(checklist.post(f"{base}/{other_code}/progress", progress, token=venue))
    assert answer["recorded_progress"]["percent"] == 30
    # An owner role never waives, whatever the entry.
    assert (
        checklist.post(f"{base}/{venue_code}/waive", {"reason": "not needed"}, token=venue).status
        == 403
    )


def test_revoked_and_expired_tokens_are_refused_by_every_service(running):
    system, values = running
    token = system.token("temp", "auditor")
    for service in SERVICES:
        assert system[service].get("/events/catalog", token=token).status == 200

    system.identities.revoke(token)

    def refused_everywhere():
        answers = [system[s].get("/events/catalog", token=token) for s in SERVICES]
        return all(a.status == 401 for a in answers) and answers

    answers = wait_until(refused_everywhere, timeout=10)
    assert all(a.json["message"] == "the token was revoked" for a in answers)

    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    expired = system.token("late", "auditor", expires_at=past)
    answer = system["vendors"].get("/events/catalog", token=expired)
    assert (answer.status, answer.json["message"]) == (401, "the token has expired")


def test_the_actor_is_the_tokens_holder_and_acting_for_another_records_both(running, vhost):
    system, values = running
    watch = amqp.capture(vhost.uri, "vendors", "test.identity")
    vendors = system["vendors"]
    body = {"signed_on": "2026-12-01", "on_behalf_of": "李总 (CEO)"}

    signed = ok(vendors.post(f"/contracts/{values['contract_id']}/sign", body, as_="li"))
    assert signed["signed_by"] == "li"

    def published():
        found = [
            e for e, _ in amqp.drain(vhost.uri, watch.name) if e["event_type"] == "ContractSigned"
        ]
        return found and found[0]

    event = wait_until(published)
    assert (event["actor"], event["on_behalf_of"]) == ("li", "李总 (CEO)")
    wait_for_status(system, values["conference_id"], "1.3.5", "verified")

    def in_the_trail():
        trail = ok(system["reporting"].get(f"/audit?conference_id={values['conference_id']}"))
        found = [e for e in trail["events"] if e["event_type"] == "ContractSigned"]
        return found and found[0]

    kept = wait_until(in_the_trail)
    assert (kept["actor"], kept["on_behalf_of"]) == ("li", "李总 (CEO)")
    # A body cannot name the actor.
    forged = vendors.post(
        "/vendors",
        {
            "conference_id": values["conference_id"],
            "name": "X",
            "categories": ["venue"],
            "actor": "李总",
        },
        as_="li",
    )
    assert forged.status == 400
    assert "on_behalf_of" in forged.json["errors"]["actor"][0]


def test_no_token_reaches_a_log(running):
    system, values = running
    token = system.token("careless", "venue", values["conference_id"])
    answer = system["checklist"].post(
        f"/conferences/{values['conference_id']}/entries/1.3.5/waive", {"reason": "x"}, token=token
    )
    assert answer.status == 403
    secret = token.split("_", 2)[2]  # hw_<id>_<secret>: the secret may itself hold "_"
    token_id = token.split("_")[1]
    wait_until(lambda: token_id in system["checklist"].log_tail(200))  # the refusal, logged
    assert secret not in system.logs() and secret not in system["checklist"].log_tail(2000)
