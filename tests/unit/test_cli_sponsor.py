"""`huiwu sponsor`, `huiwu honorarium` and `huiwu advance` against a fake budget service:
what each command sends (exact minor units, the instalments, in-kind items and receipts)
and what it prints."""

from __future__ import annotations

import pytest

from huiwu import cli
from services.common.registry import load
from tests.support.fake_http import FakeService

CONFERENCE_ID = "c0ffee00-0000-4000-8000-000000000001"
SPONSORSHIP_ID = "c0ffee00-0000-4000-8000-000000000002"
TOKEN = "hw_0123456789ab_" + "x" * 43
AT = f"/sponsorships/{SPONSORSHIP_ID}"
SPONSORSHIP = {
    "sponsorship_id": SPONSORSHIP_ID,
    "conference_id": CONFERENCE_ID,
    "sponsor": "Acme 医药",
    "state": "signed",
    "package": "Gold",
    "currency": "CNY",
    "amount_minor": 20_000_050,
    "paid_minor": 0,
    "in_kind_received_minor": 0,
    "delivered": {},
}


@pytest.fixture
def fake(monkeypatch):
    with FakeService() as service:
        for name in load().names:
            monkeypatch.setenv(f"HUIWU_PORT_{name.upper()}", str(service.port))
        monkeypatch.setenv("HUIWU_TOKEN", TOKEN)
        yield service


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sent(fake):
    body = dict(fake.requests[-1]["body"])
    return fake.requests[-1]["path"], body


def test_package_add_sends_the_price_in_fen_and_lists_slots_left(fake, capsys):
    plan = {
        "currency": "CNY",
        "packages": [
            {"name": "Gold", "level": "gold", "price_minor": 20_000_050, "slots": 3,
             "signed": 1, "left": 2, "benefits": ["logo", "booth"]},
        ],
    }  # fmt: skip
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/sponsorship/packages")] = (201, plan)
    code, out, _ = run(
        capsys,
        *("sponsor", "package", "add", CONFERENCE_ID, "--name", "Gold", "--level", "gold"),
        *("--price", "200000.50", "--slots", "3", "--benefit", "logo", "--benefit", "booth"),
    )
    assert code == 0
    assert sent(fake)[1] == {
        "name": "Gold",
        "level": "gold",
        "price_minor": 20_000_050,
        "slots": 3,
        "benefits": ["logo", "booth"],
    }
    assert "Gold" in out and "200,000.50 CNY" in out and "logo, booth" in out


def test_add_prints_the_sponsorship_id_for_the_next_commands(fake, capsys):
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/sponsors")] = (201, SPONSORSHIP)
    code, out, _ = run(capsys, "sponsor", "add", CONFERENCE_ID, "--sponsor", "Acme 医药")
    assert code == 0 and out.strip() == SPONSORSHIP_ID
    assert sent(fake)[1] == {"sponsor": "Acme 医药"}


def test_advance_is_a_contact_by_a_channel_or_the_negotiation(fake, capsys):
    fake.routes[("POST", f"{AT}/advance")] = (200, {**SPONSORSHIP, "state": "contacted"})
    assert run(capsys, "sponsor", "advance", SPONSORSHIP_ID, "--channel", "visit")[0] == 0
    assert sent(fake) == (f"{AT}/advance", {"to": "contacted", "channel": "visit"})
    run(capsys, "sponsor", "advance", SPONSORSHIP_ID, "--negotiate", "--level", "gold")
    assert sent(fake)[1] == {"to": "negotiating", "level": "gold"}
    code, _, err = run(capsys, "sponsor", "advance", SPONSORSHIP_ID)
    assert code == 2 and "--channel" in err


