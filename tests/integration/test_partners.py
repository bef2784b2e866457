"""Partners against real processes, on both stores: a co-organiser joined over HTTP, its
cash share agreed, its cash and a government grant booked as income on line
`contributions` with their source (in the ledger and the settlement statement), cash past
what was agreed and bad input refused by field with nothing stored, and checklist's 2.1.5
(every partner's share agreed) verified by the events; what a partner gives in kind
received with its proof, shown beside its cash and in the settlement statement as revenue
in kind (never income), refused for a cash-only or withdrawn partner."""

from __future__ import annotations

from tests.integration.test_budget import huiwu
from tests.support.rpc import read_log
from tests.support.slice import ok
from tests.support.slice import open_conference as open_conference_
from tests.support.system import wait_until
from tests.support.upstream import wait_entry

SECTIONS = {"exclude": [str(n) for n in range(1, 25) if n != 2]}


def receipt(amount_minor: int, source: str) -> dict:
    return {
        "amount_minor": amount_minor,
        "currency": "CNY",
        "received_on": "2027-03-01",
        "source": source,
        "actor": "qian.li",
    }


def test_a_partners_cash_and_grant_are_income_and_its_share_verifies_2_1_5(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    before = budget.metric("huiwu_events_stored", service="budget")
    bad = budget.post(f"{at}/partners", {"partner": "X", "role": "sponsor", "actor": "li"})
    assert bad.status == 400 and "role" in bad.json["errors"], bad
    assert budget.metric("huiwu_events_stored", service="budget") == before

    body = {"partner": "浙江省医学会", "role": "co_organiser", "actor": "li"}
    partner_id = ok(budget.post(f"{at}/partners", body), 201)["partner_id"]
    step = f"/partners/{partner_id}"
    share = {"form": "cash", "amount_minor": 10_000_000, "currency": "CNY", "share_bp": 2500}
    ok(budget.post(f"{step}/contribution", {**share, "actor": "qian.li"}))
    ok(budget.post(f"{step}/receipts", receipt(6_000_000, "contribution")))
    shown = ok(budget.post(f"{step}/receipts", receipt(4_000_000, "grant")))
    assert shown["received_minor"] == 10_000_000

    before = budget.metric("huiwu_events_stored", service="budget")
    past = budget.post(f"{step}/receipts", receipt(1, "grant"))
    assert past.status == 400 and "amount_minor" in past.json["errors"], past
    assert budget.metric("huiwu_events_stored", service="budget") == before

    entries = ok(budget.get(f"{at}/ledger/entries"))["entries"]
    assert sorted((e["source"], e["amount_minor"]) for e in entries) == [
        ("contribution", 6_000_000),
        ("grant", 4_000_000),
    ]
    assert ok(budget.get(f"{at}/settlement"))["income_minor"] == 10_000_000
    wait_entry(system, conference_id, "2.1.5", timeout=60.0, status="verified", members=1)

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        shown_text = huiwu(system, "partner", "show", partner_id)
        assert "浙江省医学会" in shown_text and "100,000.00 CNY" in shown_text


HALL = {
    "kind": "venue",
    "description": "报告厅两天",
    "value_minor": 8_000_000,
    "currency": "CNY",
    "received_on": "2027-05-10",
    "proof_ref": "venue-handover-0510",
    "actor": "qian.li",
}


def test_what_a_partner_gives_in_kind_is_revenue_in_kind_with_its_proof(system):
    system.start("checklist", "budget")
    budget = system["budget"]
    conference_id = open_conference_(system, **SECTIONS)
    at = f"/conferences/{conference_id}"
    wait_until(lambda: budget.get(f"{at}/ledger").status == 200)

    def partner(name: str, form: str) -> str:
        body = {"partner": name, "role": "supporter", "actor": "li"}
        partner_id = ok(budget.post(f"{at}/partners", body), 201)["partner_id"]
        share = {"form": form, "actor": "qian.li"}
        if form != "in_kind":
            share.update(amount_minor=2_000_000, currency="CNY")
        ok(budget.post(f"/partners/{partner_id}/contribution", share))
        return partner_id

    mixed, cash_only, leaving = (
        partner("某大学", "mixed"),
        partner("某学会", "cash"),
        partner("某医院", "in_kind"),
    )
    ok(budget.post(f"/partners/{leaving}/withdraw", {"reason": "merged", "actor": "li"}))

    before = budget.metric("huiwu_events_stored", service="budget")
    for partner_id, says in (
        (cash_only, "agreed no contribution in kind (agreed: cash)"),
        (leaving, "has withdrawn"),
    ):
        refused = budget.post(f"/partners/{partner_id}/in-kind", HALL)
        assert refused.status == 409 and "partner_id" in refused.json["errors"], refused
        assert says in refused.json["message"], refused.json
    for bad, field in (({"value_minor": 0}, "value_minor"), ({"proof_ref": ""}, "proof_ref")):
        refused = budget.post(f"/partners/{mixed}/in-kind", {**HALL, **bad})
        assert refused.status == 400 and field in refused.json["errors"], refused
    assert budget.metric("huiwu_events_stored", service="budget") == before

    ok(budget.post(f"/partners/{mixed}/receipts", receipt(2_000_000, "contribution")))
    shown = ok(budget.post(f"/partners/{mixed}/in-kind", HALL))
    assert (shown["received_minor"], shown["in_kind_received_minor"]) == (2_000_000, 8_000_000)
    assert shown["in_kind_received"][0]["proof_ref"] == "venue-handover-0510"
    assert ok(budget.get(f"/partners/{mixed}"))["in_kind_received_minor"] == 8_000_000

    statement = ok(budget.get(f"{at}/settlement"))
    [line] = [x for x in statement["lines"] if x["line"] == "contributions"]
    assert (line["income_minor"], line["in_kind_minor"]) == (2_000_000, 8_000_000)
    assert (statement["income_minor"], statement["in_kind_minor"]) == (2_000_000, 8_000_000)
    entries = ok(budget.get(f"{at}/ledger/entries"))["entries"]
    assert [e["amount_minor"] for e in entries] == [2_000_000]  # the cash alone
    [published] = [
        e
        for e in read_log(system.amqp_uri, "budget")
        if e["event_type"] == "PartnerContributionInKindReceived"
    ]
    assert published["aggregate_id"] == mixed
    assert published["payload"]["partner_id"] == mixed
    assert published["payload"]["proof_ref"] == "venue-handover-0510"
    assert published["payload"]["received_on"] == "2027-05-10"

    if "HUIWU_DATA_DIR" in system.store_env:  # the command line once: the store is no matter
        shown_text = huiwu(system, "partner", "show", mixed)
        assert "80,000.00 CNY" in shown_text and "20,000.00 CNY" in shown_text
        settlement_text = huiwu(system, "settlement", "show", conference_id)
        assert "IN KIND" in settlement_text and "received in kind" in settlement_text
