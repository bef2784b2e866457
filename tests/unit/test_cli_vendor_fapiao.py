"""`huiwu vendor-invoice` against a fake budget service: what it sends (exact fen, net and
tax only together) and what it prints."""

from __future__ import annotations

import pytest

from huiwu import cli
from services.common.registry import load
from tests.support.fake_http import FakeService

CONTRACT_ID = "c0ffee00-0000-4000-8000-000000000003"
VENDOR_ID = "c0ffee00-0000-4000-8000-000000000004"
TOKEN = "hw_0123456789ab_" + "x" * 43
ACCOUNT = {
    "contract_id": CONTRACT_ID,
    "line": "venue",
    "currency": "CNY",
    "amount_minor": 12_000_000,
    "paid_minor": 12_000_000,
    "invoiced_minor": 12_000_000,
    "input_vat_minor": 679_245,
    "fapiao_numbers": ["25332000000012345678"],
    "settled": True,
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


def test_receive_sends_the_fapiao_in_fen_and_shows_the_account_settled(fake, capsys):
    fake.routes[("POST", f"/contracts/{CONTRACT_ID}/fapiao")] = (200, ACCOUNT)
    code, out, _ = run(
        capsys, "vendor-invoice", "receive", CONTRACT_ID, "--vendor", VENDOR_ID,
        "--fapiao", "25332000000012345678", "--amount", "120000", "--rate", "600",
        "--type", "vat_special", "--net", "113207.55", "--tax", "6792.45", "--verified",
    )  # fmt: skip
    assert code == 0
    body = fake.requests[-1]["body"]
    assert fake.requests[-1]["path"] == f"/contracts/{CONTRACT_ID}/fapiao"
    assert (body["amount_minor"], body["net_minor"], body["tax_minor"]) == (
        12_000_000,
        11_320_755,
        679_245,
    )
    assert (body["vendor_id"], body["tax_rate_bp"], body["verified"]) == (VENDOR_ID, 600, True)
    assert "settled    yes" in out and "6,792.45 CNY" in out


def test_net_without_tax_is_a_usage_error_and_sends_nothing(fake, capsys):
    code, _, err = run(
        capsys, "vendor-invoice", "receive", CONTRACT_ID, "--vendor", VENDOR_ID,
        "--fapiao", "25332000000012345678", "--amount", "120000", "--rate", "600",
        "--type", "vat_ordinary", "--net", "113207.55",
    )  # fmt: skip
    assert code != 0 and "--tax" in err
    assert fake.requests == []


def test_show_reads_the_contract_account(fake, capsys):
    fake.routes[("GET", f"/contracts/{CONTRACT_ID}/account")] = (200, ACCOUNT)
    code, out, _ = run(capsys, "vendor-invoice", "show", CONTRACT_ID)
    assert code == 0 and "25332000000012345678" in out and "120,000.00 CNY" in out
