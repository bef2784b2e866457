"""`huiwu partner` against a fake budget service: what each command sends (exact fen, the
share in basis points, the source) and what it prints."""

from __future__ import annotations

import pytest

from huiwu import cli
from services.common.registry import load
from tests.support.fake_http import FakeService

CONFERENCE_ID = "c0ffee00-0000-4000-8000-000000000001"
PARTNER_ID = "c0ffee00-0000-4000-8000-000000000005"
TOKEN = "hw_0123456789ab_" + "x" * 43
PARTNER = {
    "partner_id": PARTNER_ID,
    "partner": "浙江省医学会",
    "role": "co_organiser",
    "agreed": {"form": "cash", "share_bp": 2500, "amount_minor": 10_000_000},
    "received_minor": 4_000_050,
    "withdrawn": False,
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


def test_join_agree_and_receive_send_fen_and_show_what_came_in(fake, capsys):
    fake.routes[("POST", f"/conferences/{CONFERENCE_ID}/partners")] = (201, PARTNER)
    fake.routes[("POST", f"/partners/{PARTNER_ID}/contribution")] = (200, PARTNER)
    fake.routes[("POST", f"/partners/{PARTNER_ID}/receipts")] = (200, PARTNER)
    code, out, _ = run(
        capsys, "partner", "join", CONFERENCE_ID, "--partner", "浙江省医学会",
        "--role", "co_organiser",
    )  # fmt: skip
    assert code == 0 and PARTNER_ID in out
    assert fake.requests[-1]["body"] == {"partner": "浙江省医学会", "role": "co_organiser"}
    run(capsys, "partner", "agree", PARTNER_ID, "--form", "cash", "--amount", "100000",
        "--share", "25")  # fmt: skip
    assert fake.requests[-1]["body"] == {
        "form": "cash",
        "amount_minor": 10_000_000,
        "currency": "CNY",
        "share_bp": 2500,
    }
    code, out, _ = run(
        capsys, "partner", "receive", PARTNER_ID, "--amount", "40000.50", "--source", "grant",
        "--on", "2027-03-01",
    )  # fmt: skip
    assert code == 0
    assert fake.requests[-1]["body"] == {
        "amount_minor": 4_000_050,
        "currency": "CNY",
        "received_on": "2027-03-01",
        "source": "grant",
    }
    assert "40,000.50 CNY" in out and "100,000.00 CNY" in out


def test_a_source_outside_the_list_is_refused_before_sending(fake, capsys):
    code, _, err = run(
        capsys, "partner", "receive", PARTNER_ID, "--amount", "1", "--source", "gift"
    )
    assert code == 2 and "--source" in err
    assert fake.requests == []


def test_in_kind_sends_its_value_in_fen_and_its_proof_and_shows_it_beside_cash(fake, capsys):
    shown = {**PARTNER, "in_kind_received_minor": 8_000_000}
    fake.routes[("POST", f"/partners/{PARTNER_ID}/in-kind")] = (200, shown)
    code, out, _ = run(
        capsys, "partner", "in-kind", PARTNER_ID, "--kind", "venue", "--value", "80000",
        "--description", "报告厅两天", "--proof", "venue-handover-0510", "--on", "2027-05-10",
    )  # fmt: skip
    assert code == 0
    assert fake.requests[-1]["body"] == {
        "kind": "venue",
        "description": "报告厅两天",
        "value_minor": 8_000_000,
        "currency": "CNY",
        "received_on": "2027-05-10",
        "proof_ref": "venue-handover-0510",
    }
    assert "80,000.00 CNY" in out and "40,000.50 CNY" in out


def test_in_kind_needs_its_proof_before_sending(fake, capsys):
    code, _, err = run(
        capsys, "partner", "in-kind", PARTNER_ID, "--kind", "venue", "--value", "1",
        "--description", "x",
    )  # fmt: skip
    assert code == 2 and "--proof" in err
    assert fake.requests == []
