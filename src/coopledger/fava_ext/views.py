"""The board pages' figures: plain data built from the books, which the templates format.

Every function here takes :class:`~coopledger.books.Books` (built from the entries Fava
shows, its filters applied) and a :class:`~coopledger.periods.Period` explicitly and
returns frozen dataclasses; nothing reads Flask's request state. The statements come
from :mod:`coopledger.statements`; this module only picks and arranges their figures.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from coopledger.balances import balances, changes, monthly_changes
from coopledger.books import Books
from coopledger.entities import Entity, EntityKind, entity_of
from coopledger.errors import CoopException
from coopledger.fava_ext.decide_view import last_day, preliminary_months
from coopledger.i18n import Message
from coopledger.people import paid_by_month
from coopledger.periods import Period
from coopledger.statements import (
    BALANCE_SECTIONS,
    INCOME_SECTIONS,
    BalanceSheet,
    IncomeStatement,
    balance_sheet,
    income_statement,
)
from coopledger.svgchart import LineChart, first_preliminary, line_chart

ZERO = Decimal(0)
REVENUE_SECTION = INCOME_SECTIONS[0][0]
#: Sections that are neither revenue nor operating costs (financial items, tax).
NON_OPERATING_SECTIONS = (REVENUE_SECTION, "Finansiella poster",
                          "Bokslutsdispositioner och skatt")
OTHER_SECTION = "Övrigt"
EQUITY_LOW, EQUITY_HIGH = next((low, high) for title, low, high in BALANCE_SECTIONS
                               if title == "Eget kapital")
#: Salary accounts (BAS 7000-7399) mark a transaction as payroll for the headcount.
PAYROLL_BAS = ("7000", "7399")


def whole_books_period(books: Books) -> Period:
    """The period from the first transaction to the books' last day (Fava without a time
    filter).

    It ends on :func:`~coopledger.fava_ext.decide_view.last_day`: a balance assertion
    on the next month's first day (as a bank statement's closing balance is) proves the
    books through the day before, and would otherwise make a phantom month of zeros.
    """
    last = last_day(books)
    start = books.transactions[0].date if books.transactions else last
    return Period(start, last + datetime.timedelta(days=1), f"{start} – {last}")


def period_between(start: datetime.date, end: datetime.date, label: str) -> Period:
    """The period Fava's time filter chose (``end`` exclusive), labelled as the filter."""
    return Period(start, end, label)


def keep_transactions(all_entries: Sequence[data.Directive],
                      kept: Iterable[data.Directive]) -> list[data.Directive]:
    """All entries but only the kept transactions, in the ledger's order.

    Fava's account filter drops every entry that names no matching account, declarations
    included; the pages need the declarations and ``open`` metadata of every account, so
    only the transactions are filtered.

    Args:
        all_entries: The ledger's entries.
        kept: The entries Fava's filters let through.

    Returns:
        The non-transaction entries plus the kept transactions.
    """
    keep = {id(entry) for entry in kept if isinstance(entry, data.Transaction)}
    return [e for e in all_entries if not isinstance(e, data.Transaction) or id(e) in keep]


def headcounts(books: Books, period: Period) -> dict[str, int]:
    """Distinct ``employee`` metadata on payroll postings per entity within a period.

    A payroll posting is one on a salary account (BAS 7000-7399); the employee is the
    posting's ``employee`` metadata, else the transaction's.

    Args:
        books: The books.
        period: The period.

    Returns:
        Entity code to the number of distinct employees paid (entities with none absent).
    """
    dates = (books.transactions[0].date, books.transactions[-1].date) \
        if books.transactions else (period.start, period.start)
    if (period.start.day == 1 or period.start <= dates[0]) \
            and (period.end.day == 1 or period.end > dates[1]):
        # Whole months of the books (the whole books, without a filter, start on their
        # first transaction's day): the people paid per month are read once per load
        # (the people's figures need them too), so the ledger is not read again here.
        seen: dict[str, set[str]] = {}
        paid = paid_by_month(books)
        for month in period.months():
            for code, employee in paid.get(month.label, ()):
                seen.setdefault(code, set()).add(employee)
        return {code: len(names) for code, names in seen.items()}
    return _headcounts(books, period)


def _headcounts(books: Books, period: Period) -> dict[str, int]:
    transactions = books.transactions
    lo = bisect.bisect_left(transactions, period.start, key=lambda t: t.date)
    hi = bisect.bisect_left(transactions, period.end, key=lambda t: t.date)
    seen: dict[str, set[str]] = {}
    low, high = PAYROLL_BAS
    payroll: dict[str, str | None] = {}  # account: its entity if a salary account, else None
    for entry in transactions[lo:hi]:
        for posting in entry.postings:
            account = posting.account
            if account in payroll:
                code = payroll[account]
            else:
                bas = books.bas(account)
                code = payroll[account] = (entity_of(account) if bas is not None
                                           and low <= bas <= high else None)
            if code is None:
                continue
            employee = (posting.meta or {}).get("employee") or entry.meta.get("employee")
            if employee is not None:
                seen.setdefault(code, set()).add(str(employee))
    return {code: len(names) for code, names in seen.items()}


