"""Budget and last year: each result line beside its budget or its figure a year before.

Budgets are Fava's own directive, so Fava's reports show them too; one per account and
interval, in the books' own sign (costs positive, income negative, as Fava compares a
budget with the account's balance)::

    2026-01-01 custom "budget" Income:Kafe:3010-Försäljning "monthly" -85000.00 SEK
    2026-01-01 custom "budget" Expenses:Kafe:5010-Lokalhyra "yearly" 96000.00 SEK

A budget's account must be an opened account of one entity and its currency the books'
operating currency (:func:`read_budgets` says which do not). A later directive for the
same account replaces the earlier one from its date. A month's budget is Fava's figure
for the month (a yearly budget spread over the days) rounded to the öre; a longer
period's budget is the sum of its months', so a year's budget is the sum of its months.

A period that covers only some days of a month (a time filter of a few days) gets that
month's budget prorated by its days, as Fava's own budgets are (each day its share of
the budget in force that day). The rounding is cumulative, so that the parts of a month
always sum exactly to the month's budget: the budget from the month's first day up to a
day is Fava's exact figure for those days rounded to the öre, and a part of the month
gets the figure up to its end minus the figure up to its start. A whole month is Fava's
month rounded, as before; any split of a period into consecutive periods hands out
exactly the whole period's budget, each part within an öre per month of Fava's exact
figure. For example, a monthly budget of 100.00 in a 31-day month gives its first ten
days 32.26 (100 × 10/31 = 32.258...), the next ten 32.26 (64.52 − 32.26) and the last
eleven 35.48 (100.00 − 64.52).

:func:`compare` lays out an entity's (or the group's) income statement for a period with
a reference beside each line: the budget for the same period, or the actual figure of
the same period a year earlier; and the same for the year to date (from the start of the
fiscal year to the period's end). Amounts are in the income statement's sign (income
positive, costs negative), so a positive deviation is always better than planned.
Lines are per account for an entity (counterparties apart, as in
:mod:`coopledger.statements`) and per BAS number for the group, intra-group eliminated.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from beancount.core import data

from coopledger.balances import changes
from coopledger.books import Books
from coopledger.entities import entity_of
from coopledger.errors import CoopError
from coopledger.money import ZERO, round_ore
from coopledger.periods import Period
from coopledger.statements import INCOME_SECTIONS, IncomeStatement, income_statement_of

if TYPE_CHECKING:
    from fava.core.budgets import Budget, BudgetDict

Basis = Literal["budget", "last-year"]
BASES: tuple[Basis, ...] = ("budget", "last-year")


class BudgetError(CoopError):
    """A budget directive coopledger cannot use."""


@dataclass(frozen=True)
class CompareLine:
    """One line of the income statement beside its reference.

    Attributes:
        section: The statement section (``Rörelsens intäkter``...).
        bas: The BAS number, if the account has one.
        account: The account (for the group: the first account of the BAS number).
        name: The line's label.
        actual: The period's figure.
        reference: The budget, or last year's figure, for the period.
        ytd_actual: The figure for the year to date.
        ytd_reference: The reference for the year to date.
    """

    section: str
    bas: str | None
    account: str
    name: str
    actual: Decimal
    reference: Decimal
    ytd_actual: Decimal
    ytd_reference: Decimal

    @property
    def deviation(self) -> Decimal:
        """Actual minus reference: positive is better than the reference."""
        return self.actual - self.reference

    @property
    def ytd_deviation(self) -> Decimal:
        """The year to date's actual minus its reference."""
        return self.ytd_actual - self.ytd_reference


