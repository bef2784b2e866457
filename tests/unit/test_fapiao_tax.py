"""The split of a tax-inclusive fee into a fapiao's net and tax: exact, in fen, tax =
gross - round(gross / (1 + rate)) half up, and net + tax = gross always."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from services.common.fapiao import TAX_RATES
from services.registration.domain.fapiao_tax import net_of, split_gross


@pytest.mark.parametrize(
    ("gross", "rate", "net", "tax"),
    [
        (280_000, 600, 264_151, 15_849),  # 2800.00 at 6%: 2641.51 + 158.49
        (100, 600, 94, 6),  # 1.00 / 1.06 = 0.9434 -> 0.94
        (106, 600, 100, 6),  # exactly divisible
        (11_300, 1300, 10_000, 1_300),
        (1, 600, 1, 0),  # one fen: 0.0094 yuan of net rounds to the fen itself
        (159, 600, 150, 9),
        (0, 600, 0, 0),
        (99_999, 0, 99_999, 0),  # rate 0: no tax
        (10_300, 300, 10_000, 300),
        (10_100, 100, 10_000, 100),
        (10_150, 150, 10_000, 150),
        (123_456_789, 900, 113_263_109, 10_193_680),
    ],
)
def test_known_examples(gross, rate, net, tax):
    assert split_gross(gross, rate) == (net, tax, gross)


def test_rounds_to_the_nearest_fen_either_way():
    assert net_of(157, 600) == 148  # 148.11 down
    assert net_of(158, 600) == 149  # 149.06 down
    assert net_of(160, 600) == 151  # 150.94 up


@pytest.mark.parametrize("rate", TAX_RATES)
def test_net_plus_tax_is_the_gross_and_matches_decimal_rounding(rate):
    rng = random.Random(rate)
    amounts = [*range(0, 2_000), *(rng.randrange(0, 10**12) for _ in range(2_000))]
    for gross in amounts:
        net, tax, total = split_gross(gross, rate)
        assert net + tax == total == gross
        assert 0 <= tax <= gross
        expected = (Decimal(gross) / (1 + Decimal(rate) / 10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        assert net == int(expected), (gross, rate)
        if rate == 0:
            assert tax == 0


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        split_gross(-1, 600)
