"""A command retried with its Idempotency-Key gets the first answer, on both stores: a
client that lost the reply to a sign does not get a 409 for its own retry."""

from __future__ import annotations

from tests.support.rpc import read_log
from tests.support.slice import SECTION_ONE, add_vendor, draft_contract, ok, open_conference


def test_a_retried_sign_gets_the_first_answer_and_signs_once(system, vhost):
    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    contract_id = draft_contract(system, conference_id, add_vendor(system, conference_id))
    vendors = system["vendors"]
    sign = f"/contracts/{contract_id}/sign"
    body = {"signed_on": "2026-12-01"}
    key = {"Idempotency-Key": "sign-7f3a"}

    first = vendors.post(sign, body, headers=key)
    retry = vendors.post(sign, body, headers=key)

    assert ok(first)["status"] == "signed"
    assert (retry.status, retry.raw) == (first.status, first.raw)
    signed = [e for e in read_log(vhost.uri, "vendors") if e["event_type"] == "ContractSigned"]
    assert len(signed) == 1
    # Without the key (or with a new one) it is a second sign, which the domain refuses.
    assert vendors.post(sign, body).status == 409
    assert vendors.post(sign, body, headers={"Idempotency-Key": "sign-other"}).status == 409
    # The same key for another request is a mistake, named.
    other = vendors.post(sign, {"signed_on": "2026-12-02"}, headers=key)
    assert other.status == 400
    assert "Idempotency-Key" in other.json["errors"]
    # Keys are per token: another holder's same key is their own.
    assert vendors.post(sign, body, headers=key, as_="wang").status == 409


def test_a_bad_key_is_refused_and_nothing_is_done(system, vhost):
    system.start("checklist", "vendors")
    conference_id = open_conference(system, **SECTION_ONE)
    before = len(read_log(vhost.uri, "vendors"))

    answer = system["vendors"].post(
        "/vendors",
        {"conference_id": conference_id, "name": "Hall", "categories": ["venue"]},
        headers={"Idempotency-Key": "has spaces"},
    )

    assert answer.status == 400
    assert list(answer.json["errors"]) == ["Idempotency-Key"]
    assert len(read_log(vhost.uri, "vendors")) == before