@dataclass(frozen=True)
class Comparison:
    """An income statement with a reference beside each line.

    Attributes:
        entity: The entity, or None for the group.
        basis: ``budget`` or ``last-year``.
        period: The period compared.
        reference_period: The period the reference figures cover (the same period for a
            budget, a year earlier for last year).
        year_to_date: From the fiscal year's start to the period's end.
        lines: The lines in statement order.
    """

    entity: str | None
    basis: Basis
    period: Period
    reference_period: Period
    year_to_date: Period
    lines: tuple[CompareLine, ...]

    def total(self, field: str, section: str | None = None) -> Decimal:
        """The sum of one figure (``actual``, ``reference``, ``deviation``, ``ytd_...``)
        over every line, or over one section's."""
        return sum((getattr(line, field) for line in self.lines
                    if section is None or line.section == section), ZERO)

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections that have lines, in statement order."""
        seen: dict[str, None] = {}
        for line in self.lines:
            seen.setdefault(line.section, None)
        return tuple(seen)


def read_budgets(books: Books) -> tuple[BudgetDict, list[BudgetError]]:
    """The books' budget directives, checked, by account (remembered with the books).

    Args:
        books: The books.

    Returns:
        The usable budgets by account (each list in date order) and one error per
        directive that Fava cannot read, or whose account is not an opened account of
        one entity, or whose currency is not the operating currency.
    """
    return books.remember(("compare.read_budgets",), lambda: _read_budgets(books))


def _read_budgets(books: Books) -> tuple[BudgetDict, list[BudgetError]]:
    custom = data.Custom  # by type, as the plugins scan: a third of isinstance's time
    customs = [e for e in books.entries if type(e) is custom and e.type == "budget"]
    if not customs:
        return {}, []
    # Fava's package (Flask, its query shell...) takes longer to import than a small
    # check takes to run: imported only for books that have budgets.
    from fava.core.budgets import parse_budgets

    # Beancount's Custom is registered as Fava's abstract Custom at import; mypy cannot
    # see a runtime registration.
    parsed, fava_errors = parse_budgets(customs)  # type: ignore[arg-type]
    errors = [BudgetError(dict(e.source or {}), f"budget: {e.message}", e.entry)
              for e in fava_errors]
    by_key = {(e.values[0].value, e.date): e for e in customs if e.values}
    usable: BudgetDict = {}
    for account, budgets in parsed.items():
        for budget in budgets:
            entry = by_key.get((account, budget.date_start))
            problem = _problem(books, budget)
            if problem:
                errors.append(BudgetError(entry.meta if entry else {}, problem, entry))
            else:
                usable.setdefault(account, []).append(budget)
    return usable, errors


def _problem(books: Books, budget: Budget) -> str | None:
    code = entity_of(budget.account)
    if budget.account not in books.opens or code is None or code not in books.entities:
        return (f"budget for {budget.account}: not an opened account of a declared entity "
                "(a budget belongs to one entity's account)")
    if not budget.account.startswith(("Income:", "Expenses:")):
        return f"budget for {budget.account}: only income and expense accounts have budgets"
    if budget.currency != books.operating_currency:
        return (f"budget for {budget.account}: in {budget.currency}, not the books' "
                f"{books.operating_currency}")
    return None


def budget_sums(books: Books, period: Period, entity: str | None = None) -> dict[str, Decimal]:
    """Each account's budget for a period, in the books' sign, per month rounded.

    Args:
        books: The books.
        period: Any days; a month only partly inside it counts with its days' part.
        entity: Only this entity's accounts (None: every entity's).

    Returns:
        Account to non-zero budget: the sum of each month's budget (or its part inside
        the period, :func:`part_budgets`) rounded to the öre.
    """
    budgets, _ = read_budgets(books)
    if not budgets:
        return {}
    months = [part_budgets(books, month, max(period.start, month.start),
                           min(period.end, month.end)) for month in period.months()]
    sums: dict[str, Decimal] = {}
    for account in sorted(budgets):
        if entity is not None and entity_of(account) != entity:
            continue
        total = sum((month.get(account, ZERO) for month in months), ZERO)
        if total:
            sums[account] = total
    return sums


def month_budgets(books: Books, month: Period) -> dict[str, Decimal]:
    """Every account's budget for one calendar month, rounded to the öre (remembered
    with the books: the entities' and the group's comparisons share each month)."""
    def compute() -> dict[str, Decimal]:
        budgets, _ = read_budgets(books)
        return {account: round_ore(fava_budget(budgets[account], month.start, month.end))
                for account in budgets}

    return books.remember(("compare.month_budgets", month.start, month.end), compute,
                          keep=240)


def part_budgets(books: Books, month: Period, start: datetime.date,
                 end: datetime.date) -> dict[str, Decimal]:
    """Every account's budget for the days ``start`` to ``end`` (exclusive) of a month.

    The budget up to ``end`` minus the budget up to ``start`` (:func:`budget_through`):
    consecutive parts of a month sum exactly to :func:`month_budgets`.
    """
    if start <= month.start and end >= month.end:
        return month_budgets(books, month)
    high, low = budget_through(books, month, end), budget_through(books, month, start)
    return {account: high.get(account, ZERO) - low.get(account, ZERO)
            for account in high.keys() | low.keys()}


def budget_through(books: Books, month: Period, day: datetime.date) -> dict[str, Decimal]:
    """Every account's budget from a month's first day up to ``day`` (exclusive): Fava's
    exact figure for those days rounded to the öre; the whole month's on its end."""
    if day <= month.start:
        return {}
    if day >= month.end:
        return month_budgets(books, month)

    def compute() -> dict[str, Decimal]:
        budgets, _ = read_budgets(books)
        return {account: round_ore(fava_budget(budgets[account], month.start, day))
                for account in budgets}

    return books.remember(("compare.budget_through", month.start, day), compute, keep=240)


