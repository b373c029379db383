"""Balances: of an account, an entity or the whole group, at a date or over a period.

All sums are in the ledger's operating currency, over the postings' units, from the
books' posting index (built once per load), so a report that asks many questions of the
same books does not walk the ledger again for each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from coopledger.entities import entity_of
from coopledger.periods import Period

if TYPE_CHECKING:
    from coopledger.books import Books

ZERO = Decimal(0)


def _sums(books: Books, start: datetime.date | None, end: datetime.date | None,
          entity: str | None, *, results_only: bool = False) -> dict[str, Decimal]:
    group_key = ("balances.group_sums", start, end, results_only)

    def group() -> dict[str, Decimal]:
        return books.remember(group_key, lambda: _walk(books, start, end, None,
                                                       results_only=results_only))

    if entity is None:
        # The whole group's sums walk every posting of the range; a group report asks
        # for the same ones twice (its table and its consolidated statements), so they
        # are remembered with the books. Each caller gets its own copy.
        return dict(group())
    if books.memo.known(group_key):
        # The group's sums of the same range are known (the group page asks for every
        # entity's after them): an entity's are its accounts' part of them, so split
        # them once rather than walk each entity's postings again.
        split = books.remember(("balances.entity_sums", start, end, results_only),
                               lambda: _by_entity(group()))
        return dict(split.get(entity, {}))
    return _walk(books, start, end, entity, results_only=results_only)


def _by_entity(sums: dict[str, Decimal]) -> dict[str, dict[str, Decimal]]:
    """The group's account sums split by entity (each in the same account order)."""
    split: dict[str, dict[str, Decimal]] = {}
    for account, amount in sums.items():
        code = entity_of(account)
        if code is not None:
            split.setdefault(code, {})[account] = amount
    return split


def _walk(books: Books, start: datetime.date | None, end: datetime.date | None,
          entity: str | None, *, results_only: bool) -> dict[str, Decimal]:
    index = books.postings
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    accounts, numbers, transfer = index.accounts, index.numbers, index.result_transfer
    positions = index.span(start, end) if entity is None else index.entity_span(
        entity, start, end)
    for i in positions:
        if results_only and transfer[i]:
            continue
        totals[accounts[i]] += numbers[i]
    return {account: amount for account, amount in sorted(totals.items()) if amount != 0}


def balances(books: Books, date: datetime.date, *, entity: str | None = None) -> dict[str, Decimal]:
    """Every account's balance at the end of ``date`` (inclusive).

    Args:
        books: The books.
        date: The last day counted.
        entity: Only this entity's accounts (None: all).

    Returns:
        Account to non-zero balance, sorted by account.
    """
    return _sums(books, None, date + datetime.timedelta(days=1), entity)


def changes(books: Books, period: Period, *, entity: str | None = None) -> dict[str, Decimal]:
    """Every account's movement within a period (start inclusive, end exclusive).

    Year-end entries' postings on income and expense accounts are left out, so the
    movement of a result account is the period's result even when the year is closed.

    Args:
        books: The books.
        period: The period.
        entity: Only this entity's accounts (None: all).

    Returns:
        Account to non-zero movement, sorted by account.
    """
    return _sums(books, period.start, period.end, entity, results_only=True)


def account_balance(books: Books, account: str, date: datetime.date) -> Decimal:
    """One account's balance at the end of ``date``, its sub-accounts included."""
    index = books.postings
    prefix = account + ":"
    total = ZERO
    for i in index.span(None, date + datetime.timedelta(days=1)):
        name = index.accounts[i]
        if name == account or name.startswith(prefix):
            total += index.numbers[i]
    return total


def entity_balance(books: Books, entity: str, date: datetime.date, *,
                   roots: tuple[str, ...] = ("Assets", "Liabilities", "Equity")) -> Decimal:
    """The sum of an entity's accounts under ``roots`` at the end of ``date``."""
    return sum((amount for account, amount in balances(books, date, entity=entity).items()
                if account.split(":", 1)[0] in roots), ZERO)


def trial_balance(books: Books, date: datetime.date, *,
                  entity: str | None = None) -> list[tuple[str, str | None, Decimal]]:
    """The trial balance at a date: (account, BAS number, balance) in BAS order.

    Every entity's trial balance sums to zero because every transaction balances inside
    each entity; the group's does too.
    """
    rows = [(account, books.bas(account), amount)
            for account, amount in balances(books, date, entity=entity).items()]
    return sorted(rows, key=lambda row: (entity_of(row[0]) or "", row[1] or "9999", row[0]))


def monthly_changes(books: Books, period: Period, *,
                    entity: str | None = None) -> dict[str, dict[str, Decimal]]:
    """Movements per calendar month of a period, in one pass: month label to account sums.

    Like :func:`changes`, year-end result transfers are left out.
    """
    if entity is None:
        # The group's walk covers every posting of the period; the group page asks for
        # it twice (the monthly results and the people's salary sums): remembered with
        # the books, each caller gets its own copy.
        key = ("balances.group_monthly", period.start, period.end)
        remembered = books.remember(key, lambda: _monthly(books, period, None))
        return {label: dict(sums) for label, sums in remembered.items()}
    return _monthly(books, period, entity)


def _monthly(books: Books, period: Period,
             entity: str | None) -> dict[str, dict[str, Decimal]]:
    months = period.months()
    result: dict[str, dict[str, Decimal]] = {m.label: {} for m in months}
    index = books.postings
    bounds = [(m.end, result[m.label]) for m in months]
    k = 0
    positions = index.span(period.start, period.end) if entity is None else \
        index.entity_span(entity, period.start, period.end)
    for i in positions:
        date = index.dates[i]
        while date >= bounds[k][0]:
            k += 1
        account = index.accounts[i]
        if index.result_transfer[i]:
            continue
        sums = bounds[k][1]
        sums[account] = sums.get(account, ZERO) + index.numbers[i]
    return result
