"""Follow a cause: the trace of a sign command shows ContractSigned and every event it
caused in checklist, and nothing else, whether asked by event id or by correlation id."""

from __future__ import annotations

from tests.support.slice import ok, signed_venue_contract, wait_for_status
from tests.support.system import wait_until


def flatten(nodes, depth=0):
    for node in nodes:
        yield depth, node
        yield from flatten(node["caused"], depth + 1)


def test_the_trace_of_a_sign_is_the_signature_and_all_it_caused(system):
    system.start("checklist", "vendors", "reporting")
    reporting = system["reporting"]
    conference_id, contract_id = signed_venue_contract(system)
    wait_for_status(system, conference_id, "1.3.5", "verified")

    def trail():
        return ok(reporting.get(f"/audit?conference_id={conference_id}"))["events"]

    signed = wait_until(
        lambda: next((e for e in trail() if e["event_type"] == "ContractSigned"), None)
    )
    caused = wait_until(
        lambda: [e for e in trail() if e["causation_id"] == signed["event_id"]] or None
    )
    assert "EntryVerified" in {e["event_type"] for e in caused}

    auditor = {"as_": None, "token": system.token("audrey", "auditor")}
    traced = ok(reporting.get(f"/audit/trace/{signed['event_id']}", **auditor))
    by_correlation = ok(reporting.get(f"/audit/trace/{signed['correlation_id']}", **auditor))

    assert traced["by"] == "event_id" and by_correlation["by"] == "correlation_id"
    for answer in (traced, by_correlation):
        events = list(flatten(answer["roots"]))
        assert [(d, e["event_id"]) for d, e in events if d == 0] == [(0, signed["event_id"])]
        below = {e["event_id"] for d, e in events if d > 0}
        everything = trail()
        ids = {signed["event_id"]} | below
        # exactly the events whose causes lead back to the signature
        assert below == {e["event_id"] for e in everything if e["causation_id"] in ids}
        assert {e["service"] for d, e in events if d > 0} == {"checklist"}
        assert answer["events"] == len(events) and not answer["truncated"]
        verified = [e for _, e in events if e["event_type"] == "EntryVerified"]
        assert verified and all(e["aggregate_type"] == "Entry" for e in verified)

    assert reporting.get("/audit/trace/no-such-thing", **auditor).status == 404
    organizer = system.token("li", "organizer", conference_id)
    assert (
        reporting.get(f"/audit/trace/{signed['event_id']}", as_=None, token=organizer).status == 403
    )