@dataclass(frozen=True)
class EntityRow:
    """One entity's key figures on the group page.

    Attributes:
        code: The entity code.
        name: Its registered name.
        kind: umbrella, member or fund.
        turnover: Operating income (BAS 3xxx), positive.
        costs: Operating costs (BAS 4xxx-7xxx), negative as in the income statement.
        result: The period's result.
        margin: Result over turnover (None without turnover).
        headcount: Distinct employees paid in the period.
        equity: Equity at the period's end, the unclosed result included.
        cash: Cash and bank (BAS 19xx) at the period's end.
        fund_loans: Owed to the fund (BAS 2390) at the period's end, positive.
    """

    code: str
    name: str
    kind: str
    turnover: Decimal
    costs: Decimal
    result: Decimal
    margin: Decimal | None
    headcount: int
    equity: Decimal
    cash: Decimal
    fund_loans: Decimal


def margin_of(result: Decimal, turnover: Decimal) -> Decimal | None:
    """Result as a share of turnover, or None when there is no turnover."""
    return result / turnover if turnover else None


def _income_title(bas: str | None) -> str:
    # The income statement's section of an account, as coopledger.statements places it.
    return next((title for title, low, high in INCOME_SECTIONS
                 if bas and low <= bas <= high), OTHER_SECTION)


def group_rows(books: Books, entities: Sequence[Entity], period: Period,
               heads: dict[str, int]) -> tuple[EntityRow, ...]:
    """Every entity's key figures from two passes, whatever the number of entities.

    The figures are those of each entity's :func:`~coopledger.statements.income_statement`
    (revenue, costs, result) and :func:`~coopledger.statements.balance_sheet` (equity
    with the unclosed result, cash, loans from the fund), summed from one pass over the
    period's movements and one over the balances at its end instead of two passes per
    entity; the tests hold them equal to the statements, entity by entity.

    Args:
        books: The books.
        entities: The entities, in the order shown.
        period: The period.
        heads: Headcount per entity code.

    Returns:
        One row per entity.
    """
    revenue: dict[str, Decimal] = {}
    costs: dict[str, Decimal] = {}
    result: dict[str, Decimal] = {}
    for account, amount in changes(books, period).items():
        root, code = account.split(":", 1)[0], entity_of(account) or ""
        if root not in ("Income", "Expenses"):
            continue
        title = _income_title(books.bas(account))
        result[code] = result.get(code, ZERO) - amount
        if title == REVENUE_SECTION:
            revenue[code] = revenue.get(code, ZERO) - amount
        elif title not in NON_OPERATING_SECTIONS:
            costs[code] = costs.get(code, ZERO) - amount
    equity: dict[str, Decimal] = {}
    cash: dict[str, Decimal] = {}
    loans: dict[str, Decimal] = {}
    for account, amount in balances(books, period.last_day).items():
        root, code, bas = account.split(":", 1)[0], entity_of(account) or "", books.bas(account)
        if root in ("Income", "Expenses") or (
                root in ("Liabilities", "Equity") and bas and EQUITY_LOW <= bas <= EQUITY_HIGH):
            equity[code] = equity.get(code, ZERO) - amount
        if bas and bas.startswith("19"):
            cash[code] = cash.get(code, ZERO) + (amount if root == "Assets" else -amount)
        if bas and bas.startswith("2390") and root != "Assets":
            loans[code] = loans.get(code, ZERO) - amount
    rows = []
    for entity in entities:
        code = entity.code
        turnover, res = revenue.get(code, ZERO), result.get(code, ZERO)
        rows.append(EntityRow(
            code=code, name=entity.name, kind=str(entity.kind), turnover=turnover,
            costs=costs.get(code, ZERO), result=res, margin=margin_of(res, turnover),
            headcount=heads.get(code, 0), equity=equity.get(code, ZERO),
            cash=cash.get(code, ZERO), fund_loans=loans.get(code, ZERO)))
    return tuple(rows)


