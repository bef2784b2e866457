"""Amounts typed in major units become exact integer minor units."""

import pytest

from huiwu.money import AmountError, from_minor, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("120000.10", "CNY", 12_000_010),
        ("120000.00", "CNY", 12_000_000),
        ("120000", "CNY", 12_000_000),
        ("0.1", "CNY", 10),
        ("0.2", "CNY", 20),
        ("0.30", "USD", 30),
        ("1.005", "EUR", None),
        ("19.99", "usd", 1999),
        ("0", "CNY", 0),
        ("5000", "JPY", 5000),
        ("5000.0", "JPY", 5000),
        ("1000000", "KRW", 1_000_000),
        (" 42.5 ", "CNY", 4250),
        ("92233720368547758.07", "CNY", 2**63 - 1),
    ],
)
def test_major_units_become_exact_minor_units(amount, currency, minor):
    if minor is None:
        with pytest.raises(AmountError):
            to_minor(amount, currency)
    else:
        assert to_minor(amount, currency) == minor


def test_no_float_trap_in_sums():
    # 0.1 + 0.2 != 0.3 in binary floating point; in minor units the sum is exact.
    assert to_minor("0.1") + to_minor("0.2") == to_minor("0.3") == 30
    assert to_minor("1.10") * 3 == to_minor("3.30")
    # A float would turn 120000.10 * 100 into 12000009.999999998.
    assert to_minor("120000.10") == 12_000_010


def test_digits_beyond_a_float_are_kept_exactly():
    assert to_minor("12345678901234567.89") == 1_234_567_890_123_456_789


@pytest.mark.parametrize(
    ("amount", "currency", "field", "words"),
    [
        ("-1", "CNY", "amount", "negative"),
        ("-0.01", "CNY", "amount", "negative"),
        ("abc", "CNY", "amount", "decimal number"),
        ("1e5", "CNY", "amount", "decimal number"),
        ("12,000", "CNY", "amount", "decimal number"),
        ("1.", "CNY", "amount", "decimal number"),
        (".5", "CNY", "amount", "decimal number"),
        ("", "CNY", "amount", "decimal number"),
        ("NaN", "CNY", "amount", "decimal number"),
        ("Infinity", "CNY", "amount", "decimal number"),
        ("١٢", "CNY", "amount", "decimal number"),
        ("1.001", "CNY", "amount", "at most 2 decimal places"),
        ("0.000000000000000000000000001", "CNY", "amount", "at most 2 decimal places"),
        ("5.5", "JPY", "amount", "no decimal places"),
        ("99999999999999999999", "CNY", "amount", "too large"),
        ("10", "XYZ", "currency", "unsupported currency"),
    ],
)
def test_bad_amounts_name_the_field_and_say_why(amount, currency, field, words):
    with pytest.raises(AmountError) as caught:
        to_minor(amount, currency)
    assert caught.value.field == field
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_minor_units_shown_in_major_units():
    assert from_minor(12_000_010, "CNY") == "120,000.10 CNY"
    assert from_minor(5000, "JPY") == "5,000 JPY"
    assert from_minor(7, "XYZ") == "7 XYZ (minor units)"
