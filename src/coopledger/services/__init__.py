"""Shared services: what the umbrella does for its members, as exact, explainable entries.

- :mod:`~coopledger.services.fees`: monthly service fees by dated rules;
- :mod:`~coopledger.services.allocation`: shared costs split by dated keys;
- :mod:`~coopledger.services.premises`: rent charged to members, depreciation;
- :mod:`~coopledger.services.subsidies`: wage-subsidy claims per decision;
- :mod:`~coopledger.services.payroll`: the payroll journal from a CSV export, with
  employer contributions from :mod:`~coopledger.services.rates`;
- :mod:`~coopledger.services.purchases`: joint purchases and rebates split by a key.

The public contract for the monthly close is :func:`closing_entries`; for payroll,
:func:`read_payroll_csv` and :func:`payroll_entries`. Every generated transaction carries
``generated-by``, a stable ``coop-id`` and a link to its month, so that a second run
recognises what is already booked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beancount.core import data

from coopledger.periods import Period
from coopledger.services.allocation import allocation_entries
from coopledger.services.entries import ID_KEY, Stale, split_new
from coopledger.services.fees import fee_entries
from coopledger.services.payroll import PayrollRow, payroll_entries, read_payroll_csv
from coopledger.services.premises import premises_entries
from coopledger.services.subsidies import open_claims, subsidy_entries

if TYPE_CHECKING:
    from coopledger.books import Books

__all__ = [
    "ID_KEY",
    "PayrollRow",
    "Stale",
    "closing_entries",
    "computed_entries",
    "open_claims",
    "payroll_entries",
    "read_payroll_csv",
    "split_new",
]


def computed_entries(books: Books, period: Period) -> list[data.Transaction]:
    """Every service entry of a month as computed now, booked or not.

    Args:
        books: The books, with the month's payroll already booked.
        period: The month (a :class:`~coopledger.periods.Period` of one month).

    Returns:
        Fees, allocations, rent, depreciation and subsidy claims, in that order.

    Raises:
        CoopException: A declaration cannot be applied (missing weights, an account
            allocated beyond 100 %, an account that is not open).
    """
    return (fee_entries(books, period) + allocation_entries(books, period)
            + premises_entries(books, period) + subsidy_entries(books, period))


def closing_entries(books: Books, period: Period) -> list[data.Transaction]:
    """The month's service entries that are not yet in the books.

    Entries already booked (recognised by their ``coop-id``) are left out, so the result
    is exactly what the close still has to write; calling it again after writing gives
    an empty list. Use :func:`computed_entries` and :func:`split_new` to also learn
    which booked entries differ from what would be computed now.

    Args:
        books: The books, with the month's payroll already booked.
        period: The month.

    Returns:
        Fee, allocation, rent, depreciation and subsidy entries still to write, each with
        ``generated-by``, ``coop-id`` and the link ``^services-YYYY-MM``.

    Raises:
        CoopException: A declaration cannot be applied.
    """
    new, _ = split_new(books, computed_entries(books, period))
    return new