def test_sign_sends_instalments_and_in_kind_items_in_fen(fake, capsys):
    fake.routes[("POST", f"{AT}/sign")] = (200, SPONSORSHIP)
    code, out, _ = run(
        capsys,
        *("sponsor", "sign", SPONSORSHIP_ID, "--package", "Gold", "--form", "mixed"),
        *("--instalment", "2027-03-01=150000.50", "--on", "2027-02-01"),
        *("--in-kind", "goods", "50000", "500 tote bags"),
    )
    assert code == 0 and "signed" in out
    assert sent(fake)[1] == {
        "package": "Gold",
        "signed_on": "2027-02-01",
        "form": "mixed",
        "instalments": [{"due_on": "2027-03-01", "amount_minor": 15_000_050}],
        "in_kind": [{"kind": "goods", "description": "500 tote bags", "value_minor": 5_000_000}],
    }


def test_invoice_pay_deliver_and_list(fake, capsys):
    for step in ("invoices", "payments", "benefits"):
        fake.routes[("POST", f"{AT}/{step}")] = (200, SPONSORSHIP)
    run(
        capsys,
        *("sponsor", "invoice", SPONSORSHIP_ID, "--fapiao", "25332000000012345678"),
        *("--amount", "200000.50", "--on", "2027-02-10"),
    )
    assert sent(fake)[1] == {
        "fapiao_number": "25332000000012345678",
        "fapiao_type": "vat_ordinary",
        "medium": "digital",
        "issued_on": "2027-02-10",
        "gross_minor": 20_000_050,
        "tax_rate_bp": 600,
    }
    run(capsys, "sponsor", "pay", SPONSORSHIP_ID, "--amount", "0.01", "--on", "2027-03-01")
    assert sent(fake)[1] == {"received_on": "2027-03-01", "amount_minor": 1, "currency": "CNY"}
    run(
        capsys,
        *("sponsor", "pay", SPONSORSHIP_ID, "--in-kind", "goods", "--value", "300"),
        *("--description", "bags", "--on", "2027-03-02"),
    )
    assert sent(fake)[1]["in_kind"] == {
        "kind": "goods",
        "description": "bags",
        "value_minor": 30_000,
    }
    run(capsys, "sponsor", "deliver", SPONSORSHIP_ID, "--benefit", "logo", "--proof", "p.png")
    assert sent(fake)[1] == {"benefit": "logo", "proof_ref": "p.png"}
    fake.routes[("GET", f"/conferences/{CONFERENCE_ID}/sponsors")] = (
        200,
        {"sponsorships": [SPONSORSHIP]},
    )
    code, out, _ = run(capsys, "sponsor", "list", CONFERENCE_ID)
    assert code == 0 and "Acme 医药" in out and "200,000.50 CNY" in out


def test_honorarium_pay_sends_the_gross_in_fen_and_shows_the_tax(fake, capsys):
    answer = {"honorarium_id": "h1", "speaker": "Li", "gross_minor": 500_000,
              "taxable_minor": 400_000, "iit_withheld_minor": 80_000,
              "net_minor": 420_000}  # fmt: skip
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/honoraria")] = (201, answer)
    code, out, _ = run(
        capsys,
        *("honorarium", "pay", CONFERENCE_ID, "--speaker", "Li", "--gross", "5000"),
        "--on=2027-05-13",
    )
    assert code == 0 and "800.00 CNY" in out and "4,200.00 CNY" in out
    assert sent(fake)[1] == {
        "speaker": "Li",
        "gross_minor": 500_000,
        "paid_on": "2027-05-13",
        "category": "speakers",
    }