def fava_budget(budgets: Sequence[Budget], start: datetime.date,
                end: datetime.date) -> Decimal:
    """Fava's budget for one account's budgets (one currency, in date order) over the
    days ``start`` to ``end`` (exclusive) of one calendar month.

    The same figure as Fava's ``calculate_budget``, computed the same way: each day's
    share of the budget in force that day (its amount over its interval's days), added
    in day order, so the sum is Fava's to the last digit. Fava looks the budget and its
    interval's length up again for each day; inside a calendar month both change only
    where a later budget starts (every Fava interval has the same length on each day of
    a month), so here they are looked up once for each stretch.
    """
    starts = [budget.date_start for budget in budgets]
    total = Decimal()
    day = start
    while day < end:
        index = bisect.bisect_right(starts, day)  # the last budget started by ``day``
        until = min(starts[index], end) if index < len(starts) else end
        if index:
            budget = budgets[index - 1]
            share = budget.number / budget.period.number_of_days(day)
            for _ in range((until - day).days):
                total += share
        day = until
    return total


def fiscal_year_start(books: Books, entity: str | None) -> int:
    """The month the entity's (for the group: the umbrella's) fiscal year starts in."""
    owner = books.entity(entity) if entity else books.umbrella
    return owner.fiscal_year_start if owner is not None else 1


def year_to_date(period: Period, start_month: int) -> Period:
    """From the start of the fiscal year holding the period's last day to its end."""
    last = period.last_day
    year = last.year if last.month >= start_month else last.year - 1
    start = period.start.replace(year=year, month=start_month, day=1)
    return Period(start, period.end, f"{start:%Y-%m} -- {period.last_day:%Y-%m}")


def a_year_before(period: Period) -> Period:
    """The same months one year earlier."""
    return Period(_year_before(period.start), _year_before(period.end),
                  f"{period.label} -1 år")


def _year_before(day: datetime.date) -> datetime.date:
    # ``day - relativedelta(years=1)``: 29 February becomes the 28th.
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def _figures(books: Books, entity: str | None, period: Period, basis: Basis,
             *, reference: bool) -> dict[tuple[int, str], tuple[
                 str, str | None, str, str, Decimal]]:
    """The keyed lines of the actual statement of a period, or of its reference.

    Remembered with the books by entity, dates and kind: the budget and the last-year
    comparisons share the actual figures, a period that is its own year to date shares
    them with it, and the last year's reference is the actual statement a year before.
    """
    kind = "budget" if reference and basis == "budget" else "actual"
    if reference and basis == "last-year":
        period = a_year_before(period)

    def compute() -> dict[tuple[int, str], tuple[str, str | None, str, str, Decimal]]:
        sums = (budget_sums(books, period, entity) if kind == "budget"
                else changes(books, period, entity=entity))
        return _keyed(income_statement_of(books, entity, period, sums), entity is not None)

    return books.remember(("compare.figures", entity, period.start, period.end, kind),
                          compute, keep=128)


def _keyed(statement: IncomeStatement, per_account: bool) -> dict[tuple[int, str], tuple[
        str, str | None, str, str, Decimal]]:
    order = {title: i for i, (title, _, _) in enumerate(INCOME_SECTIONS)}
    out = {}
    for section in statement.sections:
        for line in section.lines:
            key = line.account if per_account or not line.bas else line.bas
            out[(order.get(section.title, len(order)), key)] = (
                section.title, line.bas, line.account, line.name, line.amount)
    return out


def compare(books: Books, entity: str | None, period: Period, basis: Basis) -> Comparison:
    """The income statement of a period beside its budget or last year's figures.

    Args:
        books: The books.
        entity: An entity code, or None for the group (intra-group eliminated).
        period: Any days (a month only partly inside it gets its days' part of the
            budget).
        basis: ``budget`` or ``last-year``.

    Returns:
        The comparison, with the year to date.

    Raises:
        CoopException: Unknown entity.
    """
    if entity is not None:
        books.entity(entity)
    ytd = year_to_date(period, fiscal_year_start(books, entity))
    figures = [_figures(books, entity, p, basis, reference=ref)
               for p, ref in ((period, False), (period, True), (ytd, False), (ytd, True))]
    keys = sorted(set().union(*figures))
    lines = []
    for key in keys:
        section, bas, account, name, _ = next(f[key] for f in figures if key in f)
        amounts = [f[key][4] if key in f else ZERO for f in figures]
        lines.append(CompareLine(section, bas, account, name, *amounts))
    reference_period = period if basis == "budget" else a_year_before(period)
    return Comparison(entity, basis, period, reference_period, ytd, tuple(lines))


def monthly(books: Books, entity: str | None, period: Period,
            basis: Basis) -> list[Comparison]:
    """One comparison per month of the period, in order."""
    return [compare(books, entity, month, basis) for month in period.months()]