def monthly_results(books: Books, period: Period,
                    codes: Sequence[str] | None = None) -> dict[str, list[Decimal]]:
    """Each entity's result per calendar month of the period, from one pass.

    Args:
        books: The books.
        period: The period.
        codes: The entities to include (default: all declared).

    Returns:
        Entity code to one result per month of ``period.months()``.
    """
    wanted = list(codes if codes is not None else books.entities)
    per_month = monthly_changes(books, period)
    results: dict[str, list[Decimal]] = {code: [] for code in wanted}
    for sums in per_month.values():
        month: dict[str, Decimal] = {}
        for account, amount in sums.items():
            if account.split(":", 1)[0] in ("Income", "Expenses"):
                code = entity_of(account) or ""
                month[code] = month.get(code, ZERO) - amount
        for code in wanted:
            results[code].append(month.get(code, ZERO))
    return results


@dataclass(frozen=True)
class GroupView:
    """The group page: every entity's figures, the consolidated statements and a chart.

    The consolidated statements are None in one entity's own view, where eliminating
    its intra-group accounts would only leave half of each pair.
    """

    period: Period
    rows: tuple[EntityRow, ...]
    consolidated: IncomeStatement | None
    consolidated_sheet: BalanceSheet | None
    chart: LineChart


def group_view(books: Books, period: Period, *, consolidate: bool = True) -> GroupView:
    """Build the group page for a period.

    Args:
        books: The books (Fava's filters applied).
        period: The chosen period.
        consolidate: Add the consolidated statements (not in one entity's own view).

    Returns:
        The page's figures.

    Raises:
        CoopException: The books declare no entity.
    """
    if not books.entities:
        raise CoopException(Message.of("error.no_entities"))
    heads = headcounts(books, period)
    order = {EntityKind.MEMBER: 0, EntityKind.UMBRELLA: 1, EntityKind.FUND: 2}
    entities = sorted(books.entities.values(), key=lambda e: order[e.kind])
    rows = group_rows(books, entities, period, heads)
    charted = [e.code for e in entities if e.kind is EntityKind.MEMBER]
    labels = [m.label for m in period.months()]
    chart = line_chart("monthly_result", labels,
                       monthly_results(books, period, charted or [e.code for e in entities]),
                       preliminary_from=first_preliminary(
                           labels, preliminary_months(books, period)))
    if not consolidate:
        return GroupView(period, rows, None, None, chart)
    return GroupView(period, rows, income_statement(books, None, period),
                     balance_sheet(books, None, period.last_day), chart)


@dataclass(frozen=True)
class MonthRow:
    """One month of a cooperative's dealings with the umbrella and the fund.

    Costs and subsidies are shown positive; the loan is the balance owed at month end.
    """

    month: str
    result: Decimal
    fees: Decimal
    allocated: Decimal
    subsidies: Decimal
    loan_balance: Decimal


@dataclass(frozen=True)
class MemberView:
    """The cooperative page: statements, month by month, a chart."""

    entity: Entity
    period: Period
    statement: IncomeStatement
    sheet: BalanceSheet
    months: tuple[MonthRow, ...]
    chart: LineChart


def _bas_sum(books: Books, sums: dict[str, Decimal], prefix: str) -> Decimal:
    return sum((amount for account, amount in sums.items()
                if (books.bas(account) or "").startswith(prefix)), ZERO)


def member_months(books: Books, code: str, period: Period) -> tuple[MonthRow, ...]:
    """A cooperative's result, fees, allocations, subsidies and loan, month by month.

    Args:
        books: The books.
        code: The entity code.
        period: The period.

    Returns:
        One row per calendar month of the period.
    """
    opening = balances(books, period.start - datetime.timedelta(days=1), entity=code)
    loan = -_bas_sum(books, opening, "2390")
    rows = []
    for label, sums in monthly_changes(books, period, entity=code).items():
        loan -= _bas_sum(books, sums, "2390")
        result = -sum((amount for account, amount in sums.items()
                       if account.split(":", 1)[0] in ("Income", "Expenses")), ZERO)
        rows.append(MonthRow(label, result, _bas_sum(books, sums, "6550"),
                             _bas_sum(books, sums, "6590"), -_bas_sum(books, sums, "3988"),
                             loan))
    return tuple(rows)


def member_view(books: Books, code: str, period: Period) -> MemberView:
    """Build the cooperative page for one entity.

    Args:
        books: The books (Fava's filters applied).
        code: The entity code from the URL.
        period: The chosen period.

    Returns:
        The page's figures.

    Raises:
        CoopException: No entity has this code (the message lists the known ones).
    """
    entity = books.entity(code)
    months = member_months(books, code, period)
    labels = [m.month for m in months]
    chart = line_chart("monthly_result", labels, {
        "chart_result": [m.result for m in months],
        "chart_loan": [m.loan_balance for m in months],
    }, preliminary_from=first_preliminary(labels, preliminary_months(books, period)))
    return MemberView(entity, period, income_statement(books, code, period),
                      balance_sheet(books, code, period.last_day), months, chart)
