"""`huiwu fapiao` against a fake registration service: what each command sends (exact
minor units, only the fields given) and what it prints."""

from __future__ import annotations

from tests.unit.test_cli_registration import CONFERENCE_ID, ORDER_ID, fake, run  # noqa: F401

FAPIAO_ID = "c0ffee00-0000-4000-8000-000000000009"
BASE = f"/conferences/{CONFERENCE_ID}"
FAPIAO = {
    "fapiao_id": FAPIAO_ID,
    "order_id": ORDER_ID,
    "state": "issued",
    "fapiao_type": "vat_special",
    "buyer_name": "福州某某科技有限公司",
    "buyer_tax_id": "91350100M000100Y43",
    "gross_minor": 280_000,
    "tax_rate_bp": 600,
    "currency": "CNY",
    "issue": {"fapiao_number": "25312000000012345678", "net_minor": 264_151, "tax_minor": 15_849},
}


def test_request_sends_the_buyer_and_an_exact_amount(fake, capsys):  # noqa: F811
    fake.routes[("POST", f"{BASE}/orders/{ORDER_ID}/fapiao")] = (201, FAPIAO)
    code, out, _ = run(
        capsys,
        *("fapiao", "request", CONFERENCE_ID, ORDER_ID, "--type", "vat_special"),
        *("--buyer", "福州某某科技有限公司", "--tax-id", "91350100M000100Y43"),
        *("--address", "福州市鼓楼区五四路1号", "--phone", "0591-12345678"),
        *("--bank", "招商银行福州分行", "--account", "591900000000001", "--amount", "1800.10"),
    )
    assert code == 0 and FAPIAO_ID in out and "2,641.51 CNY" in out
    assert fake.requests[-1]["body"] == {
        "fapiao_type": "vat_special",
        "buyer_name": "福州某某科技有限公司",
        "buyer_tax_id": "91350100M000100Y43",
        "buyer_address": "福州市鼓楼区五四路1号",
        "buyer_phone": "0591-12345678",
        "buyer_bank": "招商银行福州分行",
        "buyer_account": "591900000000001",
        "amount_minor": 180_010,
        "item": "conference_fee",
        "delivery": "email",
    }


def test_issue_hand_over_and_reverse_post_to_the_fapiao(fake, capsys):  # noqa: F811
    for action in ("issue", "hand-over", "reverse"):
        fake.routes[("POST", f"{BASE}/fapiao/{FAPIAO_ID}/{action}")] = (200, FAPIAO)
    args = ("--number", "25312000000012345678", "--medium", "digital", "--on", "2027-03-05")
    assert run(capsys, "fapiao", "issue", CONFERENCE_ID, FAPIAO_ID, *args)[0] == 0
    assert fake.requests[-1]["body"] == {
        "fapiao_number": "25312000000012345678",
        "medium": "digital",
        "issued_on": "2027-03-05",
    }
    args = ("--how", "onsite", "--to", "王磊", "--signed", "--on", "2027-05-12")
    assert run(capsys, "fapiao", "hand-over", CONFERENCE_ID, FAPIAO_ID, *args)[0] == 0
    assert fake.requests[-1]["body"] == {
        "how": "onsite",
        "handed_on": "2027-05-12",
        "signed_for": True,
        "handed_to": "王磊",
    }
    args = ("--red-number", "25312000000012349999", "--reason", "refund", "--on", "2027-05-20")
    assert run(capsys, "fapiao", "reverse", CONFERENCE_ID, FAPIAO_ID, *args)[0] == 0
    assert fake.requests[-1]["body"] == {
        "red_fapiao_number": "25312000000012349999",
        "reason": "refund",
        "reversed_on": "2027-05-20",
    }


def test_list_shows_each_fapiao_with_its_state_and_number(fake, capsys):  # noqa: F811
    answer = {"fapiao": [FAPIAO], "invoiceable_minor": None, "open": 0}
    fake.routes[("GET", f"{BASE}/fapiao")] = (200, answer)
    code, out, _ = run(capsys, "fapiao", "list", CONFERENCE_ID, "--state", "issued")
    assert code == 0
    assert fake.requests[-1]["query"] == "state=issued"
    row = next(line for line in out.splitlines() if FAPIAO_ID in line)
    assert "issued" in row and "25312000000012345678" in row and "2,800.00" in row


def test_a_bad_reason_is_refused_before_anything_is_sent(fake, capsys):  # noqa: F811
    args = ("--red-number", "25312000000012349999", "--reason", "whim")
    code, _, err = run(capsys, "fapiao", "reverse", CONFERENCE_ID, FAPIAO_ID, *args)
    assert code == 2 and "--reason" in err and fake.requests == []


def test_withdraw_posts_the_reason_and_shows_it(fake, capsys):  # noqa: F811
    withdrawn = {**FAPIAO, "state": "withdrawn", "issue": None, "withdrawal": {"reason": "重复"}}
    fake.routes[("POST", f"{BASE}/fapiao/{FAPIAO_ID}/withdraw")] = (200, withdrawn)
    args = ("fapiao", "withdraw", CONFERENCE_ID, FAPIAO_ID, "--reason", "重复")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "withdrawn" in out and "重复" in out
    assert fake.requests[-1]["body"] == {"reason": "重复"}
    assert run(capsys, "fapiao", "withdraw", CONFERENCE_ID, FAPIAO_ID)[0] == 2  # no reason


def test_a_partial_reversal_sends_the_exact_amount_and_shows_what_is_left(fake, capsys):  # noqa: F811
    partly = {**FAPIAO, "reversed_minor": 100_000, "held_minor": 180_000}
    fake.routes[("POST", f"{BASE}/fapiao/{FAPIAO_ID}/reverse")] = (200, partly)
    args = ("--red-number", "25312000000012349999", "--reason", "discount", "--amount", "1000")
    code, out, _ = run(
        capsys, "fapiao", "reverse", CONFERENCE_ID, FAPIAO_ID, *args, "--on", "2027-05-20"
    )
    assert code == 0 and "1,000.00 CNY" in out and "1,800.00 CNY" in out
    assert fake.requests[-1]["body"] == {
        "red_fapiao_number": "25312000000012349999",
        "reason": "discount",
        "reversed_on": "2027-05-20",
        "amount_minor": 100_000,
    }
