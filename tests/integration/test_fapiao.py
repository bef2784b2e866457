"""Fapiao of registration fees against the real broker, on both stores: requested for an
order's paid money, issued, handed over on site, listed with their state, reversed by a
red-letter fapiao before the refund completes; bad input refused by field with nothing
stored; requests racing for one order's money never invoicing more than it paid; 10.1.5
verified by the events published; the command line doing the same."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.support import amqp
from tests.support.rpc import read_log
from tests.support.slice import entry, ok, open_conference, wait_for_status
from tests.support.system import ROOT, wait_until

from .test_registration import attendee, fee, order

TAX_ID = "91350100M000100Y43"
SPECIAL = {
    "fapiao_type": "vat_special",
    "buyer_name": "福州某某科技有限公司",
    "buyer_tax_id": TAX_ID,
    "buyer_address": "福州市鼓楼区五四路1号",
    "buyer_phone": "0591-12345678",
    "buyer_bank": "招商银行福州分行",
    "buyer_account": "591900000000001",
}
DAY = "2027-03-06"
FULL = {"category": "delegate", "ticket_type": "full", "label": "全程", "price_minor": 280_000}


def huiwu(system, token, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "huiwu.cli", *args],
        cwd=ROOT,
        env={**system.env(), "HUIWU_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done
    return done.stdout


def stored(system) -> int:
    return len(read_log(system.amqp_uri, "registration"))


def test_fapiao_from_request_to_red_letter_reversal(system):
    system.start("checklist", "registration", "budget")
    registration = system["registration"]
    events = amqp.capture(system.amqp_uri, "registration", "fapiao-test-events")
    # sections 2 and 10: 2.4.2 asks every registration income to carry its fapiao, 10.1.5
    # every fapiao requested to be issued
    keep = ("2", "10")
    conference_id = open_conference(
        system, exclude=[str(n) for n in range(1, 25) if str(n) not in keep]
    )
    finance = system.token("zhou", "finance", conference_id)
    desk = system.token("chen", "registration", conference_id)
    ok(registration.post(f"/conferences/{conference_id}/fees", {"categories": [fee(FULL)]}))
    placed = ok(
        registration.post(
            "/orders",
            order(
                conference_id,
                attendee("wang@example.cn"),
                attendee("li@example.cn", name="李娜"),
                buyer_kind="organisation",
                buyer_organisation="福州某某科技有限公司",
            ),
        ),
        201,
    )
    order_id = placed["order_id"]
    base = f"/conferences/{conference_id}"
    requests = f"{base}/orders/{order_id}/fapiao"

    # nothing paid yet: nothing to invoice
    unpaid = registration.post(requests, SPECIAL, token=desk)
    assert unpaid.status == 409 and "order_id" in unpaid.json["errors"]
    pay = {"method": "bank_transfer", "currency": "CNY", "received_on": "2027-03-02"}
    ok(registration.post(f"/orders/{order_id}/payments", {**pay, "amount_minor": 560_000}))

    # bad input: a 400 naming the field, nothing stored; no token: 401; wrong role: 403
    before = stored(system)
    for body, field in [
        ({**SPECIAL, "buyer_tax_id": "91350100M000100Y44"}, "buyer_tax_id"),  # check char
        ({**SPECIAL, "buyer_tax_id": "91350100M000100Y4"}, "buyer_tax_id"),  # 17 characters
        ({k: v for k, v in SPECIAL.items() if k != "buyer_bank"}, "buyer_bank"),
        ({**SPECIAL, "amount_minor": 560_001}, "amount_minor"),  # over-invoicing
        ({**SPECIAL, "amount_minor": "5600"}, "amount_minor"),
        ({**SPECIAL, "tax_rate_bp": 6}, "tax_rate_bp"),
    ]:
        refused = registration.post(requests, body, token=desk)
        assert refused.status == 400 and field in refused.json["errors"], (field, refused)
    assert registration.post(requests, SPECIAL, token="").status == 401
    other = registration.post(
        f"/conferences/{open_conference(system)}/orders/{order_id}/fapiao", SPECIAL
    )
    assert other.status == 404 and "order_id" in other.json["errors"]
    assert stored(system) == before

    # a deposit's fapiao, then the rest; a third finds nothing left
    first = ok(registration.post(requests, {**SPECIAL, "amount_minor": 200_000}, token=desk), 201)
    rest = ok(registration.post(requests, SPECIAL, token=desk), 201)
    assert (first["gross_minor"], rest["gross_minor"], rest["tax_rate_bp"]) == (
        200_000,
        360_000,
        600,
    )
    assert registration.post(requests, SPECIAL, token=desk).status == 409
    wait_for_status(system, conference_id, "10.1.5", "in_progress")  # members, none issued

    # issued (not by the registration desk: finance), the amounts split exactly
    issue = {
        "fapiao_number": "25312000000012345678",
        "medium": "digital",
        "issued_on": "2027-03-05",
    }
    path = f"{base}/fapiao/{first['fapiao_id']}"
    assert registration.post(f"{path}/issue", issue, token=desk).status == 403
    issued = ok(registration.post(f"{path}/issue", issue, token=finance))["issue"]
    assert (issued["net_minor"], issued["tax_minor"]) == (188_679, 11_321)
    assert registration.post(f"{path}/issue", issue, token=finance).status == 409
    rest_path = f"{base}/fapiao/{rest['fapiao_id']}"
    unissued = registration.post(
        f"{rest_path}/reverse",
        {
            "red_fapiao_number": "25312000000012349999",
            "reason": "error",
            "reversed_on": "2027-03-06",
        },
        token=finance,
    )
    assert unissued.status == 409 and "fapiao_id" in unissued.json["errors"]
    issue2 = {**issue, "fapiao_number": "25312000000012345680"}
    ok(registration.post(f"{rest_path}/issue", issue2, token=finance))
    # 10.1.5 is continuous work: it closes when its rule holds on the day after it is due
    wait_until(lambda: entry(system, conference_id, "10.1.5")["progress"]["percent"] == 100)
    ok(system["checklist"].post(f"{base}/overdue", {"today": "2027-05-15"}))
    wait_for_status(system, conference_id, "10.1.5", "verified")

    hand = {"how": "onsite", "handed_on": "2027-05-12", "signed_for": True, "handed_to": "王磊"}
    ok(registration.post(f"{path}/hand-over", hand, token=desk))
    listed = ok(registration.get(f"{base}/fapiao", token=finance))["fapiao"]
    assert [(f["fapiao_id"], f["state"]) for f in listed] == [
        (first["fapiao_id"], "handed_over"),
        (rest["fapiao_id"], "issued"),
    ]
    handed = ok(registration.get(f"{base}/fapiao?state=handed_over", token=finance))
    assert [f["fapiao_id"] for f in handed["fapiao"]] == [first["fapiao_id"]]

    # the refund of the whole order waits for the red-letter fapiao
    refunds = ok(
        registration.post(
            f"/orders/{order_id}/refunds", {"amount_minor": 560_000, "reason": "event_changed"}
        )
    )["refunds"]
    complete = f"/orders/{order_id}/refunds/{refunds[0]['refund_id']}/complete"
    done = {"method": "bank_transfer", "completed_on": "2027-03-07"}
    waiting = registration.post(complete, done, token=finance)
    assert waiting.status == 409 and "refund_id" in waiting.json["errors"]
    for fapiao_path, red in ((path, "25312000000012349998"), (rest_path, "25312000000012349997")):
        red_letter = {"red_fapiao_number": red, "reason": "refund", "reversed_on": "2027-03-07"}
        ok(registration.post(f"{fapiao_path}/reverse", red_letter, token=finance))
    ok(registration.post(complete, done, token=finance))
    left = ok(registration.get(requests, token=finance))
    assert (left["invoiceable_minor"], left["open"]) == (0, 0)

    # published, each fapiao's events on its own aggregate, amounts adding up
    wanted = {"FapiaoRequested", "FapiaoIssued", "FapiaoHandedOver", "FapiaoReversed"}
    seen: list[dict] = []
    wait_until(
        lambda: (
            seen.extend(b for b, _ in amqp.drain(system.amqp_uri, events.name))
            or wanted <= {e["event_type"] for e in seen}
            and sum(e["event_type"] == "FapiaoReversed" for e in seen) == 2
        )
    )
    fapiao_events = [e for e in seen if e["event_type"] in wanted]
    assert {e["aggregate_type"] for e in fapiao_events} == {"Fapiao"}
    for e in fapiao_events:
        p = e["payload"]
        if "net_minor" in p:
            assert p["net_minor"] + p["tax_minor"] == p["gross_minor"]
    handover = next(e for e in fapiao_events if e["event_type"] == "FapiaoHandedOver")
    assert handover["payload"]["signed_for"] is True and "handed_to" not in handover["payload"]

    # six requests at once for one order paid 2800.00, 1000.00 each: two are stored
    raced = ok(registration.post("/orders", order(conference_id, attendee("qian@example.cn"))), 201)
    race_path = f"{base}/orders/{raced['order_id']}/fapiao"
    ok(registration.post(f"/orders/{raced['order_id']}/payments", {**pay, "amount_minor": 280_000}))
    plain = {"fapiao_type": "vat_ordinary", "buyer_name": "钱七", "amount_minor": 100_000}
    with ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(lambda _: registration.post(race_path, plain, token=desk).status, range(6))
        )
    assert Counter(statuses) == {201: 2, 400: 4}
    race = ok(registration.get(race_path, token=finance))
    assert (len(race["fapiao"]), race["invoiceable_minor"], race["open"]) == (2, 80_000, 2)

    # the command line: a new order invoiced as an individual's ordinary fapiao
    again = ok(registration.post("/orders", order(conference_id, attendee("zhao@example.cn"))), 201)
    ok(registration.post(f"/orders/{again['order_id']}/payments", {**pay, "amount_minor": 280_000}))
    text = huiwu(
        system,
        finance,
        "--json",
        "fapiao",
        "request",
        conference_id,
        again["order_id"],
        "--type",
        "vat_ordinary",
        "--buyer",
        "赵六",
        "--amount",
        "2800.00",
    )
    fapiao_id = json.loads(text)["fapiao_id"]
    shown = huiwu(
        system,
        finance,
        "fapiao",
        "issue",
        conference_id,
        fapiao_id,
        "--number",
        "25312000000012345690",
        "--medium",
        "digital",
        "--on",
        "2027-03-08",
    )
    assert "2,641.51 CNY" in shown and "158.49 CNY" in shown
    listed_text = huiwu(system, finance, "fapiao", "list", conference_id, "--state", "issued")
    assert fapiao_id in listed_text and "25312000000012345690" in listed_text

    # budget: each registration income entry carries the number of the fapiao issued for
    # it, the income not counted twice; 2.4.2 closes once the race's order is invoiced too
    race_first = race["fapiao"][0]["fapiao_id"]
    race_issue = {**issue, "fapiao_number": "25312000000012345691"}
    ok(registration.post(f"{base}/fapiao/{race_first}/issue", race_issue, token=finance))
    budget = system["budget"]
    numbers = {
        raced["order_id"]: "25312000000012345691",
        again["order_id"]: "25312000000012345690",
        order_id: "25312000000012345678",
    }

    def invoiced():
        rows = ok(budget.get(f"{base}/ledger/entries"))["entries"]
        income = {r["source_ref"]: r for r in rows if r["kind"] == "income"}
        return (
            len(income) == 3 and all(r["fapiao"] == "received" for r in income.values()) and income
        )

    income = wait_until(invoiced)
    assert {ref: row["fapiao_number"] for ref, row in income.items()} == numbers
    ledger = ok(budget.get(f"{base}/ledger"))
    assert ledger["income_minor"] == 560_000  # 2800.00 twice, the refunded order's reversed
    wait_until(lambda: entry(system, conference_id, "2.4.2")["progress"]["percent"] == 100)
    ok(system["checklist"].post(f"{base}/overdue", {"today": "2027-06-14"}))
    wait_for_status(system, conference_id, "2.4.2", "verified")


def paid_order(system, section: int, email: str) -> tuple[str, str]:
    """A conference of one plan section, and an order of one attendee paid in full
    (2,800.00 CNY): its conference and order ids."""
    registration = system["registration"]
    conference_id = open_conference(system, exclude=[str(n) for n in range(1, 25) if n != section])
    ok(registration.post(f"/conferences/{conference_id}/fees", {"categories": [fee(FULL)]}))
    placed = ok(registration.post("/orders", order(conference_id, attendee(email))), 201)
    pay = {"method": "bank_transfer", "currency": "CNY", "received_on": "2027-03-02"}
    ok(
        registration.post(
            f"/orders/{placed['order_id']}/payments", {**pay, "amount_minor": 280_000}
        )
    )
    return conference_id, placed["order_id"]


def test_a_request_withdrawn_before_issue_frees_its_money_and_leaves_10_1_5(system):
    system.start("checklist", "registration")
    registration = system["registration"]
    conference_id, order_id = paid_order(system, section=10, email="wu@example.cn")
    finance = system.token("zhou", "finance", conference_id)
    venue = system.token("lin", "venue", conference_id)
    base = f"/conferences/{conference_id}"
    requests = f"{base}/orders/{order_id}/fapiao"
    plain = {"fapiao_type": "vat_ordinary", "buyer_name": "吴九"}
    first = ok(registration.post(requests, {**plain, "amount_minor": 200_000}, token=finance), 201)
    path = f"{base}/fapiao/{first['fapiao_id']}"
    wait_for_status(system, conference_id, "10.1.5", "in_progress")

    # refused: no reason, a blank one, a role that does not handle fapiao; nothing stored
    before = stored(system)
    for body in ({}, {"reason": "   "}):
        refused = registration.post(f"{path}/withdraw", body, token=finance)
        assert refused.status == 400 and "reason" in refused.json["errors"], refused
    assert registration.post(f"{path}/withdraw", {"reason": "x"}, token=venue).status == 403
    assert stored(system) == before

    withdrawn = ok(registration.post(f"{path}/withdraw", {"reason": "改开专票"}, token=finance))
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawal"]["reason"] == "改开专票"
    again = registration.post(f"{path}/withdraw", {"reason": "again"}, token=finance)
    assert again.status == 409 and "fapiao_id" in again.json["errors"]
    left = ok(registration.get(requests, token=finance))
    assert (left["invoiceable_minor"], left["open"]) == (280_000, 0)
    listed = ok(registration.get(f"{base}/fapiao?state=withdrawn", token=finance))["fapiao"]
    assert [f["fapiao_id"] for f in listed] == [first["fapiao_id"]]
    figures = ok(registration.post(f"{base}/orders/{order_id}/reconcile", {}, token=finance))
    assert figures["fapiao_open"] == 0
    envelope = next(
        e
        for e in read_log(system.amqp_uri, "registration")
        if e["event_type"] == "FapiaoRequestWithdrawn"
    )
    assert envelope["aggregate_id"] == first["fapiao_id"]
    assert envelope["payload"]["gross_minor"] == 200_000

    # the command line withdraws the next request; an issued fapiao is refused (reverse it)
    second = ok(registration.post(requests, plain, token=finance), 201)
    shown = huiwu(
        system,
        finance,
        "fapiao",
        "withdraw",
        conference_id,
        second["fapiao_id"],
        "--reason",
        "重复申请",
    )
    assert "withdrawn" in shown and "重复申请" in shown
    third = ok(registration.post(requests, plain, token=finance), 201)
    assert third["gross_minor"] == 280_000
    issue = {"fapiao_number": "25312000000012345700", "medium": "digital", "issued_on": DAY}
    ok(registration.post(f"{base}/fapiao/{third['fapiao_id']}/issue", issue, token=finance))
    issued = registration.post(
        f"{base}/fapiao/{third['fapiao_id']}/withdraw", {"reason": "late"}, token=finance
    )
    assert issued.status == 409 and "red-letter" in json.dumps(issued.json, ensure_ascii=False)
    # 10.1.5: the withdrawn requests are not waiting to be issued
    wait_until(lambda: entry(system, conference_id, "10.1.5")["progress"]["percent"] == 100)


def test_a_fapiao_reversed_in_parts_still_holds_the_rest_until_reversed_in_full(system):
    system.start("checklist", "registration")
    registration = system["registration"]
    conference_id, order_id = paid_order(system, section=15, email="sun@example.cn")
    finance = system.token("zhou", "finance", conference_id)
    base = f"/conferences/{conference_id}"
    requests = f"{base}/orders/{order_id}/fapiao"
    onsite = {"fapiao_type": "vat_ordinary", "buyer_name": "孙八", "delivery": "onsite"}
    deposit = ok(registration.post(requests, {**onsite, "amount_minor": 80_000}), 201)
    rest = ok(registration.post(requests, onsite), 201)
    paths = [f"{base}/fapiao/{f['fapiao_id']}" for f in (deposit, rest)]
    for path, number in zip(paths, ("25312000000012345701", "25312000000012345702"), strict=True):
        issue = {"fapiao_number": number, "medium": "digital", "issued_on": DAY}
        ok(registration.post(f"{path}/issue", issue, token=finance))
    hand = {"how": "onsite", "handed_on": "2027-05-12", "signed_for": True, "handed_to": "孙八"}
    ok(registration.post(f"{paths[0]}/hand-over", hand))

    def red(number, **extra):
        return {"red_fapiao_number": number, "reason": "discount", "reversed_on": DAY, **extra}

    # refused, nothing stored: no part, more than the fapiao holds, a red number used twice
    before = stored(system)
    for body in (
        red("25312000000012349901", amount_minor=0),
        red("25312000000012349901", amount_minor=200_001),
        red("25312000000012349901", amount_minor="100"),
    ):
        refused = registration.post(f"{paths[1]}/reverse", body, token=finance)
        assert refused.status == 400 and "amount_minor" in refused.json["errors"], refused
    assert stored(system) == before

    # a part taken back: the fapiao stands, issued, holding the rest
    partly = ok(
        registration.post(
            f"{paths[1]}/reverse", red("25312000000012349901", amount_minor=50_000), token=finance
        )
    )
    assert (partly["state"], partly["reversed_minor"], partly["held_minor"]) == (
        "issued",
        50_000,
        150_000,
    )
    taken = partly["reversal"]
    assert (taken["partial"], taken["net_minor"], taken["tax_minor"], taken["remaining_minor"]) == (
        True,
        47_170,
        2_830,
        150_000,
    )
    twice = registration.post(
        f"{paths[1]}/reverse", red("25312000000012349901", amount_minor=1), token=finance
    )
    assert twice.status == 409 and "red_fapiao_number" in twice.json["errors"]
    listed = ok(registration.get(f"{base}/fapiao?state=issued", token=finance))["fapiao"]
    assert [f["fapiao_id"] for f in listed] == [rest["fapiao_id"]]
    left = ok(registration.get(requests, token=finance))
    assert (left["invoiceable_minor"], left["open"]) == (50_000, 0)
    # 15.3.4: the partly reversed fapiao is still to hand over (one of two)
    wait_until(lambda: entry(system, conference_id, "15.3.4")["progress"]["percent"] == 50)

    # a refund of 1000.00: the issued fapiao cover 2300.00 > 1800.00 kept, so it waits
    refunds = ok(
        registration.post(
            f"/orders/{order_id}/refunds", {"amount_minor": 100_000, "reason": "other"}
        )
    )["refunds"]
    complete = f"/orders/{order_id}/refunds/{refunds[0]['refund_id']}/complete"
    done = {"method": "bank_transfer", "completed_on": "2027-03-07"}
    assert registration.post(complete, done, token=finance).status == 409
    shown = huiwu(
        system,
        finance,
        *("fapiao", "reverse", conference_id, rest["fapiao_id"]),
        *("--red-number", "25312000000012349902", "--reason", "refund", "--amount", "500.00"),
    )
    assert "1,000.00 CNY" in shown  # taken back in all
    ok(registration.post(complete, done, token=finance))
    reconciled = ok(registration.post(f"{base}/orders/{order_id}/reconcile", {}, token=finance))
    assert (reconciled["fapiao_open"], reconciled["outstanding_minor"]) == (0, 0)

    # the rest reversed: reversed in full, no longer this entry's; 15.3.4 holds
    whole = ok(registration.post(f"{paths[1]}/reverse", red("25312000000012349903"), token=finance))
    assert (whole["state"], whole["held_minor"], whole["reversal"]["gross_minor"]) == (
        "reversed",
        0,
        100_000,
    )
    assert [r["gross_minor"] for r in whole["reversals"]] == [50_000, 50_000, 100_000]
    wait_until(lambda: entry(system, conference_id, "15.3.4")["progress"]["percent"] == 100)
    reversed_ = ok(registration.get(f"{base}/fapiao?state=reversed", token=finance))["fapiao"]
    assert [f["fapiao_id"] for f in reversed_] == [rest["fapiao_id"]]
