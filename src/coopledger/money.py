"""Money arithmetic: Decimal only, explicit rounding, allocations that sum to the whole.

Every amount in coopledger is a :class:`~decimal.Decimal` built from a string or an
integer. Rounding is to the öre (two decimals) with a named mode, and an allocation hands
out the remainder by the largest-remainder method in a deterministic order, so the parts
always sum exactly to the whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
ZERO = Decimal(0)

__all__ = ["ORE", "ZERO", "allocate", "format_sek", "parse_amount", "round_ore"]


def round_ore(value: Decimal, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to whole öre.

    Args:
        value: The amount.
        rounding: A :mod:`decimal` rounding mode; half up, as Swedish invoices round.

    Returns:
        The amount with exactly two decimals.
    """
    return value.quantize(ORE, rounding=rounding)


def parse_amount(text: str) -> Decimal:
    """Read a plain decimal amount such as ``"1234.50"`` or ``"-12"``.

    Swedish forms (``"1 234,50"``) are the importers' business; here a comma is refused so
    that ``"4,5"`` in a declaration is an error and never silently 45.

    Args:
        text: The amount as written.

    Returns:
        The amount.

    Raises:
        ValueError: The text is not a plain decimal number.
    """
    cleaned = text.strip()
    if not cleaned or "," in cleaned or any(c.isspace() for c in cleaned):
        raise ValueError(f"not a plain decimal amount: {text!r} (write 1234.50)")
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(f"not a decimal amount: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    return value


def allocate(total: Decimal, weights: Mapping[str, Decimal] | Sequence[tuple[str, Decimal]],
             *, quantum: Decimal = ORE) -> dict[str, Decimal]:
    """Split ``total`` over keys in proportion to non-negative weights, exactly.

    Each part is first rounded towards zero to ``quantum``; the units left over go one by
    one to the keys with the largest remainders, ties broken by key order, so the result
    is deterministic and ``sum(parts) == total`` holds to the last öre.

    Args:
        total: The amount to split, of either sign, a multiple of ``quantum``.
        weights: Key to weight; weights must be non-negative and not all zero.
        quantum: The smallest unit to hand out.

    Returns:
        Key to part, in the keys' sorted order.

    Raises:
        ValueError: Negative or all-zero weights, or a total finer than ``quantum``.
    """
    items = sorted(dict(weights).items())
    if not items:
        raise ValueError("nothing to allocate over: no keys")
    if any(w < 0 for _, w in items):
        raise ValueError("allocation weights must not be negative")
    weight_sum = sum((w for _, w in items), ZERO)
    if weight_sum == 0:
        raise ValueError("allocation weights are all zero")
    units_total = total / quantum
    if units_total != units_total.to_integral_value():
        raise ValueError(f"total {total} is not a whole number of {quantum}")
    sign = -1 if total < 0 else 1
    units = int(abs(units_total))
    shares = [(key, Decimal(units) * w / weight_sum) for key, w in items]
    floors = {key: int(share) for key, share in shares}
    left = units - sum(floors.values())
    # Largest remainder first; among equal remainders the first key in sorted order wins.
    order = sorted(shares, key=lambda kv: (-(kv[1] - int(kv[1])), kv[0]))
    for key, _ in order[:left]:
        floors[key] += 1
    return {key: sign * Decimal(floors[key]) * quantum for key, _ in items}


def format_sek(value: Decimal, *, decimals: int = 2) -> str:
    """Swedish number formatting, through the project's one formatter.

    Kept for callers of this module; it is :func:`coopledger.i18n.format_amount` in
    Swedish (Babel's CLDR data): no-break space between thousands, decimal comma, the
    minus sign U+2212.

    Args:
        value: The amount.
        decimals: Decimals shown (rounded half up).

    Returns:
        For example ``"−1 234 567,50"``.
    """
    from coopledger.i18n.format import format_amount

    return format_amount(value, decimals, "sv")
