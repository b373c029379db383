"""Money: exact allocation, strict parsing, Swedish formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopledger.money import allocate, format_sek, parse_amount, round_ore

weights = st.dictionaries(st.text("ABCDEFGH", min_size=1, max_size=3),
                          st.integers(min_value=0, max_value=10_000).map(Decimal),
                          min_size=1, max_size=8).filter(lambda w: sum(w.values()) > 0)
totals = st.integers(min_value=-10**9, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))


@given(totals, weights)
def test_allocation_parts_sum_exactly_to_the_whole(total: Decimal,
                                                   keys: dict[str, Decimal]) -> None:
    parts = allocate(total, keys)
    assert sum(parts.values()) == total
    assert set(parts) == set(keys)
    weight_sum = sum(keys.values())
    for key, part in parts.items():
        exact = total * keys[key] / weight_sum
        assert abs(part - exact) < Decimal("0.01")
        assert part == part.quantize(Decimal("0.01"))


@given(totals, weights)
def test_allocation_is_deterministic_whatever_the_key_order(
        total: Decimal, keys: dict[str, Decimal]) -> None:
    assert allocate(total, keys) == allocate(total, dict(reversed(list(keys.items()))))


def test_allocation_remainder_goes_to_largest_remainder_then_key_order() -> None:
    assert allocate(Decimal("100.00"), {"A": Decimal(1), "B": Decimal(1), "C": Decimal(1)}) == {
        "A": Decimal("33.34"), "B": Decimal("33.33"), "C": Decimal("33.33")}
    assert allocate(Decimal("-0.05"), {"A": Decimal(1), "B": Decimal(3)}) == {
        "A": Decimal("-0.01"), "B": Decimal("-0.04")}


@pytest.mark.parametrize(("weights_", "message"), [
    ({}, "no keys"), ({"A": Decimal(0)}, "all zero"), ({"A": Decimal(-1)}, "negative")])
def test_allocation_refuses_bad_weights(weights_: dict[str, Decimal], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(Decimal(10), weights_)


def test_allocation_refuses_a_total_finer_than_an_ore() -> None:
    with pytest.raises(ValueError, match="whole number"):
        allocate(Decimal("0.001"), {"A": Decimal(1)})


@pytest.mark.parametrize("text", ["4,5", "1 000", "", "abc", "NaN", "Infinity"])
def test_parse_amount_refuses_anything_but_plain_decimals(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


def test_parse_amount_and_rounding() -> None:
    assert parse_amount(" -1234.50 ") == Decimal("-1234.50")
    assert round_ore(Decimal("0.005")) == Decimal("0.01")
    assert round_ore(Decimal("-2.675")) == Decimal("-2.68")


def test_format_sek_uses_space_and_decimal_comma() -> None:
    assert format_sek(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50"
    assert format_sek(Decimal("-0.004")) == "0,00"
    assert format_sek(Decimal("-12.345")) == "\u221212,35"