def test_advance_issue_and_reconcile_with_receipts_per_line(fake, capsys):
    advance = {"advance_id": "a1", "holder": "Zhao", "amount_minor": 200_000,
               "currency": "CNY", "reconciled": True, "spent_minor": 150_050,
               "returned_minor": 49_950}  # fmt: skip
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/advances")] = (201, advance)
    fake.routes[("POST", "/advances/a1/reconcile")] = (200, advance)
    code, out, _ = run(
        capsys,
        *("advance", "issue", CONFERENCE_ID, "--holder", "Zhao", "--amount", "2000"),
        *("--purpose", "petty_cash"),
    )
    assert code == 0 and out.strip() == "a1"
    assert sent(fake)[1]["amount_minor"] == 200_000
    code, out, _ = run(
        capsys,
        *("advance", "reconcile", "a1", "--receipt", "printing=1200"),
        *("--receipt", "transport=300.50", "--returned", "499.50"),
    )
    assert code == 0 and "1,500.50 CNY" in out
    assert sent(fake)[1] == {
        "receipts": [
            {"category": "printing", "amount_minor": 120_000},
            {"category": "transport", "amount_minor": 30_050},
        ],
        "returned_minor": 49_950,
    }
    fake.routes[("GET", "/advances/a1")] = (200, advance)
    code, out, _ = run(capsys, "advance", "show", "a1")
    shown = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines() if line}
    assert code == 0 and (shown["reconciled"], shown["returned"]) == ("yes", "499.50 CNY")


def test_revenue_target_sends_the_margin_in_basis_points_and_shows_behind(fake, capsys):
    answer = {"as_of": "2027-04-01", "currency": "CNY",
              "targets": [{"line": "registration", "due_on": "2027-04-01",
                           "planned_minor": 1_000_000, "percent": 60, "expected_minor": 600_000,
                           "income_minor": 300_000, "behind": True}]}  # fmt: skip
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/revenue/targets")] = (201, answer)
    code, out, _ = run(
        capsys,
        *("revenue", "target", CONFERENCE_ID, "--line", "registration", "--by", "2027-04-01"),
        *("--percent", "60", "--margin", "2.5"),
    )
    assert code == 0 and "BEHIND" in out and "6,000.00 CNY" in out
    assert sent(fake)[1] == {
        "line": "registration",
        "due_on": "2027-04-01",
        "percent": 60,
        "margin_bp": 250,
    }
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/revenue/check")] = (200, answer)
    run(capsys, "revenue", "check", CONFERENCE_ID, "--as-of", "2027-04-02")
    assert sent(fake)[1] == {"as_of": "2027-04-02"}


def test_prospectus_names_its_languages(fake, capsys):
    answer = {"currency": "CNY", "packages": [], "languages": ["zh", "en"]}
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/sponsorship/prospectus")] = (201, answer)
    code, out, _ = run(
        capsys, "sponsor", "prospectus", CONFERENCE_ID, "--language", "zh", "--language", "en"
    )
    assert code == 0 and "published in zh, en" in out
    assert sent(fake)[1] == {"languages": ["zh", "en"]}


def test_reverse_names_the_fapiao_in_the_path_and_sends_the_red_one(fake, capsys):
    path = f"{AT}/invoices/25332000000012345678/reverse"
    fake.routes[("POST", path)] = (200, SPONSORSHIP)
    code, _, _ = run(
        capsys,
        *("sponsor", "reverse", SPONSORSHIP_ID, "--fapiao", "25332000000012345678"),
        *("--red", "25332000000087654321", "--reason", "discount", "--amount", "10600"),
        *("--on", "2027-02-12"),
    )
    assert code == 0
    assert sent(fake) == (
        path,
        {
            "red_fapiao_number": "25332000000087654321",
            "reason": "discount",
            "reversed_on": "2027-02-12",
            "gross_minor": 1_060_000,
        },
    )


def test_refund_sends_the_cash_due_back_in_fen(fake, capsys):
    answer = {**SPONSORSHIP, "state": "cancelled", "refunded_minor": 12_000_050}
    fake.routes[("POST", f"{AT}/refund")] = (200, answer)
    code, out, _ = run(
        capsys,
        *("sponsor", "refund", SPONSORSHIP_ID, "--amount", "120000.50", "--on", "2027-04-02"),
        *("--method", "bank_transfer"),
    )
    assert code == 0
    assert sent(fake) == (
        f"{AT}/refund",
        {
            "amount_minor": 12_000_050,
            "currency": "CNY",
            "refunded_on": "2027-04-02",
            "method": "bank_transfer",
        },
    )
    assert "refunded" in out and "120,000.50 CNY" in out
